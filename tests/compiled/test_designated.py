"""``StoredFacts.designated`` (from the compiled table) says exactly which entities have a
designation (the reference: each entity's designations read from the store), merged and
scenario entities included; once the service's ``read_designations`` has run, a designated
entity's designations are answered without a store read, equal to a fresh read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from riskengine.application import service
from riskengine.application.warm import read_designations
from riskengine.domain import Designation
from riskengine.engine import score
from riskengine.settings import Settings


class _NoReads:
    """A fact reader that fails every read."""

    def __getattr__(self, name: str) -> Any:
        def fail(*_args: Any) -> Any:
            raise AssertionError(f"store read: {name}")
        return fail


def test_designated_is_having_a_designation(settings: Settings) -> None:
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        facts = loaded.facts
        want = [bool(facts.designations_of(e)) for e in facts.ids]
        assert any(want) and not all(want)
        assert facts.designated.tolist() == want


def _all(facts: Any, ids: Sequence[str]) -> list[tuple[Designation, ...]]:
    return [facts.designations_of(e) for e in ids]


def test_read_designations_leaves_nothing_to_read(settings: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with service.compiled_graph(settings) as (fresh, _rules, _store):
        ids = [e for e, flag in zip(fresh.facts.ids, fresh.facts.designated.tolist(),
                                    strict=True) if flag]
        want = _all(fresh.facts, ids)
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        read_designations(loaded)
        monkeypatch.setattr(loaded.facts, "reader", _NoReads())
        assert _all(loaded.facts, ids) == want


@pytest.mark.parametrize("as_of", [date(2023, 6, 1), date(2025, 1, 1)])
def test_explanations_read_no_designation_the_mask_rules_out(settings: Settings,
                                                            as_of: date) -> None:
    """Every entity's explained score is the same with the mask as when every entity's
    designations are read (the mask hidden)."""
    found = {}
    for hide in (False, True):
        with service.compiled_graph(settings) as (loaded, rules, _store):
            if hide:
                loaded.facts.__dict__["designated"] = None  # getattr(..) is None: read all
            ev, kept = service.compiled_evaluation(loaded, rules, as_of, [])
            found[hide] = [score(ev, e, kept).model_dump_json() for e in loaded.facts.ids]
    assert found[False] == found[True]
