"""``served.quick``: which explained scores the HTTP adapter makes on its event loop (small
graph, the date's evaluation kept, no run reproduced) and which in a worker thread."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from riskengine.application import served
from riskengine.ruleset.service import ServiceRules

DAY = date(2024, 5, 3)

# (case, graph entities, inline_entities, evaluated dates, as_of, run, quick)
CASES: list[tuple[str, int, int, set[date], date | None, int | None, bool]] = [
    ("small graph, date kept", 10, 100, {DAY}, DAY, None, True),
    ("as large as the limit", 100, 100, {DAY}, DAY, None, True),
    ("larger than the limit", 101, 100, {DAY}, DAY, None, False),
    ("limit 0: never", 1, 0, {DAY}, DAY, None, False),
    ("date not evaluated yet", 10, 100, {DAY}, date(2024, 5, 4), None, False),
    ("a run reproduced", 10, 100, {DAY}, None, 3, False),
]


def _version(n: int, evaluated: set[date]) -> Any:
    return SimpleNamespace(loaded=SimpleNamespace(data=SimpleNamespace(ids=("e",) * n)),
                           evaluated=lambda day: day in evaluated)


@pytest.mark.parametrize(("case", "n", "limit", "evaluated", "as_of", "run", "quick"), CASES)
def test_quick(case: str, n: int, limit: int, evaluated: set[date], as_of: date | None,
               run: int | None, quick: bool) -> None:
    warm: Any = SimpleNamespace(config=ServiceRules(inline_entities=limit))
    assert served.quick(warm, _version(n, evaluated), as_of, run) is quick, case
