"""An ingest and its audit entry are one transaction: neither exists without the other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from riskengine.domain import Dataset
from riskengine.store import EditionRecord, Store, StoreError
from riskengine.store.audit import audit_entries, ingest_audit, ingest_digest, verify_audit
from tests.store.builders import record, sample_dataset

EDITION = EditionRecord(source="ofac-sdn", published=date(2024, 6, 28), content_hash="ab" * 32)


def _ingest(store: Store, dataset: Dataset, audit: Any) -> None:
    store.save_ingest(dataset, record(), audit)


def _edition(store: Store, dataset: Dataset, audit: Any) -> None:
    store.save_edition(dataset, record(), EDITION, audit)


SAVES: list[tuple[str, Callable[[Store, Dataset, Any], None]]] = [
    ("save_ingest", _ingest), ("save_edition", _edition)]


@pytest.mark.parametrize("save", [s[1] for s in SAVES], ids=[s[0] for s in SAVES])
def test_an_ingest_has_exactly_its_audit_entry(store: Store, save: Callable[..., None]) -> None:
    save(store, sample_dataset(), ingest_audit("ana", {"path": "sdn.csv", "summary": ["x"]}))
    [entry] = audit_entries(store)
    [ingest] = store.ingests()
    assert (entry.actor, entry.action, entry.at) == ("ana", "ingest", ingest.finished_at)
    assert entry.details == {"path": "sdn.csv", "summary": ["x"], "ingest": ingest.id,
                             "source": "ofac-sdn", "file": "sdn.csv"}
    assert entry.hashes == {"file": ingest.content_hash, "ingest": ingest_digest(ingest)}
    assert verify_audit(store) == (1, None)


@pytest.mark.parametrize("save", [s[1] for s in SAVES], ids=[s[0] for s in SAVES])
def test_a_failing_audit_append_rolls_back_the_ingest(store: Store, save: Callable[..., None],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    monkeypatch.setattr("riskengine.store.audit.append_audit", broken)
    with pytest.raises(StoreError, match="nothing was written"):
        save(store, sample_dataset(), ingest_audit("ana", {}))
    assert store.ingests() == [] and store.editions() == []
    assert store.load_dataset() == Dataset()
    assert audit_entries(store) == []
