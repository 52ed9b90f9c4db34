"""Which records link, strongest first, and the clusters that refuse bad links. Pure.

Candidates come from exact keys only (identifier keys, name keys and the near keys of
``merge_evidence``), never from comparing every pair, so ``merge.blocking_keys`` can tell the
data path which entities may link at all. Links are tried strongest first: identifiers, then
names with the most agreeing secondary facts. ``Clusters`` refuses a link that would put two
records of one list into one cluster, two persons with conflicting dates of birth, or a
forbidden pair (forced links are refused only when forbidden).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from riskengine.domain import Entity
from riskengine.ingest.merge_evidence import (
    NameMatch,
    assess,
    births_conflict,
    identifier_key,
    kinds_agree,
    name_tokens,
    near_keys,
)

MAX_BUCKET = 40  # records sharing one name key: more and the name is too generic to link on
IDENTIFIER_STRENGTH = 1000
CURATED = " rules"  # the origin of rule-file entities (no list id starts with a space)

Link = tuple[str, str, str]  # (a, b, reason)


def origin(entity_id: str) -> str:
    """The source part of a list entity id ('ofac:123' -> 'ofac'); other ids stand alone."""
    head, sep, _ = entity_id.partition(":")
    return head if sep else entity_id


@dataclass
class _Facts:
    """What a cluster holds that a link must not contradict."""

    origins: set[str]
    births: list[tuple[str, ...]]
    countries: set[str]  # of its companies, organisations, vessels


class Clusters:
    """Union-find over entity ids that refuses links breaking the rules above."""

    def __init__(self, forbid: Iterable[tuple[str, str]], entities: Iterable[Entity] = (),
                 curated: frozenset[str] = frozenset()) -> None:
        """``curated``: ids of rule-file entities, distinct by definition (one list)."""
        self.parent: dict[str, str] = {}
        self.forbid = [tuple(pair) for pair in forbid]
        self.reasons: list[Link] = []
        self.facts = {e.id: _facts(e, e.id in curated) for e in entities}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            self.parent[root] = self.parent[self.parent[root]]
            root = self.parent[root]
        return root

    def link(self, a: str, b: str, reason: str, forced: bool = False, by_name: bool = False
             ) -> bool:
        """Join the clusters of ``a`` and ``b`` unless refused; True when joined. A link
        ``by_name`` also needs the clusters' countries to agree."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self._forbidden(ra, rb) or (not forced and self.refusal(ra, rb, by_name)):
            return False
        head, tail = min(ra, rb), max(ra, rb)
        self.parent[tail] = head
        self._join(head, tail)
        self.reasons.append((a, b, reason))
        return True

    def refusal(self, ra: str, rb: str, by_name: bool = False) -> str | None:
        """Why clusters ``ra`` and ``rb`` must not be joined automatically, or None."""
        fa, fb = self._of(ra), self._of(rb)
        if fa.origins & fb.origins:
            return "two records of one list"
        if any(births_conflict(x, y) for x in fa.births for y in fb.births):
            return "dates of birth conflict"
        if by_name and fa.countries and fb.countries and not fa.countries & fb.countries:
            return "countries differ"
        return None

    def open(self, a: str, b: str) -> bool:
        """``a`` and ``b`` are apart and could still be joined by name."""
        ra, rb = self.find(a), self.find(b)
        return ra != rb and not self._forbidden(ra, rb) and self.refusal(ra, rb, True) is None

    def _of(self, root: str) -> _Facts:
        return self.facts.setdefault(root, _Facts({origin(root)}, [], set()))

    def _join(self, head: str, tail: str) -> None:
        fh, ft = self._of(head), self._of(tail)
        del self.facts[tail]
        fh.origins |= ft.origins
        fh.births += ft.births
        fh.countries |= ft.countries

    def _forbidden(self, ra: str, rb: str) -> bool:
        return any({self.find(x), self.find(y)} == {ra, rb} for x, y in self.forbid)


def _facts(entity: Entity, curated: bool) -> _Facts:
    person = entity.kind == "person"
    births = [entity.birth_dates] if person and entity.birth_dates else []
    countries = {entity.country} if entity.country and not person else set()
    return _Facts({CURATED if curated else origin(entity.id)}, births, countries)


def link_all(clusters: Clusters, entities: tuple[Entity, ...],
             generic: frozenset[str] = frozenset()) -> list[Link]:
    """Link identifier and name candidates strongest first; returns the pairs for review.
    ``generic``: name keys known to be carried by more than ``MAX_BUCKET`` records of the
    whole store (which link nothing), when ``entities`` are only some of them."""
    found = [*identifier_links(entities), *name_links(entities, generic)]
    review: list[Link] = []
    for strength, a, b, verdict, why in sorted(found, key=lambda x: (-x[0], x[1], x[2])):
        if verdict == "merge":
            clusters.link(a, b, why, by_name=strength < IDENTIFIER_STRENGTH)
        elif verdict == "review":
            review.append((a, b, why))
    return [(a, b, why) for a, b, why in review if clusters.open(a, b)]


Scored = tuple[int, str, str, str, str]  # (strength, a, b, verdict, reason)


def identifier_links(entities: Iterable[Entity]) -> Iterator[Scored]:
    """Pairs of records stating the same strong identifier (still stated by its source),
    of agreeing kinds and countries."""
    by_id = {e.id: e for e in entities}
    buckets: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for entity in by_id.values():
        for ident in entity.identifiers:
            key = identifier_key(ident)
            if key is not None and ident.stated_to is None:
                buckets[key][entity.id] = ident.country or entity.country
    for (group, value), found in sorted(buckets.items()):
        for ids in _country_groups(found):
            for a, b in combinations(ids[:MAX_BUCKET], 2):
                if kinds_agree(by_id[a], by_id[b]):
                    yield IDENTIFIER_STRENGTH, a, b, "merge", f"same {group} identifier {value}"


def _country_groups(found: dict[str, str | None]) -> list[list[str]]:
    """Ids that may share a key: by country, those of unknown country joining a lone one."""
    known = sorted({c for c in found.values() if c is not None})
    if len(known) <= 1:
        return [sorted(found)]
    return [sorted(i for i, c in found.items() if c == country) for country in known]


@dataclass
class _Names:
    full: dict[str, dict[str, bool]]  # name key -> {entity id: is its primary name}
    near: dict[str, set[str]]  # near key -> entity ids
    ambiguous: set[str]  # name keys two records of one list carry
    countries: dict[str, set[str]]  # name key -> countries of the parties carrying it

    def unsure(self, key: str, a: Entity, b: Entity) -> bool:
        """The name cannot tell: two records of one list carry it, or parties of two
        countries do and one of ``a``, ``b`` states none (it could be either)."""
        split = len(self.countries.get(key, ())) > 1
        return key in self.ambiguous or (split and not (a.country and b.country))


def _index(entities: Iterable[Entity]) -> _Names:
    names = _Names(defaultdict(dict), defaultdict(set), set(), defaultdict(set))
    seen: dict[tuple[str, str], str] = {}
    for entity in entities:
        for position, name in enumerate(entity.all_names()):
            tokens = name_tokens(name)
            if tokens:
                _add(names, seen, entity, tokens, position == 0)
    return names


def _add(names: _Names, seen: dict[tuple[str, str], str], entity: Entity,
         tokens: tuple[str, ...], primary: bool) -> None:
    key = " ".join(tokens)
    carriers = names.full[key]
    if entity.id not in carriers:
        for near in near_keys(tokens):
            names.near[near].add(entity.id)
    carriers[entity.id] = carriers.get(entity.id, False) or primary
    if seen.setdefault((key, origin(entity.id)), entity.id) != entity.id:
        names.ambiguous.add(key)
    if entity.country and entity.kind != "person":
        names.countries[key].add(entity.country)


def name_candidates(names: _Names, generic: frozenset[str] = frozenset()
                    ) -> dict[tuple[str, str], tuple[NameMatch, str]]:
    """Pairs of records of different lists with an agreeing name: the best match and key
    (keys in ``generic`` link nothing, as buckets over ``MAX_BUCKET``)."""
    pairs: dict[tuple[str, str], tuple[NameMatch, str]] = {}
    for key, carriers in sorted(names.full.items()):
        if key in generic:
            continue
        for a, b in _pairs(carriers):
            match: NameMatch = "primary" if carriers[a] and carriers[b] else "alias"
            if pairs.get((a, b), ("alias",))[0] != "primary":
                pairs[(a, b)] = (match, key)
    near: dict[tuple[str, str], tuple[bool, int, str]] = {}
    for key, ids in sorted(names.near.items()):
        if key in generic:
            continue
        whole = set(names.full.get(key, {}))
        for pair in _pairs(ids | whole):
            # one name inside the other (best), or each with a word the other lacks; the
            # longest key
            found = (bool(set(pair) & whole), len(key.split()), key)
            if pair not in pairs and found > near.get(pair, (False, 0, "")):
                near[pair] = found
    for pair, (inside, _words, key) in near.items():
        pairs[pair] = ("partial" if inside else "variant", key)
    return pairs


def _pairs(ids: Iterable[str]) -> list[tuple[str, str]]:
    found = sorted(ids)
    if len(found) < 2 or len(found) > MAX_BUCKET:
        return []
    return [(a, b) for a, b in combinations(found, 2) if origin(a) != origin(b)]


def name_links(entities: tuple[Entity, ...], generic: frozenset[str] = frozenset()
               ) -> Iterator[Scored]:
    """Every name candidate with its verdict (merge, review or none)."""
    by_id = {e.id: e for e in entities}
    names = _index(entities)
    for (a, b), (match, key) in sorted(name_candidates(names, generic).items()):
        found = assess(by_id[a], by_id[b], match, key, names.unsure(key, by_id[a], by_id[b]))
        yield found.strength, a, b, found.verdict, found.reason
