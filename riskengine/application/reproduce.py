"""Run inputs and knowledge-time reproduction (``riskengine score QUERY --run RUN``).

A rescore pins its inputs before it evaluates anything: the rule files (every ``*.yaml`` of
the rules directory, written to a private temporary directory and loaded from there) and the
stored facts. Both are stored as content-addressed snapshots with the run, and the overrides
are read as they stood when the run started. ``reproduce`` evaluates the same inputs again,
so a past run's explained result (paths, sources, overrides) comes back exactly; it is
checked against the run's stored row before it is returned.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from riskengine.application import base, service
from riskengine.errors import RiskEngineError
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.domain import Dataset
    from riskengine.result import ScoreResult
    from riskengine.runs.table import EntityState
    from riskengine.store.records import RunRecord
    from riskengine.store.snapshots import Snapshot
    from riskengine.store.store import Store


class ReproductionError(RiskEngineError):
    """A stored run cannot be reproduced exactly (exit code 1): its rows or snapshots were
    altered, or it predates snapshots."""

    exit_code = 1


@dataclass(frozen=True)
class RunInputs:
    """What a run evaluates: the rule files' texts and the stored facts (a columnar
    snapshot, ``store.facts_snapshot``, or the JSON of runs stored before it) of
    ``version``."""

    rule_files: dict[str, str]
    facts: bytes
    version: str = ""
    parts: Mapping[str, bytes] = field(default_factory=dict)  # of the facts, by hash

    @cached_property
    def stored(self) -> Dataset:
        """The facts as a Dataset (decoded when first asked for)."""
        from riskengine.store.facts_snapshot import decode

        return decode(self.facts, self.parts)

    def part_snapshots(self) -> Iterator[Snapshot]:
        """The parts of the facts snapshot, to store with it (one at a time: a rescore's
        parts are read back from a temporary file as they are stored)."""
        from riskengine.store.facts_snapshot import PART_KIND
        from riskengine.store.snapshots import Snapshot

        return (Snapshot(PART_KIND, self.parts[key]) for key in self.parts)

    def snapshots(self) -> tuple[Snapshot, Snapshot]:
        """(facts, rules) snapshots to store with the run."""
        from riskengine.ruleset.snapshot import encode
        from riskengine.store.snapshots import Snapshot

        return Snapshot("facts", self.facts), Snapshot("rules", encode(self.rule_files))


def current_rule_files(settings: Settings) -> dict[str, str]:
    """The texts of the rules directory in use, every rule file checked valid first (named
    as the user has it). The facts a rescore reads with them: ``runs._rescore``."""
    from riskengine.ruleset.snapshot import read_rule_files

    base.load_rules(settings)
    return read_rule_files(base.rules_dir(settings))


def stored_inputs(store: Store, run: RunRecord) -> RunInputs:
    """The inputs run ``run`` stored (ReproductionError for a run without snapshots)."""
    from riskengine.ruleset.snapshot import decode
    from riskengine.store.facts_snapshot import PART_KIND, part_keys
    from riskengine.store.snapshots import get_snapshot

    if run.facts_hash is None or run.rules_snapshot is None:
        raise ReproductionError(f"run {run.id} was stored without input snapshots (before "
                                f"schema 0005): only its summary is kept (`riskengine history`)")
    facts = get_snapshot(store, "facts", run.facts_hash)
    parts = {key: get_snapshot(store, PART_KIND, key) for key in part_keys(facts)}
    files = decode(get_snapshot(store, "rules", run.rules_snapshot))
    return RunInputs(files, facts, parts=parts)


@contextmanager
def pinned_rules(settings: Settings, files: dict[str, str]) -> Iterator[Settings]:
    """``settings`` reading its rules from a private copy of ``files``."""
    from riskengine.ruleset.snapshot import write_rule_files

    with tempfile.TemporaryDirectory(prefix="riskengine-rules-") as tmp:
        yield settings.model_copy(update={"rules_dir": write_rule_files(files, Path(tmp))})


def reproduce(settings: Settings, query: str, run_id: int | None) -> ScoreResult:
    """The explained result run ``run_id`` (the latest when None) gave the entity ``query``
    names, recomputed from the run's own inputs and checked against its stored row."""
    from riskengine.application.base import run_or_latest, stored_overrides
    from riskengine.application.coverage import stored_sources

    with base.open_store(settings) as store:
        wanted = run_or_latest(store, run_id)
        inputs = stored_inputs(store, wanted)
        overrides = stored_overrides(settings, known_at=wanted.started_at, store=store)
        then = settings.model_copy(update={"known_at": wanted.started_at})
        with pinned_rules(then, inputs.rule_files) as pinned:
            sources = stored_sources(pinned, store, known_at=wanted.started_at)
            result = service.scored(pinned, query, wanted.as_of, overrides, inputs.stored,
                                    sources)
        check(result, _stored_state(store, wanted, result.entity.id))
    return result.model_copy(update={"run": wanted.id})


def _stored_state(store: Store, wanted: RunRecord, entity_id: str) -> EntityState:
    from riskengine.errors import NotFoundError
    from riskengine.store.runs import run_state

    assert wanted.id is not None
    state = run_state(store, wanted.id, entity_id)
    if state is None:
        raise NotFoundError(f"run {wanted.id} has no score for {entity_id!r}")
    return state


def check(result: ScoreResult, state: EntityState) -> None:
    """ReproductionError unless ``result`` is what the run stored (score, band, verdicts,
    contribution parts)."""
    from riskengine.runs.table import result_state

    again = result_state(result)
    for what in ("score", "band", "regimes", "parts"):
        if getattr(again, what) != getattr(state, what):
            raise ReproductionError(
                f"the stored run's {what} for {state.entity_id!r} ({getattr(state, what)}) "
                f"differs from its reproduction ({getattr(again, what)}): the run's rows or "
                f"snapshots were altered")
