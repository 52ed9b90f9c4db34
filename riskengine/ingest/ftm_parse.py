"""Parsing for ``riskengine.ingest.ftm``: FtM JSON lines to records, and the value parsers.

* ``parse_records``: the non-blank lines of a file as ``FtmRecord`` (id, schema, caption,
  properties, datasets), failing with ``InputError('path:line', ...)`` on any malformed line
  or repeated id;
* ``parse_ftm_date`` / ``parse_share``: FtM dates (possibly partial) and ownership percentages;
* ``classify_measure`` / ``control_kind``: a sanction's measure and a control's kind, from
  their free texts (``MEASURE_PATTERNS``, ``CONTROL_PATTERNS``).

Pure apart from what it is handed: no file access, no database, no clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from riskengine.domain import ControlKind, Measure, Share
from riskengine.errors import InputError
from riskengine.ingest.ftm_ids import SeenIds
from riskengine.lists.ofac_tables import CONS_DEFAULT, CONS_PROGRAMS, NON_SDN_PROGRAMS

# Sanction measure, first match wins, on the lower-cased provisions, program, programId and
# dataset names ('_' and '-' read as spaces). Explicit freeze wording beats everything; then
# export controls, sectoral measures, and listings that are clearly not financial sanctions
# (travel bans, director disqualifications, procurement exclusions). Default: asset_freeze.
MEASURE_PATTERNS: tuple[tuple[Measure, re.Pattern[str]], ...] = (
    ("asset_freeze", re.compile(r"asset freeze|\bfreez|\bblock|\bgels?\b|資産凍結|блокування")),
    ("export_control", re.compile(r"entity list|\bexport|\bus bis\b|dual use|end user|輸出")),
    ("sectoral", re.compile(r"\bsectoral|\bssi\b|\bdirective [1-4]\b|menu based")),
    ("other", re.compile(r"disqualif|travel bans?\b|visa ban|\bexclusion|\bdebar")),
)
# Datasets that are lists of blocked persons whatever the program tag: an entry of OFAC's SDN
# list blocks (EO 13662 is a blocking order; its directives are one use of it), so the program
# string alone (UKRAINE-EO13662) never makes an SDN entry sectoral. Issue 13.
BLOCKING_DATASETS: frozenset[str] = frozenset({"us_ofac_sdn"})
# Datasets of non-blocking lists: OFAC's consolidated non-SDN lists (SSI, NS-MBS, CMIC, ...):
# a program there names the sub-list (lists.ofac_tables.CONS_PROGRAMS), anything else is
# 'other'. Never a freeze, unless the provisions say so in words.
NON_SDN_DATASETS: frozenset[str] = frozenset({"us_ofac_cons"})
# Control type text -> ControlKind, first match wins; anything else is dominant_influence.
CONTROL_PATTERNS: tuple[tuple[ControlKind, re.Pattern[str]], ...] = (
    ("board_appointment", re.compile(r"\bboard|\bappoint|\bdirectors?\b")),
    ("voting_agreement", re.compile(r"\bvot(e|es|ing)\b")),
    ("nominee", re.compile(r"\bnominee")),
    ("trust", re.compile(r"\btrust")),
    ("state", re.compile(r"\bstate\b|\bgovernment")),
    ("joint_arrangement", re.compile(r"\bjoint")),
    ("management", re.compile(r"\bmanag")),
    ("dominant_influence", re.compile(r"\bdominant|\binfluence|\bcontrol")),
)
# An FtM line is an object of lists of strings (3 levels); a line nested deeper than this
# is refused before the json module recurses into it.
MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ].*)?)?)?")
_NUMBER = r"(\d+(?:[.,]\d+)?)\s*%?"
_EXACT = re.compile(_NUMBER)
_RANGE = re.compile(_NUMBER + r"\s*(?:-|–|—|to)\s*" + _NUMBER)


class FtmRecord(NamedTuple):
    """One parsed line. ``properties`` values are lists of strings, as in FtM."""

    id: str
    schema: str
    caption: str | None
    properties: dict[str, list[str]]
    datasets: tuple[str, ...]
    line: int

    def values(self, prop: str) -> list[str]:
        """Values of ``prop``, white space collapsed, empty ones dropped."""
        found = self.properties.get(prop)
        if not found:
            return []
        cleaned = [" ".join(v.split()) for v in found]
        return cleaned if all(cleaned) else [v for v in cleaned if v]

    def first(self, prop: str) -> str | None:
        """The first value of ``prop``, or None."""
        for value in self.properties.get(prop, ()):
            cleaned = " ".join(value.split())
            if cleaned:
                return cleaned
        return None


def parse_records(path: Path, lines: Iterable[bytes], id_at: Callable[[int], str | None]
                  ) -> Iterator[FtmRecord]:
    """The records of ``lines`` (numbered from 1, blank ones skipped). A repeated id is an
    error (``ftm_ids.SeenIds``; ``id_at(line)`` reads a line's id again to confirm one)."""
    seen = SeenIds(path, id_at)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        rec = _parse(path, number, raw)
        seen.add(rec.id, number)
        yield rec
    seen.fold()


def record_id(path: Path, number: int, raw: bytes) -> str:
    """The id of line ``number`` (``raw``), as ``parse_records`` reads it."""
    return _parse(path, number, raw).id


def _loads(raw: bytes, path: Path, line: int) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass  # json decides, with its own messages (and accepts what it always accepted)
    _check_depth(f"{path}:{line}", raw)  # json.loads recurses: refuse a too deep line first
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}:{line}", f"not valid UTF-8: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{line}",
                         f"invalid JSON: {exc.msg} (column {exc.colno})") from exc
    except ValueError as exc:  # e.g. a number of more digits than Python converts (4300)
        raise InputError(f"{path}:{line}", f"invalid JSON: {str(exc).split(';')[0]}") from exc


def _check_depth(where: str, raw: bytes) -> None:
    """Refuse a line nested deeper than ``MAX_DEPTH``. Only a line with that many brackets
    at all is scanned; strings are blanked first, so brackets inside names do not count."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        depth += 1 if match[0] in b"[{" else -1
        if depth > MAX_DEPTH:
            raise InputError(where, f"JSON nested deeper than {MAX_DEPTH} levels")


def _parse(path: Path, line: int, raw: bytes) -> FtmRecord:
    data = _loads(raw, path, line)
    if type(data) is not dict or not _plain(data):
        return _checked(data, f"{path}:{line}", line)
    caption = data.get("caption")
    return FtmRecord(data["id"].strip(), data["schema"].strip(),
                     caption.strip() or None if caption else None,
                     data.get("properties", {}), tuple(data.get("datasets", ())), line)


def _plain(data: dict[str, Any]) -> bool:
    """True when the record has the common, well-formed shape: then ``_parse`` takes it as
    it is, else ``_checked`` checks it field by field (the same result, or the error)."""
    key, schema, caption = data.get("id"), data.get("schema"), data.get("caption")
    if type(key) is not str or type(schema) is not str or not key.strip() or not schema.strip():
        return False
    if caption is not None and type(caption) is not str:
        return False
    props, datasets = data.get("properties", {}), data.get("datasets", [])
    if type(props) is not dict or not _strings(datasets):
        return False
    for values in props.values():  # loops, not all(): this runs for every line  # noqa: SIM110
        if not _strings(values):
            return False
    return True


def _strings(values: object) -> bool:
    if type(values) is not list:
        return False
    for value in values:  # noqa: SIM110 (see _plain)
        if type(value) is not str:
            return False
    return True


def _checked(data: Any, where: str, line: int) -> FtmRecord:
    if not isinstance(data, dict):
        raise InputError(where, f"expected a JSON object, got {type(data).__name__}")
    return FtmRecord(
        id=_required(data, "id", where),
        schema=_required(data, "schema", where),
        caption=_text(data, "caption", where),
        properties=_properties(data.get("properties", {}), where),
        datasets=tuple(_text_list(data.get("datasets", []), "'datasets'", where)),
        line=line,
    )


def _text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(where, f"'{key}' must be a string, got {type(value).__name__}")
    return value.strip() or None if value else None


def _required(data: dict[str, Any], key: str, where: str) -> str:
    value = _text(data, key, where)
    if value is None:
        raise InputError(where, f"record has no '{key}'")
    return value


def _properties(value: object, where: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise InputError(where, f"'properties' must be an object, got {type(value).__name__}")
    return {str(k): _text_list(v, f"property '{k}'", where) for k, v in value.items()}


def _text_list(value: object, what: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(where, f"{what} must be a list of strings")
    return value


def parse_ftm_date(text: str) -> date:
    """An FtM date, possibly partial ('2022', '2022-06'): the first day of the period."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"unrecognised date {text!r}")
    return date(int(match[1]), int(match[2] or 1), int(match[3] or 1))


def _bounded(low: str, high: str, text: str) -> Share:
    numbers = float(low.replace(",", ".")), float(high.replace(",", "."))
    if not 0 <= numbers[0] <= numbers[1] <= 100:
        raise ValueError(f"share {text!r} is not a range within 0-100")
    return Share(low=numbers[0], high=numbers[1])


def parse_share(text: str) -> Share:
    """'49' or '49.5%' -> exact; '25-50' -> range. ValueError when it is neither (or > 100)."""
    stripped = text.strip()
    exact = _EXACT.fullmatch(stripped)
    if exact:
        return _bounded(exact[1], exact[1], text)
    span = _RANGE.fullmatch(stripped)
    if span:
        return _bounded(span[1], span[2], text)
    raise ValueError(f"unrecognised share {text!r}")


def _normalised(texts: list[str]) -> str:
    return " ".join(texts).lower().replace("_", " ").replace("-", " ")


def classify_measure(texts: list[str], datasets: Iterable[str] = (),
                     programs: Iterable[str] = ()) -> Measure:
    """Measure of a sanction, by list first: explicit freeze wording in ``texts`` (provisions,
    program, dataset names) wins; then an SDN dataset blocks whatever its program; then
    ``MEASURE_PATTERNS`` on the texts; a non-SDN dataset gives the sub-list of its program
    (UKRAINE-EO13662 -> sectoral SSI) or 'other'; default asset_freeze."""
    text, found = _normalised(texts), set(datasets)
    freeze = MEASURE_PATTERNS[0][1]
    if freeze.search(text) or found & BLOCKING_DATASETS:
        return "asset_freeze"
    matched = next((m for m, pattern in MEASURE_PATTERNS[1:] if pattern.search(text)), None)
    if found & NON_SDN_DATASETS:
        return matched or _non_sdn(programs)
    return matched or "asset_freeze"


def _non_sdn(programs: Iterable[str]) -> Measure:
    """Measure of an OFAC non-SDN listing by its program (the OFAC reader's table)."""
    for program in programs:
        hit = CONS_PROGRAMS.get(program) or NON_SDN_PROGRAMS.get(program)
        if hit:
            return hit[1]
    return CONS_DEFAULT[1]


def control_kind(text: str | None) -> ControlKind | None:
    """ControlKind for an FtM control type text; None when it is not recognised."""
    normal = _normalised([text or ""])
    return next((kind for kind, pattern in CONTROL_PATTERNS if pattern.search(normal)), None)

