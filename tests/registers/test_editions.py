"""Edition history of GLEIF and BODS (PSC: ``test_ingest.test_history_matches_the_list_
ingests``): a tie a newer snapshot no longer states ends as of that snapshot's date, the
others stay as they were. The GLEIF editions are the real golden-copy excerpt
(../shared/data) and a copy of it, made here, dated a month later without one record."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson

from riskengine.registers import bods, gleif
from riskengine.registers.common import FlatControl, FlatOwnership, Notes
from riskengine.settings import Settings
from riskengine.store.store import Store

RECORD = "<rr:RelationshipRecord "


def _ingest(tmp_path: Path, source: str, paths: list[Path], published: date | None = None,
            force: bool = False) -> list[str]:
    from riskengine.application.registers import ingest_register

    settings = Settings.build({}, db=f"sqlite:///{tmp_path / 'e.db'}", seed=False)
    return ingest_register(settings, source, paths, published, force=force)


def _ties(tmp_path: Path, source: str) -> dict[str, tuple[date | None, date | None]]:
    with Store.open(f"sqlite:///{tmp_path / 'e.db'}") as store:
        facts = store.source_facts(source)
        return {t.id: (t.valid_from, t.valid_to) for t in (*facts.ownerships, *facts.controls)}


def _read(module: Any, paths: list[Path]) -> dict[str, tuple[date | None, date | None]]:
    return {f.id: (f.valid_from, f.valid_to) for f in module.read(paths, Notes(), {})
            if isinstance(f, FlatOwnership | FlatControl)}


def _without_a_record(rr: Path, target: Path, day: str) -> Path:
    head, *records = rr.read_text(encoding="utf-8").split(RECORD)
    head = head.replace("2023-06-05T09:24:22Z", f"{day}T09:00:00Z")
    assert day in head
    target.write_text(RECORD.join([head, *records[:2], *records[3:]]), encoding="utf-8")
    return target


def test_gleif_relationship_gone_ends_as_of_the_newer_snapshot(shared_data: Path,
                                                               tmp_path: Path) -> None:
    folder = shared_data / "gleif_level2_excerpts"
    first = [folder / "lei-data.xml", folder / "rr-data.xml"]
    second = [folder / "lei-data.xml",
              _without_a_record(folder / "rr-data.xml", tmp_path / "rr-data.xml", "2023-07-05")]
    _ingest(tmp_path, "gleif", first)
    assert _ties(tmp_path, "gleif") == _read(gleif, first)
    lines = _ingest(tmp_path, "gleif", second)
    gone = set(_read(gleif, first)) - set(_read(gleif, second))
    assert len(gone) == 1 and f"{len(gone)} ended" in lines[0]
    stored = _ties(tmp_path, "gleif")
    assert {k: v for k, v in stored.items() if k not in gone} == _read(gleif, second)
    assert [stored[k] for k in gone] == [(_read(gleif, first)[k][0], date(2023, 7, 5))
                                         for k in gone]


def _bods(path: Path, owners: list[str]) -> Path:
    statements: list[dict[str, Any]] = [
        {"statementID": "e0", "statementType": "entityStatement", "name": "Subject Ltd"}]
    for key in owners:
        statements += [
            {"statementID": f"p{key}", "statementType": "personStatement",
             "names": [{"fullName": f"Person {key}"}]},
            {"statementID": f"o{key}", "statementType": "ownershipOrControlStatement",
             "subject": {"describedByEntityStatement": "e0"},
             "interestedParty": {"describedByPersonStatement": f"p{key}"},
             "interests": [{"type": "shareholding", "share": {"exact": 10},
                            "startDate": "2020-01-01"}]}]
    path.write_bytes(orjson.dumps(statements))
    return path


def test_bods_interest_gone_ends_as_of_the_newer_snapshot(tmp_path: Path) -> None:
    keys = [str(k) for k in range(20)]
    first = _bods(tmp_path / "a.json", keys)
    second = _bods(tmp_path / "b.json", keys[:7] + keys[8:])  # p7's statement gone
    _ingest(tmp_path, "bods", [first], date(2024, 1, 1))
    _ingest(tmp_path, "bods", [second], date(2024, 2, 1))
    stored = _ties(tmp_path, "bods")
    gone = set(_read(bods, [first])) - set(_read(bods, [second]))
    assert gone == {"bods:o7/0"}
    assert stored["bods:o7/0"] == (date(2020, 1, 1), date(2024, 2, 1))
    assert {k: v for k, v in stored.items() if k not in gone} == _read(bods, [second])
