"""Entity resolution: identifiers, names with kind and country agreement, forbid, force."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from riskengine.domain import (
    Dataset,
    Designation,
    Entity,
    EntityKind,
    Identifier,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.ingest.merge import (
    MergePair,
    MergeRules,
    cluster,
    identifier_key,
    merge_dataset,
    origin,
)

NO_RULES = MergeRules()


def ent(key: str, name: str = "", *, kind: EntityKind = "company", country: str | None = None,
        ids: tuple[tuple[str, str], ...] = (), aliases: tuple[str, ...] = ()) -> Entity:
    return Entity(id=key, name=name or key, kind=kind, country=country, aliases=aliases,
                  identifiers=tuple(Identifier(scheme=s, value=v) for s, v in ids),
                  sources=(Source(source=origin(key), record_id=key),))


def clusters(*entities: Entity, rules: MergeRules = NO_RULES) -> list[list[str]]:
    mm = cluster(Dataset(entities=entities), rules)
    return sorted(sorted(members) for members in mm.members.values())


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # same OGRN as an ogrn and as a registration number, punctuation ignored
        ([ent("ofac:1", "A", ids=(("ogrn", "1021602013971"),)),
          ent("uk:1", "B", ids=(("registration", "1021-602-013971"),))], [["ofac:1", "uk:1"]]),
        # inn and tax are one group
        ([ent("a", ids=(("inn", "1650032058"),)), ent("b", ids=(("tax", "1650032058"),))],
         [["a", "b"]]),
        # lei, imo, swift (branch code XXX ignored)
        ([ent("a", ids=(("swift", "SABRRUMMXXX"),)), ent("b", ids=(("swift", "sabrrumm"),))],
         [["a", "b"]]),
        # weak schemes (passport, okpo) do not merge
        ([ent("a", ids=(("okpo", "00231515"),)), ent("b", ids=(("okpo", "00231515"),))], []),
        # different schemes with the same value do not merge
        ([ent("a", ids=(("inn", "1650032058"),)), ent("b", ids=(("imo", "1650032058"),))], []),
        # too short to be trusted
        ([ent("a", ids=(("registration", "123"),)), ent("b", ids=(("registration", "123"),))],
         []),
        # stated countries disagree; one without a country joins neither
        ([ent("a", country="ru", ids=(("registration", "123456"),)),
          ent("b", country="kz", ids=(("registration", "123456"),)),
          ent("c", ids=(("registration", "123456"),))], []),
        # same country
        ([ent("a", country="ru", ids=(("registration", "123456"),)),
          ent("b", country="ru", ids=(("registration", "123456"),))], [["a", "b"]]),
    ],
    ids=["ogrn-registration", "inn-tax", "swift", "weak-scheme", "other-scheme", "short",
         "countries-differ", "same-country"],
)
def test_identifier_merge(entities: list[Entity], expected: list[list[str]]) -> None:
    assert clusters(*entities) == expected


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # exact after normalisation: case, punctuation, script
        ([ent("kamaz", "KAMAZ PJSC", country="ru", aliases=("KAMAZ",)),
          ent("uk:1", "Kamaz", country="ru")], [["kamaz", "uk:1"]]),
        ([ent("a", "КАМАЗ"), ent("b", "kamaz")], [["a", "b"]]),
        # one country unknown: merged
        ([ent("a", "Rostec", country="ru"), ent("b", "ROSTEC")], [["a", "b"]]),
        # countries differ
        ([ent("a", "Rostec", country="ru"), ent("b", "Rostec", country="by")], []),
        # kinds differ
        ([ent("a", "Baltic Leader", kind="vessel"), ent("b", "Baltic Leader")], []),
        # two records of the same list with one name: ambiguous, nothing merges
        ([ent("ofac:1", "Ivan Petrov", kind="person"), ent("ofac:2", "Ivan Petrov", kind="person"),
          ent("uk:1", "Ivan Petrov", kind="person")], []),
        # a country-less record between two countries joins neither
        ([ent("a", "Alfa", country="ru"), ent("b", "Alfa", country="by"), ent("c", "Alfa")], []),
        # similar is not enough
        ([ent("a", "KAMAZ"), ent("b", "KAMAZ Leasing")], []),
    ],
    ids=["alias", "script", "one-country", "countries-differ", "kinds-differ", "same-list",
         "country-less", "not-exact"],
)
def test_name_merge(entities: list[Entity], expected: list[list[str]]) -> None:
    assert clusters(*entities) == expected


INN = (("inn", "1650032058"),)
SAME_INN = (ent("a", "A", ids=INN), ent("b", "B", ids=INN), ent("c", "C", ids=INN))


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (NO_RULES, [["a", "b", "c"]]),
        # a forbidden pair is never in one cluster, even through a third entity
        (MergeRules(forbid=(MergePair(ids=("a", "c"), reason="namesakes"),)), [["a", "b"]]),
        (MergeRules(forbid=(MergePair(ids=("a", "b"), reason="x"),
                            MergePair(ids=("b", "c"), reason="y"))), [["a", "c"]]),
    ],
    ids=["none", "forbid-transitive", "forbid-two"],
)
def test_forbid(rules: MergeRules, expected: list[list[str]]) -> None:
    assert clusters(*SAME_INN, rules=rules) == expected


def test_force_merges_what_nothing_links_and_says_why() -> None:
    rules = MergeRules(force=(MergePair(ids=("a", "z"), reason="same address"),
                              MergePair(ids=("a", "missing"), reason="ignored")))
    mm = cluster(Dataset(entities=(ent("a", "Alpha"), ent("z", "Zeta"))), rules)
    assert mm.members == {"a": ("a", "z")}
    assert mm.reasons["a"] == ("a = z: forced: same address",)


def test_a_pair_both_forced_and_forbidden_is_an_error() -> None:
    pair = MergePair(ids=("a", "b"), reason="r")
    with pytest.raises(ValidationError, match="both forced and forbidden"):
        MergeRules(force=(pair,), forbid=(pair,))


@pytest.mark.parametrize(
    ("ids", "prefer", "canonical"),
    [
        (("uk:RUS1422", "ofac:37756", "kamaz"), frozenset({"kamaz"}), "kamaz"),
        (("uk:RUS1422", "ofac:37756"), frozenset(), "ofac:37756"),
        (("uk:RUS1422", "ofac:37756"), frozenset({"other"}), "ofac:37756"),
        (("z", "y", "x"), frozenset({"z", "y"}), "y"),
    ],
)
def test_canonical_id_is_deterministic(ids: tuple[str, ...], prefer: frozenset[str],
                                       canonical: str) -> None:
    entities = tuple(ent(i, f"N{i}", ids=(("inn", "1650032058"),)) for i in ids)
    for order in (entities, entities[::-1]):
        merged, mm = merge_dataset(Dataset(entities=order), NO_RULES, prefer)
        assert [e.id for e in merged.entities] == [canonical]
        assert {m: mm.resolve(m) for m in ids} == dict.fromkeys(ids, canonical)


def test_merge_dataset_unions_entities_and_rewrites_facts() -> None:
    src_us, src_uk = Source(source="ofac-sdn"), Source(source="uk")
    ds = Dataset(
        entities=(ent("kamaz", "KAMAZ PJSC", country="ru", aliases=("KAMAZ",)),
                  ent("ofac:1", "KAMAZ PTC", ids=(("ogrn", "1021602013971"),), aliases=("KAMAZ",)),
                  ent("uk:1", "Kamaz", country="ru"), ent("jac", "JAC")),
        designations=(Designation(id="us", entity_id="ofac:1", regime="us", source=src_us),
                      Designation(id="uk", entity_id="uk:1", regime="uk", source=src_uk)),
        ownerships=(Ownership(id="o1", owner="ofac:1", asset="uk:1", share=Share.exact(10),
                              source=src_us),),
        relationships=(Relationship(id="r1", a="jac", b="uk:1", kind="technology_licence",
                                    source=src_uk),),
    )
    merged, mm = merge_dataset(ds, NO_RULES, frozenset({"kamaz", "jac"}))
    kamaz = merged.entity_map()["kamaz"]
    assert [e.id for e in merged.entities] == ["kamaz", "jac"]
    assert kamaz.aliases == ("KAMAZ", "KAMAZ PTC")
    assert [i.value for i in kamaz.identifiers] == ["1021602013971"]
    assert [s.record_id for s in kamaz.sources] == ["kamaz", "ofac:1", "uk:1"]
    assert [(d.entity_id, d.source.source) for d in merged.designations] == [
        ("kamaz", "ofac-sdn"), ("kamaz", "uk")]
    assert merged.ownerships == ()  # both ends are one entity now
    assert [(r.a, r.b) for r in merged.relationships] == [("jac", "kamaz")]
    assert mm.members == {"kamaz": ("kamaz", "ofac:1", "uk:1")}


def test_nothing_to_merge_returns_the_dataset_unchanged() -> None:
    ds = Dataset(entities=(ent("a", "Alpha"), ent("b", "Beta")))
    assert merge_dataset(ds, NO_RULES) == (ds, cluster(ds, NO_RULES))


@pytest.mark.parametrize(
    ("scheme", "value", "key"),
    [("OGRN", "1021602013971", ("registration", "1021602013971")),
     ("lei", "253400 jqdc 1q6bxh3e50", ("lei", "253400JQDC1Q6BXH3E50")),
     ("passport", "753000001", None), ("inn", "12", None)],
)
def test_identifier_key(scheme: str, value: str, key: tuple[str, str] | None) -> None:
    assert identifier_key(Identifier(scheme=scheme, value=value)) == key
