"""Batch screening on worker processes gives what screening one by one gives, in order;
streamed, it yields before its input is read to the end and keeps a bounded number of items
in flight."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator

import pytest

from riskengine.domain import Entity
from riskengine.screening.batch import (
    AHEAD,
    MIN_PARALLEL,
    chunked,
    screen_many,
    stream_chunks,
    workers_for,
)
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.match import Screener

NAMES = ["Kamaz PJSC", "Tutaev Motor Plant", "Anhui Jianghuai Automobile", "Rostec",
         "Moscow Automotive Factory Moskvich", "Sollers Finance"]


@pytest.fixture(scope="module")
def screener() -> Screener:
    entities = [Entity(id=f"e{i}", name=name) for i, name in enumerate(NAMES)]
    return Screener.build(entities, ScreeningConfig())


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_same_results_in_order(screener: Screener, workers: int) -> None:
    queries = [(q, None, None, 5) for q in ["KAMAZ", "Tutayev Motor", "nothing like it",
                                            "Rostekh", "Moskvich", "Solers"] * 7]
    one_by_one = [screener.screen(*q) for q in queries]
    assert screen_many(screener, queries, workers) == one_by_one
    assert any(found for found in one_by_one) and any(not found for found in one_by_one)


def test_small_batches_stay_in_process() -> None:
    assert workers_for(MIN_PARALLEL - 1) == 1
    assert workers_for(MIN_PARALLEL) >= 1
    assert workers_for(None) == workers_for(MIN_PARALLEL)  # a stream of unknown length


@pytest.mark.parametrize(("count", "first", "size"), [(0, 3, 10), (1, 3, 10), (100, 3, 10),
                                                      (37, 1, 1), (50, 25, 400)])
def test_chunks_start_small_and_double(count: int, first: int, size: int) -> None:
    sizes = [len(c) for c in chunked(range(count), first, size)]
    expected, n, left = [], first, count
    while left > 0:  # reference: the doubling rule, spelled out
        expected.append(min(n, left))
        left, n = left - n, min(size, n * 2)
    assert sizes == expected
    assert [x for c in chunked(range(count), first, size) for x in c] == list(range(count))


class Source:
    """A generator of items that records how far it has been read."""

    def __init__(self, count: int) -> None:
        self.count, self.read = count, 0

    def __iter__(self) -> Iterator[int]:
        for i in range(self.count):
            self.read = i + 1
            yield i


def double(chunk: list[int]) -> list[int]:
    return [2 * x for x in chunk]


@pytest.mark.parametrize("workers", [1, 2])
def test_stream_yields_before_reading_everything(workers: int) -> None:
    source = Source(10_000)
    first, size = 4, 16
    stream = stream_chunks(source, double, workers, first, size)
    assert next(stream) == double(list(range(first)))
    # read at most the chunks in flight: a window of full-size chunks past the first, one
    # handed over and one being read
    assert source.read <= first + (workers * AHEAD + 2) * size
    rest = [x for chunk in stream for x in chunk]
    assert rest == double(list(range(first, 10_000))) and source.read == 10_000


@pytest.mark.parametrize("workers", [1, 2])
def test_items_in_flight_stay_bounded(workers: int) -> None:
    source, size = Source(5_000), 8
    done, most = 0, 0
    for chunk in stream_chunks(source, double, workers, size, size):
        done += len(chunk)
        most = max(most, source.read - done)
    assert done == 5_000
    assert most <= (workers * AHEAD + 3) * size  # independent of the 5,000


def test_closing_the_stream_early_stops_the_workers() -> None:
    source = Source(100_000)
    stream = stream_chunks(source, double, 2, 10, 10)
    next(stream)
    stream.close()
    assert not multiprocessing.active_children()
    assert source.read < 100_000


def boom(chunk: list[int]) -> list[int]:
    if 50 in chunk:
        raise ValueError("bad chunk")
    return chunk


class Broken(Source):
    def __iter__(self) -> Iterator[int]:
        yield from range(35)
        raise ValueError("bad input at 35")


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(("items", "work", "message", "before"), [
    (range(100), boom, "bad chunk", 50), (Broken(0), double, "bad input at 35", 35)])
def test_errors_reach_the_consumer_in_order(workers: int, items: Iterable[int],
                                            work: Callable[[list[int]], list[int]],
                                            message: str, before: int) -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match=message):
        for chunk in stream_chunks(items, work, workers, 10, 10):
            got += chunk
    assert len(got) == before  # every item before the failing one, none after
    assert not multiprocessing.active_children()
