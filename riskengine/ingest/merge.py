"""Entity resolution: one real-world party on several lists becomes one entity. Pure.

Entities are clustered when they share a strong identifier (same scheme group and normalised
value: ogrn/registration, inn/tax, lei, imo, swift; countries, when both are stated, must
agree) or an exact normalised name or alias (``riskengine.names.normalise``) with the same
entity kind and agreeing countries (when both are known). A name shared by two records of the
same source (two OFAC entries, say) is ambiguous and links nothing. Analysts force or forbid
merges in ``rules/merges.yaml`` (``MergeRules``): forced pairs are linked first, and no link
joins two clusters holding a forbidden pair.

``merge_dataset`` maps each cluster to one canonical id (a preferred id, i.e. a rule-file
scenario id, if the cluster has one, else the smallest id), unions the members' names,
identifiers and sources, and rewrites designations and edges to it. Every fact keeps its own
``Source``; an edge whose two ends fall in one cluster is dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, model_validator

from riskengine.domain import Dataset, Designation, Entity, Identifier
from riskengine.names import normalise

SCHEME_GROUPS = {"ogrn": "registration", "registration": "registration", "inn": "tax",
                 "tax": "tax", "lei": "lei", "imo": "imo", "swift": "swift"}
MIN_IDENTIFIER_LENGTH = 5  # shorter values ("123") are too weak to merge on
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


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

    def resolve(self, entity_id: str) -> str:
        """The canonical id of ``entity_id`` (itself when not merged)."""
        return self.canonical.get(entity_id, entity_id)


class _Clusters:
    """Union-find over entity ids that refuses links joining a forbidden pair."""

    def __init__(self, forbid: Iterable[tuple[str, str]]) -> None:
        self.parent: dict[str, str] = {}
        self.forbid = [tuple(pair) for pair in forbid]
        self.reasons: list[tuple[str, str, str]] = []

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            self.parent[root] = self.parent[self.parent[root]]
            root = self.parent[root]
        return root

    def link(self, a: str, b: str, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self._forbidden(ra, rb):
            return
        self.parent[max(ra, rb)] = min(ra, rb)
        self.reasons.append((a, b, reason))

    def _forbidden(self, ra: str, rb: str) -> bool:
        return any({self.find(x), self.find(y)} == {ra, rb} for x, y in self.forbid)


def identifier_key(ident: Identifier) -> tuple[str, str] | None:
    """(scheme group, normalised value) of a strong identifier, else None."""
    group = SCHEME_GROUPS.get(ident.scheme.casefold())
    value = _NOT_ALNUM.sub("", ident.value.upper())
    if group == "swift" and len(value) == 11 and value.endswith("XXX"):
        value = value[:8]
    if group is None or len(value) < MIN_IDENTIFIER_LENGTH:
        return None
    return group, value


def origin(entity_id: str) -> str:
    """The source part of a list entity id ('ofac:123' -> 'ofac'); other ids stand alone."""
    head, sep, _ = entity_id.partition(":")
    return head if sep else entity_id


def _identifier_links(entities: Iterable[Entity]) -> Iterator[tuple[str, str, str]]:
    buckets: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for entity in entities:
        for ident in entity.identifiers:
            key = identifier_key(ident)
            if key is not None:
                buckets[key][entity.id] = ident.country or entity.country
    for (group, value), found in sorted(buckets.items()):
        for ids in _country_groups(found):
            yield from ((ids[0], other, f"same {group} identifier {value}") for other in ids[1:])


def _name_links(entities: Iterable[Entity]) -> Iterator[tuple[str, str, str]]:
    buckets: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for entity in entities:
        for name in entity.all_names():
            key = normalise(name)
            if key:
                buckets[(key, entity.kind)][entity.id] = entity.country
    for (key, _kind), found in sorted(buckets.items()):
        for group in _country_groups(found):
            origins = [origin(i) for i in group]
            if len(group) > 1 and len(set(origins)) == len(origins):
                yield from ((group[0], other, f"same name {key!r}") for other in group[1:])


def _country_groups(found: dict[str, str | None]) -> list[list[str]]:
    """Ids that may share a name: by country, those of unknown country joining a lone one."""
    known = sorted({c for c in found.values() if c is not None})
    if len(known) <= 1:
        return [sorted(found)]
    return [sorted(i for i, c in found.items() if c == country) for country in known]


def cluster(ds: Dataset, rules: MergeRules, prefer: frozenset[str] = frozenset()) -> MergeMap:
    """Cluster the entities of ``ds``: forced links, then identifiers, then names."""
    clusters = _Clusters(p.ids for p in rules.forbid)
    known = {e.id for e in ds.entities}
    for pair in rules.force:
        if set(pair.ids) <= known:
            clusters.link(*pair.ids, f"forced: {pair.reason}")
    for a, b, reason in (*_identifier_links(ds.entities), *_name_links(ds.entities)):
        clusters.link(a, b, reason)
    return _merge_map(clusters, known, prefer)


def _merge_map(clusters: _Clusters, known: set[str], prefer: frozenset[str]) -> MergeMap:
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(known):
        groups[clusters.find(key)].append(key)
    members = {_canonical(m, prefer): tuple(m) for m in groups.values() if len(m) > 1}
    canonical = {m: head for head, ms in members.items() for m in ms}
    reasons: dict[str, list[str]] = defaultdict(list)
    for a, b, why in clusters.reasons:
        reasons[canonical[a]].append(f"{a} = {b}: {why}")
    return MergeMap(canonical, members, {k: tuple(v) for k, v in reasons.items()})


def _canonical(ids: list[str], prefer: frozenset[str]) -> str:
    preferred = sorted(i for i in ids if i in prefer)
    return preferred[0] if preferred else min(ids)


def merge_dataset(ds: Dataset, rules: MergeRules,
                  prefer: frozenset[str] = frozenset()) -> tuple[Dataset, MergeMap]:
    """``ds`` with each cluster of entities as one entity; facts rewritten to canonical ids."""
    mm = cluster(ds, rules, prefer)
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
    })


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
