"""The stored cells of a run's rows and their digests, built a block of entities at a time,
column-wise (pyarrow compute), instead of a dict and three JSON encodings per entity.

Each block gives, per entity, the cells ``store.runs`` writes (entity_id, name, score, band,
blocked, and the regimes, parts and members JSON texts) and the row's ``row_digest``: the
very texts and bytes ``runs.table.score_rows`` and ``runs.digest`` make row by row (tests
compare them on random rows). Numbers are written as Python writes a float: a part of c
cents is ``c / 100.0``, whose shortest repr is c's decimal with trailing zeros dropped
(``12.5``, ``100.0``, ``-2.57``); a score that is not a whole number of cents, a text JSON
must escape and a merged entity's members are encoded by the row encoder itself. Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskengine.exposure.score import ScoreTable
from riskengine.runs.digest import _text, json_text
from riskengine.runs.table import STATUSES, ScoreRows, status_codes

# the two decimals of c % 100 as repr writes them after the point
_FRACTION = pa.array(["0"] + [f"{i:02d}".rstrip("0") for i in range(1, 100)])
_MUST_ESCAPE = r'[\x00-\x1f"\\]'  # what the row encoder escapes (ensure_ascii off)


@dataclass(frozen=True)
class CellBlock:
    """The cells of consecutive entities (``SCORE_INSERT`` without run_id) and the
    ``row_digest`` of each row."""

    rows: list[tuple[Any, ...]]
    digests: list[bytes]


def cell_blocks(rows: ScoreRows) -> Iterator[CellBlock]:
    """The cells of ``rows`` (``runs.table.score_rows``), ``rows.block`` entities at a
    time."""
    table, block = rows.table, max(rows.block, 1)
    codes = {r: status_codes(rows.verdicts[r]) for r in rows.order}
    possibly = {r: np.asarray(rows.verdicts[r].possibly, dtype=np.bool_) for r in rows.order}
    for lo in range(0, len(table.ids), block):
        hi = min(lo + block, len(table.ids))
        yield _block(table, list(rows.names[lo:hi]), (codes, possibly), rows.members,
                     (lo, hi))


def _block(table: ScoreTable, names: list[str],
           regimes: tuple[Mapping[str, Any], Mapping[str, Any]],
           members: Mapping[str, Sequence[str]], span: tuple[int, int]) -> CellBlock:
    lo, hi = span
    ids = list(table.ids[lo:hi])
    regime_text = _regimes_text(regimes[0], regimes[1], lo, hi).to_pylist()
    part_text = _parts_text(table, lo, hi).to_pylist()
    merged = [_members(members, e) for e in ids]
    bands = [table.band_names[b] for b in table.band[lo:hi].tolist()]
    blocked = table.blocked_any[lo:hi].tolist()
    scores = table.score[lo:hi].tolist()
    cells = list(zip(ids, names, scores, bands, blocked, regime_text, part_text,
                     merged, strict=True))
    texts = _row_texts(table, (lo, hi), ids, names, (regime_text, part_text, merged))
    return CellBlock(cells, [hashlib.sha256(t.encode()).digest() for t in texts])


def _members(members: Mapping[str, Sequence[str]], entity_id: str) -> str | None:
    found = members.get(entity_id)
    return json_text(sorted(found)) if found and len(found) > 1 else None


def number_text(cents: np.ndarray[Any, Any]) -> pa.Array:
    """``repr(c / 100.0)`` of every whole number of cents ``c``."""
    size = np.abs(cents)
    whole = pc.cast(pa.array(size // 100), pa.string())
    fraction = _FRACTION.take(pa.array(size % 100))
    sign = pc.if_else(pa.array(cents < 0), "-", "")
    return pc.binary_join_element_wise(sign, whole, ".", fraction, "")


def _object_text(pieces: list[pa.Array], count: int) -> pa.Array:
    """``{`` the pieces (each a comma and a member, or empty) ``}`` per row, the first
    comma dropped (``{}``: no member)."""
    if not pieces:
        return pa.array(["{}"] * count, pa.string())
    joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*pieces, ""), 1)
    return pc.binary_join_element_wise(pa.array(["{"] * count, pa.string()), joined,
                                       pa.array(["}"] * count, pa.string()), "")


def _parts_text(table: ScoreTable, lo: int, hi: int) -> pa.Array:
    """The parts cell of each entity: its non-zero parts by key, as the row encoder does."""
    pieces = []
    for key in sorted(table.parts):
        cents = np.asarray(table.parts[key][lo:hi], dtype=np.int64)
        text = pc.binary_join_element_wise(f",{_text(key)}:", number_text(cents), "")
        pieces.append(pc.if_else(pa.array(cents != 0), text, ""))
    return _object_text(pieces, hi - lo)


def _regimes_text(codes: Mapping[str, Any], possibly: Mapping[str, Any], lo: int, hi: int
                  ) -> pa.Array:
    """The regimes cell: ``{code: [status, blocked, possibly]}`` of the regimes where the
    entity is not plainly clear, codes sorted."""
    pieces = []
    for r in sorted(codes):
        code = np.asarray(codes[r][lo:hi], dtype=np.int64)
        maybe = np.asarray(possibly[r][lo:hi], dtype=np.bool_)
        table = pa.array([f",{_text(r)}:{json_text([STATUSES[c], c > 0, bool(p)])}"
                          for c in range(len(STATUSES)) for p in (False, True)])
        text = table.take(pa.array(code * 2 + maybe))
        pieces.append(pc.if_else(pa.array((code > 0) | maybe), text, ""))
    return _object_text(pieces, hi - lo)


def _quoted(values: list[str]) -> list[str]:
    """Each text as a JSON string (the row encoder's escapes where any is needed)."""
    column = pa.array(values, pa.string())
    plain: list[str] = pc.binary_join_element_wise('"', column, '"', "").to_pylist()
    escape = pc.match_substring_regex(column, _MUST_ESCAPE).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(escape).tolist():
        plain[i] = _text(values[i])
    return plain


def _score_text(score: np.ndarray[Any, Any]) -> list[str]:
    """``repr`` of each score: from its cents when it is a whole number of them."""
    with np.errstate(all="ignore"):  # nan, inf and huge scores: not exact
        cents = np.rint(score * 100.0)
        exact = (np.abs(cents) < 1e15) & (cents / 100.0 == score)
    exact &= ~(np.signbit(score) & (score == 0))  # -0.0
    texts: list[str] = number_text(np.where(exact, cents, 0).astype(np.int64)).to_pylist()
    for i in np.flatnonzero(~exact).tolist():
        texts[i] = json_text(float(score[i]))
    return texts


def _row_texts(table: ScoreTable, span: tuple[int, int], ids: list[str], names: list[str],
               json_cells: tuple[list[str], list[str], list[str | None]]) -> list[str]:
    """The text ``runs.digest.row_digest`` hashes, per row of the block."""
    lo, hi = span
    regime_text, part_text, merged = json_cells
    bands = [_text(b) for b in table.band_names]
    columns = [_quoted(ids), _quoted(names), _score_text(table.score[lo:hi]),
               [bands[b] for b in table.band[lo:hi].tolist()],
               ["true" if b else "false" for b in table.blocked_any[lo:hi].tolist()],
               regime_text, part_text, ["null" if m is None else m for m in merged]]
    joined = pc.binary_join_element_wise(*(pa.array(c, pa.string()) for c in columns), ",")
    return [f"[{t}]" for t in joined.to_pylist()]
