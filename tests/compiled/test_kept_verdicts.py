"""A cold explained score reads the verdicts of the day's kept book (``rescore`` keeps one
beside the compiled graph) instead of deriving the whole graph's: the same result as
deriving them, read only for its own graph, rules, day and overrides, and a damaged one is
never read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from riskengine.application import runs, scoring
from riskengine.compiled import scores
from riskengine.compiled.use import cache_root
from riskengine.settings import Settings

DAY = date(2026, 11, 1)
QUERIES = ["kamaz", "jac", "moskvich", "nefaz"]


def _score(settings: Settings, query: str, day: date = DAY) -> str:
    found = scoring.score(settings, query, day, None, "test")
    return found.model_dump_json(exclude={"match"})


def _verdict_files(settings: Settings) -> list[Path]:
    return sorted(cache_root(settings).glob(f"*/{scores.FOLDER}/*/verdicts.arrow"))


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[date]]:
    """The days whose whole-graph verdicts were derived (``engine.evaluate`` calls)."""
    from riskengine import engine

    days: list[date] = []
    real = engine.evaluate

    def counted(data, rules, as_of):  # type: ignore[no-untyped-def]
        days.append(as_of)
        return real(data, rules, as_of)

    monkeypatch.setattr(engine, "evaluate", counted)
    yield days


def test_a_score_after_a_rescore_reads_the_kept_verdicts(settings: Settings,
                                                         derivations: list[date]) -> None:
    fresh = {q: _score(settings, q) for q in QUERIES}  # no book yet: derived
    assert len(derivations) == len(QUERIES)
    runs.rescore(settings, DAY, "test", lambda _line: None)
    assert len(_verdict_files(settings)) == 1
    del derivations[:]
    assert {q: _score(settings, q) for q in QUERIES} == fresh
    assert derivations == []


def test_another_day_or_a_damaged_book_derives_again(settings: Settings,
                                                     derivations: list[date]) -> None:
    runs.rescore(settings, DAY, "test", lambda _line: None)
    other = date(2025, 1, 1)
    expected = _score(settings.model_copy(update={"cache_dir": settings.cache_dir / "x"}),
                      "kamaz", other)
    del derivations[:]
    assert _score(settings, "kamaz", other) == expected and derivations == [other]
    before = _score(settings, "kamaz")
    (path,) = _verdict_files(settings)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    del derivations[:]
    assert _score(settings, "kamaz") == before and derivations == [DAY]


def test_an_override_added_since_the_rescore_derives_until_the_next(settings: Settings,
                                                           derivations: list[date]) -> None:
    from riskengine.application import overrides

    runs.rescore(settings, DAY, "test", lambda _line: None)
    overrides.add(settings, {"entity_id": "jac", "kind": "accepted_risk", "cap": 40,
                             "reason": "reviewed", "expires": date(2099, 1, 1),
                             "author": "ann"}, DAY)
    del derivations[:]
    _score(settings, "jac")
    assert derivations == [DAY]
    runs.rescore(settings, DAY, "test", lambda _line: None)  # the book of these overrides
    del derivations[:]
    _score(settings, "jac")
    assert derivations == []
