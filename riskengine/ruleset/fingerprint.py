"""What a validated rule set is remembered by: a sha256 over every rule file's name and
bytes. Its own module so that a process finding the rule set remembered (``ruleset.disk``)
does not import the YAML loader and the rule checks (about 45 ms of a cold ``score``)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def fingerprint(directory: Path) -> str:
    """sha256 over the relative name and bytes of every rule file below ``directory``; ''
    when there is no directory or a file cannot be read (nothing is remembered then)."""
    if not directory.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.yaml")):
        try:
            raw = path.read_bytes()
        except OSError:
            return ""
        rel = path.relative_to(directory).as_posix().encode()
        for part in (len(rel).to_bytes(8, "big"), rel, len(raw).to_bytes(8, "big"), raw):
            digest.update(part)
    return digest.hexdigest()
