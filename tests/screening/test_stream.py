"""``screen_stream``: what ``screen_all`` gives, chunk by chunk, from a lazily read input;
the memory it holds does not grow with the number of rows."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Iterator

import pytest

from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.match import Screener
from riskengine.screening.report import ScreenQuery, screen_all, screen_stream

NAMES = ["Kamaz PJSC", "Tutaev Motor Plant", "Anhui Jianghuai Automobile", "Rostec"]
SIZE = 8  # rows per chunk once the chunks are full size
QUERIES = ["KAMAZ", "Tutayev Motor", "nothing like it", "Rostekh", "Jianghuai Auto"]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.build([Entity(id=f"e{i}", name=n) for i, n in enumerate(NAMES)],
                          ScreeningConfig())


def inputs(count: int) -> Iterator[ScreenQuery]:
    for i in range(count):
        yield ScreenQuery(QUERIES[i % len(QUERIES)], id=f"r{i}", line=i + 2)


def ndjson(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


@pytest.mark.parametrize("workers", [1, 2])
def test_stream_gives_what_screen_all_gives(screener: Screener, workers: int) -> None:
    whole = screen_all(screener, list(inputs(300)), 5)
    streamed = screen_stream(screener, inputs(300), 5, workers=workers, finish=ndjson)
    assert "".join(streamed) == ndjson(whole)
    assert any(r["matches"] for r in whole) and any(not r["matches"] for r in whole)


@pytest.mark.parametrize("workers", [1, 2])
def test_memory_does_not_grow_with_rows(screener: Screener, workers: int) -> None:
    def held(count: int) -> tuple[int, int]:
        """(most memory held between chunks, garbage collected first; bytes rendered)."""
        most = written = 0
        tracemalloc.start()
        for text in screen_stream(screener, inputs(count), 5, workers=workers,
                                  finish=ndjson, size=SIZE):
            written += len(text)
            gc.collect()
            most = max(most, tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        return most, written

    gc.freeze()  # what exists now is not garbage: keeps the collections above quick
    try:
        held(SIZE * 64)  # warm the matcher's bounded caches, imports, the pool's machinery
        # both runs long enough to fill the window of chunks in flight
        # (the least of two runs each: a run's peak also catches allocator noise, a few KB)
        (small, out_small) = min(held(SIZE * 16), held(SIZE * 16))
        (large, out_large) = min(held(SIZE * 64), held(SIZE * 64))
    finally:
        gc.unfreeze()
    # four times the rows: holding them would cost more than their text; a tenth of it is
    # allocator noise at most
    assert large - small < (out_large - out_small) / 10
