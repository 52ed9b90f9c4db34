"""Entity resolution: one real-world party on several lists becomes one entity. Pure.

Entities are clustered when they share a strong identifier their source still states, or
when a name agrees *and* secondary facts agree (dates of birth, nationalities, countries,
kind): the evidence and its verdicts are in ``merge_evidence``, the linking (strongest
first) and the clusters that refuse two records of one list, conflicting dates of birth and
forbidden pairs in ``merge_links``. Pairs whose names agree without enough evidence are not
merged but listed in ``MergeMap.review``. ``blocking_keys`` gives keys any two entities
``cluster`` may link automatically share. Analysts force or forbid merges in
``rules/merges.yaml`` (``MergeRules``, plus approved review decisions): forced pairs are
linked first, and no link joins two clusters holding a forbidden pair.

``merge_dataset`` maps each cluster to one canonical id (a preferred id, i.e. a rule-file
scenario id, if the cluster has one, else that of the member record seen first by the
``ranks`` given (the store's ``first_seen``), ties by the smallest id: ids stay stable),
unions the members' names, identifiers and sources, and rewrites designations and edges to
it. Every fact keeps its own ``Source``; an edge whose two ends fall in one cluster is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from pydantic import BaseModel, ConfigDict, Field, model_validator

from riskengine.domain import Dataset, Designation, Entity, Identifier
from riskengine.ingest.merge_evidence import (
    MIN_IDENTIFIER_LENGTH,
    SCHEME_GROUPS,
    identifier_blocking_keys,
    identifier_key,
    name_blocking_keys,
)
from riskengine.ingest.merge_links import Clusters, link_all, origin

__all__ = ["MIN_IDENTIFIER_LENGTH", "SCHEME_GROUPS", "MergeMap", "MergePair", "MergeRules",
           "blocking_keys", "cluster", "identifier_key", "merge_dataset", "merge_entities",
           "origin"]

UNRANKED = 1 << 62  # rank of a record of unknown first sighting: after every ranked one


class MergePair(BaseModel):
    """Two entity ids and why they must (or must not) be one entity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ids: tuple[str, str] = Field(description="the two entity ids")
    reason: str = Field(min_length=1, description="why: cited in `entities show`")


class MergeRules(BaseModel):
    """``rules/merges.yaml``: analyst decisions overriding automatic entity resolution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    forbid: tuple[MergePair, ...] = ()
    force: tuple[MergePair, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> MergeRules:
        both = {frozenset(p.ids) for p in self.forbid} & {frozenset(p.ids) for p in self.force}
        if both:
            raise ValueError(f"pairs both forced and forbidden: {sorted(map(sorted, both))}")
        return self


@dataclass(frozen=True)
class MergeMap:
    """Clusters of two or more entities: member -> canonical id, and why they were merged."""

    canonical: dict[str, str] = field(default_factory=dict)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review: tuple[tuple[str, str, str], ...] = ()  # (a, b, why): uncertain pairs, not merged

    def resolve(self, entity_id: str) -> str:
        """The canonical id of ``entity_id`` (itself when not merged)."""
        return self.canonical.get(entity_id, entity_id)


_Clusters = Clusters  # the union-find of ``merge_links`` (refuses same-list, DOB conflicts)


def blocking_keys(names: Iterable[str], identifiers: Iterable[tuple[str, str]]) -> set[str]:
    """Keys such that two entities ``cluster`` may link automatically share at least one:
    'i:<group>:<value>' for each strong identifier ((scheme, value) pairs), 'n:<key>' for
    each name key and near key (``merge_evidence``). Forced merges are not covered."""
    keys = identifier_blocking_keys(identifiers)
    return keys.union(*(name_blocking_keys(name) for name in names))


def cluster(ds: Dataset, rules: MergeRules, prefer: frozenset[str] = frozenset(),
            ranks: Mapping[str, int] | None = None,
            generic: frozenset[str] = frozenset()) -> MergeMap:
    """Cluster the entities of ``ds``: forced links, then identifiers, then names. Each
    cluster's id: see ``_canonical`` (``ranks``: when each record was first seen).
    ``generic``: name keys too common in the whole store to link on, when ``ds`` holds only
    the entities that share a blocking key (``blocking_keys``) with another."""
    clusters = _Clusters((p.ids for p in rules.forbid), ds.entities, prefer)
    known = {e.id for e in ds.entities}
    for pair in rules.force:
        if set(pair.ids) <= known:
            clusters.link(*pair.ids, f"forced: {pair.reason}", forced=True)
    review = tuple(link_all(clusters, ds.entities, generic))
    return replace(_merge_map(clusters, known, prefer, ranks or {}), review=review)


def _merge_map(clusters: _Clusters, known: set[str], prefer: frozenset[str],
               ranks: Mapping[str, int]) -> MergeMap:
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(known):
        groups[clusters.find(key)].append(key)
    members = {_canonical(m, prefer, ranks): tuple(m) for m in groups.values() if len(m) > 1}
    canonical = {m: head for head, ms in members.items() for m in ms}
    reasons: dict[str, list[str]] = defaultdict(list)
    for a, b, why in clusters.reasons:
        reasons[canonical[a]].append(f"{a} = {b}: {why}")
    return MergeMap(canonical, members, {k: tuple(v) for k, v in reasons.items()})


def _canonical(ids: list[str], prefer: frozenset[str], ranks: Mapping[str, int]) -> str:
    """A preferred (rule-file scenario) id, else the earliest-seen record's, ties by id: a
    record stored later never renames an entity. Unranked ids count as the newest."""
    preferred = sorted(i for i in ids if i in prefer)
    if preferred:
        return preferred[0]
    return min(ids, key=lambda i: (ranks.get(i, UNRANKED), i))


def merge_dataset(ds: Dataset, rules: MergeRules, prefer: frozenset[str] = frozenset(),
                  ranks: Mapping[str, int] | None = None) -> tuple[Dataset, MergeMap]:
    """``ds`` with each cluster of entities as one entity; facts rewritten to canonical ids."""
    mm = cluster(ds, rules, prefer, ranks)
    if not mm.members:
        return ds, mm
    by_id = ds.entity_map()
    merged = {head: merge_entities([by_id[i] for i in _head_first(head, ms)])
              for head, ms in mm.members.items()}
    entities = tuple(merged.get(e.id, e) for e in ds.entities if e.id not in mm.canonical
                     or e.id in merged)
    return _rewrite(ds.model_copy(update={"entities": entities}), mm), mm


def _head_first(head: str, members: tuple[str, ...]) -> list[str]:
    return [head, *(m for m in members if m != head)]


def merge_entities(entities: list[Entity]) -> Entity:
    """One entity from a cluster, the canonical one first: its id, name and kind lead."""
    head = entities[0]
    return head.model_copy(update={
        "aliases": _other_names(head.name, (n for e in entities for n in e.all_names())),
        "identifiers": _unique_identifiers(i for e in entities for i in e.identifiers),
        "sources": tuple(dict.fromkeys(s for e in entities for s in e.sources)),
        "country": next((e.country for e in entities if e.country), None),
        "sector": next((e.sector for e in entities if e.sector), None),
        "kind": next((e.kind for e in entities if e.kind != "unknown"), head.kind),
        "birth_dates": tuple(dict.fromkeys(d for e in entities for d in e.birth_dates)),
        "nationalities": tuple(dict.fromkeys(c for e in entities for c in e.nationalities)),
        "weak_aliases": _weak_names(entities),
    })


def _weak_names(entities: list[Entity]) -> tuple[str, ...]:
    """The members' weak aliases that are no member's strong name."""
    strong = {n for e in entities for n in e.all_names()}
    return tuple(dict.fromkeys(n for e in entities for n in e.weak_aliases if n not in strong))


def _unique_identifiers(idents: Iterable[Identifier]) -> tuple[Identifier, ...]:
    """One identifier per (scheme, value), the first (the canonical entity's) winning."""
    found: dict[tuple[str, str], Identifier] = {}
    for ident in idents:
        found.setdefault((ident.scheme, ident.value), ident)
    return tuple(found.values())


def _other_names(name: str, names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in order, repeats (ignoring case) and ``name`` itself left out."""
    seen = {name.casefold()}
    out: list[str] = []
    for other in names:
        if other.casefold() not in seen:
            seen.add(other.casefold())
            out.append(other)
    return tuple(out)


def _rewrite(ds: Dataset, mm: MergeMap) -> Dataset:
    r = mm.resolve
    return ds.model_copy(update={
        "designations": tuple(_designation(d, r(d.entity_id)) for d in ds.designations),
        "ownerships": tuple(o.model_copy(update={"owner": r(o.owner), "asset": r(o.asset)})
                            for o in ds.ownerships if r(o.owner) != r(o.asset)),
        "controls": tuple(c.model_copy(update={"controller": r(c.controller),
                                               "controlled": r(c.controlled)})
                          for c in ds.controls if r(c.controller) != r(c.controlled)),
        "relationships": tuple(x.model_copy(update={"a": r(x.a), "b": r(x.b)})
                               for x in ds.relationships if r(x.a) != r(x.b)),
    })


def _designation(d: Designation, entity_id: str) -> Designation:
    return d if d.entity_id == entity_id else d.model_copy(update={"entity_id": entity_id})
