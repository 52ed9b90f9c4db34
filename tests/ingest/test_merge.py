"""Entity resolution: identifiers, names with kind and country agreement, forbid, force."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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
    blocking_keys,
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
    # two rule-file entities never merge by themselves: forced here
    rules = MergeRules(force=tuple(MergePair(ids=(ids[0], i), reason="r") for i in ids[1:]))
    for order in (entities, entities[::-1]):
        merged, mm = merge_dataset(Dataset(entities=order), rules, prefer)
        assert [e.id for e in merged.entities] == [canonical]
        assert {m: mm.resolve(m) for m in ids} == dict.fromkeys(ids, canonical)


def test_merge_dataset_unions_entities_and_rewrites_facts() -> None:
    src_us, src_uk = Source(source="ofac-sdn"), Source(source="uk")
    ds = Dataset(
        entities=(ent("kamaz", "KAMAZ PJSC", country="ru", aliases=("KAMAZ",)),
                  ent("ofac:1", "KAMAZ PTC", country="ru", ids=(("ogrn", "1021602013971"),),
                      aliases=("KAMAZ",)),
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
     ("passport", "753000001", ("passport", "753000001")), ("okpo", "00231515", None),
     ("inn", "12", None)],
)
def test_identifier_key(scheme: str, value: str, key: tuple[str, str] | None) -> None:
    assert identifier_key(Identifier(scheme=scheme, value=value)) == key


def person(key: str, name: str, *, born: tuple[str, ...] = (), nat: tuple[str, ...] = (),
           ids: tuple[tuple[str, str], ...] = (), aliases: tuple[str, ...] = ()) -> Entity:
    return ent(key, name, kind="person", ids=ids, aliases=aliases).model_copy(
        update={"birth_dates": born, "nationalities": nat})


PASSPORT = (("passport", "654410078"),)


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # UK and OFAC name forms: word order, transliteration, same date of birth
        ([person("ofac:1", "KOGOGIN, Sergei Anatolyevich", born=("1957-11-16",)),
          person("uk:1", "Sergey Anatolyevich KOGOGIN", born=("1957-11-16",))],
         [["ofac:1", "uk:1"]]),
        # a year of birth and a nationality agree
        ([person("ofac:1", "IVANOV, Petr", born=("1960",), nat=("ru",)),
          person("uk:1", "Petr IVANOV", born=("1960-05-01",), nat=("ru",))],
         [["ofac:1", "uk:1"]]),
        # a name of three words and one agreeing fact
        ([person("ofac:1", "HAMDAN, Salim Ahmad", born=("1965",)),
          person("un:1", "SALIM AHMAD HAMDAN", born=("1965",))], [["ofac:1", "un:1"]]),
        # a patronymic missing, same full date of birth: merged
        ([person("ofac:1", "KOGOGIN, Sergei", born=("1957-11-16",)),
          person("uk:1", "Sergey Anatolyevich KOGOGIN", born=("1957-11-16",))],
         [["ofac:1", "uk:1"]]),
        # a name of three words inside a longer one, year of birth and nationality agree
        ([person("ofac:1", "JAMALEDDINE, Nazir Ahmad Mohammed", born=("1962-01-02",),
                 nat=("sy",)),
          person("uk:1", "Nazir Ahmad JAMALEDDINE", born=("1962",), nat=("sy",))],
         [["ofac:1", "uk:1"]]),
        # ... a name of two words inside a longer one: not enough
        ([person("ofac:1", "KIM, Chol Nam", born=("1962-01-02",), nat=("kp",)),
          person("uk:1", "Chol KIM", born=("1962",), nat=("kp",))], []),
        # same name, conflicting dates of birth (partial dates that cannot be one day)
        ([person("ofac:1", "Ivan Petrov", born=("1957",), nat=("ru",)),
          person("uk:1", "PETROV, Ivan", born=("1958-01-01",), nat=("ru",))], []),
        # the same passport, but brothers born years apart: never merged
        ([person("ofac:1", "Ali Hassan", born=("1960",), ids=PASSPORT),
          person("uk:1", "Omar Hassan", born=("1971",), ids=PASSPORT)], []),
        # the same passport, no conflict: merged
        ([person("ofac:1", "CHOE, Chun Yong", ids=PASSPORT),
          person("uk:1", "CHOE CHUN YONG", ids=PASSPORT)], [["ofac:1", "uk:1"]]),
        # a name alone is not enough (two words, nothing else agrees): review, not merged
        ([person("ofac:1", "KIM, Chol", nat=("kp",)), person("uk:1", "KIM CHOL")], []),
        # two OFAC records and one UK record named alike: the date of birth picks one
        ([person("ofac:1", "Ivan Petrov", born=("1957-03-01",)),
          person("ofac:2", "Ivan Petrov", born=("1962-07-07",)),
          person("uk:1", "Ivan PETROV", born=("1962-07-07",))], [["ofac:2", "uk:1"]]),
    ],
    ids=["word-order", "year-and-nationality", "three-words-one-fact", "partial-name-same-dob",
         "three-words-inside", "two-words-inside",
         "dob-conflict", "identifier-dob-conflict", "passport", "name-only", "dob-picks"],
)
def test_person_merge(entities: list[Entity], expected: list[list[str]]) -> None:
    assert clusters(*entities) == expected


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # a generic alias chains nothing: the UK record matches only UN's alias
        ([ent("un:1", "Ansar al-Islam", aliases=("Soldiers of God",)),
          ent("un:2", "Jund Allah", aliases=("Soldiers of God",)),
          ent("uk:1", "SOLDIERS OF GOD")], []),
        # an alias shared, countries agree: merged
        ([ent("un:1", "Alfa Group", country="ru", aliases=("Alfa Consortium",)),
          ent("uk:1", "ALFA CONSORTIUM", country="ru")], [["uk:1", "un:1"]]),
        # an alias shared, no country to compare: review only
        ([ent("un:1", "Alfa Group", aliases=("Alfa Consortium",)),
          ent("uk:1", "ALFA CONSORTIUM")], []),
        # a link putting two records of one list into one cluster is refused
        ([ent("ofac:1", "Rosneft", country="ru", ids=(("inn", "7706107510"),)),
          ent("uk:1", "ROSNEFT", country="ru"),
          ent("ofac:2", "Rosneft Oil", country="ru", ids=(("inn", "7706107510"),))],
         [["ofac:1", "uk:1"]]),
        # legal forms and word order do not matter
        ([ent("ofac:1", "KAMAZ PUBLICLY TRADED COMPANY", country="ru"),
          ent("uk:1", "PJSC KAMAZ", country="ru")], [["ofac:1", "uk:1"]]),
        # same name and country, different INNs: different companies
        ([ent("ofac:1", "Special Technology Center", country="ru",
              ids=(("inn", "7802170553"),)),
          ent("uk:1", "SPECIAL TECHNOLOGY CENTRE LLC", country="ru",
              ids=(("inn", "7840392660"),))], []),
        # two ships of one name with different IMO numbers
        ([ent("ca:1", "Sierra", kind="vessel", ids=(("imo", "9522324"),)),
          ent("ofac:1", "SIERRA", kind="vessel", ids=(("imo", "9147447"),))], []),
    ],
    ids=["generic-alias", "alias-and-country", "alias-alone", "same-list", "legal-forms",
         "inn-conflict", "imo-conflict"],
)
def test_precision_rules(entities: list[Entity], expected: list[list[str]]) -> None:
    assert clusters(*entities) == expected


@pytest.mark.parametrize(
    ("entities", "review"),
    [
        ([person("ofac:1", "KIM, Chol", nat=("kp",)), person("uk:1", "KIM CHOL")],
         [("ofac:1", "uk:1")]),
        ([ent("un:1", "Alfa Group", aliases=("Alfa Consortium",)),
          ent("uk:1", "ALFA CONSORTIUM")], [("uk:1", "un:1")]),
        # conflicting dates of birth: nothing to review
        ([person("ofac:1", "KIM, Chol", born=("1950",)), person("uk:1", "KIM CHOL",
                                                                 born=("1960",))], []),
        # merged anyway: nothing to review
        ([person("ofac:1", "KIM, Chol", born=("1950-01-02",)),
          person("uk:1", "KIM CHOL", born=("1950-01-02",))], []),
    ],
    ids=["person-name-only", "alias-no-country", "dob-conflict", "merged"],
)
def test_uncertain_pairs_go_to_review(entities: list[Entity],
                                      review: list[tuple[str, str]]) -> None:
    mm = cluster(Dataset(entities=tuple(entities)), NO_RULES)
    assert [(a, b) for a, b, _why in mm.review] == review
    assert all(why for _a, _b, why in mm.review)


def test_identifier_no_longer_stated_links_nothing() -> None:
    inn = Identifier(scheme="inn", value="7706107510")
    ended = inn.model_copy(update={"stated_to": date(2024, 1, 1)})
    a = ent("ofac:1", "Alpha").model_copy(update={"identifiers": (ended,)})
    b = ent("uk:1", "Beta").model_copy(update={"identifiers": (inn,)})
    assert clusters(a, b) == []
    assert clusters(a.model_copy(update={"identifiers": (inn,)}), b) == [["ofac:1", "uk:1"]]


def test_merged_entity_unions_dates_of_birth_and_nationalities() -> None:
    ds = Dataset(entities=(person("ofac:1", "KOGOGIN, Sergei", born=("1957-11-16",), nat=("ru",)),
                           person("uk:1", "Sergei KOGOGIN", born=("1957-11-16", "1957"),
                                  nat=("ru", "by"))))
    merged, _mm = merge_dataset(ds, NO_RULES)
    assert [(e.birth_dates, e.nationalities) for e in merged.entities] == [
        (("1957-11-16", "1957"), ("ru", "by"))]


WORDS = ("ivan", "petrov", "ivanov", "sergei", "sergey", "alfa", "group", "kim", "chol")
_entity = st.builds(
    lambda n, words, kind, born, nat, ident, alias: Entity(
        id=f"{('ofac', 'uk', 'un')[n % 3]}:{n}", kind=kind, name=" ".join(words),
        aliases=(" ".join(alias),) if alias else (), birth_dates=born, nationalities=nat,
        country=nat[0] if nat and kind != "person" else None,
        identifiers=tuple(Identifier(scheme=s, value=v) for s, v in ident)),
    st.integers(0, 10_000), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.sampled_from(["person", "company"]),
    st.lists(st.sampled_from(["1957", "1957-11-16", "1960", "1960-02"]), max_size=2).map(tuple),
    st.lists(st.sampled_from(["ru", "kp"]), max_size=1).map(tuple),
    st.lists(st.tuples(st.sampled_from(["inn", "passport"]),
                       st.sampled_from(["7706107510", "654410078"])), max_size=1),
    st.lists(st.sampled_from(WORDS), max_size=3),
)


def _keys(e: Entity) -> set[str]:
    return blocking_keys(e.all_names(), ((i.scheme, i.value) for i in e.identifiers))


@settings(max_examples=150, deadline=None)
@given(st.lists(_entity, min_size=2, max_size=12, unique_by=lambda e: e.id))
def test_linked_or_reviewed_pairs_share_a_blocking_key(entities: list[Entity]) -> None:
    mm = cluster(Dataset(entities=tuple(entities)), NO_RULES)
    by_id = {e.id: e for e in entities}
    linked = [why.split(": ", 1)[0].split(" = ") for whys in mm.reasons.values() for why in whys]
    for a, b in [*linked, *((a, b) for a, b, _ in mm.review)]:
        assert _keys(by_id[a]) & _keys(by_id[b]), (a, b)
    # the data path's use: clustering only entities that share a key changes nothing
    counts: dict[str, int] = {}
    for e in entities:
        for key in _keys(e):
            counts[key] = counts.get(key, 0) + 1
    shared = tuple(e for e in entities if any(counts[k] > 1 for k in _keys(e)))
    assert cluster(Dataset(entities=shared), NO_RULES).members == mm.members


def test_rule_file_entities_never_merge_by_themselves() -> None:
    inn = (("inn", "1650032058"),)
    ds = Dataset(entities=(ent("kamaz", "KAMAZ", ids=inn), ent("nefaz", "NEFAZ", ids=inn),
                           ent("ofac:1", "KAMAZ PTC", ids=inn)))
    mm = cluster(ds, NO_RULES, frozenset({"kamaz", "nefaz"}))
    assert sorted(map(sorted, mm.members.values())) == [["kamaz", "ofac:1"]]
