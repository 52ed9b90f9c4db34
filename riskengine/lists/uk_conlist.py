"""OFSI Consolidated List (``ConList.xlsx`` / ``ConList.csv``) -> UK records, for ``lists.uk``.

Row 1 'Last Updated dd/mm/yyyy', header in row 2, one row per name, grouped by ``Group ID``;
the UK Sanctions List reference comes from 'Other Information' ('(UK Sanctions List
Ref):RUS1422') where there is no column for it.
"""

from __future__ import annotations

import csv
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from riskengine.domain import Identifier
from riskengine.errors import InputError
from riskengine.lists.births import all_birth_dates
from riskengine.lists.common import csv_text
from riskengine.lists.records import (
    FileMeta,
    Listing,
    ListRecord,
    Notes,
    country_codes,
    file_meta,
    first_country,
    identifier,
    numbered,
    reg_numbers,
)
from riskengine.lists.uk_fcdo import KINDS, SOURCE, FileRead, UkRecord, dmy

CONLIST_NAME = "OFSI Consolidated List"
_OTHER_TAGS = (  # '(Tag):value' fields inside ConList's 'Other Information'
    "UK Sanctions List Ref", "UK Statement of Reasons", "UN Ref", "Gender", "Phone number",
    "Email address", "Type of entity", "Website", "Parent company", "Business Reg No",
    "Subsidiaries", "IMO number", "Flag of ship", "Type of ship", "Tonnage of ship",
    "Length of ship", "Year built", "Current owners", "Fax", "Previous flags",
)
_TAG_SPLIT = re.compile(r"\((" + "|".join(map(re.escape, _OTHER_TAGS)) + r")\):", re.I)
_LOW_QUALITY = "low quality"
_CONLIST_FIELDS = {  # a column of that name if the file has one, else an 'Other Information' tag
    "ref": ("UK Sanctions List Ref", "uk sanctions list ref"),
    "parent": ("Parent Company", "parent company"),
    "owners": ("Current Owners", "current owners"),  # of a ship
    "reg": ("Business Registration Number", "business reg no"),
    "imo": ("IMO Number", "imo number"),
    "reasons": ("UK Statement of Reasons", "uk statement of reasons"),
}
DATE_DESIGNATED = "UK Sanctions List Date Designated"
_CONLIST_REQUIRED = ("Name 6", "Group Type", "Alias Type", "Regime", "Listed On", "Group ID")

_Row = tuple[int, dict[str, str]]


def read_xlsx(path: Path, published: date | None, notes: Notes) -> FileRead:
    """Parse ConList.xlsx (first sheet, read-only, values only)."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_BROKEN_XLSX) as exc:
        raise InputError(str(path), f"not a readable xlsx workbook: {_why(exc)}") from exc
    try:
        if not book.worksheets:
            raise InputError(str(path), "not a readable xlsx workbook: it has no worksheet")
        return _read_conlist(path, published, notes, _sheet_rows(path, book.worksheets[0]))
    finally:
        book.close()


# What openpyxl raises on a damaged workbook: a missing, truncated or garbage part (XML
# syntax errors are SyntaxError subclasses, zlib.error a bad compressed stream).
_BROKEN_XLSX = (BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, IndexError,
                ValueError, TypeError, AttributeError, OSError)


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _sheet_rows(path: Path, sheet: Any) -> Iterator[tuple[str, ...]]:
    """The worksheet's rows as text; a damaged sheet is an InputError at the first row that
    could not be read."""
    rows = sheet.iter_rows(values_only=True)
    line = 1
    while True:
        try:
            row = next(rows, None)
        except _BROKEN_XLSX as exc:
            raise InputError(f"{path}:{line}", f"unreadable worksheet row: {_why(exc)}") from exc
        if row is None:
            return
        yield tuple(map(_cell, row))
        line += 1


def read_csv(path: Path, published: date | None, notes: Notes) -> FileRead:
    """Parse ConList.csv (UTF-8, comma-separated, same rows as the xlsx)."""
    reader = csv.reader(csv_text(path), strict=True)
    try:
        return _read_conlist(path, published, notes, (tuple(row) for row in reader))
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}", f"malformed CSV: {exc}") from exc


def _cell(value: object) -> str:
    """A spreadsheet cell as text (dates as dd/mm/yyyy, whole floats without '.0')."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_conlist(
    path: Path, published: date | None, notes: Notes, rows: Iterable[tuple[str, ...]]
) -> FileRead:
    """Group ConList rows by Group ID and map each group."""
    meta = file_meta(path)
    day, groups = _conlist_groups(path, iter(rows))
    meta = FileMeta(meta.path, meta.sha256, day or published)
    return meta, [_conlist_record(meta, group, notes) for group in groups.values()]


def _conlist_groups(
    path: Path, rows: Iterator[tuple[str, ...]]
) -> tuple[date | None, dict[str, list[_Row]]]:
    """'Last Updated' date and the rows of each Group ID, in file order."""
    first = next(rows, ())
    day: date | None = None
    header, line = first, 1
    if first and first[0].lower().startswith("last updated"):
        text = first[1] if len(first) > 1 and first[1] else first[0][len("last updated"):]
        day, header, line = dmy(f"{path}:1", text.strip()), next(rows, ()), 2
    _check_header(path, line, header)
    groups: dict[str, list[_Row]] = {}
    for number, values in enumerate(rows, start=line + 1):
        row = _conlist_row(path, number, header, values)
        if row is not None:
            groups.setdefault(row["Group ID"], []).append((number, row))
    return day, groups


def _check_header(path: Path, line: int, header: tuple[str, ...]) -> None:
    """The header row must name the columns the mapping needs."""
    missing = [column for column in _CONLIST_REQUIRED if column not in header]
    if missing:
        raise InputError(f"{path}:{line}", f"not an OFSI ConList: missing {', '.join(missing)}")


def _conlist_row(path: Path, line: int, header: tuple[str, ...], values: tuple[str, ...]
                 ) -> dict[str, str] | None:
    """One data row as a dict; None for a blank row. Extra cells must be empty."""
    if not any(values):
        return None
    if len(values) < len(header) or any(values[len(header):]):
        raise InputError(f"{path}:{line}", f"{len(values)} cells, header has {len(header)}")
    row = dict(zip(header, values, strict=False))
    if not row["Group ID"]:
        raise InputError(f"{path}:{line}", "row without Group ID")
    return row


def _conlist_record(meta: FileMeta, group: list[_Row], notes: Notes) -> UkRecord:
    """Map the rows of one Group ID."""
    line, first = next((r for r in group if r[1]["Alias Type"].lower() == "primary name"), group[0])
    other = _other_info(first.get("Other Information", ""))
    ref = _field(first, other, "ref").split()
    rid = ref[0].rstrip(".") if ref else f"group-{first['Group ID']}"
    kind = KINDS.get(first["Group Type"].lower(), "unknown")
    country = first_country([first.get("Nationality"), first.get("Country")], rid, notes)
    listing = Listing(first["Regime"] or None, _designated(f"{meta.path}:{line}", first),
                      list_name=CONLIST_NAME)
    record = ListRecord(
        record_id=rid, kind=kind, names=_conlist_names(first, group),
        weak_names=[_row_name(row) for _, row in group if row is not first and _low(row)],
        source=meta.source(SOURCE, rid, line), country=country,
        identifiers=_conlist_ids(first, other, country), listings=[listing],
        birth_dates=all_birth_dates(d for _, row in group for d in numbered(row.get("DOB", ""))),
        nationalities=country_codes(row.get("Nationality") for _, row in group),
    )
    parents = numbered(_field(first, other, "parent")) + numbered(_field(first, other, "owners"))
    return UkRecord(record, parents, _field(first, other, "reasons"))


def _designated(where: str, row: dict[str, str]) -> date | None:
    """The UK's own designation date ('UK Sanctions List Date Designated', the FCDO list's
    DateDesignated), else 'Listed On': for entries carried over from EU regimes at the end of
    2020, 'Listed On' is the earlier EU listing, which was not a designation under UK law."""
    return dmy(where, row.get(DATE_DESIGNATED) or row["Listed On"])


def _other_info(text: str) -> dict[str, str]:
    """'(Tag):value (Tag):value' -> {'tag': 'value'} (first value of each tag)."""
    parts = _TAG_SPLIT.split(text or "")
    pairs = zip(parts[1::2], parts[2::2], strict=False)
    out: dict[str, str] = {}
    for tag, value in pairs:
        out.setdefault(tag.lower(), value.strip())
    return out


def _field(row: dict[str, str], other: dict[str, str], key: str) -> str:
    """A ConList field: its own column where the file has one, else its Other Information tag."""
    column, tag = _CONLIST_FIELDS[key]
    return row.get(column) or other.get(tag, "")


def _conlist_names(first: dict[str, str], group: list[_Row]) -> list[str]:
    """Primary row's name, the other rows' names (not low-quality ones), non-Latin names."""
    names = [_row_name(first)]
    names += [_row_name(row) for _, row in group if row is not first and not _low(row)]
    return names + [row.get("Name Non-Latin Script", "") for _, row in group]


def _low(row: dict[str, str]) -> bool:
    """The row's name is a low-quality alias (the list's weak aliases)."""
    return (row.get("Alias Quality") or "").lower() == _LOW_QUALITY


def _row_name(row: dict[str, str]) -> str:
    """'Name 1' .. 'Name 5' then 'Name 6' (the surname, or the whole name of an entity)."""
    parts = [row.get(f"Name {i}", "") for i in (1, 2, 3, 4, 5)] + [row["Name 6"]]
    return " ".join(" ".join(filter(None, parts)).split())


def _conlist_ids(row: dict[str, str], other: dict[str, str], country: str | None
                 ) -> list[Identifier]:
    """Passport and national id columns, and Business Reg No / IMO number tags."""
    out = [identifier("passport", p) for p in numbered(row.get("Passport Number", ""))]
    out += [identifier("national_id", n) for n in
            numbered(row.get("National Identification Number", ""))]
    out += reg_numbers(_field(row, other, "reg"), country)
    return out + [identifier("imo", n) for n in re.findall(r"\d{7}", _field(row, other, "imo"))]

