"""A run's columnar facts snapshot reads back as exactly the stored facts, and the same facts
give the same bytes (so runs share one snapshot)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from pyarrow import ipc

from riskengine.application import ingest as app_ingest
from riskengine.settings import Settings
from riskengine.store import Store, facts_parts, facts_snapshot
from riskengine.store.facts_parts import PART_ROWS
from riskengine.store.facts_snapshot import MAGIC, MAGIC2, decode, part_keys, read_snapshot
from riskengine.store.store import StoreError
from tests.cli.conftest import BACKENDS, backend_url

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = backend_url(request, tmp_path)
    settings = Settings(db_url=url)
    app_ingest.ingest_list(settings, "uk", FIXTURES / "uk" / "ConList.excerpt.xlsx",
                        date(2025, 4, 14), actor="test")
    app_ingest.ingest_ftm(settings, FIXTURES / "ftm" / "sample.ftm.json", "test")
    return url


@pytest.mark.parametrize("rows", [3, PART_ROWS])
def test_snapshot_reads_back_as_the_stored_facts(db: str, rows: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """In parts of a few rows (many parts per table) or of the default size."""
    monkeypatch.setattr(facts_parts, "PART_ROWS", rows)
    snap = read_snapshot(db)
    with Store.open(db) as store:
        assert decode(snap.content, snap.parts) == store.load_dataset()
        assert snap.version == store.data_version()
        counts = store.counts()
    assert snap.content.startswith(MAGIC2) and sorted(part_keys(snap.content)) == sorted(
        snap.parts)
    if rows == 3:  # every part full but a table's last one
        assert len(snap.parts) >= sum((n + 2) // 3 for n in counts.values() if n) > 8


def test_same_facts_same_bytes(db: str) -> None:
    assert read_snapshot(db) == read_snapshot(db)


def test_a_missing_part_is_an_error(db: str) -> None:
    snap = read_snapshot(db)
    first = part_keys(snap.content)[0]
    with pytest.raises(StoreError, match=f"part {first[:12]} of the facts snapshot is missing"):
        decode(snap.content, {k: v for k, v in snap.parts.items() if k != first})


def test_runs_stored_in_one_stream_per_table_still_decode(db: str) -> None:
    """The format before parts (``MAGIC``: one stream per table, sorted by primary key,
    after a header)."""
    snap = read_snapshot(db)
    header = json.loads(snap.content[len(MAGIC2):])
    streams = {name: _one_stream(name, [snap.parts[k] for k in keys])
               for name, keys in header["tables"].items()}
    old = MAGIC + json.dumps({"version": snap.version, "tables": {
        k: len(v) for k, v in streams.items()}}).encode() + b"\n" + b"".join(streams.values())
    assert decode(old) == decode(snap.content, snap.parts)


def _one_stream(name: str, parts: list[bytes]) -> bytes:
    table = pa.concat_tables([ipc.open_stream(pa.py_buffer(p)).read_all() for p in parts])
    table = facts_snapshot._sorted(table, name)
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def test_runs_stored_before_keep_their_json(db: str) -> None:
    with Store.open(db) as store:
        facts = store.load_dataset()
    assert decode(facts.model_dump_json().encode()) == facts


@pytest.mark.parametrize("parts", [[], [b"a"], [b"one", b"", b"two", b"one"],
                                   [bytes(range(256)) * 1000, b"x"]])
def test_spilled_parts_read_back_as_a_dict_of_them(parts: list[bytes]) -> None:
    spilled = facts_snapshot.SpilledParts()
    keys = [spilled.add(p) for p in parts]
    want = {hashlib.sha256(p).hexdigest(): p for p in parts}
    assert keys == [hashlib.sha256(p).hexdigest() for p in parts]
    assert dict(spilled) == want and spilled == want and list(spilled) == list(want)
    assert len(spilled) == len(want)
