"""BIS Entity List, read from the trade.gov Consolidated Screening List (CSL) -> ListEdition.

Read -> map -> check, like every list module:

* read: the CSL as CSV (header ``_id,source,entity_number,type,programs,name,title,
  addresses,federal_register_notice,start_date,end_date,...,alt_names,...,ids``, several
  values in one cell separated by '; ') or as JSON (``{"results": [...]}`` or a list of
  records with the same fields, lists as lists). The CSL states no edition date: give it
  with ``--published``.
* map: only rows whose ``source`` is the Entity List (``SOURCES``); each is an entity
  ``bis:<entity_number or _id>`` with one designation, measure ``export_control`` (a licence
  requirement, not a freeze: non-blocking), regime ``us``, list "Entity List", dated by
  ``start_date``, the Federal Register notice in its source note.
* check: rows of other CSL lists are counted and left out; a row without a name, or a
  date that is not a date, is an InputError naming the file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from riskengine.domain import EntityKind
from riskengine.errors import InputError
from riskengine.lists.base import ListEdition
from riskengine.lists.common import clean, csv_text, parse_date
from riskengine.lists.records import (
    FileMeta,
    Listing,
    ListRecord,
    Notes,
    Publisher,
    assemble,
    file_meta,
    first_country,
    list_files,
)

SOURCE = "bis"
PUBLISHER = Publisher(source=SOURCE, regime="us", authority="BIS", list_name="Entity List")

# Source quirks, as lookup tables.
SOURCES = {"Entity List (EL) - Bureau of Industry and Security": "Entity List"}
_KINDS: dict[str, EntityKind] = {"entity": "company", "individual": "person",
                                 "vessel": "vessel", "aircraft": "unknown"}
_REQUIRED = ("source", "name", "start_date")
_SEP = "; "


def read(path: Path, published: date | None = None) -> ListEdition:
    """Read a CSL CSV or JSON file (or a directory of them): the Entity List rows."""
    notes = Notes()
    metas: list[FileMeta] = []
    records: list[ListRecord] = []
    for file in list_files(path, (".csv", ".json")):
        meta = file_meta(file)
        meta = FileMeta(meta.path, meta.sha256, published)
        metas.append(meta)
        rows = _json_rows(file) if file.suffix.lower() == ".json" else _csv_rows(file)
        records.extend(r for line, row in rows if (r := _record(meta, line, row, notes)))
    return assemble(PUBLISHER, metas, records, notes)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, row) of a CSL CSV; lists split at '; '."""
    reader = csv.DictReader(csv_text(path), strict=True)
    try:
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"{path}:1", f"not a Consolidated Screening List CSV: no "
                                          f"{', '.join(missing)} column")
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}", f"malformed CSV: {exc}") from exc


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(record number, record) of a CSL JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not a readable JSON file: {exc}") from exc
    rows = data.get("results") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise InputError(str(path), "not a Consolidated Screening List: no 'results' list")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise InputError(f"{path}: record {number}", "a record is not an object")
        yield number, row


def _values(value: Any) -> list[str]:
    """A cell as a list: JSON lists as they are, CSV text split at '; '."""
    items: Iterable[Any] = value if isinstance(value, list) else str(value or "").split(_SEP)
    return [text for text in (clean(str(v)) for v in items if v is not None) if text]


def _countries(value: Any) -> list[str]:
    """Country of each address: a JSON address's 'country', a CSV address's last part."""
    if isinstance(value, list):
        return [str(a.get("country") or "") for a in value if isinstance(a, dict)]
    return [a.rsplit(",", 1)[-1].strip() for a in _values(value)]


def _record(meta: FileMeta, line: int, row: dict[str, Any], notes: Notes
            ) -> ListRecord | None:
    """Map one Entity List row (None for the rows of other lists)."""
    list_name = SOURCES.get(str(row.get("source") or "").strip())
    if list_name is None:
        notes.add("rows of other screening lists left out", str(row.get("source") or ""))
        return None
    where = f"{meta.path}:{line}" if meta.path.suffix.lower() == ".csv" else \
        f"{meta.path}: record {line}"
    rid = clean(str(row.get("entity_number") or "")) or clean(str(row.get("_id") or
                                                                   row.get("id") or ""))
    name = clean(str(row.get("name") or ""))
    if not rid or not name:
        raise InputError(where, "Entity List row without a name or an id")
    notice = clean(str(row.get("federal_register_notice") or ""))
    source = meta.source(SOURCE, rid, line).model_copy(
        update={"note": f"Federal Register {notice}" if notice else None,
                "url": clean(str(row.get("source_list_url") or "")) or None})
    return ListRecord(
        record_id=rid, kind=_KINDS.get(str(row.get("type") or "").strip().lower(), "unknown"),
        names=[name, *_values(row.get("alt_names"))], source=source,
        country=_country(_countries(row.get("addresses")), rid, notes),
        listings=[Listing(None, _day(where, row.get("start_date")), "export_control",
                          list_name)])


def _country(texts: list[str], rid: str, notes: Notes) -> str | None:
    """The first address country: an ISO code as JSON gives it ('RU'), or a name."""
    codes = [t.lower() for t in texts if len(t) == 2 and t.isalpha()]
    return codes[0] if codes else first_country(texts, rid, notes)


def _day(where: str, text: Any) -> date | None:
    try:
        return parse_date(str(text) if text else None, ("%Y-%m-%d",))
    except ValueError:
        raise InputError(where, f"start_date {text!r} is not a YYYY-MM-DD date") from None
