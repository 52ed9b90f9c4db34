"""Whole-graph exposure work spread over threads, with the sequential path's very result.

The kernels spend their time in numpy on arrays of thousands to millions of rows (sorts,
gathers, searches), which run without the GIL: two threads on two cores propagate two
groups of seeds at once. Each thread adds into an integer array of its own, and the arrays
are added up at the end: integer addition does not depend on the order, so any number of
threads and any sharing of the tasks give the same cents as one thread. Pure: no I/O.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from riskengine.graph import IntArray

Task = Callable[[IntArray], None]  # adds its cents into the array it is given


def summed(n: int, tasks: Sequence[Task], workers: int) -> IntArray:
    """The sum, per entity, of what every task adds into an int64 array of ``n`` zeros: the
    tasks run on ``workers`` threads (1: here, in order), each thread taking the next task
    left when it is done with one. A task's error is raised here; the others stop early."""
    if workers <= 1 or len(tasks) <= 1:
        total = np.zeros(n, dtype=np.int64)
        for task in tasks:
            task(total)
        return total
    queue = _Queue(iter(tasks))
    with ThreadPoolExecutor(min(workers, len(tasks))) as pool:
        futures = [pool.submit(queue.drain, n) for _ in range(min(workers, len(tasks)))]
        total = futures[0].result()
        for other in futures[1:]:
            total += other.result()
    return total


class _Queue:
    """The tasks left, handed out one at a time to whichever thread asks first."""

    def __init__(self, tasks: Iterator[Task]) -> None:
        self._tasks, self._lock, self._failed = tasks, threading.Lock(), False

    def _next(self) -> Task | None:
        with self._lock:
            return None if self._failed else next(self._tasks, None)

    def drain(self, n: int) -> IntArray:
        """Run tasks until none are left, into an array of this thread's own."""
        total = np.zeros(n, dtype=np.int64)
        while (task := self._next()) is not None:
            try:
                task(total)
            except BaseException:
                self._failed = True
                raise
        return total
