"""Persistence: the fact store (SQLite or PostgreSQL) and its migrations."""

from __future__ import annotations

from riskengine.store.records import IngestRecord
from riskengine.store.store import Store, StoreError

__all__ = ["IngestRecord", "Store", "StoreError"]
