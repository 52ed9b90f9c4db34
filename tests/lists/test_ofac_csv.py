"""Legacy CSV layer: decoding, byte quirks, rows, companion joins."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.errors import InputError
from riskengine.lists.ofac_csv import decode, find_files, read_set, rows
from riskengine.lists.ofac_tables import CSV_FIELDS
from tests.conftest import FIXTURES

SDN_CSV = FIXTURES / "ofac" / "sdn_csv"

DECODE_CASES = [
    # bytes, text, warning expected
    (b"37756,KAMAZ\r\n\x1a", "37756,KAMAZ\r\n\x1a", False),
    ("\ufeff37756,КАМАЗ".encode(), "37756,КАМАЗ", False),  # UTF-8 with BOM
    ("1,Müller Peña".encode("cp1252"), "1,Müller Peña", True),  # Latin letters only
]


@pytest.mark.parametrize(("data", "text", "warned"), DECODE_CASES)
def test_decode_accepts(data: bytes, text: str, warned: bool) -> None:
    got, warning = decode(Path("sdn.csv"), data)
    assert got == text
    assert (warning is not None) is warned


DECODE_ERRORS = [
    # bytes, line, words
    ("1,ok\r\n2,ТЕСТ".encode("cp1251"), 2, "not UTF-8 (byte 0xD2)"),
    ("1,ok\n2,x\n3,€™".encode("cp1252"), 3, "not plausible Windows-1252"),
    (b"1,ok\r\n2,\x81", 2, "not UTF-8 (byte 0x81)"),  # undefined in Windows-1252
    ("1,Ã©".encode(), 1, "mojibake"),
    ("1,\ufffd".encode(), 1, "mojibake"),
    ("1,ok".encode("utf-16-le"), 1, "NUL byte"),
]


@pytest.mark.parametrize(("data", "line", "words"), DECODE_ERRORS)
def test_decode_rejects(data: bytes, line: int, words: str) -> None:
    with pytest.raises(InputError) as err:
        decode(Path("sdn.csv"), data)
    assert err.value.location == f"sdn.csv:{line}"
    assert words in err.value.message


ROW_CASES = [
    # text, rows as (line, fields)
    ('1,"A, B",-0- \r\n', [(1, ["1", "A, B", None])]),
    ('1,"A",-0-\r\n\r\n2,"B ",x\r\n', [(1, ["1", "A", None]), (3, ["2", "B ", "x"])]),
    ('1,"two\r\nlines",x\r\n2,y,z\r\n', [(1, ["1", "two\r\nlines", "x"]), (3, ["2", "y", "z"])]),
    ('1,"say ""hi""",x', [(1, ["1", 'say "hi"', "x"])]),
]


@pytest.mark.parametrize(("text", "expected"), ROW_CASES)
def test_rows(
    text: str, expected: list[tuple[int, list[str | None]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CSV_FIELDS, "three", 3)
    assert list(rows(text, Path("x.csv"), "three")) == expected


def test_fixture_keeps_the_byte_quirks() -> None:
    data = (SDN_CSV / "sdn.csv").read_bytes()
    assert data.endswith(b"\r\n\x1a")
    assert b"-0- ," in data
    assert data.count(b"\r\n") == data.count(b"\n") == 21


def test_eof_byte_is_not_a_record() -> None:
    got = read_set(find_files(SDN_CSV, "sdn"))
    assert len(got.records) == 21
    assert all(r.ent_num.isdigit() for r in got.records)


def test_companions_joined_in_file_order() -> None:
    got = read_set(find_files(SDN_CSV, "sdn"))
    nefaz = next(r for r in got.records if r.ent_num == "37758")
    assert nefaz.aliases == (
        "NEFAZ PAO",
        "PUBLICHNOE AKTSIONERNOE OBSHCHESTVO NEFAZ",
        "NEFTEKAMSKIY AVTOZAVOD OAO",
        "NEFTEKAMSK MOTOR PLANT PJSC",
    )
    assert nefaz.countries == ("Russia",)
    assert (nefaz.file, nefaz.line, nefaz.sdn_type) == ("sdn.csv", 11, None)


def test_remarks_continue_from_comments_file() -> None:
    got = read_set(find_files(SDN_CSV, "sdn"))
    sber = next(r for r in got.records if r.ent_num == "17018")
    assert sber.remarks is not None and len(sber.remarks) > 1000
    assert "Tax ID No. 7707083893 (Russia)" in sber.remarks


def test_find_files_is_case_insensitive(tmp_path: Path) -> None:
    for name in ("SDN.CSV", "Alt.csv", "other.csv"):
        (tmp_path / name).write_bytes(b"")
    assert {k: p.name for k, p in find_files(tmp_path, "sdn").items()} == {
        "prim": "SDN.CSV",
        "alt": "Alt.csv",
    }
