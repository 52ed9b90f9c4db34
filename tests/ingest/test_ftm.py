"""FtM JSON lines -> Dataset: mapping per schema, whole-file behaviour, bad input, real file."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskengine.domain import (
    Control,
    Dataset,
    Designation,
    Entity,
    Identifier,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.errors import InputError
from riskengine.ingest.ftm import (
    FtmResult,
    classify_measure,
    control_kind,
    parse_ftm_date,
    parse_share,
    read_ftm,
    resolve_flat,
    resolve_references,
    scan_ftm,
)
from tests.conftest import FIXTURES

SAMPLE = FIXTURES / "ftm" / "sample.ftm.json"
SAMPLE_HASH = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
ZALA = Path("opensanctions_ftm") / "zala" / "entities.ftm.json"
KALASHNIKOV = "NK-nR5AXM9AVPq4pQaSPSaVam"
ZALA_AERO = "NK-abdzbEBkqyT29GyREbiURZ"


def src(line: int, record_id: str, url: str | None = None, note: str | None = None) -> Source:
    return Source(source="ftm", record_id=record_id, file=SAMPLE.name, line=line, url=url,
                  note=note, content_hash=SAMPLE_HASH)


@pytest.fixture(scope="module")
def sample() -> FtmResult:
    return read_ftm(SAMPLE)


def _facts(dataset: Dataset) -> dict[str, object]:
    groups = (dataset.entities, dataset.designations, dataset.ownerships, dataset.controls,
              dataset.relationships)
    return {fact.id: fact for group in groups for fact in group}


REGISTRY = "datasets: example_registry"
MAPPED = [
    Entity(id="co-volga", kind="company", name="Volga Precision Instruments JSC",
           aliases=("Joint Stock Company Volga Precision Instruments",
                    "АО «Волжские точные приборы»", "VPI", "Volzhsky Priborny Zavod OAO"),
           weak_aliases=("VPI JSC",),  # FtM weakAlias: kept apart
           country="ru",  # jurisdiction wins over country
           identifiers=(Identifier(scheme="inn", value="6312000017"),
                        Identifier(scheme="ogrn", value="1026300000018")),
           sector="Defence electronics",
           sources=(src(1, "co-volga", "https://example.org/registry/6312000017", REGISTRY),)),
    Entity(id="pe-ivanov", kind="person", name="Pyotr Sergeyevich Ivanov",
           aliases=("Пётр Сергеевич Иванов", "Petr Ivanov"), country="ru",
           identifiers=(Identifier(scheme="inn", value="631200000117"),
                        Identifier(scheme="id", value="4510 123456"),
                        Identifier(scheme="passport", value="753000001")),
           sources=(src(2, "pe-ivanov", note=REGISTRY),)),
    Entity(id="le-northstar", kind="unknown", name="Northern Star Holdings Ltd", country="cy",
           identifiers=(Identifier(scheme="lei", value="549300EXAMPLE0000042"),
                        Identifier(scheme="registration", value="HE 123456")),  # no idNumber
           sources=(src(3, "le-northstar"),)),
    Entity(id="org-udm", kind="organisation", name="Union of Drone Makers", country="ru",
           sources=(src(4, "org-udm"),)),
    Entity(id="pb-fada", kind="public_body", name="Federal Agency for Defence Assets",
           country="ru", sources=(src(5, "pb-fada"),)),
    Entity(id="ve-aurora", kind="vessel", name="Aurora Borealis", country="pa",
           identifiers=(Identifier(scheme="imo", value="IMO9876543"),),
           sources=(src(6, "ve-aurora"),)),
    Entity(id="co-kama", kind="company", name="Kama Logistics LLC", country="ru",
           identifiers=(Identifier(scheme="tax", value="1650000011"),),
           sources=(src(7, "co-kama"),)),
    Ownership(id="own-northstar-volga", owner="le-northstar", asset="co-volga",
              share=Share.exact(51), valid_from=date(2019, 3, 1), valid_to=date(2024, 1, 1),
              source=src(8, "own-northstar-volga", note=REGISTRY)),
    Ownership(id="own-ivanov-northstar", owner="pe-ivanov", asset="le-northstar",
              share=Share(low=25, high=50), valid_from=date(2017, 11, 2),
              source=src(9, "own-ivanov-northstar")),
    Ownership(id="own-fada-volga", owner="pb-fada", asset="co-volga", share=Share.unknown(),
              source=src(10, "own-fada-volga")),
    Ownership(id="own-ivanov-elsewhere", owner="pe-ivanov", asset="co-not-in-file",
              share=Share.exact(12.5), source=src(11, "own-ivanov-elsewhere")),
    Ownership(id="own-vague", owner="org-udm", asset="co-kama", share=Share.unknown(),
              source=src(12, "own-vague")),
    Relationship(id="dir-ivanov-volga", a="pe-ivanov", b="co-volga", kind="officer",
                 note="General Director", valid_from=date(2018, 6, 1),
                 valid_to=date(2023, 6, 30), source=src(14, "dir-ivanov-volga")),
    Control(id="ctl-fada-volga", controller="pb-fada", controlled="co-volga", kind="state",
            valid_from=date(2020, 1, 1), source=src(15, "ctl-fada-volga")),
    Control(id="ctl-golden-share", controller="org-udm", controlled="co-kama",
            kind="dominant_influence", source=src(16, "ctl-golden-share")),
    Designation(id="san-us-volga", entity_id="co-volga", regime="us",
                authority="Office of Foreign Assets Control", program="RUSSIA-EO14024",
                list_name="us_ofac_sdn", measure="asset_freeze", listed_from=date(2023, 5, 19),
                source=src(17, "san-us-volga", "https://example.org/ofac/volga",
                           "datasets: us_ofac_sdn")),
    Designation(id="san-eu-volga", entity_id="co-volga", regime="eu",
                authority="Council of the European Union",
                program="Regulation (EU) 833/2014 Annex IV", list_name="eu_journal_sanctions",
                measure="export_control", listed_from=date(2023, 2, 25),
                source=src(18, "san-eu-volga", note="datasets: eu_journal_sanctions")),
    Designation(id="san-gb-ivanov", entity_id="pe-ivanov", regime="uk",
                authority="Foreign, Commonwealth & Development Office; HM Treasury",
                program="The Russia (Sanctions) (EU Exit) Regulations 2019",
                list_name="gb_fcdo_sanctions", measure="asset_freeze",
                listed_from=date(2022, 1, 1), listed_to=date(2025, 1, 1),
                source=src(19, "san-gb-ivanov", note="datasets: gb_fcdo_sanctions")),
    Designation(id="san-us-ssi", entity_id="le-northstar", regime="us", authority="OFAC",
                program="UKRAINE-EO13662", list_name="", measure="sectoral",
                source=src(20, "san-us-ssi")),
    Designation(id="san-ch-ivanov", entity_id="pe-ivanov", regime="ch",
                authority="State Secretariat for Economic Affairs", program="SECO-UKRAINE",
                list_name="SECO-UKRAINE", measure="asset_freeze", source=src(21, "san-ch-ivanov")),
    Designation(id="san-eu-travel", entity_id="pe-ivanov", regime="eu", authority="",
                list_name="eu_travel_bans", measure="other",
                source=src(22, "san-eu-travel", note="datasets: eu_travel_bans")),
]


@pytest.mark.parametrize("expected", MAPPED, ids=lambda fact: fact.id)
def test_sample_record_maps_to_fact(sample: FtmResult, expected: object) -> None:
    assert _facts(sample.dataset)[expected.id] == expected  # type: ignore[attr-defined]


def test_sample_counts_skips_and_warnings(sample: FtmResult) -> None:
    assert sample.counts == {"Company": 2, "Person": 1, "LegalEntity": 1, "Organization": 1,
                             "PublicBody": 1, "Vessel": 1, "Ownership": 5, "Directorship": 1,
                             "Control": 2, "Sanction": 6}
    assert sample.skipped == {"Ownership": 1, "Sanction": 1, "Address": 1, "Family": 1}
    assert sample.warnings == [
        "1 Ownership record with an unreadable percentage: share unknown "
        "(first at sample.ftm.json:12)",
        "1 Ownership record without 'owner' or 'asset': skipped (first at sample.ftm.json:13)",
        "1 Control record with an unrecognised or missing controlType: dominant_influence "
        "(first at sample.ftm.json:16)",
        "1 Sanction record without an entity: skipped (first at sample.ftm.json:23)",
    ]
    assert sample.content_hash == SAMPLE_HASH
    assert len(_facts(sample.dataset)) == len(MAPPED)


def _dangling_dataset() -> Dataset:
    source = Source(source="test")
    return Dataset(
        entities=(Entity(id="a", name="A"),),
        designations=(Designation(id="d1", entity_id="gone", regime="us", source=source),),
        ownerships=tuple(Ownership(id=f"o{i}", owner="a", asset=f"gone{i}",
                                   share=Share.unknown(), source=source) for i in range(2)),
        controls=(Control(id="c1", controller="stored", controlled="a", kind="trust",
                          source=source),),
        relationships=(Relationship(id="r1", a="gone", b="a", kind="officer", source=source),),
    )


@pytest.mark.parametrize(
    ("known", "kept", "warnings"),
    [
        (set(), {"a"}, [
            "1 Designation record points at entities not in the file or the store: skipped",
            "2 Ownership records point at entities not in the file or the store: skipped",
            "1 Control record points at entities not in the file or the store: skipped",
            "1 Relationship record points at entities not in the file or the store: skipped",
        ]),
        ({"stored", "gone", "gone0", "gone1"}, {"a", "d1", "o0", "o1", "c1", "r1"}, []),
        ({"stored", "gone0"}, {"a", "o0", "c1"}, [
            "1 Designation record points at entities not in the file or the store: skipped",
            "1 Ownership record points at entities not in the file or the store: skipped",
            "1 Relationship record points at entities not in the file or the store: skipped",
        ]),
    ],
    ids=["nothing-known", "all-known", "some-known"],
)
def test_resolve_references(known: set[str], kept: set[str], warnings: list[str]) -> None:
    resolved, found = resolve_references(_dangling_dataset(), known)
    assert set(_facts(resolved)) == kept
    assert found == warnings


def test_resolve_references_on_sample_keeps_edges_into_the_store(sample: FtmResult) -> None:
    dropped, warnings = resolve_references(sample.dataset, set())
    kept, none = resolve_references(sample.dataset, {"co-not-in-file"})
    assert set(_facts(sample.dataset)) - set(_facts(dropped)) == {"own-ivanov-elsewhere"}
    assert warnings == ["1 Ownership record points at entities not in the file or the store: "
                        "skipped"]
    assert (kept, none) == (sample.dataset, [])


VALID = '{"id": "a", "schema": "Company", "properties": {"name": ["ACME"]}}'
BAD_LINES = [
    ('{"id": "b", "schema": "Company"', "invalid JSON: Expecting ',' delimiter (column 32)"),
    ("[1, 2]", "expected a JSON object, got list"),
    ('{"schema": "Company"}', "record has no 'id'"),
    ('{"id": "b", "schema": " "}', "record has no 'schema'"),
    ('{"id": 7, "schema": "Company"}', "'id' must be a string, got int"),
    ('{"id": "b", "schema": "Company", "caption": ["x"]}', "'caption' must be a string, got list"),
    ('{"id": "b", "schema": "Company", "properties": []}',
     "'properties' must be an object, got list"),
    ('{"id": "b", "schema": "Company", "properties": {"name": "ACME"}}',
     "property 'name' must be a list of strings"),
    ('{"id": "b", "schema": "Company", "properties": {"name": [1]}}',
     "property 'name' must be a list of strings"),
    ('{"id": "b", "schema": "Company", "datasets": "x"}', "'datasets' must be a list of strings"),
    ('{"id": "a", "schema": "Company"}', "duplicate id 'a' (first at line 1)"),
    ('{"id": "o", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"], '
     '"startDate": ["2022-13"]}}', "Ownership o: invalid date '2022-13' in 'startDate'"),
    ('{"id": "s", "schema": "Sanction", "properties": {"entity": ["a"], "endDate": ["soon"]}}',
     "Sanction s: invalid date 'soon' in 'endDate'"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_bad_line_fails_the_file_naming_file_and_line(tmp_path: Path, bad: str,
                                                      message: str) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_text(f"{VALID}\n{bad}\n{VALID.replace('a', 'z')}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ftm(path)
    assert str(caught.value) == f"{path}:2: {message}"
    assert caught.value.exit_code == 2


def test_invalid_utf8_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ftm.json"
    path.write_bytes(VALID.encode() + b"\n\n" + VALID.replace("ACME", "Soci\xe9t\xe9").encode(
        "latin-1").replace(b'"a"', b'"b"'))
    with pytest.raises(InputError, match=r"latin1\.ftm\.json:3: not valid UTF-8"):
        read_ftm(path)
    with pytest.raises(InputError, match=r"missing\.ftm\.json: cannot read file"):
        read_ftm(tmp_path / "missing.ftm.json")


def test_blank_lines_are_ignored_and_empty_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.ftm.json"
    path.write_text(f"\n{VALID}\n   \n", encoding="utf-8")
    empty = tmp_path / "empty.ftm.json"
    empty.write_text("", encoding="utf-8")
    result = read_ftm(path)
    assert [(e.id, e.sources[0].line) for e in result.dataset.entities] == [("a", 2)]
    with pytest.raises(InputError, match=r"empty\.ftm\.json: no FtM records"):
        read_ftm(empty)  # refused: nothing to ingest


@pytest.mark.parametrize(
    ("text", "share"),
    [("49", Share.exact(49)), ("49.5%", Share.exact(49.5)), ("12,5", Share.exact(12.5)),
     ("0", Share.exact(0)), ("25-50", Share(low=25, high=50)),
     ("25 – 50 %", Share(low=25, high=50)), ("10% to 20%", Share(low=10, high=20))],
)
def test_parse_share(text: str, share: Share) -> None:
    assert parse_share(text) == share


@pytest.mark.parametrize("text", ["majority", "101", "50-25", "", "-5", "1/3"])
def test_parse_share_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="share"):
        parse_share(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [("2022", date(2022, 1, 1)), ("2022-06", date(2022, 6, 1)),
     ("2022-06-15", date(2022, 6, 15)), ("2022-06-15T10:30:00Z", date(2022, 6, 15)),
     (" 1999-12-31 ", date(1999, 12, 31))],
)
def test_parse_ftm_date(text: str, day: date) -> None:
    assert parse_ftm_date(text) == day


@pytest.mark.parametrize("text", ["22", "2022-6", "2022-02-30", "June 2022", "2022-06-15x"])
def test_parse_ftm_date_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|day|month"):
        parse_ftm_date(text)


@given(st.dates())
def test_parse_ftm_date_partial_forms_give_the_first_day(day: date) -> None:
    assert parse_ftm_date(day.isoformat()) == day
    assert parse_ftm_date(day.isoformat()[:7]) == day.replace(day=1)
    assert parse_ftm_date(day.isoformat()[:4]) == date(day.year, 1, 1)


@pytest.mark.parametrize(
    ("texts", "measure"),
    [(["RUSSIA-EO14024", "Block"], "asset_freeze"),
     (["Travel Ban", "Asset freeze"], "asset_freeze"),
     (["mc_fund_freezes"], "asset_freeze"),
     (["Entity List (EL) - Bureau of Industry and Security"], "export_control"),
     (["US-BIS-EL"], "export_control"),
     (["Annex IV military end-user"], "export_control"),
     (["UKRAINE-EO13662", "Directive 2"], "sectoral"),
     (["Sectoral Sanctions Identifications List"], "sectoral"),
     (["gb_coh_disqualified"], "other"),
     (["Reciprocal", "us_sam_exclusions"], "other"),
     (["Autonomous (Russia)", "AU-RUSSIA"], "asset_freeze"),
     ([], "asset_freeze")],
)
def test_classify_measure(texts: list[str], measure: str) -> None:
    assert classify_measure(texts) == measure


# Issue 13: whether a listing blocks follows from the list (dataset) and the provisions, never
# from the program tag alone. EO 13662 is a blocking order: Renova Group is on the SDN list
# under UKRAINE-EO13662 alone (sdn.csv 2024-05-03, ent 24303); BM Bank is an SDN also "Subject
# to Directive 1". The same tag on OFAC's non-SDN consolidated list names the SSI list.
@pytest.mark.parametrize(
    ("texts", "datasets", "programs", "measure"),
    [(["UKRAINE-EO13662"], ["us_ofac_sdn"], ["UKRAINE-EO13662"], "asset_freeze"),
     (["UKRAINE-EO13662", "Directive 1"], ["us_ofac_sdn"], ["UKRAINE-EO13662"], "asset_freeze"),
     (["UKRAINE-EO13662"], [], ["UKRAINE-EO13662"], "asset_freeze"),
     (["UKRAINE-EO13662"], ["us_ofac_cons"], ["UKRAINE-EO13662"], "sectoral"),
     (["RUSSIA-EO14024"], ["us_ofac_cons"], ["RUSSIA-EO14024"], "sectoral"),
     (["CMIC-EO13959"], ["us_ofac_cons"], ["CMIC-EO13959"], "other"),
     (["SDGT"], ["us_ofac_cons"], ["SDGT"], "other"),
     (["Sectoral Sanctions Identifications List"], ["us_ofac_cons"], [], "sectoral"),
     (["Asset freeze"], ["us_ofac_cons"], [], "asset_freeze")],
)
def test_measure_by_list(texts: list[str], datasets: list[str], programs: list[str],
                         measure: str) -> None:
    assert classify_measure(texts, datasets, programs) == measure


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Right to appoint or remove a majority of the board", "board_appointment"),
     ("voting rights agreement", "voting_agreement"), ("Nominee shareholder", "nominee"),
     ("trustee", "trust"), ("State ownership", "state"), ("joint control", "joint_arrangement"),
     ("management contract", "management"), ("significant influence", "dominant_influence"),
     ("dominant_influence", "dominant_influence"), ("golden share veto", None), (None, None)],
)
def test_control_kind(text: str | None, kind: str | None) -> None:
    assert control_kind(text) == kind


# --- the real OpenSanctions file (read in place, never copied into the project) -----------


@pytest.fixture
def zala(shared_data: Path) -> FtmResult:
    path = shared_data / ZALA
    if not path.is_file():
        pytest.skip(f"OpenSanctions FtM file not found at {path}")
    return read_ftm(path)


@pytest.mark.shared_data
def test_zala_counts(zala: FtmResult) -> None:
    assert zala.counts == {"Sanction": 41, "Ownership": 14, "Company": 11, "Person": 6,
                           "Directorship": 3}
    assert zala.skipped == {"Address": 11, "Family": 4, "Passport": 1}
    assert zala.warnings == []
    assert resolve_references(zala.dataset, set()) == (zala.dataset, [])


@pytest.mark.shared_data
def test_zala_kalashnikov_owns_49_percent_of_zala_aero(zala: FtmResult) -> None:
    entities = zala.dataset.entity_map()
    stakes = [o for o in zala.dataset.ownerships if (o.owner, o.asset) == (KALASHNIKOV, ZALA_AERO)]
    assert entities[KALASHNIKOV].name == "JSC Kalashnikov Concern"
    assert "Zala Aero Group" in entities[ZALA_AERO].aliases
    assert Identifier(scheme="inn", value="1841015504") in entities[ZALA_AERO].identifiers
    assert sorted(o.share.label() for o in stakes) == ["49%", "unknown share"]
    exact = next(o for o in stakes if o.share.is_exact)
    assert (exact.valid_from, exact.valid_to, exact.source.line) == (date(2016, 3, 29), None, 69)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("record_id", "regime", "measure"),
    [("ofac-780cd5691cab9c1219d921e42857cc300fef150e", "us", "asset_freeze"),
     ("trade-csl-220a432fb6c7fd3e4d3af470f0f86f1f8e1ca513", "us", "export_control"),
     ("usgsa-40b767856ab00a7f65ff736d76563cb14b6d2777", "us", "other"),
     ("eu-fsf-6ac27c949ff687d02ddec05f5e53ce9c6690e34f", "eu", "asset_freeze"),
     ("eu-tb-c6be3a8ba704f289ea9d87e4195162d935c45326", "eu", "other"),
     ("gb-fcdo-46ba28a2d3f5e2e39a0742639ac502cffb9bfb28", "uk", "asset_freeze"),
     ("gb-coh-86850b17748693af20d186cc51a9a5f2f586ba90", "uk", "other"),
     ("au-dfat-56600015954691cece058c2a3b0e3b27740701e6", "au", "asset_freeze"),
     ("jp-meti-ru-a4289d0f2ab37bb75f684ce3ef806f3092417b7f", "jp", "export_control"),
     ("ua-nsdc-6c8c31da8d3db74b085a9217f3322ba118141a63", "ua", "asset_freeze")],
)
def test_zala_sanctions_map_to_regimes(zala: FtmResult, record_id: str, regime: str,
                                       measure: str) -> None:
    found = {d.id: d for d in zala.dataset.designations}[record_id]
    assert (found.regime, found.measure) == (regime, measure)
    assert found.source.record_id == record_id


@pytest.mark.shared_data
def test_zala_regime_totals(zala: FtmResult) -> None:
    regimes = Counter(d.regime for d in zala.dataset.designations)
    assert regimes == {"us": 9, "ua": 5, "uk": 4, "ch": 4, "nz": 4, "eu": 3, "fr": 3, "mc": 3,
                       "be": 2, "jp": 2, "au": 1, "ca": 1}


# --- streaming and the fast parse ----------------------------------------------------------

@pytest.mark.parametrize(("newline", "line"), [(b"\n", 4), (b"\r\n", 4), (b"\r", 4)])
def test_lines_are_numbered_as_splitlines_numbers_them(tmp_path: Path, newline: bytes,
                                                       line: int) -> None:
    """The file is streamed; line numbers stay those of ``bytes.splitlines`` (blank lines
    counted, a lone CR is a line break)."""
    records = [VALID.encode(), b"", VALID.replace('"a"', '"b"').encode(), b"[1]"]
    path = tmp_path / "lines.ftm.json"
    path.write_bytes(newline.join(records) + newline)
    with pytest.raises(InputError) as caught:
        read_ftm(path)
    assert str(caught.value).startswith(f"{path}:{line}: expected a JSON object")
    path.write_bytes(newline.join(records[:3]))
    assert [e.sources[0].line for e in read_ftm(path).dataset.entities] == [1, 3]


@pytest.mark.parametrize("line", [
    '{"id": "n", "schema": "Address", "properties": {}, "extra": NaN}',  # json-only literal
    '{"id": "n", "schema": "Address", "properties": {}, "big": 123456789012345678901234567}',
    '\ufeff{"id": "n", "schema": "Address", "properties": {}}',  # a byte order mark
])
def test_lines_json_accepts_are_still_accepted(tmp_path: Path, line: str) -> None:
    """orjson reads most lines; what it refuses, json decides, as before (same messages)."""
    path = tmp_path / "odd.ftm.json"
    path.write_text(f"{VALID}\n{line}\n", encoding="utf-8")
    assert read_ftm(path).skipped == {"Address": 1}


def test_scan_gives_the_facts_read_ftm_validates(sample: FtmResult) -> None:
    scan = scan_ftm(SAMPLE)
    assert scan.facts.to_dataset() == sample.dataset
    assert (scan.counts, scan.skipped, scan.warnings, scan.content_hash) == (
        sample.counts, sample.skipped, sample.warnings, sample.content_hash)
    flat, flat_warnings = resolve_flat(scan.facts, set())
    dataset, warnings = resolve_references(sample.dataset, set())
    assert (flat.to_dataset(), flat_warnings) == (dataset, warnings)
    assert warnings  # the sample points outside the file once


@pytest.mark.shared_data
def test_zala_weak_aliases_are_kept_apart_from_the_strong_names(zala: FtmResult) -> None:
    """FtM weakAlias (the source's weak names) become the entity's weak aliases, less those
    that are also strong names (LLC CST, Limited Liability Company CST: in `alias` too)."""
    cst = zala.dataset.entity_map()[ZALA_AERO]
    assert cst.weak_aliases == ("TsST LLC", "CST, OOO", "OOO TSST", "CST LLC", "CST",
                                "TsST, OOO", "ZALA")
    assert not {w.casefold() for w in cst.weak_aliases} & {
        n.casefold() for n in cst.all_names()}
    with_weak = [e for e in zala.dataset.entities if e.weak_aliases]
    assert all("ZALA" not in e.aliases for e in with_weak)
