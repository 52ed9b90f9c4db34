"""Assembling scenario files into one Dataset, with the checks that span items and files.

Duplicate entity and fact ids, references to unknown entities, reversed date ranges and
stakes in one asset whose lower bounds add up to more than 100% on some date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any, TypeVar

from pydantic import ValidationError

from riskengine.domain import (
    Control,
    Dataset,
    Designation,
    Entity,
    Ownership,
    Relationship,
    in_force,
)
from riskengine.ruleset.scenario import (
    FACT_SECTIONS,
    EntitySpec,
    Fact,
    FactSpec,
    ScenarioFile,
    SpecModel,
)
from riskengine.ruleset.yamlpos import (
    Loc,
    Problem,
    YamlDoc,
    describe,
    did_you_mean,
    field_keys,
    locate,
    validation_problems,
)

_S = TypeVar("_S", bound=SpecModel)


@dataclass
class _Build:
    """Facts read so far and where each came from (for cross-file checks)."""

    problems: list[Problem] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    entity_at: dict[str, tuple[YamlDoc, Loc]] = field(default_factory=dict)
    facts: list[tuple[Fact, FactSpec, YamlDoc, Loc]] = field(default_factory=list)
    fact_at: dict[str, tuple[YamlDoc, Loc]] = field(default_factory=dict)


def build_scenario(files: Sequence[tuple[str, YamlDoc]],
                   known: Callable[[str], bool] | None = None) -> tuple[Dataset, list[Problem]]:
    """Dataset from parsed scenario files, given as (path relative to the rules dir, doc).

    Every problem is collected: schema errors per item (other items still load), duplicate
    ids, unknown entity references, reversed date ranges and stakes over 100%. ``known``:
    entity ids defined elsewhere that facts may name too (a what-if file's ties to stored
    entities).
    """
    state = _Build()
    for rel, doc in files:
        _read_file(state, rel, doc)
    _check_refs(state, known or (lambda _id: False))
    _check_stakes(state)
    facts = [fact for fact, _, _, _ in state.facts]
    dataset = Dataset(
        entities=tuple(state.entities),
        designations=tuple(f for f in facts if isinstance(f, Designation)),
        ownerships=tuple(f for f in facts if isinstance(f, Ownership)),
        controls=tuple(f for f in facts if isinstance(f, Control)),
        relationships=tuple(f for f in facts if isinstance(f, Relationship)),
    )
    return dataset, state.problems


def _read_file(state: _Build, rel: str, doc: YamlDoc) -> None:
    sections = field_keys(ScenarioFile)
    if doc.data is not None and not isinstance(doc.data, dict):
        msg = f"expected a mapping with sections {', '.join(sections)}; got {describe(doc.data)}"
        state.problems.append(doc.at((), msg))
        return
    for key, items in (doc.data or {}).items():
        if key not in sections:
            msg = f"unknown key {describe(key)} (allowed: {', '.join(sections)})"
            state.problems.append(doc.at((key,), msg, key=True))
        elif isinstance(items, list):
            _read_section(state, rel, doc, key, items)
        elif items is not None:
            state.problems.append(doc.at((key,), f"expected a list, got {describe(items)}"))


def _read_section(state: _Build, rel: str, doc: YamlDoc, section: str, items: list[Any]) -> None:
    spec_cls = dict(FACT_SECTIONS).get(section)
    for index, item in enumerate(items):
        loc: Loc = (section, index)
        if spec_cls is None:
            _read_entity(state, rel, doc, loc, item)
        else:
            _read_fact(state, rel, doc, loc, item, spec_cls)


def _validate(state: _Build, doc: YamlDoc, model: type[_S], item: Any, loc: Loc) -> _S | None:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        state.problems.extend(validation_problems(doc, exc.errors(), model, loc))
        return None


def _read_entity(state: _Build, rel: str, doc: YamlDoc, loc: Loc, item: Any) -> None:
    raw_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(raw_id, str):
        first = state.entity_at.setdefault(raw_id, (doc, loc))
        if first != (doc, loc):
            msg = f"duplicate entity id {raw_id!r} (first defined at {_where(*first)})"
            state.problems.append(doc.at((*loc, "id"), msg))
    spec = _validate(state, doc, EntitySpec, item, loc)
    if spec is not None:
        state.entities.append(spec.build((rel, doc.line_of(loc))))


def _read_fact(
    state: _Build, rel: str, doc: YamlDoc, loc: Loc, item: Any, spec_cls: type[FactSpec]
) -> None:
    spec = _validate(state, doc, spec_cls, item, loc)
    if spec is None:
        return
    default_id = f"{PurePath(rel).stem}:{spec_cls.section}:{loc[1]}"
    fact = spec.build(default_id, (rel, doc.line_of(loc)))
    id_loc = (*loc, "id") if isinstance(item, dict) and "id" in item else loc
    first = state.fact_at.setdefault(fact.id, (doc, id_loc))
    if first != (doc, id_loc):
        msg = f"duplicate fact id {fact.id!r} (first used at {_where(*first)})"
        state.problems.append(doc.at(id_loc, msg))
    range_problem = _range_message(*_span(fact))
    if range_problem:
        state.problems.append(doc.at((*loc, "to"), range_problem))
    state.facts.append((fact, spec, doc, loc))


def _where(doc: YamlDoc, loc: Loc) -> str:
    line, col = locate(doc.tree, loc)
    return f"{doc.path}:{line}:{col}"


def _span(fact: Fact) -> tuple[date | None, date | None]:
    if isinstance(fact, Designation):
        return fact.listed_from, fact.listed_to
    return fact.valid_from, fact.valid_to


def _range_message(start: date | None, end: date | None) -> str | None:
    if start is None or end is None or start < end:
        return None
    if start > end:
        return f"'from' {start} is after 'to' {end}"
    return f"'from' and 'to' are both {start}: 'to' is the first day a fact no longer holds"


_SELF = {
    "ownership": "owns itself",
    "control": "controls itself",
    "relationship": "is tied to itself",
}


def _check_refs(state: _Build, elsewhere: Callable[[str], bool]) -> None:
    known = list(state.entity_at)
    for _, spec, doc, loc in state.facts:
        refs = spec.refs()
        for key, entity_id in refs:
            if entity_id not in state.entity_at and not elsewhere(entity_id):
                msg = f"unknown entity {entity_id!r}{did_you_mean(entity_id, known)}"
                state.problems.append(doc.at((*loc, key), msg))
        if len(refs) == 2 and refs[0][1] == refs[1][1]:
            msg = f"{refs[0][1]!r} {_SELF[spec.section]}"
            state.problems.append(doc.at((*loc, refs[1][0]), msg))


def _check_stakes(state: _Build) -> None:
    by_asset: dict[str, list[tuple[Ownership, YamlDoc, Loc]]] = {}
    for fact, _, doc, loc in state.facts:
        if isinstance(fact, Ownership):
            by_asset.setdefault(fact.asset, []).append((fact, doc, loc))
    for asset, stakes in by_asset.items():
        for day in sorted({stake.valid_from or date.min for stake, _, _ in stakes}):
            _check_stakes_on(state, asset, stakes, day)


def _check_stakes_on(
    state: _Build, asset: str, stakes: list[tuple[Ownership, YamlDoc, Loc]], day: date
) -> None:
    active = [s for s, _, _ in stakes if in_force(s.valid_from, s.valid_to, day)]
    total = sum(s.share.low for s in active)
    if total <= 100 + 1e-9:
        return
    owners = ", ".join(f"{s.owner} {s.share.label()}" for s in active if s.share.low > 0)
    when = "from the start" if day == date.min else f"on {day}"
    msg = f"stakes in {asset!r} add up to {round(total, 6):.10g}% {when} (owners: {owners})"
    _, doc, loc = next(t for t in stakes if (t[0].valid_from or date.min) == day)
    state.problems.append(doc.at(loc, msg))
