"""Helpers shared by the official-list modules: safe XML parsing, dates, text cleaning."""

from __future__ import annotations

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
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise InputError(f"{path}:{line}", f"malformed XML: {exc.msg}") from exc
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
