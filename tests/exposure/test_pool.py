"""``exposure.pool``: seed groups propagated on several threads give the very cents of one
thread (integer sums), and a failing group's error comes out."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import riskengine.exposure.score as score_module
from riskengine.exposure import pool
from riskengine.exposure.score import tie_cents
from riskengine.graph import IntArray
from tests.exposure.test_properties import PROPERTY, Case, cases


@PROPERTY
@given(cases(), st.integers(1, 3), st.integers(2, 4))
def test_threads_give_the_cents_of_one_thread(case: Case, group: int, workers: int) -> None:
    before = score_module.SEEDS_AT_ONCE
    score_module.SEEDS_AT_ONCE = group  # several groups per regime: several tasks
    try:
        alone = tie_cents(case.g, case.verdicts, case.scoring, workers=1)
        shared = tie_cents(case.g, case.verdicts, case.scoring, workers=workers)
    finally:
        score_module.SEEDS_AT_ONCE = before
    assert shared.keys() == alone.keys()
    assert all(shared[k].tolist() == alone[k].tolist() for k in alone)


def _adds(at: int, cents: int, seen: set[int]) -> pool.Task:
    def task(total: IntArray) -> None:
        seen.add(threading.get_ident())
        total[at] += cents
    return task


@pytest.mark.parametrize("workers", [1, 2, 5])
def test_every_task_counted_once(workers: int) -> None:
    seen: set[int] = set()
    tasks = [_adds(i % 7, i, seen) for i in range(50)]
    want = np.zeros(7, dtype=np.int64)
    for i in range(50):
        want[i % 7] += i
    assert pool.summed(7, tasks, workers).tolist() == want.tolist()


def test_the_threads_arrays_are_added_up() -> None:
    """Two tasks that wait for each other run on two threads: both threads' cents count."""
    meet = threading.Barrier(2, timeout=10)
    seen: set[int] = set()

    def waiting(at: int) -> pool.Task:
        def task(total: IntArray) -> None:
            meet.wait()
            _adds(at, 10 + at, seen)(total)
        return task

    assert pool.summed(3, [waiting(0), waiting(2)], 2).tolist() == [10, 0, 12]
    assert len(seen) == 2


def test_one_worker_runs_here() -> None:
    seen: set[int] = set()
    pool.summed(3, [_adds(0, 1, seen), _adds(1, 2, seen)], 1)
    assert seen == {threading.get_ident()}


def test_a_failing_task_raises() -> None:
    def broken(total: IntArray) -> None:
        raise ValueError("group failed")

    with pytest.raises(ValueError, match="group failed"):
        pool.summed(3, [_adds(0, 1, set()), broken, _adds(1, 1, set())], 2)


def test_no_tasks_is_zeros() -> None:
    assert pool.summed(4, [], 2).tolist() == [0, 0, 0, 0]
