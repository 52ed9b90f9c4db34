"""Content-addressed run inputs on SQLite and PostgreSQL: stored once, read back checked."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from riskengine.store import Store
from riskengine.store.snapshots import Snapshot, get_snapshot, put_snapshot
from riskengine.store.store import StoreError

AT = datetime(2026, 11, 1, tzinfo=UTC)
BIG = ("КАМАЗ " * 50_000).encode("utf-8")  # non-ASCII, compressible, > 500 kB


@pytest.mark.parametrize("content", [b"{}", BIG], ids=["small", "large"])
def test_round_trip_and_dedup(store: Store, content: bytes) -> None:
    snap = Snapshot("facts", content)
    with store.transaction(write=True) as conn:
        first = put_snapshot(conn, snap, AT)
        second = put_snapshot(conn, Snapshot("facts", content), AT)
    assert first == second == snap.hash
    assert get_snapshot(store, "facts", first) == content
    with store.transaction(write=False) as conn:
        assert conn.execute(text("SELECT count(*), max(size) FROM snapshots")).one() == (
            1, len(content))


def test_same_content_of_another_kind_is_its_own_row(store: Store) -> None:
    with store.transaction(write=True) as conn:
        put_snapshot(conn, Snapshot("facts", b"{}"), AT)
        put_snapshot(conn, Snapshot("rules", b"{}"), AT)
    assert get_snapshot(store, "rules", Snapshot("rules", b"{}").hash) == b"{}"


def test_missing_and_altered_snapshots_are_refused(store: Store) -> None:
    snap = Snapshot("rules", b'{"scoring.yaml": "scale: 100"}')
    with pytest.raises(StoreError, match="missing"):
        get_snapshot(store, "rules", snap.hash)
    with store.transaction(write=True) as conn:
        put_snapshot(conn, snap, AT)
        conn.execute(text("UPDATE snapshots SET content = :c"),
                     {"c": zlib.compress(b'{"scoring.yaml": "scale: 1"}')})
    with pytest.raises(StoreError, match="does not match its hash"):
        get_snapshot(store, "rules", snap.hash)
