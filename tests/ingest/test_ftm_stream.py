"""`ingest ftm` in chunks (bounded memory) stores exactly what the whole-file path stores,
and keeps its guarantees: one transaction, a bad or repeated line late in the file leaves
the store as it was, a file changed while it is read is refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError

from riskengine.application import ingest as app_ingest
from riskengine.errors import InputError
from riskengine.ingest import ftm
from riskengine.ingest.ftm_flat import FlatFacts, resolve_flat
from riskengine.ingest.ftm_ids import SeenIds
from riskengine.settings import Settings
from riskengine.store import Store, bulk
from riskengine.store.store import IngestRecord, StoreError
from tests.cli.conftest import BACKENDS, backend_url
from tests.conftest import FIXTURES

SAMPLE = FIXTURES / "ftm" / "sample.ftm.json"
TABLES = ("entities", "entity_names", "entity_identifiers", "entity_sources", "designations",
          "ownerships", "controls", "relationships")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request, tmp_path)


def _rows(url: str) -> dict[str, list[str]]:
    with Store.open(url) as store, store.transaction(write=False) as conn:
        return {t: sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
                for t in TABLES}


def _edges_first(tmp_path: Path) -> Path:
    """The sample with its lines reversed: edges come before the entities they name (so
    chunks hold facts whose entities come later), plus one edge to an unknown entity."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    dangling = ('{"id": "own-dangling", "schema": "Ownership", "properties": '
                '{"owner": ["nobody-anywhere"], "asset": ["' + _first_entity(lines) + '"]}}')
    path = tmp_path / SAMPLE.name
    path.write_text("\n".join([dangling, *reversed(lines)]) + "\n", encoding="utf-8")
    return path


def _first_entity(lines: list[str]) -> str:
    return ftm.scan_ftm(SAMPLE).facts.entities[0].id


def _reference(url: str, path: Path) -> list[str]:
    """The whole-file path (scan, resolve, one bulk write): what chunks must equal."""
    scan = ftm.scan_ftm(path)
    with Store.open(url) as store:
        facts, warnings = resolve_flat(scan.facts, store.entity_ids())
        store.save_ingest(facts, IngestRecord(source="ftm", file=str(path),
                                              content_hash=scan.content_hash,
                                              started_at=_now(), finished_at=_now()))
    return warnings


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize("size", [1, 2, 5, 0])
def test_chunks_store_what_the_whole_file_stores(url: str, reference: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 size: int) -> None:
    path = _edges_first(tmp_path)
    monkeypatch.setattr(ftm, "CHUNK_RECORDS", size)
    lines = app_ingest.ingest_ftm(Settings(db_url=url), path, "test")
    chunked = _rows(url)
    warnings = _reference(reference, path)
    assert chunked == _rows(reference)
    assert all(chunked[t] for t in ("entities", "ownerships", "designations"))
    assert [w for w in lines if "not in the file or the store" in w] == \
        [f"warning: {w}" for w in warnings] != []


@pytest.fixture
def reference(url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same kind as ``url`` (a schema of its own on
    PostgreSQL, dropped after the test)."""
    if url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.db'}"
        return
    schema = url.rsplit("%3D", 1)[1] + "_ref"
    with Store.open(url) as store, store.transaction(write=True) as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield url.rsplit("%3D", 1)[0] + "%3D" + schema
    finally:
        with Store.open(url) as store, store.transaction(write=True) as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _counts(url: str) -> dict[str, int]:
    with Store.open(url) as store, store.transaction(write=False) as conn:
        return {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                for t in (*TABLES, "ingests", "audit_log")}


@pytest.mark.parametrize("bad", ['{"id": "x", "schema": ', "dup"])
def test_a_bad_line_after_written_chunks_leaves_the_store_as_it_was(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    settings_ = Settings(db_url=url)
    app_ingest.ingest_ftm(settings_, SAMPLE, "test")
    before, rows = _counts(url), _rows(url)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    last = lines[0] if bad == "dup" else bad  # a repeat of the first record, or broken JSON
    path = tmp_path / "late.ftm.json"
    path.write_text("\n".join([*lines, last]) + "\n", encoding="utf-8")
    monkeypatch.setattr(ftm, "CHUNK_RECORDS", 2)
    with pytest.raises(InputError) as err:
        app_ingest.ingest_ftm(settings_, path, "test")
    assert err.value.location == f"{path}:{len(lines) + 1}"
    assert ("duplicate id" in err.value.message) is (bad == "dup")
    assert _counts(url) == before and _rows(url) == rows


def test_a_failed_chunk_write_leaves_the_store_as_it_was(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks are written on a second thread while the next is read (``Store._settle``): a
    database error in the second chunk's write ends the ingest with nothing kept, and the
    reading stops there (no later chunk is written)."""
    settings_ = Settings(db_url=url)
    app_ingest.ingest_ftm(settings_, SAMPLE, "test")
    before, rows = _counts(url), _rows(url)
    path = tmp_path / "again.ftm.json"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace('"id": "', '"id": "n-'),
                    encoding="utf-8")
    monkeypatch.setattr(ftm, "CHUNK_RECORDS", 2)
    written: list[int] = []
    real = bulk.FlatSink.write

    def failing(sink: bulk.FlatSink, facts: FlatFacts) -> None:
        written.append(len(facts.entities) + len(facts.ownerships))
        if len(written) == 2:
            raise sqlite3.OperationalError("disk I/O error (injected)")
        real(sink, facts)

    monkeypatch.setattr(bulk.FlatSink, "write", failing)
    with pytest.raises((StoreError, sqlite3.OperationalError, DBAPIError)):
        app_ingest.ingest_ftm(settings_, path, "test")
    assert len(written) <= 3  # at most the chunk read while the failing one was written
    assert _counts(url) == before and _rows(url) == rows


def test_a_file_changed_while_read_is_refused(url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ftm, "_file_hash", lambda path: "0" * 64)  # as if it changed since
    with pytest.raises(InputError, match="changed while it was read"):
        app_ingest.ingest_ftm(Settings(db_url=url), SAMPLE, "test")
    assert not any(_counts(url).values())


# --- repeated ids in bounded memory, against a dict of every id ----------------------------

def _first_repeat(ids: list[str]) -> tuple[int, int] | None:
    first: dict[str, int] = {}
    for line, rid in enumerate(ids, start=1):
        if rid in first:
            return line, first[rid]
        first[rid] = line
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcdefghij"), max_size=30), st.integers(1, 4),
       st.integers(1, 3))
def test_seen_ids_finds_exactly_the_repeats(ids: list[str], batch: int, buckets: int) -> None:
    """Few hash values (``buckets``) force collisions: only real repeats are reported, each
    naming a line and the first line of the same id; a file without one passes."""
    seen = SeenIds(Path("f"), lambda line: ids[line - 1], key=lambda s: ord(s) % buckets,
                   batch=batch)
    try:
        for line, rid in enumerate(ids, start=1):
            seen.add(rid, line)
        seen.fold()
    except InputError as exc:
        line = int(exc.location.split(":")[1])
        first = int(exc.message.split("first at line ")[1].rstrip(")"))
        assert ids[line - 1] == ids[first - 1] and first < line
        assert ids.index(ids[first - 1]) == first - 1  # the id's first line
        assert _first_repeat(ids) is not None
        return
    assert _first_repeat(ids) is None
