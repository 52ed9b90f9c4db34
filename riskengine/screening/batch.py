"""Batch screening on every core: the built Screener is shared with forked worker processes
(copy-on-write, nothing pickled but the queries and the candidates), which screen contiguous
chunks; results come back in input order. Small batches, or platforms without ``fork``,
are screened in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence

from riskengine.screening.match import Candidate, Screener

MIN_PARALLEL = 500  # below this many names a pool costs more than it saves
Query = tuple[str, str | None, str | None, int]  # name, country, identifier, limit

_SHARED: list[Screener] = []  # the screener the forked workers inherit


def _screen_chunk(chunk: Sequence[Query]) -> list[list[Candidate]]:
    screener = _SHARED[0]
    return [screener.screen(*q) for q in chunk]


def _chunks(items: Sequence[Query], parts: int) -> list[Sequence[Query]]:
    size = -(-len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]


def workers_for(count: int) -> int:
    """Processes worth using for ``count`` names on this machine (1: no pool)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    fork = "fork" in multiprocessing.get_all_start_methods()
    return min(cores, 8) if fork and count >= MIN_PARALLEL else 1


def screen_many(screener: Screener, queries: Sequence[Query], workers: int | None = None
                ) -> list[list[Candidate]]:
    """``screener.screen(*q)`` for every query, in order, on ``workers`` processes."""
    n = workers_for(len(queries)) if workers is None else workers
    if n <= 1:
        return [screener.screen(*q) for q in queries]
    _SHARED[:] = [screener]
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            parts = pool.map(_screen_chunk, _chunks(queries, n * 4))
    finally:
        _SHARED.clear()
    return [found for part in parts for found in part]
