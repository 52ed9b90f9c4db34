"""Counterparty files for batch screening, read lazily, however they were saved.

* Encoding, decided from the bytes unless given: a byte-order mark (UTF-8, UTF-16, UTF-32),
  else UTF-16 without a mark when every other byte of the start is NUL, else UTF-8 when the
  whole file decodes as UTF-8, else cp1252 (Excel on Windows), else latin-1 (when the file
  has bytes cp1252 leaves undefined). A regular file is scanned in full to decide; standard
  input or a pipe by its first ``HEAD`` bytes.
* Delimiter, sniffed from the header line unless given: comma, semicolon, tab or pipe, the
  one that gives a ``name`` column (the one giving most columns when several do; comma when
  none does).
* Rows: a header with a ``name`` column (optional ``id``, ``country``, ``identifier``,
  ``birth_date`` (YYYY-MM-DD, YYYY-MM, YYYY, DD.MM.YYYY) and ``nationality``; other
  columns ignored, case and spaces of the header ignored); blank lines skipped; every other
  row must have as many fields as the header and a name. Any problem is an ``InputError``
  naming the file and line (for a file that cannot be decoded, also the byte offset).

Line numbers are physical lines of the file, counted from 1 (the header); a row's line is
the one it starts on.
"""

from __future__ import annotations

import codecs
import csv
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from riskengine.errors import InputError
from riskengine.screening.facts import parse_birth_date
from riskengine.screening.report import ScreenQuery

STDIN = "-"
BLOCK = 1 << 16  # bytes read at a time
HEAD = 1 << 16  # bytes that decide the encoding of a stream that cannot be read twice
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "\\t": "\t"}
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class InputFile:
    """Where the counterparties are, and how to read them (None: decided from the file)."""

    source: str  # a path, or "-" for standard input
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def label(self) -> str:
        """How error messages name the input."""
        return "<stdin>" if self.source == STDIN else self.source

    @property
    def rereadable(self) -> bool:
        """A regular file: it can be checked in full before it is screened."""
        return self.source != STDIN and Path(self.source).is_file()


def queries(spec: InputFile) -> Iterator[ScreenQuery]:
    """The rows of ``spec`` as queries, read block by block as they are consumed."""
    with _opened(spec) as stream:
        blocks = _blocks(stream)
        head = next(blocks, b"")
        encoding = _encoding(spec, head)
        lines = decode_lines(chain([head], blocks), encoding, spec.label)
        yield from read_rows(lines, spec.label, delimiter_of(spec.delimiter))


def count_rows(spec: InputFile) -> int:
    """Read all of ``spec`` as ``queries`` does, keeping nothing: the number of rows, or
    the InputError of its first problem."""
    return sum(1 for _ in queries(spec))


def _encoding(spec: InputFile, head: bytes) -> str:
    if spec.encoding:
        return encoding_named(spec.encoding)
    if spec.rereadable:
        with _opened(spec) as stream:
            return detect_encoding(_blocks(stream))
    return detect_encoding([head])


@contextmanager
def _opened(spec: InputFile) -> Iterator[BinaryIO]:
    if spec.source == STDIN:
        yield sys.stdin.buffer
        return
    try:
        stream = Path(spec.source).open("rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(spec.label, f"cannot read file: {exc.strerror or exc}") from None
    with stream:
        yield stream


def _blocks(stream: BinaryIO) -> Iterator[bytes]:
    """What the stream has, up to ``BLOCK`` bytes at a time (a pipe: as soon as it has
    some, not when ``BLOCK`` bytes have come)."""
    read = getattr(stream, "read1", stream.read)
    while block := read(BLOCK):
        yield block


def encoding_named(name: str) -> str:
    """The codec ``name`` stands for (UTF-8 reading past a byte-order mark); InputError when
    Python knows no such encoding."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError("--encoding", f"unknown encoding {name!r}") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def detect_encoding(blocks: Iterable[bytes]) -> str:
    """The encoding of the bytes in ``blocks`` (module docstring)."""
    it = iter(blocks)
    head = next(it, b"")
    for bom, codec in BOMS:
        if head.startswith(bom):
            return codec
    if wide := _utf16_without_bom(head):
        return wide
    utf8, undefined = codecs.getincrementaldecoder("utf-8")(), False
    valid = True
    for block in chain([head], it, [b""]):
        undefined = undefined or any(b in block for b in CP1252_UNDEFINED)
        if valid:
            try:
                utf8.decode(block, final=not block)
            except UnicodeDecodeError:
                valid = False
    return "utf-8" if valid else ("latin-1" if undefined else "cp1252")


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:512]
    half = len(sample) // 2
    if half < 2 or b"\x00" not in sample:
        return None
    if sample[1::2].count(0) * 10 >= half * 9:
        return "utf-16-le"
    if sample[0::2].count(0) * 10 >= half * 9:
        return "utf-16-be"
    return None


def decode_lines(blocks: Iterable[bytes], encoding: str, label: str) -> Iterator[str]:
    """The text of ``blocks`` line by line, line ends kept (CR LF, CR or LF: what ``csv``
    expects); InputError naming the line and byte offset where it cannot be decoded."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, line, tail = 0, 1, ""
    for block in chain(blocks, [b""]):
        state = decoder.getstate()
        try:
            text = tail + decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            raise _undecodable(exc, (encoding, state, tail), offset, line, label) from None
        offset += len(block)
        hold = "\r" if block and text.endswith("\r") else ""  # a CR LF may be split
        body = text[:-1] if hold else text
        end = 0
        for match in _LINE.finditer(body):
            end = match.end()
            line += 1
            yield match.group()
        tail = body[end:] + hold
    if tail:
        yield tail


def _undecodable(exc: UnicodeDecodeError, where: tuple[str, tuple[bytes, int], str],
                 offset: int, line: int, label: str) -> InputError:
    encoding, (pending, flag), tail = where
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    decoder.setstate((b"", flag))
    before = tail + decoder.decode(exc.object[:exc.start])
    at = offset - len(pending) + exc.start
    line += len(_LINE_END.findall(before))
    bad = exc.object[exc.start:exc.end].hex(" ")
    return InputError(f"{label}:{line}", f"cannot decode as {encoding} at byte {at} "
                                         f"(0x{bad}: {exc.reason}); give --encoding")


def delimiter_of(given: str | None) -> str | None:
    """The one-character delimiter ``given`` names (``tab``, ``semicolon``, ...; None: sniff
    it); InputError when it is not one character."""
    if given is None:
        return None
    value = DELIMITER_NAMES.get(given.casefold(), given)
    if len(value) != 1 or value in "\r\n\"":
        raise InputError("--delimiter", f"{given!r} is not one character (or tab, comma, "
                                        f"semicolon, pipe)")
    return value


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: the one of ``DELIMITERS`` that gives a ``name``
    column, most columns first; comma when none does."""
    def fit(delimiter: str) -> tuple[bool, int]:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return "name" in _columns(cells), len(cells)

    best = max(DELIMITERS, key=fit)  # max keeps the first of equals: comma wins ties
    return best if fit(best)[0] else ","


def _columns(cells: list[str]) -> list[str]:
    return [c.strip().casefold() for c in cells]


def read_rows(lines: Iterable[str], label: str, delimiter: str | None = None
              ) -> Iterator[ScreenQuery]:
    """Queries of the CSV ``lines`` (header first); ``delimiter`` None: sniffed."""
    it = iter(lines)
    first = next(it, "").removeprefix("\ufeff")
    reader = csv.reader(chain([first], it), delimiter=delimiter or sniff_delimiter(first),
                        strict=True)
    try:
        header = _columns(next(reader, []))
        if "name" not in header:
            raise InputError(f"{label}:1", f"no 'name' column (columns: "
                                           f"{', '.join(header) or '-'})")
        done = reader.line_num
        for row in reader:
            start, done = done + 1, reader.line_num
            if any(cell.strip() for cell in row):
                yield _query(label, start, header, row)
    except csv.Error as exc:
        raise InputError(f"{label}:{reader.line_num}", f"not a valid CSV row: {exc}") from None


def _query(label: str, line: int, header: list[str], row: list[str]) -> ScreenQuery:
    if len(row) != len(header):
        raise InputError(f"{label}:{line}", f"expected {len(header)} fields, got {len(row)}")
    cells = {k: v.strip() or None for k, v in zip(header, row, strict=True)}
    name = cells["name"]
    if not name:
        raise InputError(f"{label}:{line}", "empty name")
    return ScreenQuery(name=name, id=cells.get("id"), line=line,
                       country=cells.get("country"), identifier=cells.get("identifier"),
                       birth_date=_birth_date(label, line, cells.get("birth_date")),
                       nationality=cells.get("nationality"))


def _birth_date(label: str, line: int, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return parse_birth_date(text)
    except ValueError as exc:
        raise InputError(f"{label}:{line}", f"birth_date: {exc}") from None
