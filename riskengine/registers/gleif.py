"""GLEIF golden copy: LEI records (Level 1), relationship records and reporting exceptions
(Level 2), CDF XML files streamed element by element.

The files of one publication are one edition: give them together (``FILE...``); each is
recognised by its namespace (``leidata``, ``rr``, ``repex``), LEI files read first. The
edition's date is the newest header ``ContentDate``.

- an LEI record is ``gleif:<LEI>`` with its legal and other names, the legal address's
  country, the LEI and, where the registration authority is a national business register
  (``common.GLEIF_REGISTERS``), the company number (OGRN/INN for Russia);
- relationships (child -> parent): accounting consolidation, direct and ultimate, is
  ``dominant_influence`` control (and an exact ownership share where the record quantifies
  it); a fund managed by a manager, or a sub-fund of an umbrella, ``management`` control; an
  international branch is wholly its head office's (100%); a feeder fund holds an unknown
  share of its master. The relationship period's dates start and end the tie; an
  ``INACTIVE`` one without an end ends on the edition's date; ``ANNULLED`` records are
  skipped;
- a reporting exception (no consolidating parent, natural persons, non-public, no known
  person) is an unknown owner holding an unknown share (``common``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from riskengine.domain import ControlKind
from riskengine.errors import InputError
from riskengine.registers.common import (
    GLEIF_REGISTERS,
    Fact,
    FlatControl,
    FlatOwnership,
    FlatSource,
    Notes,
    Party,
    day,
    register_identifier,
    safe_key,
)

SOURCE = "gleif"
NS = {"lei": "http://www.gleif.org/data/schema/leidata/2016",
      "rr": "http://www.gleif.org/data/schema/rr/2016",
      "repex": "http://www.gleif.org/data/schema/repex/2016"}
RECORDS = {"lei": "LEIRecord", "rr": "RelationshipRecord", "repex": "Exception"}
ORDER = ("lei", "rr", "repex")
CONTROLS: dict[str, tuple[ControlKind, str]] = {
    "IS_DIRECTLY_CONSOLIDATED_BY": ("dominant_influence", "accounting consolidation (direct)"),
    "IS_ULTIMATELY_CONSOLIDATED_BY": ("dominant_influence",
                                      "accounting consolidation (ultimate parent)"),
    "IS_FUND-MANAGED_BY": ("management", "fund managed by"),
    "IS_SUBFUND_OF": ("management", "sub-fund of umbrella fund"),
}
OWNED: dict[str, tuple[float, float, bool, str]] = {
    "IS_INTERNATIONAL_BRANCH_OF": (100.0, 100.0, True, "international branch of"),
    "IS_FEEDER_TO": (0.0, 100.0, False, "feeder fund of master fund"),
}


def _parser_args() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False,
            "huge_tree": False, "remove_comments": True}


def kind_of(path: Path) -> str:
    """'lei', 'rr' or 'repex': the CDF the file's root element is in."""
    try:
        for _event, node in etree.iterparse(str(path), events=("start",), **_parser_args()):
            found = next((k for k, ns in NS.items() if node.tag.startswith(f"{{{ns}}}")), None)
            if found is None:
                break
            return found
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}:{exc.lineno or 1}", f"malformed XML: {exc.msg}") from exc
    raise InputError(f"{path}:1", "not a GLEIF LEI, relationship or reporting-exception file")


def content_date(path: Path, kind: str) -> date | None:
    """The header's ContentDate."""
    tag = f"{{{NS[kind]}}}ContentDate"
    try:
        for _event, node in etree.iterparse(str(path), tag=tag, **_parser_args()):
            return day(node.text, f"{path}:{node.sourceline}", "ContentDate")
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}:{exc.lineno or 1}", f"malformed XML: {exc.msg}") from exc
    return None


def edition_dates(paths: list[Path]) -> date | None:
    found = [d for p in paths if (d := content_date(p, kind_of(p))) is not None]
    return max(found, default=None)


def read(paths: list[Path], notes: Notes, counts: dict[str, int]) -> Iterator[Fact]:
    """Facts of every file, LEI records first; the edition's date ends inactive ties."""
    kinds = sorted(((kind_of(p), p) for p in paths), key=lambda kp: ORDER.index(kp[0]))
    published = edition_dates(paths)
    for kind, path in kinds:
        for node in _records(path, kind):
            where = f"{path}:{node.sourceline}"
            counts["statements"] = counts.get("statements", 0) + 1
            yield from MAPPERS[kind](_Node(node, kind), where, notes, published)
            node.clear()


def _records(path: Path, kind: str) -> Iterator[Any]:
    tag = f"{{{NS[kind]}}}{RECORDS[kind]}"
    try:
        for _event, node in etree.iterparse(str(path), tag=tag, **_parser_args()):
            yield node
            while node.getprevious() is not None:  # memory: drop the records read
                del node.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}:{exc.lineno or 1}", f"malformed XML: {exc.msg}") from exc


class _Node:
    """Text of descendants by a path of local names in the file's namespace."""

    def __init__(self, node: Any, kind: str) -> None:
        self.node, self.ns = node, {"x": NS[kind]}

    def text(self, path: str) -> str | None:
        found = self.node.find("x:" + "/x:".join(path.split("/")), self.ns)
        text = found.text if found is not None else None
        return " ".join(text.split()) if text and text.strip() else None

    def texts(self, path: str) -> list[str]:
        return [" ".join(n.text.split()) for n in
                self.node.findall("x:" + "/x:".join(path.split("/")), self.ns)
                if n.text and n.text.strip()]

    def all(self, path: str) -> list[_Node]:
        found = self.node.findall("x:" + "/x:".join(path.split("/")), self.ns)
        return [_Node.of(n, self.ns) for n in found]

    @classmethod
    def of(cls, node: Any, ns: dict[str, str]) -> _Node:
        made = cls.__new__(cls)
        made.node, made.ns = node, ns
        return made


def _lei(node: _Node, where: str) -> str:
    value = node.text("LEI")
    if value is None or len(value) != 20:
        raise InputError(where, f"LEI record without a 20-character LEI ({value!r})")
    return safe_key(value.upper())


def _stub(lei: str, where: str) -> Party:
    return Party(f"gleif:{lei}", "company", (f"LEI {lei}",), None, (("lei", lei, None),),
                 FlatSource(lei, int(where.rsplit(":", 1)[1]), None, None), stub=True)


def _entity(node: _Node, where: str, notes: Notes, published: date | None) -> Iterator[Fact]:
    lei = _lei(node, where)
    names = [*node.texts("Entity/LegalName"), *node.texts("Entity/OtherEntityNames/"
                                                           "OtherEntityName"),
             *node.texts("Entity/TransliteratedOtherEntityNames/"
                         "TransliteratedOtherEntityName")]
    country = (node.text("Entity/LegalAddress/Country") or "").lower() or None
    idents: list[tuple[str, str, str | None]] = [("lei", lei, None)]
    regnum = node.text("Entity/RegistrationAuthority/RegistrationAuthorityEntityID")
    jurisdiction = (node.text("Entity/LegalJurisdiction") or "")[:2].lower()
    if regnum and jurisdiction in GLEIF_REGISTERS:
        idents.append(register_identifier("registration", regnum, jurisdiction))
    yield Party(f"gleif:{lei}", "company", tuple(names or [f"LEI {lei}"]), country,
                tuple(idents), FlatSource(lei, int(where.rsplit(":", 1)[1]),
                                          node.text("Entity/EntityStatus"), None))


def _relationship(node: _Node, where: str, notes: Notes, published: date | None
                  ) -> Iterator[Fact]:
    child = safe_key((node.text("Relationship/StartNode/NodeID") or "").upper())
    parent = safe_key((node.text("Relationship/EndNode/NodeID") or "").upper())
    kind = node.text("Relationship/RelationshipType") or ""
    if not child or not parent:
        raise InputError(where, "relationship record without a start or end node")
    if node.text("Registration/RegistrationStatus") == "ANNULLED":
        notes.note("GLEIF relationship records annulled: skipped", where)
        return
    if kind not in CONTROLS and kind not in OWNED:
        notes.note(f"GLEIF relationships of type {kind!r}: skipped", where)
        return
    start, end = _period(node, where, published)
    yield _stub(child, where)
    yield _stub(parent, where)
    record = f"{child}/{kind}/{parent}"
    tie_id, line = f"gleif:{record}", int(where.rsplit(":", 1)[1])
    a, b = f"gleif:{parent}", f"gleif:{child}"
    if kind in OWNED:
        low, high, known, what = OWNED[kind]
        yield FlatOwnership(tie_id, a, b, low, high, known, start, end,
                            FlatSource(record, line, f"GLEIF: {what}", None))
        return
    control, what = CONTROLS[kind]
    yield FlatControl(tie_id, a, b, control, start, end,
                      FlatSource(record, line, f"GLEIF: {what}", None))
    share = _quantified(node, where)
    if share is not None:
        yield FlatOwnership(f"{tie_id}/share", a, b, share, share, True, start, end,
                            FlatSource(record, line, f"GLEIF: {what}, quantified", None))


def _period(node: _Node, where: str, published: date | None
            ) -> tuple[date | None, date | None]:
    for period in node.all("Relationship/RelationshipPeriods/RelationshipPeriod"):
        if period.text("PeriodType") == "RELATIONSHIP_PERIOD":
            start = day(period.text("StartDate"), where, "StartDate")
            end = day(period.text("EndDate"), where, "EndDate")
            break
    else:
        start = end = None
    if end is None and node.text("Relationship/RelationshipStatus") == "INACTIVE":
        end = published
    return start, end


def _quantified(node: _Node, where: str) -> float | None:
    for q in node.all("Relationship/RelationshipQuantifiers/RelationshipQuantifier"):
        amount = q.text("QuantifierAmount")
        if amount and q.text("QuantifierUnits") == "PERCENTAGE":
            try:
                value = float(amount)
            except ValueError as exc:
                raise InputError(where, f"invalid QuantifierAmount {amount!r}") from exc
            if 0 <= value <= 100:
                return value
    return None


def _exception(node: _Node, where: str, notes: Notes, published: date | None
               ) -> Iterator[Fact]:
    lei = _lei(node, where)
    category = node.text("ExceptionCategory") or "UNKNOWN"
    reason = node.text("ExceptionReason") or "UNKNOWN"
    owner = f"gleif:{lei}/exception/{safe_key(category)}"
    line = int(where.rsplit(":", 1)[1])
    note = f"GLEIF reporting exception {category}: {reason} (owner not known)"
    yield _stub(lei, where)
    yield Party(owner, "unknown", (f"unknown {category.lower().replace('_', ' ')} of LEI "
                                   f"{lei} ({reason})",), None, (),
                FlatSource(f"{lei}/{category}", line, note, None))
    yield FlatOwnership(owner, owner, f"gleif:{lei}", 0.0, 100.0, False, None, None,
                        FlatSource(f"{lei}/{category}", line, note, None))


MAPPERS = {"lei": _entity, "rr": _relationship, "repex": _exception}
