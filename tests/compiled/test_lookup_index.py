"""The sorted index of ``compiled.use.lookup`` against a scan of every row."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from riskengine.compiled.use import _Sorted

WORDS = ["a", "ab", "abc", "b", "Ünal", "ünal", "z", "zz", "日本", "", "a b", "ab "]


@pytest.mark.parametrize("seed", range(5))
def test_find_equals_a_scan(seed: int) -> None:
    rng = random.Random(seed)
    rows = rng.randint(0, 60)
    texts = [rng.choice([*WORDS, None]) for _ in range(rows)]
    entities = [rng.randint(0, 20) for _ in range(rows)]
    table = pa.table({"member": pa.array(texts, pa.string()),
                      "entity": pa.array(entities, pa.int64())})
    index = _Sorted(table, "member")
    for query in [*WORDS, "abd", "zzz", "0"]:
        expect = sorted(e for t, e in zip(texts, entities, strict=True) if t == query)
        assert sorted(index.find(query)) == expect
