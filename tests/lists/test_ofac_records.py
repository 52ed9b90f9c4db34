"""Remark and program parsing shared by the OFAC CSV and XML readers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskengine.lists.ofac_records import (
    RawId,
    linked_names,
    name_key,
    person_name,
    remark_ids,
    split_programs,
    xml_id,
)

PROGRAM_CASES = [
    ("RUSSIA-EO14024", ("RUSSIA-EO14024",)),
    ("UKRAINE-EO13661] [UKRAINE-EO13662] [RUSSIA-EO14024",
     ("UKRAINE-EO13661", "UKRAINE-EO13662", "RUSSIA-EO14024")),
    ("[RUSSIA-EO14024] [UKRAINE-EO13662]", ("RUSSIA-EO14024", "UKRAINE-EO13662")),
    ("CAATSA - RUSSIA", ("CAATSA - RUSSIA",)),
    ("SDGT] [SDGT", ("SDGT",)),
    ("", ()),
    (None, ()),
]


@pytest.mark.parametrize(("text", "expected"), PROGRAM_CASES)
def test_split_programs(text: str | None, expected: tuple[str, ...]) -> None:
    assert split_programs(text) == expected


TAG = st.from_regex(r"[A-Z][A-Z0-9-]{0,15}", fullmatch=True)


@given(st.lists(TAG, min_size=1, max_size=5, unique=True), st.booleans())
def test_split_programs_inverts_ofac_joining(tags: list[str], outer: bool) -> None:
    joined = "] [".join(tags)
    assert split_programs(f"[{joined}]" if outer else joined) == tuple(tags)


ID_CASES = [
    ("Tax ID No. 1650032058 (Russia).", [RawId("Tax ID No.", "1650032058", "Russia")]),
    ("Organization Established Date 1969; Registration Number 1021602013971 (Russia)",
     [RawId("Registration Number", "1021602013971", "Russia")]),
    ("Government Gazette Number 32084605.", [RawId("Government Gazette Number", "32084605")]),
    ("Passport M271392 (Morocco) issued 04 Dec 2000",
     [RawId("Passport", "M271392", "Morocco")]),
    ("alt. Passport 030415788 (Venezuela) expires 22 Nov 2014.",
     [RawId("Passport", "030415788", "Venezuela")]),
    ("Company Number IMO 5878561.", [RawId("Company Number IMO", "5878561")]),
    ("Company Number CHE-390.605.414 (Switzerland)",
     [RawId("Company Number", "CHE-390.605.414", "Switzerland")]),
    ("Vessel Registration Identification IMO 9220639; Linked To: PSB LIZING OOO.",
     [RawId("Vessel Registration Identification IMO", "9220639")]),
    ("Unified Social Credit Code (USCC) 91440300769188559R (China).",
     [RawId("Unified Social Credit Code (USCC)", "91440300769188559R", "China")]),
    ("SWIFT/BIC SABRRUMM; BIK (RU) 044525225",
     [RawId("SWIFT/BIC", "SABRRUMM"), RawId("BIK (RU)", "044525225")]),
    ("DOB 16 Nov 1957; Gender Male; a.k.a. 'TMZ PAO'", []),
    (None, []),
]


@pytest.mark.parametrize(("remarks", "expected"), ID_CASES)
def test_remark_ids(remarks: str | None, expected: list[RawId]) -> None:
    assert list(remark_ids(remarks)) == expected


XML_ID_CASES = [
    (("Tax ID No.", "7744001497", "Russia"), RawId("Tax ID No.", "7744001497", "Russia")),
    (("Registration Number", "1026303117642 (Russia)", None),
     RawId("Registration Number", "1026303117642", "Russia")),
    (("Vessel Registration Identification", "IMO 9220639", None),
     RawId("Vessel Registration Identification IMO", "9220639")),
    (("Target Type", "Financial Institution", None),
     RawId("Target Type", "Financial Institution")),
]


@pytest.mark.parametrize(("fields", "expected"), XML_ID_CASES)
def test_xml_id(fields: tuple[str, str, str | None], expected: RawId) -> None:
    assert xml_id(*fields) == expected


LINK_CASES = [
    ("Tax ID No. 0264004103 (Russia); Linked To: KAMAZ PUBLICLY TRADED COMPANY.",
     ("KAMAZ PUBLICLY TRADED COMPANY.",)),
    ("Linked To: DERIPASKA, Oleg Vladimirovich; Linked To: RUSSIAN MACHINES.",
     ("DERIPASKA, Oleg Vladimirovich", "RUSSIAN MACHINES.")),
    ("For more information ... #directives.; (Linked To: VTB BANK PUBLIC JOINT STOCK COMPANY)",
     ("VTB BANK PUBLIC JOINT STOCK COMPANY",)),
    ("(Linked To: PJSC VTB BANK (KIEV))", ("PJSC VTB BANK (KIEV)",)),
    ("HAMAS - Hebron", ()),
    (None, ()),
]


@pytest.mark.parametrize(("remarks", "expected"), LINK_CASES)
def test_linked_names(remarks: str | None, expected: tuple[str, ...]) -> None:
    assert linked_names(remarks) == expected


KEY_CASES = [
    ("KAMAZ PUBLICLY TRADED COMPANY.", "Kamaz  publicly traded company"),
    ("HUAWEI TECHNOLOGIES CO., LTD.", "huawei technologies co., ltd"),
    ("DERIPASKA, Oleg Vladimirovich", "DERIPASKA,  OLEG VLADIMIROVICH "),
]


@pytest.mark.parametrize(("a", "b"), KEY_CASES)
def test_name_key_ignores_case_space_and_final_period(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("last", "first", "expected"),
    [("KOGOGIN", "Sergei", "KOGOGIN, Sergei"), ("KAMAZ", None, "KAMAZ"), (None, None, None)],
)
def test_person_name(last: str | None, first: str | None, expected: str | None) -> None:
    assert person_name(last, first) == expected
