"""``runs.cells``: the stored cells and row digests made column-wise are those of the rows
made one dict at a time (``score_rows`` iterated, ``digest.json_text`` and ``row_digest``),
on random tables: odd scores, negative and large parts, names JSON must escape, merged
entities, blocks of any size."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskengine.derive.base import RegimeArrays
from riskengine.exposure.score import ScoreTable
from riskengine.runs.cells import cell_blocks, number_text
from riskengine.runs.digest import json_text, row_digest
from riskengine.runs.table import score_rows

KEYS = ("blocked:us", "cap", "tie_exposure:eu", "tie_exposure:us", "possibly_blocked:uk")
REGIMES = ("us", "uk", "eu")
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
SCORE = st.one_of(st.integers(-10**6, 10**7).map(lambda c: c / 100.0),
                  st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0))
CENTS = st.one_of(st.integers(-10**6, 10**6), st.just(0), st.integers(-10**14, 10**14))


@st.composite
def books(draw: st.DrawFn) -> tuple[ScoreTable, list[str], dict[str, RegimeArrays],
                                    dict[str, list[str]]]:
    n = draw(st.integers(0, 12))
    ids = tuple(sorted(draw(st.sets(TEXT, min_size=n, max_size=n))))
    flags = st.lists(st.booleans(), min_size=n, max_size=n).map(
        lambda v: np.asarray(v, dtype=np.bool_))
    parts = {k: np.asarray(draw(st.lists(CENTS, min_size=n, max_size=n)), dtype=np.int64)
             for k in draw(st.sets(st.sampled_from(KEYS)))}
    table = ScoreTable(ids, np.asarray(draw(st.lists(SCORE, min_size=n, max_size=n)),
                                       dtype=np.float64), draw(flags),
                       np.asarray(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
                                  dtype=np.int64), ("blocked", 'hi"gh', "none"), parts)
    verdicts = {r: RegimeArrays(r, draw(flags), draw(flags), draw(flags), draw(flags))
                for r in draw(st.sets(st.sampled_from(REGIMES)))}
    names = draw(st.lists(TEXT, min_size=n, max_size=n))
    merged = {e: draw(st.lists(TEXT, min_size=1, max_size=3))
              for e in ids if draw(st.booleans())}
    return table, names, verdicts, merged


def _old(row: dict[str, Any]) -> tuple[Any, ...]:
    members = row["members"]
    return (row["entity_id"], row["name"], float(row["score"]), row["band"],
            bool(row["blocked"]), json_text(row["regimes"]), json_text(row["parts"]),
            None if members is None else json_text(members))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), st.integers(1, 5))
def test_cells_and_digests_are_those_of_the_rows(book: Any, block: int) -> None:
    table, names, verdicts, merged = book
    rows = score_rows(table, names, verdicts, sorted(verdicts), merged, block)
    blocks = list(cell_blocks(rows))
    cells = [c for b in blocks for c in b.rows]
    want = [_old(r) for r in rows]
    assert [repr(c) for c in cells] == [repr(c) for c in want]  # nan == nan, -0.0 kept
    assert [d for b in blocks for d in b.digests] == [row_digest(r) for r in rows]
    assert all(len(b.rows) <= block for b in blocks)


@given(st.lists(st.integers(-10**15, 10**15), max_size=50))
def test_numbers_are_written_as_python_writes_them(cents: list[int]) -> None:
    found = number_text(np.asarray(cents, dtype=np.int64)).to_pylist()
    assert found == [repr(c / 100.0) for c in cents]
