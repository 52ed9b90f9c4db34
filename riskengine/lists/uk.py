"""UK sanctions lists -> ListEdition: the FCDO UK Sanctions List XML and OFSI's ConList.

Read -> map -> check, like every list module:

* read: ``UK-Sanctions-List.xml`` (``<Designations><Designation>``, dated by
  ``<DateGenerated>``), or OFSI's ``ConList.xlsx`` / ``ConList.csv`` (row 1 'Last Updated
  dd/mm/yyyy', header in row 2, one row per name, grouped by ``Group ID``). A directory may
  hold several; the XML wins over the xlsx over the csv when the same record appears twice.
* map: the record id is the UK Sanctions List reference (``RUS1422``; ConList carries it in
  'Other Information' as '(UK Sanctions List Ref):RUS1422'), else ``group-<Group ID>``, so both
  formats give ``uk:RUS1422``. ``Parent company`` names and 'owned or controlled by <name>'
  designation grounds become unknown-share Ownership ('owned', parents) or
  dominant-influence Control ('controlled', 'owned or controlled') edges, but only where the
  name resolves, by exact normalised name, to one entity of the same edition.
* check: unresolved parent/ground names and unrecognised countries become warnings.
  Low-quality aliases (ConList 'Alias Quality') are kept apart as ``Entity.weak_aliases``.

The format readers live in ``uk_fcdo`` (XML) and ``uk_conlist`` (xlsx, csv); this module
dispatches between them and resolves the ownership and control links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from riskengine.domain import Control, Ownership, Share, Source
from riskengine.lists.base import ListEdition
from riskengine.lists.records import (
    FileMeta,
    ListRecord,
    Notes,
    Publisher,
    assemble,
    list_files,
    name_key,
    unique,
)
from riskengine.lists.uk_conlist import CONLIST_NAME, read_csv, read_xlsx
from riskengine.lists.uk_fcdo import SOURCE, UkRecord, read_fcdo, regime_name

__all__ = ["CONLIST_NAME", "PUBLISHER", "SOURCE", "grounds", "read", "regime_name"]

PUBLISHER = Publisher(
    source=SOURCE, regime="uk", authority="FCDO/OFSI", list_name="UK Sanctions List"
)
_GROUND = re.compile(
    r"\b(owned|controlled)\b[^.]{0,220}?\bby\s+(?P<rest>[^\n]*?)(?:\.\s|\.$|\n|$)", re.I
)
_NAMELY = re.compile(r"\bnamely\s+(?P<name>[^.;\n]+)", re.I)
_NAME_END = re.compile(r"[.;:,(]|\s(?:who|which|and|that|is|as|to|for|in|through|via|with)\s")
_NAME_FILLER = re.compile(r"^(?:the |a |an )?(?:designated (?:person|entity) )?(?:the )?", re.I)
_PARENT_FILLER = re.compile(r"^(?:owned\s*/\s*controlled by|subsidiary of)\s+", re.I)
_UNRESOLVED = {
    "parent": "parent companies or ship owners not resolved in this edition",
    "ground": "ownership/control grounds naming no entity of this edition",
}


def read(path: Path, published: date | None = None) -> ListEdition:
    """Read FCDO XML and/or OFSI ConList xlsx/csv (a file, or a directory of them)."""
    notes = Notes()
    metas: list[FileMeta] = []
    found: dict[str, UkRecord] = {}
    files = list_files(path, _READERS_ORDER)  # XML first, then xlsx, then csv
    for file in sorted(files, key=lambda p: (_READERS_ORDER.index(p.suffix.lower()), p.name)):
        meta, records = _READERS[file.suffix.lower()](file, published, notes)
        metas.append(meta)
        for rec in records:
            if found.setdefault(rec.record.record_id, rec) is not rec:
                notes.add("records repeated across the files read (first copy kept)")
    kept = list(found.values())
    return assemble(PUBLISHER, metas, [r.record for r in kept], notes, _links(kept, notes))


# --- ownership and control links -------------------------------------------------------------


def _links(records: list[UkRecord], notes: Notes) -> tuple[list[Ownership], list[Control]]:
    """Parent-company and 'owned or controlled by' links that resolve within this edition."""
    index = _name_index(r.record for r in records)
    edges: dict[str, Ownership | Control] = {}
    for rec in records:
        rid = rec.record.record_id
        claims = [("parent", "owned", _PARENT_FILLER.sub("", p)) for p in rec.parents]
        claims += [("ground", how, name) for how, name in grounds(rec.grounds)]
        for via, how, name in claims:
            owner = _resolve(index, name, rid)
            if owner is None:
                notes.add(_UNRESOLVED[via], f"uk:{rid} <- {name!r}")
            elif owner != rid:
                edge = _edge(f"uk:{rid}/{via}/{owner}", how, owner, rid, rec.record.source)
                edges[edge.id] = edge
    owns = [e for e in edges.values() if isinstance(e, Ownership)]
    return owns, [e for e in edges.values() if isinstance(e, Control)]


def _edge(edge_id: str, how: str, owner: str, asset: str, source: Source) -> Ownership | Control:
    """Unknown-share Ownership ('owned') or dominant-influence Control ('controlled')."""
    if how == "owned":
        return Ownership(id=edge_id, owner=f"uk:{owner}", asset=f"uk:{asset}",
                         share=Share.unknown(), source=source)
    return Control(id=edge_id, controller=f"uk:{owner}", controlled=f"uk:{asset}",
                   kind="dominant_influence", source=source)


def grounds(text: str) -> list[tuple[str, str]]:
    """('owned' | 'controlled', name) for each 'owned/controlled ... by <name>' in ``text``.

    'owned or controlled' counts as 'controlled'. 'by a designated person ..., namely X' gives
    X; otherwise the words after 'by' up to the first clause break ('who', ',', '.'...).
    Names of one word ('AHMAD', 'IRGC') are left out: too weak to resolve on.
    """
    out: list[tuple[str, str]] = []
    for match in _GROUND.finditer(text or ""):
        phrase = match.group(0)[: match.start("rest") - match.start()].lower()
        how = "controlled" if "controlled" in phrase else "owned"
        sentence = match["rest"]
        namely = _NAMELY.search(sentence)
        name = namely["name"] if namely else _NAME_END.split(sentence, maxsplit=1)[0]
        name = _NAME_FILLER.sub("", name.strip()).strip(" .")
        if len(name.split()) >= 2:  # a lone surname or acronym is too weak to resolve on
            out.append((how, name))
    return out


def _name_index(records: Iterable[ListRecord]) -> dict[str, set[str]]:
    """name_key of every name and alias -> record ids carrying it."""
    index: dict[str, set[str]] = {}
    for rec in records:
        for name in unique(rec.names):
            index.setdefault(name_key(name), set()).add(rec.record_id)
    return index


def _resolve(index: dict[str, set[str]], name: str, rid: str) -> str | None:
    """The one record id whose name is ``name`` (normalised); None if none or several."""
    found = index.get(name_key(name), set())
    if rid in found:
        return rid
    return next(iter(found)) if len(found) == 1 else None


_READERS = {".xml": read_fcdo, ".xlsx": read_xlsx, ".csv": read_csv}
_READERS_ORDER = (".xml", ".xlsx", ".csv")
