"""riskengine.lists.un: the UN Security Council Consolidated List XML."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from riskengine.errors import InputError
from riskengine.lists import un
from riskengine.lists.base import ListEdition
from riskengine.lists.records import country_code

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "un" / "UN_consolidated.excerpt.xml"


@pytest.fixture(scope="module")
def edition() -> ListEdition:
    return un.read(FIXTURE)


@pytest.mark.parametrize(
    ("entity_id", "kind", "name", "aliases", "country"),
    [
        ("un:CDi.002", "person", "FRANK KAKOLELE BWAMBALE",
         ("FRANK KAKORERE", "FRANK KAKORERE BWAMBALE", "AIGLE BLANC"), "cd"),
        # the 'Low' quality alias 'Abu Ali' is a weak alias; the original-script name an alias
        ("un:IQi.001", "person", "SADDAM HUSSEIN AL-TIKRITI", ("صدام حسين التكريتي",), "iq"),
        ("un:KPi.017", "person", "JANG YONG SON", (), "kp"),
        ("un:CDe.006", "company", "M23", ("Mouvement du 23 mars",), None),
    ],
)
def test_entities(
    edition: ListEdition, entity_id: str, kind: str, name: str, aliases: tuple[str, ...],
    country: str | None,
) -> None:
    entity = edition.dataset.entity_map()[entity_id]
    assert (entity.kind, entity.name, entity.aliases, entity.country) == (
        kind, name, aliases, country)


@pytest.mark.parametrize(
    ("entity_id", "program", "listed_from"),
    [
        ("un:CDi.002", "DRC", date(2005, 11, 1)),
        ("un:IQi.001", "Iraq", date(2003, 6, 27)),
        ("un:TAe.014", "Taliban", date(2015, 3, 27)),  # LISTED_ON '2015-03-27-04:00'
    ],
)
def test_designations(edition: ListEdition, entity_id: str, program: str, listed_from: date
                      ) -> None:
    (designation,) = [d for d in edition.dataset.designations if d.entity_id == entity_id]
    assert (designation.regime, designation.authority, designation.program) == (
        "un", "UN Security Council", program)
    assert (designation.measure, designation.listed_from) == ("asset_freeze", listed_from)


def test_passport_with_issuing_country(edition: ListEdition) -> None:
    entity = edition.dataset.entity_map()["un:KPi.017"]
    assert [(i.scheme, i.value, i.country) for i in entity.identifiers] == [
        ("passport", "563110024", "kp")]


def test_edition_and_sources(edition: ListEdition) -> None:
    source = edition.dataset.entity_map()["un:CDe.006"].sources[0]
    assert edition.published == date(2026, 2, 27)  # dateGenerated beats the argument
    assert un.read(FIXTURE, published=date(2020, 1, 1)).published == date(2026, 2, 27)
    assert (source.source, source.record_id, source.file) == (
        "un", "CDe.006", "UN_consolidated.excerpt.xml")
    assert source.content_hash == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert source.line is not None and source.line > 1
    assert edition.warnings == ()


def test_low_quality_aliases_are_weak_aliases(edition: ListEdition) -> None:
    """UN 'Low' quality aliases are kept apart (screened as weaker evidence), not dropped."""
    entities = edition.dataset.entity_map()
    assert entities["un:IQi.001"].weak_aliases == ("Abu Ali",)
    assert "Abu Ali" not in entities["un:IQi.001"].aliases
    assert {e.id for e in entities.values() if e.weak_aliases} == {"un:IQi.001"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Iran (Islamic Republic of)", "ir"),
        ("Democratic People's Republic of Korea", "kp"),
        ("United Kingdom of Great Britain and Northern Ireland", "gb"),
        ("China, Hong Kong Special Administrative Region", "hk"),
        ("Türkiye", "tr"),
        ("Viet Nam", "vn"),
        ("former Soviet Union", None),
        ("na", None),
    ],
)
def test_un_country_names(text: str, code: str | None) -> None:
    assert country_code(text) == code


BAD_INPUTS = [
    ("truncated.xml", '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n'
     "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>\n", ":4", "malformed XML"),
    ("bomb.xml", '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a "aaaa">'
     '<!ENTITY b "&a;&a;&a;">]>\n<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>\n', ":1",
     "entity-expansion"),
    ("external.xml", '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     "\n<CONSOLIDATED_LIST>&e;</CONSOLIDATED_LIST>\n", ":1", "entity-expansion"),
    ("other.xml", '<?xml version="1.0"?>\n<sdnList/>\n', ":2", "not a UN list"),
    ("nodate.xml", "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME>"
     "<REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER><LISTED_ON>1 May 2020</LISTED_ON>"
     "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>", ":1", "unrecognised date"),
    ("noref.xml", "<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>A</FIRST_NAME>"
     "</ENTITY></ENTITIES></CONSOLIDATED_LIST>", ":1", "REFERENCE_NUMBER"),
]


@pytest.mark.parametrize(("name", "text", "where", "message"), BAD_INPUTS)
def test_bad_input(tmp_path: Path, name: str, text: str, where: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        un.read(path)
    assert caught.value.location.startswith(f"{path}{where}")
    assert message in caught.value.message


@pytest.mark.shared_data
def test_real_file(shared_data: Path) -> None:
    edition = un.read(shared_data / "un_sc_consolidated" / "UN_consolidated.xml")
    kinds = [e.kind for e in edition.dataset.entities]
    assert (kinds.count("person"), kinds.count("company")) == (730, 273)
    assert edition.published == date(2026, 2, 27)
    assert len({d.id for d in edition.dataset.designations}) == 1003
    assert all(d.listed_from for d in edition.dataset.designations)


@pytest.mark.shared_data
def test_real_list_low_quality_aliases_are_the_weak_aliases(shared_data: Path) -> None:
    """On the real list: every 'Low' quality ALIAS_NAME (read here with a plain XPath) is a
    weak alias of its entity, unless the entity also has it as a strong name (names compared
    by their name_key, as the readers drop repeats)."""
    from lxml import etree

    from riskengine.lists.records import name_key

    path = shared_data / "un_sc_consolidated" / "UN_consolidated.xml"
    if not path.is_file():
        pytest.skip(f"UN list not found at {path}")
    entities = un.read(path).dataset.entity_map()
    low: dict[str, set[str]] = {}
    for alias in etree.parse(str(path)).iterfind(".//*[QUALITY='Low']"):
        ref = alias.getparent().findtext("REFERENCE_NUMBER")
        name = " ".join((alias.findtext("ALIAS_NAME") or "").split())
        if name:
            low.setdefault(f"un:{ref}", set()).add(name_key(name))
    weak = {e.id: {name_key(n) for n in e.weak_aliases}
            for e in entities.values() if e.weak_aliases}
    strong = {i: {name_key(n) for n in e.all_names()} for i, e in entities.items()}
    assert len(low) > 100
    assert weak == {i: keys - strong[i] for i, keys in low.items() if keys - strong[i]}
