"""Counterparty files as people save them: encodings decided from the bytes, delimiters
sniffed from the header, line ends of every kind, bad rows and undecodable bytes named by
file and line (and byte offset)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from riskengine.errors import InputError
from riskengine.screening import infile
from riskengine.screening.infile import (
    InputFile,
    count_rows,
    decode_lines,
    delimiter_of,
    detect_encoding,
    queries,
    sniff_delimiter,
)

NAMES = ["Société Générale ‘Est’", "ПАО КАМАЗ", "Müller & Söhne GmbH", "Smith; Jones | Co"]
LATIN = ["Société Générale", "Müller & Söhne GmbH", "Ærø Shipping A/S"]


def csv_text(names: list[str], delimiter: str = ",", end: str = "\n") -> str:
    rows = [f"id{delimiter}name{delimiter}country"]
    rows += [f'c{i}{delimiter}"{n}"{delimiter}' for i, n in enumerate(names)]
    return end.join(rows) + end


def names_of(path: Path, **options: str | None) -> list[str]:
    return [q.name for q in queries(InputFile(str(path), **options))]


@pytest.mark.parametrize(
    ("codec", "names", "detected"),
    [
        ("utf-8", NAMES, "utf-8"),
        ("utf-8-sig", NAMES, "utf-8-sig"),
        ("utf-16", NAMES, "utf-16"),  # with a byte-order mark
        ("utf-16-le", NAMES, "utf-16-le"),  # without one
        ("utf-16-be", NAMES, "utf-16-be"),
        ("utf-32", NAMES, "utf-32"),
        ("cp1252", [*LATIN, "‘quoted’ – Ltd"], "cp1252"),  # Excel on Windows
        ("latin-1", [*LATIN, "Odd\x81Byte"], "latin-1"),  # a byte cp1252 leaves undefined
    ],
)
def test_encoding_decided_from_the_bytes(tmp_path: Path, codec: str, names: list[str],
                                         detected: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(csv_text(names).encode(codec))
    assert detect_encoding(infile._blocks(path.open("rb"))) == detected
    assert names_of(path) == names


def test_a_late_non_utf8_byte_decides_for_the_whole_file(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(infile, "BLOCK", 64)
    names = [f"Plain Name {i}" for i in range(50)] + ["Société"]
    path = tmp_path / "in.csv"
    path.write_bytes(csv_text(names).encode("cp1252"))
    assert names_of(path) == names


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_delimiter_sniffed_and_line_ends(tmp_path: Path, delimiter: str, end: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(csv_text(NAMES, delimiter, end), encoding="utf-8", newline="")
    assert names_of(path) == NAMES
    assert [q.line for q in queries(InputFile(str(path)))] == [2, 3, 4, 5]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("id,name,country", ","), ("id;name;country", ";"), ("id\tname", "\t"),
        ("id|name", "|"), ("name", ","), ("Name ; ID", ";"),
        ("name;notes,more", ";"),  # the split that gives a 'name' column wins
        ("a;b;c", ","),  # no 'name' column with any: comma (the error names the columns)
    ],
)
def test_sniff_delimiter(header: str, expected: str) -> None:
    assert sniff_delimiter(header) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, None), (";", ";"), ("tab", "\t"), ("TAB", "\t"), ("\\t", "\t"), ("pipe", "|"),
     ("comma", ","), ("semicolon", ";")],
)
def test_delimiter_option(given: str | None, expected: str | None) -> None:
    assert delimiter_of(given) == expected


@pytest.mark.parametrize("given", ["", ";;", "\n", '"'])
def test_bad_delimiter_option(given: str) -> None:
    with pytest.raises(InputError, match="--delimiter"):
        delimiter_of(given)


def test_given_delimiter_and_encoding_win(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("name\nA;B\n".encode("utf-16"))
    with pytest.raises(InputError, match="expected 1 fields, got 2"):
        names_of(path, encoding="utf-16", delimiter=";")
    assert names_of(path) == ["A;B"]  # sniffed: comma, one column


def test_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name\nA\n", encoding="utf-8")
    with pytest.raises(InputError, match="--encoding: unknown encoding 'klingon'"):
        names_of(path, encoding="klingon")


@pytest.mark.parametrize("block", [1, 2, 5, 64, 1 << 16])
def test_undecodable_byte_named_by_line_and_offset(tmp_path: Path, block: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(infile, "BLOCK", block)
    data = b'id,name\r\n1,Plain\r\n2,"Two\nlines"\r\n3,Soci\xe9t\xe9\r\n'
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    at = data.index(b"\xe9")
    line = len(re.findall(rb"\r\n|\r|\n", data[:at])) + 1
    with pytest.raises(InputError) as err:
        names_of(path, encoding="utf-8")
    assert str(err.value).startswith(f"{path}:{line}: cannot decode as utf-8-sig at byte {at} "
                                     f"(0xe9")


def test_undecodable_utf16_names_its_offset(tmp_path: Path) -> None:
    good = "name\nA\nB\n".encode("utf-16")
    data = good + b"\x00\xd8A\x00\n\x00"  # a lone high surrogate on line 4
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=rf"in.csv:4: cannot decode as utf-16 at byte "
                                         rf"{len(good)} "):
        names_of(path)


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 16])
@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "cp1252"])
def test_decode_lines_matches_decoding_at_once(block: int, codec: str) -> None:
    text = "a,b\r\nc\rd\n\ne,\"f\r\ng\"\r\nlast"
    data = text.encode(codec)
    blocks = [data[i:i + block] for i in range(0, len(data), block)]
    assert list(decode_lines(blocks, codec, "x")) == re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|.+$",
                                                                  text)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("", "in.csv:1:", "no 'name' column (columns: -)"),
        ("id,title\n1,KAMAZ\n", "in.csv:1:", "no 'name' column (columns: id, title)"),
        ("id,name\n1,KAMAZ\n2,JAC,extra\n", "in.csv:3:", "expected 2 fields, got 3"),
        ("id;name\n1;KAMAZ\n\n2\n", "in.csv:4:", "expected 2 fields, got 1"),
        ("id,name\n1,\n", "in.csv:2:", "empty name"),
        ("id,name\n1,   \n", "in.csv:2:", "empty name"),
        ('id,name\n1,"KAMAZ\n', "in.csv:2:", "not a valid CSV row"),
        ('id,name\n1,"a"b\n', "in.csv:2:", "not a valid CSV row"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, text: str, where: str,
                                     message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        count_rows(InputFile(str(path)))
    assert where in str(err.value) and message in str(err.value)


def test_rows_fields_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(' ID , Name ,Country,Identifier,notes\nc1, KAMAZ ,ru,1650032058,x\n'
                    '\n , , , , \nc2,"Two\nLines",,,\n', encoding="utf-8")
    got = list(queries(InputFile(str(path))))
    assert [(q.id, q.name, q.country, q.identifier, q.line) for q in got] == [
        ("c1", "KAMAZ", "ru", "1650032058", 2), ("c2", "Two\nLines", None, None, 5)]
    assert count_rows(InputFile(str(path))) == len(got)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.csv: cannot read file"):
        count_rows(InputFile(str(tmp_path / "absent.csv")))


def test_bom_kept_out_of_the_header_with_a_given_utf8(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"name\nA\n")
    assert names_of(path, encoding="UTF8") == ["A"]
