"""Differences between two rule sets, in plain words (``riskengine rules diff``).

An analyst editing a threshold, a weight or a scenario fact wants to see what the edit says
before it counts: "eu, period 2 (from 2024-07-03): ownership threshold 50% -> 40%", not a
text diff of YAML. Regime periods are compared in order; scoring and the optional rule
files field by field (each difference carries the field's own description); scenario
entities and facts by id (added, removed, changed). Pure: rule models in, lines out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from riskengine.domain import Control, Dataset, Designation, Entity, Ownership, Relationship
from riskengine.ruleset.models import Regime, RegimeParams, RegimeRules, RuleSet

REGIMES_FILE, SCORING_FILE, SCENARIO = "regimes.yaml", "scoring.yaml", "scenario"
_PLAIN = {"threshold": "ownership threshold", "ownership_test": "ownership test",
          "control_kinds": "control kinds that block", "joint_arrangements_aggregate":
          "joint arrangements count as one holder", "note": "legal basis (note)"}


@dataclass(frozen=True, order=True)
class Difference:
    """One difference: the rule file, where in it (plain words), and what changed."""

    file: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.what}" if self.where else \
            f"{self.file}: {self.what}"


def diff_rules(old: RuleSet, new: RuleSet, old_optional: Mapping[str, BaseModel] | None = None,
               new_optional: Mapping[str, BaseModel] | None = None) -> list[Difference]:
    """Every difference from ``old`` to ``new``: regimes, scoring, scenario facts, then the
    optional rule files (file name -> model, as loaded with their defaults)."""
    found = list(_regime_rules(old.regimes, new.regimes))
    found += [Difference(SCORING_FILE, w, t) for w, t in _fields(old.scoring, new.scoring, "")]
    found += _scenario(old.scenario, new.scenario)
    for name in sorted(set(old_optional or {}) | set(new_optional or {})):
        before, after = (old_optional or {}).get(name), (new_optional or {}).get(name)
        if before is not None and after is not None:
            found += [Difference(name, w, t) for w, t in _fields(before, after, "")]
    return found


# --- generic field-by-field comparison ------------------------------------------------------

def _key(model: BaseModel, name: str) -> str:
    info = type(model).model_fields[name]
    return info.alias or name


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _fields(old: BaseModel, new: BaseModel, prefix: str,
            described: str = "") -> Iterator[tuple[str, str]]:
    """(where, what) for every field whose value differs, recursing into models and maps."""
    for name, info in type(old).model_fields.items():
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            yield from _values(a, b, _join(prefix, _key(old, name)),
                               info.description or described)


def _values(a: object, b: object, where: str, described: str) -> Iterator[tuple[str, str]]:
    if isinstance(a, BaseModel) and isinstance(b, BaseModel) and type(a) is type(b):
        yield from _fields(a, b, where, described)
    elif isinstance(a, Mapping) and isinstance(b, Mapping):
        yield from _maps(a, b, where, described)
    else:
        about = f" ({described})" if described else ""
        yield where, f"{words(a)} -> {words(b)}{about}"


def _maps(a: Mapping[Any, Any], b: Mapping[Any, Any], where: str,
          described: str) -> Iterator[tuple[str, str]]:
    for key in sorted(set(a) | set(b), key=str):
        if key not in b:
            yield _join(where, key), f"removed (was {words(a[key])})"
        elif key not in a:
            yield _join(where, key), f"added: {words(b[key])}"
        elif a[key] != b[key]:
            yield from _values(a[key], b[key], _join(where, key), described)


def words(value: object) -> str:
    """A value as an analyst writes it: 0.5, true, [a, b], none."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(words(v) for v in value) + "]"
    if isinstance(value, BaseModel):
        return "{" + ", ".join(f"{k}: {words(v)}" for k, v in value.model_dump().items()) + "}"
    return str(value)


# --- regimes ------------------------------------------------------------------------------

def _regime_rules(old: RegimeRules, new: RegimeRules) -> Iterator[Difference]:
    before = {r.code: r for r in old.regimes}
    after = {r.code: r for r in new.regimes}
    for code in [*before, *(c for c in after if c not in before)]:
        if code not in after:
            yield Difference(REGIMES_FILE, code, f"regime removed ({before[code].name})")
        elif code not in before:
            yield Difference(REGIMES_FILE, code, f"regime added ({after[code].name}, "
                             f"{len(after[code].periods)} period(s))")
        elif before[code] != after[code]:
            yield from _regime(before[code], after[code])
    for what in _params(old.default, new.default):
        yield Difference(REGIMES_FILE, "default (regimes not listed)", what)


def _regime(old: Regime, new: Regime) -> Iterator[Difference]:
    for name in ("name", "authority"):
        if getattr(old, name) != getattr(new, name):
            yield Difference(REGIMES_FILE, old.code, f"{name} {getattr(old, name)!r} -> "
                                                     f"{getattr(new, name)!r}")
    for index in range(max(len(old.periods), len(new.periods))):
        a = old.periods[index] if index < len(old.periods) else None
        b = new.periods[index] if index < len(new.periods) else None
        where = f"{old.code}, period {index + 1} ({_span(b or a)})"
        if a is None or b is None:
            yield Difference(REGIMES_FILE, where, "period added" if a is None else
                             "period removed")
            continue
        for what in _params(a, b):
            yield Difference(REGIMES_FILE, where, what)


def _span(period: RegimeParams | None) -> str:
    if period is None:
        return ""
    start, end = period.valid_from, period.valid_to
    if start and end:
        return f"{start} to {end}"
    return f"from {start}" if start else (f"until {end}" if end else "always")


def _params(old: RegimeParams, new: RegimeParams) -> Iterator[str]:
    """Plain words for each changed parameter of one period."""
    for name in type(old).model_fields:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        if name in ("threshold", "inclusive"):
            continue  # said together below: the test they make is what matters
        if name == "control_kinds":
            yield _kinds(a, b)
        elif isinstance(a, BaseModel) and isinstance(b, BaseModel):
            yield from (f"{w}: {t}" for w, t in _fields(a, b, _key(old, name)))
        else:
            label = _PLAIN.get(name, _key(old, name))
            yield f"{label} {words(a)} -> {words(b)}" if name != "note" else f"{label} changed"
    if (old.threshold, old.inclusive) != (new.threshold, new.inclusive):
        yield (f"{_PLAIN['threshold']}: {_test(old)} -> {_test(new)}"
               + ("" if old.inclusive == new.inclusive else
                  f" (inclusive {words(old.inclusive)} -> {words(new.inclusive)})"))


def _test(p: RegimeParams) -> str:
    return f"share {'>=' if p.inclusive else '>'} {p.threshold:g}% blocks"


def _kinds(old: Sequence[str], new: Sequence[str]) -> str:
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    parts = ([f"added {', '.join(added)}"] if added else []) + (
        [f"removed {', '.join(removed)}"] if removed else [])
    return f"{_PLAIN['control_kinds']}: {'; '.join(parts) or 'reordered'}"


# --- scenario facts ------------------------------------------------------------------------

_SECTIONS = ("entities", "designations", "ownerships", "controls", "relationships")
_SINGULAR = {"entities": "entity", "designations": "designation", "ownerships": "ownership",
             "controls": "control", "relationships": "relationship"}


def _scenario(old: Dataset, new: Dataset) -> list[Difference]:
    found = []
    for section in _SECTIONS:
        before = {f.id: f for f in getattr(old, section)}
        after = {f.id: f for f in getattr(new, section)}
        for fact_id in [*before, *(i for i in after if i not in before)]:
            found += _fact(section, before.get(fact_id), after.get(fact_id))
    return found


Item = Entity | Designation | Ownership | Control | Relationship


def _fact(section: str, a: Item | None, b: Item | None) -> list[Difference]:
    fact = b if b is not None else a
    assert fact is not None
    where = f"{_SINGULAR[section]} {fact.id!r}"
    if a is None or b is None:
        what = f"{'added' if a is None else 'removed'}: {describe_fact(fact)}"
        return [Difference(SCENARIO, where, what)]
    if _comparable(a) == _comparable(b):
        return []
    return [Difference(SCENARIO, where, f"changed: {w} {t}")
            for w, t in _values(_comparable(a), _comparable(b), "", "")]


def _comparable(fact: Item) -> dict[str, Any]:
    """A fact as compared: its origin line left out (moving a fact in its file is no change),
    a share as written (``47.1%``, ``25-50%``)."""
    data = fact.model_dump()
    if isinstance(fact, Ownership):
        data["share"] = fact.share.label()
    for source in [data.get("source"), *data.get("sources", ())]:
        if isinstance(source, dict):
            source.pop("line", None)
    return data


def describe_fact(fact: Item) -> str:
    """'jac -[component_supply, active]-> moskvich from 2023-01-01 (scenario/x.yaml:40)'."""
    if isinstance(fact, Entity):
        return f"{fact.name} ({fact.kind}{', ' + fact.country if fact.country else ''})"
    src = fact.source
    cite = f" ({src.file}:{src.line})" if src.file and src.line else ""
    start = fact.listed_from if isinstance(fact, Designation) else fact.valid_from
    since = f" from {start}" if start else ""
    if isinstance(fact, Relationship):
        return f"{fact.a} -[{fact.kind}, {fact.status}]-> {fact.b}{since}{cite}"
    if isinstance(fact, Ownership):
        return f"{fact.owner} owns {fact.share.label()} of {fact.asset}{since}{cite}"
    if isinstance(fact, Designation):
        return (f"{fact.entity_id} listed under {fact.regime} ({fact.measure}"
                f"{', ' + fact.program if fact.program else ''}){since}{cite}")
    return f"{fact.controller} controls ({fact.kind}) {fact.controlled}{since}{cite}"


def diff_lines(found: Sequence[Difference]) -> list[str]:
    """The differences as lines, or one line saying there are none."""
    return [str(d) for d in found] or ["no differences"]
