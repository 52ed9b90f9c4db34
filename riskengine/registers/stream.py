"""Streaming JSON: records one at a time with their line numbers, in bounded memory.

``json_lines``: one JSON value a line (JSON lines), also when the lines are wrapped as a
JSON array (a ``[`` line, a comma after each value, a ``]`` line: Open Ownership's copies
of the PSC snapshot). ``json_values``: a JSON array of values spread over many lines (BODS
files), decoded value by value from a sliding buffer. Bad JSON raises InputError naming the
file and line. ``sha256_of``: the content hash of files, read in chunks.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from riskengine.errors import InputError

_BUFFER = 1 << 20
_TAIL = 1 << 16  # bytes read from a file's end to find its last record
_SKIP = frozenset({b"", b"[", b"]", b","})


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb", buffering=_BUFFER)
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc


def sha256_of(paths: list[Path]) -> str:
    """sha256 over the files' names and bytes, in name order (as ``lists.base``)."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        with _open(path) as fh:
            while chunk := fh.read(_BUFFER):
                digest.update(chunk)
    return digest.hexdigest()


def json_lines(path: Path, limit: int | None = None) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each JSON line of ``path`` (``limit``: at most that many)."""
    seen = 0
    with _open(path) as fh:
        for line_no, raw in enumerate(fh, 1):
            text = raw.strip()
            if text in _SKIP:
                continue
            if text.endswith(b","):
                text = text[:-1]
            try:
                yield line_no, orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}:{line_no}", f"malformed JSON: {exc}") from exc
            seen += 1
            if limit is not None and seen >= limit:
                return


def tail_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """The JSON lines of the last ``_TAIL`` bytes of ``path``, last first; unreadable ones
    are left out (the stream proper reports them). Line numbers counted from the end."""
    with _open(path) as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - _TAIL))
        chunk = fh.read()
    total = None
    if size <= _TAIL:
        total = chunk.count(b"\n") + 1
    lines = chunk.split(b"\n")
    for back, raw in enumerate(reversed(lines)):
        text = raw.strip().rstrip(b",")
        if text in _SKIP:
            continue
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            continue
        yield (total - back if total is not None else 0), value


def json_values(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number where it starts, value) for each value of a JSON array, or of a file of
    JSON lines, without reading the whole file."""
    decoder = json.JSONDecoder()
    with _open(path) as fh:
        reader = _Reader(path, fh)
        if reader.first() == "[":
            reader.skip("[")
        while (found := reader.value(decoder)) is not None:
            yield found


class _Reader:
    """A text buffer over a binary file, refilled as values are decoded."""

    def __init__(self, path: Path, fh: IO[bytes]) -> None:
        self.path, self.fh = path, fh
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.decode = codecs.getincrementaldecoder("utf-8")()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(_BUFFER)
        self.eof = not chunk
        try:
            text = self.decode.decode(chunk, final=self.eof)
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.path}:{self.line}", "not UTF-8 text") from exc
        if self.eof:
            return False
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        return True

    def _skip_blank(self, also: str = "") -> str:
        while True:
            while self.pos < len(self.buf) and (self.buf[self.pos].isspace()
                                                or self.buf[self.pos] in also):
                self.line += self.buf[self.pos] == "\n"
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def first(self) -> str:
        return self._skip_blank()

    def skip(self, char: str) -> None:
        self.pos += len(char)

    def value(self, decoder: json.JSONDecoder) -> tuple[int, Any] | None:
        if self._skip_blank(",]") == "":
            return None
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                line = self.line + self.buf.count("\n", self.pos, exc.pos)
                raise InputError(f"{self.path}:{line}", f"malformed JSON: {exc.msg}") from exc
            start = self.line
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            return start, value
