"""Screening quality, measured on the real lists (reduced set; bench/eval_screening.py prints
the full figures). Bounds are looser than the targets so the test stays robust."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from riskengine.domain import Entity
from riskengine.screening.evaluate import (
    SPELLING,
    build_eval_set,
    load_lists,
    perturb,
    run_eval,
    trigram_jaccard,
)
from riskengine.screening.match import Screener


@pytest.mark.shared_data
def test_reduced_evaluation_on_real_lists(shared_data: Path) -> None:
    evalset = build_eval_set(load_lists(shared_data), positives=300, negatives=300, seed=7)
    report = run_eval(Screener.build(evalset.entities), evalset)
    assert len(evalset.positives) == 300 and report.negatives == 300
    assert report.recall(SPELLING) >= 0.9, report.misses[:10]
    assert report.recall(["alias_latin"]) >= 0.6, report.misses[:10]
    assert report.fpr <= 0.05, report.false_hits[:10]


@pytest.mark.parametrize(
    ("kind", "person", "check"),
    [
        ("typo", False, lambda q: q != "NORTHERN POLAR SHIPPING COMPANY" and len(q.split()) == 4),
        ("drop_word", False, lambda q: len(q.split()) == 3),
        ("reorder", False, lambda q: q.split()[-1] == "NORTHERN"),
        ("legal_form", False, lambda q: "SHIPPING" in q),
        ("legal_form", True, lambda q: q is None),
    ],
)
def test_perturbations(kind: str, person: bool, check: object) -> None:
    query = perturb("NORTHERN POLAR SHIPPING COMPANY", kind, random.Random(3), person)
    assert callable(check) and check(query)


def test_eval_set_holds_out_aliases_and_keeps_negatives_unlisted() -> None:
    entities = [Entity(id=f"e{i}", name=f"ZARYA POLYMER {i} PLANT",
                       aliases=(f"ZARIA POLIMER {i} PLANT", f"ЗАРЯ ПОЛИМЕР {i}"))
                for i in range(30)]
    evalset = build_eval_set(entities, positives=20, negatives=20, seed=1)
    held = [p for p in evalset.positives if p.kind.startswith("alias")]
    index = {e.id: e for e in evalset.entities}
    assert held and all(p.query not in index[p.expected or ""].all_names() for p in held)
    assert len(evalset.negatives) == 20
    assert all(p.expected is None for p in evalset.negatives)


@pytest.mark.parametrize(("a", "b", "low", "high"),
                         [("KAMAZ", "KAMAZ", 1.0, 1.0), ("KAMAZ", "ZVEZDA", 0.0, 0.1)])
def test_trigram_jaccard(a: str, b: str, low: float, high: float) -> None:
    assert low <= trigram_jaccard(a, b) <= high


def _bench_eval() -> object:
    path = Path(__file__).resolve().parents[2] / "bench" / "eval_screening.py"
    spec = importlib.util.spec_from_file_location("eval_screening", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("found", "twin"),
    [(Entity(id="uk:1", name="Eyad Mohamad MAKHLOUF", aliases=("MAKHLOUF, Eyad",),
             kind="person"), True),  # shares the held-out alias
     (Entity(id="uk:2", name="MAKHLUF, Iyad", kind="person"), True),  # shares a kept name
     (Entity(id="uk:3", name="MAKHLUF, Iyad", kind="company"), False),  # another kind
     (Entity(id="uk:4", name="Eyad MAKHLOUF Mohamad Ali", kind="person"), False)],
)
def test_twin_listings_of_the_bench(found: Entity, twin: bool) -> None:
    expected = Entity(id="ofac:1", name="MAKHLUF, Iyad", kind="person")
    assert _bench_eval().twins(found, expected, "MAKHLOUF, Eyad") is twin  # type: ignore[attr-defined]
