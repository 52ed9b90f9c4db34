"""A party's names, identifiers and source after a newer snapshot are those the snapshot
states: rows at positions it no longer fills are gone, the others replaced in place
(``write.Writer._trim``). Reference: a fresh store that ingested that snapshot alone. Random
BODS editions in which persons' names and companies' identifiers grow, shrink and vanish,
with ties stored and without."""

from __future__ import annotations

import random
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from riskengine.settings import Settings

QUERIES = {"entity_names": "SELECT entity_id, position, name, name_key FROM entity_names",
           "entity_identifiers": "SELECT entity_id, position, scheme, value, country, "
                                 "stated_from, stated_to FROM entity_identifiers",
           "entity_sources": "SELECT entity_id, position, record_id, line, note, file "
                             "FROM entity_sources",
           "entities": "SELECT id, kind, name, country FROM entities"}


def _edition(rng: random.Random, path: Path) -> Path:
    statements: list[dict[str, Any]] = []
    for key in rng.sample(range(12), rng.randrange(3, 12)):
        names = [{"fullName": f"Person {key} {n}"} for n in range(rng.randrange(4))]
        statements.append({"statementID": f"p{key}", "statementType": "personStatement",
                           "names": names})
        idents = [{"scheme": "GB-COH", "id": f"{key:02d}{n}"} for n in range(rng.randrange(3))]
        statements.append({"statementID": f"e{key}", "statementType": "entityStatement",
                           "name": f"Company {key} v{rng.randrange(3)}",
                           "identifiers": idents})
        if rng.random() < 0.5:  # editions with ties and without
            statements.append({
                "statementID": f"o{key}", "statementType": "ownershipOrControlStatement",
                "subject": {"describedByEntityStatement": f"e{key}"},
                "interestedParty": {"describedByPersonStatement": f"p{key}"},
                "interests": [{"type": "shareholding", "share": {"exact": 10}}]})
    path.write_bytes(orjson.dumps(statements))
    return path


def _ingest(db: Path, path: Path, day: date) -> None:
    from riskengine.application.registers import ingest_register

    settings = Settings.build({}, db=f"sqlite:///{db}", seed=False)
    ingest_register(settings, "bods", [path], day, force=True)


def _children(db: Path, ids: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {table: sorted(r for r in conn.execute(sql) if r[0] in ids)
                for table, sql in QUERIES.items()}
    finally:
        conn.close()


@pytest.mark.parametrize("seed", range(4))
def test_children_are_those_of_the_latest_snapshot(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for month in range(1, 6):
        path = _edition(rng, tmp_path / f"bods-{month}.json")
        _ingest(tmp_path / "history.db", path, date(2024, month, 1))
        fresh = tmp_path / f"fresh-{month}.db"
        _ingest(fresh, path, date(2024, month, 1))
        ids = {f"bods:{s['statementID']}" for s in orjson.loads(path.read_bytes())}
        found, reference = _children(tmp_path / "history.db", ids), _children(fresh, ids)
        assert found == reference
        assert reference["entity_names"] and reference["entity_identifiers"]
