"""Persistence: the fact store (SQLite or PostgreSQL) and its migrations."""

from __future__ import annotations

from riskengine.store.records import EditionRecord, IngestRecord
from riskengine.store.store import Store, StoreError

__all__ = ["EditionRecord", "IngestRecord", "Store", "StoreError"]
