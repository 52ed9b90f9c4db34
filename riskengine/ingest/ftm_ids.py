"""Repeated record ids in an FtM file, found in bounded memory (tens of millions of lines).

A dict of every id seen costs about 130 bytes per record (9 GB for the 70M records of a
20M-entity file). ``SeenIds`` keeps the ids of the latest batch of records exactly (a dict:
a repeat within it is reported at once), and folds each full batch into two sorted numpy
arrays of 64-bit string hashes and line numbers (16 bytes per record). A record of the batch
whose hash is already there is a candidate repeat; it is confirmed by reading the earlier
line's id again (``id_at``), so a hash collision is never reported as a repeat. A repeat of a
record from an earlier batch is therefore reported when its batch is folded (after at most
one batch more), with the same message: ``path:line: duplicate id 'x' (first at line n)``.

Pure: the file is read, if ever, only through ``id_at``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from riskengine.errors import InputError

MIN_BATCH = 1_000_000  # records held exactly before a fold; grows with the folded total
Ints = npt.NDArray[np.int64]


class SeenIds:
    """The record ids of one file seen so far (module docstring)."""

    def __init__(self, path: Path, id_at: Callable[[int], str | None],
                 key: Callable[[str], int] = hash, batch: int = MIN_BATCH) -> None:
        self.path, self.id_at, self.key, self.batch = path, id_at, key, batch
        self.recent: dict[str, int] = {}
        self.hashes: Ints = np.zeros(0, dtype=np.int64)
        self.lines: Ints = np.zeros(0, dtype=np.int64)

    def add(self, record_id: str, line: int) -> None:
        """Note ``record_id`` at ``line``; InputError when the file already had it."""
        seen = self.recent.setdefault(record_id, line)
        if seen != line:  # named from its first line: maybe in an earlier batch
            first = self._folded_line(record_id)
            raise (self._repeat(record_id, line, seen) if first is None
                   else self._repeat(record_id, seen, first))
        if len(self.recent) >= max(self.batch, len(self.hashes) // 4):
            self.fold()

    def fold(self) -> None:
        """Check the recent ids against the folded ones, then fold them in."""
        if not self.recent:
            return
        count = len(self.recent)
        hashes = np.fromiter((self.key(k) for k in self.recent), np.int64, count)
        lines = np.fromiter(self.recent.values(), np.int64, count)
        self._check(hashes, lines)
        merged = np.concatenate([self.hashes, hashes])
        order = np.argsort(merged, kind="stable")  # two sorted runs and a new one: a merge
        self.hashes = merged[order]
        self.lines = np.concatenate([self.lines, lines])[order]
        self.recent = {}

    def _check(self, hashes: Ints, lines: Ints) -> None:
        if not len(self.hashes):
            return
        pos = np.searchsorted(self.hashes, hashes)
        inside = pos < len(self.hashes)
        hit = np.zeros(len(hashes), dtype=np.bool_)
        hit[inside] = self.hashes[pos[inside]] == hashes[inside]
        if not hit.any():
            return
        ids = list(self.recent)
        for k in np.flatnonzero(hit)[np.argsort(lines[hit], kind="stable")].tolist():
            self._confirm(ids[k], int(lines[k]), int(pos[k]), int(hashes[k]))

    def _confirm(self, record_id: str, line: int, pos: int, key: int) -> None:
        """Raise when an earlier line with the same hash holds the same id."""
        first = self._line_of(record_id, pos, key)
        if first is not None:
            raise self._repeat(record_id, line, first)

    def _folded_line(self, record_id: str) -> int | None:
        key = self.key(record_id)
        return self._line_of(record_id, int(np.searchsorted(self.hashes, key)), key)

    def _line_of(self, record_id: str, pos: int, key: int) -> int | None:
        """The folded line holding ``record_id``, from ``pos``, the first of hash ``key``."""
        while pos < len(self.hashes) and int(self.hashes[pos]) == key:
            first = int(self.lines[pos])
            if self.id_at(first) == record_id:
                return first
            pos += 1
        return None

    def _repeat(self, record_id: str, line: int, first: int) -> InputError:
        return InputError(f"{self.path}:{line}",
                          f"duplicate id {record_id!r} (first at line {first})")
