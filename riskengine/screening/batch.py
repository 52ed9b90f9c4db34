"""Batch screening on every core, streamed: the input is taken in chunks, each chunk is
screened by a forked worker process (the built Screener and whatever else the work needs are
inherited copy-on-write; nothing is pickled but a chunk's items and its results), and the
results come back chunk by chunk, in input order, while later chunks are still being read.
At most ``AHEAD`` chunks per worker are in flight, so memory does not grow with the number
of rows. Small batches, or platforms without ``fork``, are screened in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any, TypeVar

from riskengine.screening.match import Candidate, Screener

MIN_PARALLEL = 500  # below this many names a pool costs more than it saves
FIRST_CHUNK = 25  # the first chunk is small, so the first rows come out early ...
CHUNK = 400  # ... and later ones double up to this many items
AHEAD = 3  # chunks in flight per worker: enough to keep it busy, bounded memory
POLL = 0.05  # seconds between looks at the workers while waiting for input
WORKER_GC = 100_000  # a worker's allocations between two young-generation collections:
# screening makes many short-lived objects and almost no reference cycles, and at
# Python's default (700) the collector took about a sixth of a worker's time
Query = tuple[str, str | None, str | None, int]  # name, country, identifier, limit

T = TypeVar("T")
R = TypeVar("R")

_WORK: list[Callable[[Any], Any]] = []  # the work the forked workers inherit


def _run_chunk(chunk: list[Any]) -> Any:
    return _WORK[0](chunk)


def chunked(items: Iterable[T], first: int = FIRST_CHUNK, size: int = CHUNK
            ) -> Iterator[list[T]]:
    """Consecutive chunks of ``items``, read lazily: ``first`` items, then twice as many
    each time up to ``size``. When reading ``items`` fails, the items read before are
    yielded first, then the error is raised."""
    it, n = iter(items), max(1, first)
    while True:
        chunk: list[T] = []
        try:
            chunk.extend(islice(it, n))
        except Exception:
            if chunk:  # the items read before the error still count
                yield chunk
            raise
        if not chunk:
            return
        yield chunk
        n = min(max(size, 1), n * 2)


def cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - platforms without affinity


def workers_for(count: int | None) -> int:
    """Processes worth using for ``count`` names (None: unknown, many) here (1: no pool)."""
    fork = "fork" in multiprocessing.get_all_start_methods()
    many = count is None or count >= MIN_PARALLEL
    return min(cores(), 8) if fork and many else 1


def stream_chunks(items: Iterable[T], work: Callable[[list[T]], R], workers: int,
                  first: int = FIRST_CHUNK, size: int = CHUNK) -> Generator[R]:
    """``work(chunk)`` for consecutive chunks of ``items`` (``chunked``), in order, on
    ``workers`` forked processes (1: in this process). ``items`` is read only as far as
    the chunks in flight need: a result is yielded as soon as its chunk and all earlier
    ones are done. ``work`` is inherited by the workers, never pickled."""
    chunks = chunked(items, first, size)
    if workers <= 1:
        yield from (work(chunk) for chunk in chunks)
        return
    _WORK[:] = [work]
    gc.collect()
    gc.freeze()  # objects made so far stay out of the workers' collections: fewer copies
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        yield from _in_order(pool, chunks, workers * AHEAD)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _WORK.clear()
        gc.unfreeze()


def _worker_start() -> None:
    """A worker collects cycles rarely (``WORKER_GC``); what the parent made before the
    fork is frozen, never traversed."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(WORKER_GC, older, oldest)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def _in_order(pool: Any, chunks: Iterator[list[T]], window: int) -> Iterator[Any]:
    """Results of ``chunks`` sent to ``pool``, oldest first, at most ``window`` pending.
    The chunks are read on a thread, so a result is yielded as soon as it is done even
    while the input (a pipe) is slow to give the next chunk."""
    inbox: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    threading.Thread(target=_read_ahead, args=(chunks, inbox, stop), daemon=True).start()
    pending: deque[Any] = deque()
    reading, failed = True, None
    try:
        while reading or pending:
            if pending and (not reading or len(pending) >= window or pending[0].ready()):
                yield pending.popleft().get()
                continue
            try:
                item = inbox.get(timeout=POLL)
            except queue.Empty:
                continue
            failed = item.error if isinstance(item, _Failed) else None
            reading = item is not _END and failed is None
            if reading:
                pending.append(pool.apply_async(_run_chunk, (item,)))
    finally:
        stop.set()
    if failed is not None:  # after the results of the chunks read before it
        raise failed


def _read_ahead(chunks: Iterator[list[T]], inbox: queue.Queue[Any], stop: threading.Event
                ) -> None:
    """Put the chunks into ``inbox`` (then ``_END``, or the error reading raised) until
    ``stop`` is set."""
    try:
        for chunk in chunks:
            if not _hand(inbox, chunk, stop):
                return
        _hand(inbox, _END, stop)
    except Exception as exc:  # handed over, raised by the consumer
        _hand(inbox, _Failed(exc), stop)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _hand(inbox: queue.Queue[Any], item: object, stop: threading.Event) -> bool:
    """Put ``item`` into ``inbox``, waiting while it is full; False when stopped first."""
    while not stop.is_set():
        try:
            inbox.put(item, timeout=POLL)
        except queue.Full:
            continue
        return True
    return False


def screen_many(screener: Screener, queries: Sequence[Query], workers: int | None = None
                ) -> list[list[Candidate]]:
    """``screener.screen(*q)`` for every query, in order, on ``workers`` processes."""
    n = workers_for(len(queries)) if workers is None else workers

    def work(chunk: list[Query]) -> list[list[Candidate]]:
        return [screener.screen(*q) for q in chunk]

    size = max(1, -(-len(queries) // (max(n, 1) * 4)))
    return list(chain.from_iterable(stream_chunks(queries, work, n, size, size)))
