"""Batch screening on worker processes gives what screening one by one gives, in order."""

from __future__ import annotations

import pytest

from riskengine.domain import Entity
from riskengine.screening.batch import MIN_PARALLEL, screen_many, workers_for
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
