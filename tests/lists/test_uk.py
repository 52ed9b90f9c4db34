"""riskengine.lists.uk: FCDO UK Sanctions List XML and OFSI ConList (xlsx, csv)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from riskengine.errors import InputError
from riskengine.lists import uk
from riskengine.lists.base import ListEdition
from riskengine.lists.records import reg_numbers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "uk"
CONLIST = ["ConList.excerpt.xlsx", "ConList.excerpt.csv"]


@pytest.fixture(scope="module", params=CONLIST)
def conlist(request: pytest.FixtureRequest) -> ListEdition:
    return uk.read(FIXTURES / request.param)


@pytest.fixture(scope="module")
def synthetic() -> ListEdition:
    return uk.read(FIXTURES / "fcdo.synthetic.xml")


# --- OFSI ConList ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_id", "kind", "name", "aliases", "country"),
    [
        ("uk:RUS1422", "company", "KAMAZ",
         ("KAMA AUTOMOBILE PLANT", "Ка́мский автомоби́льный заво́д", "камаз"), "ru"),
        ("uk:RUS1124", "person", "Sergey Anatolyevich KOGOGIN", ("Сергей Анатольевич Когогин",),
         "ru"),
        # two identical rows per name in the real file: kept once
        ("uk:RUS1420", "company", "OOO VOLGA GROUP",
         ("VOLGA GROUP HOLDING LIMITED LIABILITY COMPANY", "ВОЛГА ГРУП", "ВОЛГА ГРУП ХОЛДИНГ OOO"),
         "ru"),
        # the 'Low quality' alias 'ABO GHAITH' is a weak alias (test_conlist_weak_alias)
        ("uk:AQD0318", "person", "Sulaiman Jassem Sulaiman ALI ABO GHAITH",
         ("سليمان جاسم سليمان علي أبوغيث",), "kw"),
        ("uk:DPR0100", "vessel", "SAM JONG 2", ("OCHRE POINT",), None),
    ],
)
def test_conlist_entities(conlist: ListEdition, entity_id: str, kind: str, name: str,
                          aliases: tuple[str, ...], country: str | None) -> None:
    entity = conlist.dataset.entity_map()[entity_id]
    assert (entity.kind, entity.name, entity.aliases, entity.country) == (
        kind, name, aliases, country)


def test_conlist_weak_alias(conlist: ListEdition) -> None:
    """The row whose 'Alias Quality' is 'Low quality' is stored as a weak alias only."""
    entities = conlist.dataset.entity_map()
    assert entities["uk:AQD0318"].weak_aliases == ("ABO GHAITH",)
    assert "ABO GHAITH" not in entities["uk:AQD0318"].all_names()
    assert all(not e.weak_aliases for k, e in entities.items() if k != "uk:AQD0318")


@pytest.mark.parametrize(
    ("entity_id", "identifiers"),
    [
        ("uk:RUS1420", [("inn", "7718989383", "ru"), ("ogrn", "1147746803049", "ru")]),
        ("uk:RUS0238", [("ogrn", "1077799030847", "ru")]),
        ("uk:AQD0318", [("passport", "849594", None)]),
        ("uk:DPR0100", [("imo", "7408873", None)]),
        ("uk:RUS1422", []),
    ],
)
def test_conlist_identifiers(conlist: ListEdition, entity_id: str,
                             identifiers: list[tuple[str, str, str | None]]) -> None:
    entity = conlist.dataset.entity_map()[entity_id]
    assert [(i.scheme, i.value, i.country) for i in entity.identifiers] == identifiers


@pytest.mark.parametrize(
    ("designation_id", "program", "listed_from"),
    [
        ("uk:RUS1422/russia", "Russia", date(2022, 5, 4)),
        ("uk:RUS1124/russia", "Russia", date(2022, 4, 6)),
        # 'UK Sanctions List Date Designated' (the FCDO list's DateDesignated), not 'Listed On'
        # (19/01/2004 and 03/04/2018 in these rows): the UK's own date
        ("uk:AQD0318/isil-da-esh-and-al-qaida", "ISIL (Da'esh) and Al-Qaida", date(2004, 1, 16)),
        ("uk:DPR0100/democratic-people-s-republic-of-korea", "Democratic People's Republic of "
         "Korea", date(2018, 3, 30)),
    ],
)
def test_conlist_designations(conlist: ListEdition, designation_id: str, program: str,
                              listed_from: date) -> None:
    designation = {d.id: d for d in conlist.dataset.designations}[designation_id]
    assert (designation.regime, designation.authority, designation.list_name) == (
        "uk", "FCDO/OFSI", "OFSI Consolidated List")
    assert (designation.program, designation.listed_from, designation.measure) == (
        program, listed_from, "asset_freeze")


def test_conlist_links(conlist: ListEdition) -> None:
    (owned,) = conlist.dataset.ownerships  # KAMAZ '(Parent company):Rostec' -> ROSTEC alias
    (controlled,) = conlist.dataset.controls  # Volga Group '... namely ... TIMCHENKO'
    assert (owned.owner, owned.asset, owned.share.known) == ("uk:RUS0238", "uk:RUS1422", False)
    assert (controlled.controller, controlled.controlled, controlled.kind) == (
        "uk:RUS0235", "uk:RUS1420", "dominant_influence")
    assert controlled.source.record_id == "RUS1420"
    assert conlist.warnings == (
        "1 parent companies or ship owners not resolved in this edition"
        " (e.g. uk:DPR0100 <- 'Korea Samjong Shipping')",
    )


@pytest.mark.parametrize("file", CONLIST)
def test_conlist_edition_and_sources(file: str) -> None:
    path = FIXTURES / file
    edition = uk.read(path, published=date(2000, 1, 1))
    source = edition.dataset.entity_map()["uk:RUS1422"].sources[0]
    assert edition.published == date(2025, 4, 14)  # row 1 'Last Updated' beats the argument
    assert (source.source, source.record_id, source.file, source.line) == (
        "uk", "RUS1422", file, 6)  # the 'Primary name' row of Group ID 15332
    assert source.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.published == date(2025, 4, 14)


def test_conlist_without_date_row_uses_argument(tmp_path: Path) -> None:
    lines = (FIXTURES / "ConList.excerpt.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "ConList.csv"
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    edition = uk.read(path, published=date(2025, 4, 20))
    assert edition.published == date(2025, 4, 20)
    assert edition.dataset.entity_map()["uk:RUS1422"].sources[0].line == 5


def test_conlist_columns_win_over_other_information(tmp_path: Path) -> None:
    header = ["Name 6", "Group Type", "Alias Type", "Regime", "Listed On", "Group ID",
              "UK Sanctions List Ref", "Business Registration Number", "Parent Company"]
    rows = [header, ["Alpha Trucks", "Entity", "Primary name", "Russia", "01/02/2023", "1",
                     "RUS9001", "OGRN 1000000000001 (Russia)", "Beta Holding"],
            ["Beta Holding", "Entity", "Primary name", "Russia", "01/02/2023", "2", "", "", ""]]
    path = tmp_path / "ConList.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    edition = uk.read(path)
    alpha = edition.dataset.entity_map()["uk:RUS9001"]
    assert [(i.scheme, i.value) for i in alpha.identifiers] == [("ogrn", "1000000000001")]
    assert [(o.owner, o.asset) for o in edition.dataset.ownerships] == [
        ("uk:group-2", "uk:RUS9001")]


# --- FCDO UK Sanctions List XML --------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_id", "kind", "name", "aliases", "country", "identifiers"),
    [
        ("uk:TST0002", "person", "Ivan Petrovich EXAMPLOV",
         ("Ivan P. EXAMPLOV", "Иван Петрович ЭКЗАМПЛОВ"), "ru",  # nationality before address
         [("passport", "750012345", None), ("national_id", "770000000000", None)]),
        ("uk:TST0003", "company", "Example Trucks JSC", (), None,
         [("ogrn", "1000000000001", "ru"), ("tax", "1600000001", None)]),
        ("uk:group-90005", "vessel", "EXAMPLE STAR", (), None, [("imo", "9000001", None)]),
    ],
)
def test_fcdo_entities(synthetic: ListEdition, entity_id: str, kind: str, name: str,
                       aliases: tuple[str, ...], country: str | None,
                       identifiers: list[tuple[str, str, str | None]]) -> None:
    entity = synthetic.dataset.entity_map()[entity_id]
    assert (entity.kind, entity.name, entity.aliases, entity.country) == (
        kind, name, aliases, country)
    assert [(i.scheme, i.value, i.country) for i in entity.identifiers] == identifiers


@pytest.mark.parametrize(
    ("entity_id", "program", "measure", "listed_from"),
    [
        ("uk:TST0001", "Russia", "asset_freeze", date(2022, 3, 15)),
        ("uk:TST0002", "Global Human Rights", "asset_freeze", date(2023, 2, 1)),
        ("uk:TST0004", "Counter-Terrorism (International)", "other", date(2023, 3, 21)),
    ],
)
def test_fcdo_designations(synthetic: ListEdition, entity_id: str, program: str, measure: str,
                           listed_from: date) -> None:
    (designation,) = [d for d in synthetic.dataset.designations if d.entity_id == entity_id]
    assert (designation.program, designation.measure, designation.listed_from) == (
        program, measure, listed_from)
    assert designation.list_name == "UK Sanctions List"


def test_fcdo_links(synthetic: ListEdition) -> None:
    assert [(o.id, o.owner, o.share.known) for o in synthetic.dataset.ownerships] == [
        ("uk:TST0003/parent/TST0001", "uk:TST0001", False)]
    assert [(c.controller, c.controlled) for c in synthetic.dataset.controls] == [
        ("uk:TST0002", "uk:TST0003")]
    assert synthetic.warnings == ("1 ownership/control grounds naming no entity of this edition"
                                  " (e.g. uk:TST0003 <- 'Unlisted Person Name')",)
    assert synthetic.published == date(2026, 1, 2)


def test_fcdo_excerpt() -> None:
    edition = uk.read(FIXTURES / "UK-Sanctions-List.excerpt.xml")
    kamaz = edition.dataset.entity_map()["uk:RUS1422"]
    assert (kamaz.name, "KAMA AUTOMOBILE PLANT" in kamaz.aliases) == ("Kamaz", True)
    assert edition.published == date(2026, 3, 26)
    assert (edition.dataset.ownerships, edition.dataset.controls) == ((), ())
    assert edition.warnings == (
        "1 ownership/control grounds naming no entity of this edition"
        " (e.g. uk:RUS1420 <- 'Gennadiy Nikolayevich TIMCHENKO')",
        "1 parent companies or ship owners not resolved in this edition"
        " (e.g. uk:RUS1422 <- 'Rostec')",
    )


def test_directory_gives_one_entity_per_reference() -> None:
    edition = uk.read(FIXTURES)  # both formats: same ids, the XML copy wins
    ids = [e.id for e in edition.dataset.entities]
    kamaz = edition.dataset.entity_map()["uk:RUS1422"]
    assert len(ids) == len(set(ids)) and kamaz.sources[0].file == "UK-Sanctions-List.excerpt.xml"
    assert edition.published == date(2026, 3, 26)  # the newest file's date
    assert "9 records repeated across the files read (first copy kept)" in edition.warnings


# --- text helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "program"),
    [
        ("The Russia (Sanctions) (EU Exit) Regulations 2019", "Russia"),
        ("The Iran (Sanctions) (Nuclear) (EU Exit) Regulations 2019", "Iran (Nuclear)"),
        ("The ISIL (Da'esh) and Al-Qaida (United Nations Sanctions) (EU Exit) Regulations 2019",
         "ISIL (Da'esh) and Al-Qaida"),
        ("The Counter-Terrorism (International Sanctions) (EU Exit) Regulations 2019",
         "Counter-Terrorism (International)"),
        ("The Counter-Terrorism (Sanctions) (EU Exit) Regulations 2019",
         "Counter-Terrorism (Domestic)"),
        ("The Republic of Belarus (Sanctions) (EU Exit) Regulations 2019", "Belarus"),
        ("The Global Anti-Corruption Sanctions Regulations 2021", "Global Anti-Corruption"),
        ("Some Future Regime", "Some Future Regime"),
        (None, None),
    ],
)
def test_regime_names_match_conlist(regime: str | None, program: str | None) -> None:
    assert uk.regime_name(regime) == program


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("owned or controlled directly or indirectly (within the meaning of regulation 7 of the"
         " Russia (Sanctions) (EU Exit) Regulations 2019) by a designated person who is involved,"
         " namely Gennadiy Nikolayevich TIMCHENKO. More text.",
         [("controlled", "Gennadiy Nikolayevich TIMCHENKO")]),
        ("Owned by Rami Makhlouf, who is also an involved person.", [("owned", "Rami Makhlouf")]),
        ("Controlled by the designated person Ayman Jabir.", [("controlled", "Ayman Jabir")]),
        ("Controlled by the IRGC.", []),  # one word: too weak to resolve on
        ("owned by the Government of Russia. It is controlled by Zaw Min Tun, a member",
         [("owned", "Government of Russia"), ("controlled", "Zaw Min Tun")]),
        ("Kamaz is the largest truck producer in the Russian Federation.", []),
    ],
)
def test_grounds(text: str, expected: list[tuple[str, str]]) -> None:
    assert uk.grounds(text) == expected


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("Tax ID No. 7718989383 (Russia); Registration Number 1147746803049 (Russia)", None,
         [("inn", "7718989383", "ru"), ("ogrn", "1147746803049", "ru")]),
        ("(1) OGRN: 1031624002937 (2) TIN: 1656025681", "ru",
         [("ogrn", "1031624002937", "ru"), ("inn", "1656025681", "ru")]),
        ("(1) Kazakhstan BIN - 170440031562", None, [("bin", "170440031562", "kz")]),
        ("Russian TIN: 7718763393", None, [("inn", "7718763393", "ru")]),
        ("UK Company no. 06527449", None, [("registration", "06527449", "gb")]),
        ("Legal Entity Number 2534006SJ05GGKETEY75 (Russia)", None,
         [("lei", "2534006SJ05GGKETEY75", "ru")]),
        ("", None, []),
    ],
)
def test_reg_numbers(text: str, country: str | None,
                     expected: list[tuple[str, str, str | None]]) -> None:
    assert [(i.scheme, i.value, i.country) for i in reg_numbers(text, country)] == expected


# --- bad input -------------------------------------------------------------------------------


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HEADER = ("Name 6,Name 1,Group Type,Alias Type,Regime,Listed On,Group ID,Other Information\n")
BAD_INPUTS = [
    (lambda d: _write(d / "t.xml", "<?xml version='1.0'?>\n<Designations>\n<Designation>\n"),
     ":4", "malformed XML"),
    (lambda d: _write(d / "b.xml", "<?xml version='1.0'?>\n<!DOCTYPE D [<!ENTITY a 'aa'>]>\n"
                                   "<Designations>&a;</Designations>"), ":1", "entity-expansion"),
    (lambda d: _write(d / "r.xml", "<export/>"), ":1", "not the UK Sanctions List"),
    (lambda d: _write(d / "d.xml", "<Designations>\n<Designation><UniqueID>X1</UniqueID>"
                                   "<DateDesignated>2022-05-04</DateDesignated></Designation>"
                                   "</Designations>"), ":2", "unrecognised date"),
    (lambda d: _xlsx(d / "c.xlsx", [["Last Updated", "14/04/2025"], ["Name", "Regime", "Id"],
                                    ["KAMAZ", "Russia", "1"]]), ":2", "missing Name 6"),
    (lambda d: _xlsx(d / "h.xlsx", [["Name", "Regime"], ["KAMAZ", "Russia"]]), ":1",
     "missing Name 6"),
    (lambda d: _write(d / "n.xlsx", "not a zip file"), "", "not a readable xlsx"),
    (lambda d: _write(d / "q.csv", HEADER + 'KAMAZ,,Entity,Primary name,Russia,04/05/2022,1,'
                                            '"(UK Sanctions List Ref):RUS1422"x\n'),
     ":2", "malformed CSV"),
    (lambda d: _write(d / "u.csv", HEADER + 'KAMAZ,,Entity,Primary name,Russia,04/05/2022,1,x\n'
                                            'KAMA,,Entity,AKA,Russia,04/05/2022,1,"open\n'),
     ":3", "malformed CSV"),
    (lambda d: _write(d / "w.csv", HEADER + "KAMAZ,,Entity,Primary name,Russia\n"), ":2",
     "5 cells, header has 8"),
    (lambda d: _write(d / "l.csv", HEADER + "KAMAZ,,Entity,Primary name,Russia,4 May 2022,1,\n"),
     ":2", "unrecognised date"),
    (lambda d: _write(d / "g.csv", HEADER + "KAMAZ,,Entity,Primary name,Russia,04/05/2022,,\n"),
     ":2", "without Group ID"),
]


@pytest.mark.parametrize(("make", "where", "message"), BAD_INPUTS)
def test_bad_input(tmp_path: Path, make: object, where: str, message: str) -> None:
    assert callable(make)
    path = make(tmp_path)
    with pytest.raises(InputError) as caught:
        uk.read(path)
    assert caught.value.location == f"{path}{where}"
    assert message in caught.value.message


# --- the real files --------------------------------------------------------------------------


@pytest.mark.shared_data
def test_real_conlist_xlsx(shared_data: Path) -> None:
    edition = uk.read(shared_data / "uk_ofsi_conlist" / "ConList.xlsx")
    kamaz = edition.dataset.entity_map()["uk:RUS1422"]
    (listing,) = [d for d in edition.dataset.designations if d.entity_id == kamaz.id]
    assert {"KAMA AUTOMOBILE PLANT", "камаз"} <= set(kamaz.aliases)
    assert (listing.listed_from, listing.program) == (date(2022, 5, 4), "Russia")
    carried = next(e for e in edition.dataset.entities
                   if "(GENERAL) ORGANIZATION FOR ENGINEERING INDUSTRIES" in e.all_names())
    (syria,) = [d for d in edition.dataset.designations if d.entity_id == carried.id]
    # listed by the EU on 02/12/2011, designated under UK law when the UK regimes began
    assert (syria.program, syria.listed_from) == ("Syria", date(2020, 12, 31))
    assert edition.published == date(2025, 4, 14)
    assert len(edition.dataset.entities) == 4688  # distinct Group IDs
    assert ("uk:RUS0238", "uk:RUS1422") in {(o.owner, o.asset) for o in edition.dataset.ownerships}


@pytest.mark.shared_data
def test_real_fcdo_excerpt(shared_data: Path) -> None:
    edition = uk.read(shared_data / "uk_fcdo_sanctions_list" / "UK-Sanctions-List.excerpt.xml")
    kamaz = edition.dataset.entity_map()["uk:RUS1422"]
    assert "KAMA AUTOMOBILE PLANT" in kamaz.aliases
    assert any("uk:RUS1422 <- 'Rostec'" in w for w in edition.warnings)
