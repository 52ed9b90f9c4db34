"""sdnList XML layer: namespaces, dates, counts, aliases, identifiers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskengine.lists.ofac_records import RawId
from riskengine.lists.ofac_xml import read_file
from tests.conftest import FIXTURES

ENTRY = (
    "<sdnEntry><uid>37756</uid><lastName>KAMAZ PUBLICLY TRADED COMPANY</lastName>"
    "<sdnType>Entity</sdnType>"
    "<programList><program>RUSSIA-EO14024</program><program>RUSSIA-EO14024</program></programList>"
    "<akaList><aka><category>strong</category><lastName>KAMAZ PTC</lastName></aka>"
    "<aka><category>weak</category><lastName>KAMAZ</lastName></aka></akaList>"
    "<idList><id><idType>Tax ID No.</idType><idNumber>1650032058</idNumber>"
    "<idCountry>Russia</idCountry></id></idList>"
    "<addressList><address><country>\n  </country></address>"
    "<address><country>Russia</country></address></addressList>"
    "</sdnEntry>"
)
HEAD = "<publshInformation><Publish_Date>06/28/2022</Publish_Date>{count}</publshInformation>"


def _write(tmp_path: Path, root: str = "", count: str = "", prefix: str = "") -> Path:
    """An sdnList file with one KAMAZ entry; ``prefix`` qualifies the root element only."""
    path = tmp_path / "sdn.xml"
    head = HEAD.format(count=count)
    tag = f"{prefix}sdnList"
    text = f"<{tag}{root}>\n<!-- c --><?pi x?>{head}\n{ENTRY}</{tag}>"
    path.write_text(text, encoding="utf-8")
    return path


NAMESPACE_CASES = [
    ("", ""),
    (' xmlns="http://tempuri.org/sdnList.xsd"', ""),
    (' xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"', ""),
    (' xmlns:x="urn:x"', "x:"),
]


@pytest.mark.parametrize(("root", "prefix"), NAMESPACE_CASES)
def test_namespace_agnostic(tmp_path: Path, root: str, prefix: str) -> None:
    got = read_file(_write(tmp_path, root, prefix=prefix))
    (record,) = got.records
    assert (got.published, record.ent_num, record.line) == (date(2022, 6, 28), "37756", 3)
    assert record.programs == ("RUSSIA-EO14024",)
    assert record.aliases == ("KAMAZ PTC",)  # the weak a.k.a. is apart
    assert record.weak_aliases == ("KAMAZ",)
    assert record.countries == ("Russia",)  # the blank country is skipped
    assert record.ids == (RawId("Tax ID No.", "1650032058", "Russia"),)


COUNT_CASES = [
    ("<Record_Count>1</Record_Count>", ()),
    ("", ()),
    ("<Record_Count>442</Record_Count>", ("sdn.xml states Record_Count 442 but holds 1 entries",)),
]


@pytest.mark.parametrize(("count", "warnings"), COUNT_CASES)
def test_record_count_checked(tmp_path: Path, count: str, warnings: tuple[str, ...]) -> None:
    got = read_file(_write(tmp_path, count=count))
    assert tuple(got.warnings) == warnings


def test_no_publish_date_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text("<sdnList></sdnList>")
    got = read_file(path)
    assert (got.published, got.records) == (None, [])


def test_real_excerpt_keeps_crlf_and_no_final_newline() -> None:
    data = (FIXTURES / "ofac" / "cons_xml" / "consolidated.xml").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 0
    assert data.endswith(b"</sdnList>")
    got = read_file(FIXTURES / "ofac" / "cons_xml" / "consolidated.xml")
    assert [r.ent_num for r in got.records] == ["9647", "15268", "17016", "32087", "32089"]
    assert got.warnings == []
