"""Snapshots of a rules directory: every rule file's text by relative path, so a past run
can be reproduced with exactly the rules it used (``riskengine score --run``).

The snapshot covers every ``*.yaml`` file below the directory (regimes, scoring, scenario,
merges, screening, ...), not only the files ``RuleSet.content_hash`` covers: entity merges
and screening settings change results too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def read_rule_files(directory: Path) -> dict[str, str]:
    """{relative posix path: text} of every ``*.yaml`` file below ``directory``."""
    return {p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(directory.rglob("*.yaml")) if p.is_file()}


def encode(files: dict[str, str]) -> bytes:
    """Canonical JSON of a snapshot (sorted keys): its hash identifies the content."""
    return json.dumps(files, sort_keys=True, ensure_ascii=False).encode("utf-8")


def decode(content: bytes) -> dict[str, str]:
    found = json.loads(content.decode("utf-8"))
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise ValueError("a rules snapshot is a JSON object of file texts")
    return {str(k): v for k, v in found.items()}


def write_rule_files(files: dict[str, str], directory: Path) -> Path:
    """Write a snapshot below ``directory`` (which must be empty or new); returns it."""
    for rel, text in files.items():
        target = (directory / rel).resolve()
        if directory.resolve() not in target.parents:
            raise ValueError(f"rules snapshot path escapes its directory: {rel!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return directory


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
