"""Compiled graphs on disk: one folder per key, Arrow IPC files (memory-mapped when read)
and a manifest with every file's sha256, checked before use. Written to a temporary folder
and renamed into place, so a reader never sees half a graph; a folder that fails its check
is removed and the graph built again. The ``KEEP`` folders written or read last are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
from pyarrow import ipc

from riskengine.compiled.build import Compiled

FORMAT = 2  # bump when the columns change: older folders are then never read (2: merges)
KEEP = 3
MANIFEST = "manifest.json"
SCREENING = "screening"  # the screening indexes' folder (``screen_index``), never pruned here


def graph_key(data_version: str, rules_digest: str) -> str:
    """The folder name of the graph of these data and rules."""
    text = f"riskengine-compiled-v{FORMAT}\n{data_version}\n{rules_digest}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(root: Path, key: str, compiled: Compiled, meta: dict[str, str]) -> Path:
    """Write ``compiled`` under ``root/key`` (atomically); returns the folder."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    files = {}
    for name, table in compiled.tables.items():
        path = tmp / f"{name}.arrow"
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        files[path.name] = _sha256(path)
    manifest = {"format": FORMAT, "key": key, "files": files, **meta}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    target = root / key
    try:
        os.rename(tmp, target)
    except OSError:  # another process wrote the same graph first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(root, keep=target)
    return target


class Corrupt(Exception):
    """A compiled folder failed its check (its text says why)."""


def load(root: Path, key: str, only: frozenset[str] | None = None) -> Compiled | None:
    """The graph ``key`` if present and intact; None if absent; Corrupt if altered.
    ``only``: read (and check) just these tables of it."""
    folder = root / key
    if not (folder / MANIFEST).is_file():
        return None
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Corrupt(f"unreadable manifest in {folder}") from exc
    if manifest.get("format") != FORMAT or manifest.get("key") != key:
        raise Corrupt(f"{folder} is of another format or key")
    found = Compiled({Path(name).stem: _read(folder / name, digest)
                      for name, digest in sorted(files.items())
                      if only is None or Path(name).stem in only})
    _used(folder)
    return found


def _used(folder: Path) -> None:
    """Mark ``folder`` used now: ``_prune`` keeps the graphs used last, so a dry run's
    proposed graph (or any other one-off) does not push out the graph in daily use."""
    with contextlib.suppress(OSError):  # a read-only cache: only read, never pruned here
        os.utime(folder)


def _read(path: Path, digest: object) -> pa.Table:
    if not path.is_file() or _sha256(path) != digest:
        raise Corrupt(f"{path} does not match its sha256 in the manifest")
    try:
        return ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    except (OSError, pa.ArrowException) as exc:
        raise Corrupt(f"{path} is not a readable Arrow file") from exc


def discard(root: Path, key: str) -> None:
    shutil.rmtree(root / key, ignore_errors=True)


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the ``KEEP`` graphs written or used last (``_used``)."""
    found = sorted((p for p in root.iterdir()
                    if p.is_dir() and not p.name.startswith(".") and p.name != SCREENING),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in found if p != keep][KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
