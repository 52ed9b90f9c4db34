"""Content digests that make stored decisions tamper-evident (issue 14, point 5).

The audit chain (``riskengine.runs.chain``) only protects what its entries hold. A run's
entry therefore carries a digest of the run's header row and one of all its per-entity rows,
an ingest's entry a digest of its ingest row, and an override's entries a digest of its
content: ``audit verify`` recomputes them from the stored rows, so an edit of any of those
rows with plain SQL is found and named.

``RowsDigest`` is order-independent (the sorted sha256 of every row, hashed once more): rows
are written in the engine's order and read back in the database's, and a run of a million
entities costs 32 MB of row digests while it is written or checked. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from riskengine.runs.chain import canonical

# The columns of a run's per-entity row that its digest covers (run_id excluded: a row moved
# to another run changes both runs' digests).
SCORE_COLUMNS = ("entity_id", "name", "score", "band", "blocked", "regimes", "parts", "members")
# The columns of a run's header row that its digest covers (status changes on prune, which
# has its own audit entry; id is what the entry names).
HEADER_COLUMNS = ("started_at", "finished_at", "as_of", "rules_hash", "data_snapshot", "actor",
                  "counts", "facts_hash", "rules_snapshot")


def json_cell(value: Any) -> Any:
    """A JSON-ready value that reads back the same from every database: numpy scalars as
    Python ones, dates and times as ISO text (times in UTC)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime):
        return (value if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_digest(values: Mapping[str, Any], columns: Iterable[str] | None = None) -> str:
    """sha256 of the canonical JSON of ``values`` (only ``columns`` when given)."""
    keys = sorted(values) if columns is None else list(columns)
    return hashlib.sha256(canonical({k: json_cell(values.get(k)) for k in keys}).encode()
                          ).hexdigest()


def header_digest(values: Mapping[str, Any]) -> str:
    """Digest of a run's header row (``HEADER_COLUMNS`` of it)."""
    return content_digest(values, HEADER_COLUMNS)


def _unknown(value: Any) -> Any:
    """What the row encoder does with a value JSON has no type for (``json_cell``)."""
    found = json_cell(value)
    return str(found) if found is value else found


# Rows are many: one encoder for all, cells converted only when JSON does not know them.
_ROW_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                default=_unknown)


def row_digest(row: Mapping[str, Any]) -> bytes:
    """sha256 of one per-entity row (``SCORE_COLUMNS``; the score as a float)."""
    cells: list[Any] = [row.get(c) for c in SCORE_COLUMNS]
    cells[2] = float(cells[2])
    cells[4] = bool(cells[4])
    return hashlib.sha256(_ROW_ENCODER.encode(cells).encode()).digest()


def json_text(value: Any) -> str:
    """A JSON cell of a per-entity row as ``row_digest`` encodes it (sorted keys, compact):
    the stored text of the fast writer (``store.runs``). The cells of most entities are
    empty (clear, no parts, not merged): those are written without the encoder."""
    if value is None:
        return "null"
    if not value and type(value) in _EMPTY:
        return _EMPTY[type(value)]
    return _ROW_ENCODER.encode(value)


_EMPTY: dict[type, str] = {dict: "{}", list: "[]"}


_TEXT = json.encoder.encode_basestring  # a str as the row encoder writes it (not ASCII-only)


def _text(value: Any) -> str:
    return str(_TEXT(value)) if type(value) is str else _ROW_ENCODER.encode(value)


def row_digest_of_cells(row: Sequence[Any]) -> bytes:
    """``row_digest`` of a row given as (entity_id, name, score, band, blocked, regimes,
    parts, members) with the three JSON cells already encoded by ``json_text``: the same
    bytes (a JSON array is its cells joined), without encoding them a second time."""
    entity_id, name, score, band, blocked, regimes, parts, members = row
    text = (f"[{_text(entity_id)},{_text(name)},{_ROW_ENCODER.encode(float(score))},"
            f"{_text(band)},{'true' if blocked else 'false'},{regimes},{parts},{members}]")
    return hashlib.sha256(text.encode()).digest()


class RowsDigest:
    """The digest of a run's rows, fed row by row in any order."""

    def __init__(self) -> None:
        self._digests = bytearray()
        self.count = 0

    def add(self, row: Mapping[str, Any]) -> None:
        self.add_digest(row_digest(row))

    def add_digest(self, digest: bytes) -> None:
        """Add a row by its ``row_digest`` (or ``row_digest_of_cells``)."""
        self._digests += digest
        self.count += 1

    def passing(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``rows`` unchanged, each added on its way through (to a writer)."""
        for row in rows:
            self.add(row)
            yield row

    def hexdigest(self) -> str:
        """sha256 over the row digests in sorted order: the same for the same rows."""
        found = np.frombuffer(bytes(self._digests), dtype="S32")
        return hashlib.sha256(np.sort(found).tobytes()).hexdigest()


def rows_digest(rows: Iterable[Mapping[str, Any]]) -> tuple[int, str]:
    """(number of rows, their ``RowsDigest``)."""
    digest = RowsDigest()
    for row in rows:
        digest.add(row)
    return digest.count, digest.hexdigest()
