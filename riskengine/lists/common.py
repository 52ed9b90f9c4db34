"""Helpers shared by the official-list modules: safe XML parsing, dates, text cleaning."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from riskengine.errors import InputError


def parse_xml(path: Path) -> etree._Element:
    """Parse an XML file with entity expansion, DTD loading and network access disabled.

    A malformed, truncated or hostile file (billion laughs, external entities) raises
    InputError naming the file and line.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True,
    )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    try:  # from bytes: an encoding the bytes do not fit is a syntax error with its line
        root = etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise InputError(f"{path}:{line}", f"malformed XML: {' '.join(exc.msg.split())}") from exc
    _reject_entities(path, root)
    return root


def _reject_entities(path: Path, root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    # lxml-stubs lacks DTD.entities(), which lxml has had since 2.x
    if dtd is not None and any(True for _ in dtd.entities()):  # type: ignore[attr-defined]
        raise InputError(f"{path}:1", "XML declares entities (possible entity-expansion attack)")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            line = node.sourceline or 0
            raise InputError(f"{path}:{line}", "XML uses an entity reference that was not expanded")


def csv_text(path: Path) -> io.StringIO:
    """A UTF-8 CSV file (BOM allowed) as text to hand to ``csv.reader``.

    Decoded whole, so that a bad byte and a NUL byte (binary or UTF-16 data, which the csv
    module would let through) are reported on their own line: InputError 'path:line'.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise InputError(f"{path}:{line}", f"not UTF-8 text (byte 0x{data[exc.start]:02x} "
                                           f"at column {column})") from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(f"{path}:{line}", "NUL byte: binary or UTF-16 data, expected UTF-8 text")
    return io.StringIO(text, newline="")


def local(tag: object) -> str:
    """Tag name without its namespace."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def parse_date(text: str | None, formats: tuple[str, ...]) -> date | None:
    """First format that parses ``text``; None for empty text. ValueError when none fits."""
    if text is None or not text.strip():
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {text!r}")


def clean(text: str | None) -> str | None:
    """Collapse white space; None for empty."""
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None
