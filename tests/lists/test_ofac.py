"""Mapping of the OFAC fixture excerpts to the domain model, and the public reader API."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from riskengine.domain import Dataset, Entity
from riskengine.errors import InputError
from riskengine.lists import ofac
from riskengine.lists.base import ListEdition
from riskengine.lists.ofac import (
    CONS_SOURCE,
    SDN_SOURCE,
    entity_id,
    identifiers,
    list_for,
    read_cons,
    read_sdn,
)
from riskengine.lists.ofac_records import RawId
from tests.conftest import FIXTURES

OFAC = FIXTURES / "ofac"
SDN_DAY = date(2024, 5, 3)


@pytest.fixture(scope="module")
def sdn_csv() -> ListEdition:
    return read_sdn(OFAC / "sdn_csv", SDN_DAY)


@pytest.fixture(scope="module")
def sdn_xml() -> ListEdition:
    return read_sdn(OFAC / "sdn_xml")


@pytest.fixture(scope="module")
def cons_csv() -> ListEdition:
    return read_cons(OFAC / "cons_csv")


@pytest.fixture(scope="module")
def cons_xml() -> ListEdition:
    return read_cons(OFAC / "cons_xml" / "consolidated.xml")


def _entity(edition: ListEdition, ent_num: str) -> Entity:
    return edition.dataset.entity_map()[entity_id(ent_num)]


def _ids(entity: Entity) -> set[tuple[str, str, str | None]]:
    return {(i.scheme, i.value, i.country) for i in entity.identifiers}


# --- SDN CSV excerpt --------------------------------------------------------------------------

KAMAZ_ALIASES = (
    "KAMAZ PJSC",
    "KAMAZ PAO",
    "KAMAZ PTC",
    "KAMSKOE OBEDINENIE PO PROIZVODSTVU BOLSHEGRUZNYKH AVTOMOBILEI KAMAZ",
)

ENTITY_CASES = [
    # ent_num, kind, name, country, identifiers that must be present
    (
        "37756",
        "company",
        "KAMAZ PUBLICLY TRADED COMPANY",
        "ru",
        {("inn", "1650032058", "ru"), ("ogrn", "1021602013971", "ru"), ("okpo", "00231515", "ru")},
    ),
    ("37758", "company", "NEFAZ PUBLICLY TRADED COMPANY", "ru", {("inn", "0264004103", "ru")}),
    (
        "37765",
        "company",
        "MIKAM HOLDINGS LIMITED",
        "cy",
        {("tax", "10254897D", "cy"), ("registration", "HE254897", "cy")},
    ),
    ("37767", "person", "KOGOGIN, Sergei Anatolyevich", "ru", {("inn", "164804995925", "ru")}),
    ("44877", "company", "JOINT STOCK COMPANY AVTOVAZ", "ru", {("ogrn", "1026301983113", "ru")}),
    ("34940", "vessel", "BALTIC LEADER", None, {("imo", "9220639", None)}),
    ("35280", "unknown", "P4-MIS", None, set()),
    ("24229", "company", "RUSSIAN MACHINES", "ru", {("tax", "2373000582", None)}),
    # the Tax ID sits in the part of the remarks continued in sdn_comments.csv
    ("17018", "company", "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA", "ru",
     {("swift", "SABRRUMM", None), ("inn", "7707083893", "ru")}),
]


@pytest.mark.parametrize(("ent", "kind", "name", "country", "ids"), ENTITY_CASES)
def test_sdn_csv_entity(
    sdn_csv: ListEdition, ent: str, kind: str, name: str, country: str | None, ids: set[object]
) -> None:
    entity = _entity(sdn_csv, ent)
    assert (entity.kind, entity.name, entity.country) == (kind, name, country)
    assert ids <= _ids(entity)


def test_kamaz_aliases_come_from_alt_csv(sdn_csv: ListEdition) -> None:
    assert _entity(sdn_csv, "37756").aliases == KAMAZ_ALIASES


def test_weak_aliases_from_csv_remarks(sdn_csv: ListEdition) -> None:
    """The CSV prints weak a.k.a. names in the remarks only: "a.k.a. 'TMZ PAO'"."""
    tutaev = _entity(sdn_csv, "37759")
    assert tutaev.weak_aliases == ("TMZ PAO",)
    assert "TMZ PAO" not in tutaev.all_names()
    assert not _entity(sdn_csv, "37756").weak_aliases


def test_kamaz_source_cites_file_line_and_edition(sdn_csv: ListEdition) -> None:
    (source,) = _entity(sdn_csv, "37756").sources
    assert (source.source, source.record_id, source.file) == (SDN_SOURCE, "37756", "sdn.csv")
    assert (source.line, source.published) == (9, SDN_DAY)
    assert source.content_hash is not None and len(source.content_hash) == 64


DESIGNATION_CASES = [
    # ent_num, programs in order
    ("37756", ["RUSSIA-EO14024"]),
    ("24230", ["UKRAINE-EO13661", "UKRAINE-EO13662", "RUSSIA-EO14024"]),
]


@pytest.mark.parametrize(("ent", "programs"), DESIGNATION_CASES)
def test_sdn_designations_one_per_program(
    sdn_csv: ListEdition, ent: str, programs: list[str]
) -> None:
    found = [d for d in sdn_csv.dataset.designations if d.entity_id == entity_id(ent)]
    assert [d.program for d in found] == programs
    assert {(d.regime, d.authority, d.list_name, d.measure) for d in found} == {
        ("us", "OFAC", "SDN", "asset_freeze")
    }
    assert all(d.listed_from is None and d.listed_to is None for d in found)


LINK_CASES = [
    # record (asset or officer), linked-to target, edge type
    ("37758", "37756", "ownership"),  # NEFAZ linked to KAMAZ
    ("37765", "37756", "ownership"),  # MIKAM HOLDINGS linked to KAMAZ
    ("34755", "34737", "ownership"),  # SOLLERS-FINANCE linked to SOVCOMBANK
    ("24230", "24283", "ownership"),  # GAZ GROUP linked to DERIPASKA
    ("37767", "37756", "officer"),  # KOGOGIN (individual) linked to KAMAZ
]


def _edge(data: Dataset, record: str, target: str) -> tuple[str, bool | None]:
    me, other = entity_id(record), entity_id(target)
    for own in data.ownerships:
        if (own.asset, own.owner) == (me, other):
            return "ownership", own.share.known
    for rel in data.relationships:
        if (rel.a, rel.b) == (me, other):
            return rel.kind, None
    return "none", None


@pytest.mark.parametrize(("record", "target", "kind"), LINK_CASES)
def test_linked_to_edges(sdn_csv: ListEdition, record: str, target: str, kind: str) -> None:
    found, known = _edge(sdn_csv.dataset, record, target)
    assert found == kind
    assert known is (False if kind == "ownership" else None)


def test_nefaz_ownership_cites_the_remark(sdn_csv: ListEdition) -> None:
    (own,) = [o for o in sdn_csv.dataset.ownerships if o.asset == entity_id("37758")]
    assert own.share.label() == "unknown share"
    assert own.source.note == "Linked To: KAMAZ PUBLICLY TRADED COMPANY."
    assert (own.source.record_id, own.source.line) == ("37758", 11)


def test_sdn_csv_warnings(sdn_csv: ListEdition) -> None:
    assert sdn_csv.warnings[:3] == (
        "2 rows of add.csv point at 2 ent_num missing from sdn.csv",
        "2 rows of alt.csv point at 2 ent_num missing from sdn.csv",
        "1 row of sdn_comments.csv point at 1 ent_num missing from sdn.csv",
    )
    # PSB LIZING (vessel owner), VEKSELBERG (aircraft), BASIC ELEMENT are not in the excerpt
    assert sdn_csv.warnings[3].startswith("3 'Linked To' names not found")


def test_sdn_csv_edition(sdn_csv: ListEdition) -> None:
    assert (sdn_csv.source, sdn_csv.published) == (SDN_SOURCE, SDN_DAY)
    assert sdn_csv.files == ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
    assert len(sdn_csv.dataset.entities) == 21


def test_csv_without_published_has_no_date() -> None:
    edition = read_sdn(OFAC / "sdn_csv")
    assert edition.published is None
    assert {s.published for e in edition.dataset.entities for s in e.sources} == {None}


# --- SDN XML (hand-written in the sdnList schema) ---------------------------------------------

XML_CASES = [
    ("37756", "company", "KAMAZ PUBLICLY TRADED COMPANY", ("KAMAZ PJSC", "KAMAZ PTC"),
     {("inn", "1650032058", "ru"), ("ogrn", "1021602013971", "ru"), ("okpo", "00231515", "ru")}),
    ("37758", "company", "NEFAZ PUBLICLY TRADED COMPANY", ("NEFTEKAMSKIY AVTOZAVOD OAO",),
     {("inn", "0264004103", "ru"), ("ogrn", "1020201881116", "ru")}),
    ("37767", "person", "KOGOGIN, Sergei Anatolyevich", ("KOGOGIN, Sergey",),
     {("inn", "164804995925", "ru")}),
    ("34940", "vessel", "BALTIC LEADER", (), {("imo", "9220639", None)}),
]


@pytest.mark.parametrize(("ent", "kind", "name", "aliases", "ids"), XML_CASES)
def test_sdn_xml_entity(
    sdn_xml: ListEdition, ent: str, kind: str, name: str, aliases: tuple[str, ...], ids: object
) -> None:
    entity = _entity(sdn_xml, ent)
    assert (entity.kind, entity.name, entity.aliases) == (kind, name, aliases)
    assert _ids(entity) == ids


def test_sdn_xml_edition_and_links(sdn_xml: ListEdition) -> None:
    assert (sdn_xml.published, sdn_xml.files) == (date(2022, 6, 28), ("sdn.xml",))
    assert _edge(sdn_xml.dataset, "37758", "37756") == ("ownership", False)
    # KOGOGIN's link names KAMAZ by its alias "KAMAZ PTC"
    assert _edge(sdn_xml.dataset, "37767", "37756") == ("officer", None)
    assert sdn_xml.warnings == (
        "1 'Linked To' name not found in this edition (e.g. PSB LIZING OOO)",
    )


def test_xml_date_wins_over_callers_date() -> None:
    edition = read_sdn(OFAC / "sdn_xml" / "sdn.xml", date(2022, 7, 1))
    assert edition.published == date(2022, 6, 28)
    assert any("2022-06-28" in w and "2022-07-01" in w for w in edition.warnings)


# --- Consolidated: CSV and XML excerpts hold the same five records ---------------------------

CONS_CASES = [
    # ent_num, program, list name, measure
    ("17016", "UKRAINE-EO13662", "SSI", "sectoral"),
    ("17016", "RUSSIA-EO14024", "NS-MBS", "sectoral"),
    ("32087", "CMIC-EO13959", "CMIC", "other"),
    ("9647", "NS-PLC", "PLC", "other"),
    ("9647", "SDGT", "CONS", "other"),
    ("15268", "561-Related", "CAPTA", "other"),
]


@pytest.mark.parametrize("fmt", ["cons_csv", "cons_xml"])
@pytest.mark.parametrize(("ent", "program", "list_name", "measure"), CONS_CASES)
def test_cons_designations(
    request: pytest.FixtureRequest, fmt: str, ent: str, program: str, list_name: str, measure: str
) -> None:
    edition: ListEdition = request.getfixturevalue(fmt)
    assert edition.source == CONS_SOURCE
    found = {
        (d.list_name, d.measure)
        for d in edition.dataset.designations
        if (d.entity_id, d.program) == (entity_id(ent), program)
    }
    assert found == {(list_name, measure)}


def _summary(edition: ListEdition) -> set[tuple[object, ...]]:
    return {
        (e.id, e.kind, e.name, e.country, frozenset(e.aliases), frozenset(_ids(e)))
        for e in edition.dataset.entities
    }


def test_cons_csv_and_xml_agree(cons_csv: ListEdition, cons_xml: ListEdition) -> None:
    assert _summary(cons_csv) == _summary(cons_xml)
    assert len(cons_csv.dataset.entities) == 5
    assert _edge(cons_csv.dataset, "32089", "32087") == ("ownership", False)
    assert _edge(cons_xml.dataset, "32089", "32087") == ("ownership", False)


def test_cons_weak_aliases_csv_and_xml(cons_csv: ListEdition, cons_xml: ListEdition) -> None:
    """The XML's <aka> of category weak and the CSV's remark a.k.a. give the same names."""
    for edition in (cons_csv, cons_xml):
        zahhar = _entity(edition, "9647")
        assert zahhar.weak_aliases == ("ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud")
        assert not set(zahhar.weak_aliases) & set(zahhar.all_names())


def test_cons_dates(cons_csv: ListEdition, cons_xml: ListEdition) -> None:
    assert (cons_csv.published, cons_xml.published) == (None, date(2026, 1, 8))


# --- tables -----------------------------------------------------------------------------------

LIST_CASES = [
    ("sdn", "RUSSIA-EO14024", ("SDN", "asset_freeze")),
    ("sdn", "UKRAINE-EO13662", ("SDN", "asset_freeze")),
    ("sdn", "NS-PLC", ("PLC", "other")),  # a non-SDN tag stays non-blocking in sdn.csv
    ("cons", "UKRAINE-EO13662", ("SSI", "sectoral")),
    ("cons", "CAATSA - RUSSIA", ("NS-MBS", "sectoral")),
    ("cons", "FSE-IR", ("FSE", "other")),
    ("cons", "VENEZUELA-EO13850", ("CONS", "other")),
    ("cons", None, ("CONS", "other")),
]


@pytest.mark.parametrize(("list_key", "program", "expected"), LIST_CASES)
def test_list_for(list_key: str, program: str | None, expected: tuple[str, str]) -> None:
    assert list_for(list_key, program) == expected


IDENTIFIER_CASES = [
    (RawId("Tax ID No.", "1650032058", "Russia"), ("inn", "1650032058", "ru")),
    (RawId("Tax ID No.", "101050240", "Belarus"), ("unp", "101050240", "by")),
    (RawId("Registration Number", "1021602013971", "Russia"), ("ogrn", "1021602013971", "ru")),
    (RawId("Registration ID", "91320594MA1MAHHR9W", "China"),
     ("registration", "91320594MA1MAHHR9W", "cn")),
    (RawId("Unified Social Credit Code (USCC)", "914201000668186736", "China"),
     ("uscc", "914201000668186736", "cn")),
    (RawId("Legal Entity Number", "253400WSS48YWMBUA688"), ("lei", "253400WSS48YWMBUA688", None)),
    (RawId("SWIFT/BIC", "SABRRUMM"), ("swift", "SABRRUMM", None)),
    (RawId("Passport", "A39679672", "Iran"), ("passport", "A39679672", "ir")),
    (RawId("Passport", "X1", "Atlantis"), ("passport", "X1", None)),
]


@pytest.mark.parametrize(("raw", "expected"), IDENTIFIER_CASES)
def test_identifier_schemes(raw: RawId, expected: tuple[str, str, str | None]) -> None:
    (found,) = identifiers((raw,))
    assert (found.scheme, found.value, found.country) == expected


def test_unknown_labels_and_duplicates_dropped() -> None:
    raw = (RawId("Gender", "Male"), RawId("SWIFT/BIC", "A"), RawId("SWIFT/BIC", "A"))
    assert [i.value for i in identifiers(raw)] == ["A"]


# --- paths ------------------------------------------------------------------------------------


def test_module_shape_reads_the_sdn_list() -> None:
    assert (ofac.SOURCE, ofac.read(OFAC / "sdn_xml").source) == (SDN_SOURCE, SDN_SOURCE)


def test_primary_file_picks_up_companions() -> None:
    edition = read_sdn(OFAC / "sdn_csv" / "sdn.csv")
    assert edition.files == ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")


def test_upper_case_names_and_missing_companions(tmp_path: Path) -> None:
    shutil.copy(OFAC / "sdn_csv" / "sdn.csv", tmp_path / "SDN.CSV")
    edition = read_sdn(tmp_path)
    assert edition.files == ("SDN.CSV",)
    assert _entity(edition, "37756").aliases == ()


def test_directory_with_both_formats_prefers_xml(tmp_path: Path) -> None:
    shutil.copy(OFAC / "sdn_csv" / "sdn.csv", tmp_path)
    shutil.copy(OFAC / "sdn_xml" / "sdn.xml", tmp_path)
    edition = read_sdn(tmp_path)
    assert edition.files == ("sdn.xml",)
    assert "sdn.csv ignored: sdn.xml read instead" in edition.warnings


def test_content_hash_depends_on_bytes(tmp_path: Path) -> None:
    shutil.copy(OFAC / "sdn_xml" / "sdn.xml", tmp_path)
    first = read_sdn(tmp_path).content_hash
    (tmp_path / "sdn.xml").write_bytes((tmp_path / "sdn.xml").read_bytes() + b"\n")
    assert read_sdn(tmp_path).content_hash != first


MISSING_CASES = [
    ("empty-dir", "none of sdn.csv, sdn.xml found"),
    ("no-such-path", "no such file or directory"),
]


@pytest.mark.parametrize(("name", "message"), MISSING_CASES)
def test_missing_input(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    if name == "empty-dir":
        path.mkdir()
    with pytest.raises(InputError) as err:
        read_sdn(path)
    assert err.value.location == str(path)
    assert message in err.value.message


# --- bad input: every failure names the file and line ------------------------------------------

KAMAZ_ROW = (
    b'37756,"KAMAZ PUBLICLY TRADED COMPANY",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    b'-0- ,"Tax ID No. 1650032058 (Russia)."\r\n'
)
NEFAZ_ROW = KAMAZ_ROW.replace(b"37756", b"37758").replace(b"KAMAZ", b"NEFAZ")
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE sdnList [\n<!ENTITY a "aaaaaaaaaa">\n'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<sdnList>&b;</sdnList>\n'
)
TRUNCATED = (OFAC / "sdn_xml" / "sdn.xml").read_bytes()[:1200]

BAD_INPUT = [
    # file name, content, line in the error, words in the message
    ("sdn.csv", KAMAZ_ROW + NEFAZ_ROW.replace(b'"NEFAZ PUB', b'"NEFAZ "PUB'), 2, "quoting"),
    ("sdn.csv", KAMAZ_ROW + b'37758,"NEFAZ,-0- \r\n\x1a', 2, "quoting"),
    ("sdn.csv", KAMAZ_ROW + b'37758,"NEFAZ",-0- \r\n\x1a', 2, "expected 12 fields, found 3"),
    ("sdn.csv", KAMAZ_ROW + NEFAZ_ROW.replace(b"37758", b"3775B"), 2, "not a number"),
    ("sdn.csv", KAMAZ_ROW + KAMAZ_ROW, 2, "repeats line 1"),
    ("sdn.csv", KAMAZ_ROW + NEFAZ_ROW.replace(b"NEFAZ", "НЕФАЗ".encode("cp1251")), 2, "UTF-8"),
    ("sdn.csv", (KAMAZ_ROW + NEFAZ_ROW).decode().encode("utf-16"), 1, "NUL byte"),
    ("sdn.csv", KAMAZ_ROW + NEFAZ_ROW.replace(b"NEFAZ", "NÃ©FAZ".encode()), 2, "mojibake"),
    ("sdn.xml", TRUNCATED, 43, "malformed XML"),  # cut inside line 43
    ("sdn.xml", LAUGHS, 1, "entit"),
    ("sdn.xml", b"<sdnList><publshInformation><Publish_Date>2022-06-28</Publish_Date>"
     b"</publshInformation></sdnList>", 1, "MM/DD/YYYY"),
    ("sdn.xml", b"<sdnList>\n<sdnEntry><uid>x</uid></sdnEntry></sdnList>", 2, "not a number"),
    ("sdn.xml", b"<sdnList>\n<sdnEntry><uid>1</uid></sdnEntry></sdnList>", 2, "no name"),
    ("sdn.xml", b"<list/>", 1, "not <sdnList>"),
]


@pytest.mark.parametrize(("name", "content", "line", "words"), BAD_INPUT)
def test_bad_input_names_file_and_line(
    tmp_path: Path, name: str, content: bytes, line: int, words: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as err:
        read_sdn(tmp_path)
    assert err.value.location == f"{tmp_path / name}:{line}"
    assert words in err.value.message


def test_bad_companion_names_its_own_file(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(KAMAZ_ROW)
    (tmp_path / "alt.csv").write_bytes(b'37756,1,"aka","KAMAZ PTC"\r\n')
    with pytest.raises(InputError) as err:
        read_sdn(tmp_path)
    assert err.value.location == f"{tmp_path / 'alt.csv'}:1"
    assert "expected 5 fields, found 4" in err.value.message
