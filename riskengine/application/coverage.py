"""The stored editions a score's coverage rests on (I/O side of ``riskengine.coverage``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.coverage import Edition, Sources
    from riskengine.store.store import Store

COVERAGE_RULES_FILE = "coverage.yaml"


def stored_sources(settings: Settings, store: Store | None = None,
                   known_at: datetime | None = None) -> Sources:
    """Every stored list edition (source, publication date), every FtM ingest (undated,
    with the regimes of its designations) and ``rules/coverage.yaml``; ``known_at``: only
    the ingests finished by then (a run reproduced as its data stood)."""
    from riskengine.application import base
    from riskengine.coverage import CoverageRules, Sources

    rules = base.rule_file(settings, COVERAGE_RULES_FILE, CoverageRules)
    if store is not None:
        return Sources(tuple(_editions(store, known_at)), rules)
    with base.open_store(settings) as opened:
        return Sources(tuple(_editions(opened, known_at)), rules)


def _editions(store: Store, known_at: datetime | None) -> list[Edition]:
    from riskengine.coverage import Edition

    ingests = [i for i in store.ingests() if known_at is None or i.finished_at <= known_at]
    known = {i.id for i in ingests}
    found = [Edition(e.source, e.published) for e in store.editions() if e.ingest_id in known]
    return found + ftm_editions(store, [i.content_hash for i in ingests if i.source == "ftm"])


def ftm_editions(store: Store, hashes: list[str]) -> list[Edition]:
    """One undated edition per FtM ingest (by content hash), covering the regimes its
    designations name."""
    from riskengine.coverage import Edition

    if not hashes:
        return []
    by_file = store.regimes_by_file("ftm")  # one query: millions of facts stay unread
    return [Edition("ftm", None, by_file[h]) for h in dict.fromkeys(hashes) if by_file.get(h)]
