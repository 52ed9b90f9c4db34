"""OFAC legacy CSV reader: sdn.csv / cons_prim.csv with their add, alt and comments files.

No header row; "-0-" (usually with a trailing space) is null; CRLF line ends; the files end
with a DOS 0x1A end-of-file byte. The published files are plain ASCII. Text that is not UTF-8
is accepted only when it reads as Windows-1252 Latin text; anything else fails naming the
file and line rather than turning into mojibake.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from riskengine.errors import InputError
from riskengine.lists.common import clean
from riskengine.lists.ofac_records import (
    RawRecord,
    remark_ids,
    remark_weak_aliases,
    split_programs,
)
from riskengine.lists.ofac_tables import CSV_FIELDS, CSV_FILES, EOF_BYTE, NULL_TOKENS

Row = list[str | None]
# Signs of text already damaged by a wrong decode: UTF-8 read as Latin-1 ("Ã©"), or U+FFFD.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\ufffd")
# Companion file kind -> the column joined onto the primary record (country, alias, remarks).
_VALUE_COLUMN = {"add": 4, "alt": 3, "comments": 1}


@dataclass
class CsvSet:
    """What the CSV files of one list hold, in OFAC's vocabulary."""

    records: list[RawRecord]
    files: list[Path]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Text:
    path: Path
    text: str
    sha256: str
    warning: str | None = None


def find_files(directory: Path, list_key: str) -> dict[str, Path]:
    """The list's CSV files present in ``directory``, by kind; names match case-insensitively."""
    present = {p.name.lower(): p for p in directory.iterdir() if p.is_file()}
    wanted = CSV_FILES[list_key]
    return {kind: present[name] for kind, name in wanted.items() if name in present}


def read_set(files: dict[str, Path]) -> CsvSet:
    """Read a primary file and whichever companions are given (keys as in ``CSV_FILES``)."""
    prim = _load(files["prim"])
    out = CsvSet(records=[], files=[prim.path])
    _note(out, prim)
    heads = _primaries(prim)
    extra: dict[str, dict[str, list[str]]] = {}
    for kind in _VALUE_COLUMN:
        if kind in files:
            text = _load(files[kind])
            out.files.append(text.path)
            _note(out, text)
            extra[kind] = _companion(text, kind, heads, out)
    out.records = [_assemble(head, extra) for head in heads.values()]
    return out


def _note(out: CsvSet, text: _Text) -> None:
    if text.warning:
        out.warnings.append(text.warning)


def decode(path: Path, data: bytes) -> tuple[str, str | None]:
    """Decoded text and an optional warning; InputError when the encoding is not plausible."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError(f"{path}:{line}", "NUL byte: UTF-16 or binary data, expected ASCII text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _decode_cp1252(path, data, exc), f"{path.name} is not UTF-8; read as Windows-1252"
    bad = _MOJIBAKE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"{path}:{line}", f"mis-encoded text {bad.group()!r} (mojibake)")
    return text, None


def _decode_cp1252(path: Path, data: bytes, exc: UnicodeDecodeError) -> str:
    """Windows-1252 text, accepted only when every non-ASCII run is one or two letters."""
    line = data.count(b"\n", 0, exc.start) + 1
    problem = f"not UTF-8 (byte 0x{data[exc.start]:02X}) and not plausible Windows-1252 text"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}:{line}", problem) from err
    for run in re.finditer(r"[^\x00-\x7f]+", text):
        if len(run.group()) > 2 or not run.group().isalpha():
            bad_line = text.count("\n", 0, run.start()) + 1
            raise InputError(f"{path}:{bad_line}", problem + f": {run.group()!r}")
    return text


def _load(path: Path) -> _Text:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from exc
    text, warning = decode(path, data)
    end = text.rstrip("\r\n")
    if end.endswith(EOF_BYTE):
        text = end.removesuffix(EOF_BYTE)
    return _Text(path, text, hashlib.sha256(data).hexdigest(), warning)


def rows(text: str, path: Path, kind: str) -> Iterator[tuple[int, Row]]:
    """(first line, fields) per record; nulls become None, blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    want = CSV_FIELDS[kind]
    last = 0
    try:
        for fields in reader:
            line, last = last + 1, reader.line_num
            if not fields:
                continue
            if len(fields) != want:
                raise InputError(f"{path}:{line}", f"expected {want} fields, found {len(fields)}")
            yield line, [_null(value) for value in fields]
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}", f"broken CSV quoting: {exc}") from exc


def _null(value: str) -> str | None:
    """None for the null token or an empty field; the raw text otherwise."""
    text = value.strip()
    return None if not text or text in NULL_TOKENS else value


def _ent_num(value: str | None, path: Path, line: int) -> str:
    if value is None or not value.isdigit():
        raise InputError(f"{path}:{line}", f"ent_num {value!r} is not a number")
    return value


@dataclass
class _Head:
    """A primary row, before its companion rows are joined."""

    fields: Row
    path: Path
    line: int
    sha256: str


def _primaries(text: _Text) -> dict[str, _Head]:
    heads: dict[str, _Head] = {}
    for line, fields in rows(text.text, text.path, "prim"):
        ent = _ent_num(fields[0], text.path, line)
        if ent in heads:
            first = heads[ent].line
            raise InputError(f"{text.path}:{line}", f"ent_num {ent} repeats line {first}")
        if not clean(fields[1]):
            raise InputError(f"{text.path}:{line}", f"ent_num {ent} has no name")
        heads[ent] = _Head(fields, text.path, line, text.sha256)
    return heads


def _companion(
    text: _Text, kind: str, heads: dict[str, _Head], out: CsvSet
) -> dict[str, list[str]]:
    """ent_num -> values (alias names, address countries or remark continuations)."""
    found: dict[str, list[str]] = defaultdict(list)
    orphans: Counter[str] = Counter()
    column = _VALUE_COLUMN[kind]
    for line, fields in rows(text.text, text.path, kind):
        ent = _ent_num(fields[0], text.path, line)
        if ent not in heads:
            orphans[ent] += 1
        elif fields[column] is not None:
            found[ent].append(str(fields[column]))
    if orphans:
        out.warnings.append(_orphan_warning(text.path, orphans, heads))
    return found


def _orphan_warning(path: Path, orphans: Counter[str], heads: dict[str, _Head]) -> str:
    """'N rows of add.csv point at M ent_num missing from sdn.csv'."""
    prim = next(iter(heads.values())).path.name if heads else "the primary file"
    total = sum(orphans.values())
    noun = "row" if total == 1 else "rows"
    return f"{total} {noun} of {path.name} point at {len(orphans)} ent_num missing from {prim}"


def _assemble(head: _Head, extra: dict[str, dict[str, list[str]]]) -> RawRecord:
    """Join a primary row with its companions. Fields are cleaned only after joining: remarks
    cut at ~1000 characters continue, possibly mid-word, in the comments file."""
    f = head.fields
    ent = str(f[0])
    remarks = clean("".join([f[11] or "", *extra.get("comments", {}).get(ent, [])]))
    return RawRecord(
        ent_num=ent,
        name=str(clean(f[1])),
        sdn_type=f[2].strip().lower() if f[2] else None,
        programs=split_programs(f[3]),
        remarks=remarks,
        file=head.path.name,
        line=head.line,
        content_hash=head.sha256,
        aliases=_cleaned(extra.get("alt", {}).get(ent, [])),
        countries=_cleaned(extra.get("add", {}).get(ent, [])),
        ids=remark_ids(remarks),
        weak_aliases=remark_weak_aliases(remarks),
    )


def _cleaned(values: list[str]) -> tuple[str, ...]:
    """Cleaned, de-duplicated values in file order."""
    return tuple(dict.fromkeys(text for text in map(clean, values) if text))
