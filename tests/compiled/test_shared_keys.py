"""Which entities share a blocking key (``build._shared``, one sort of the pairs) against a
plain Python count of distinct owners per key."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.compiled import build
from riskengine.compiled.build import _shared

KEY = st.sampled_from(["", "n:kamaz", "n:kamaz ooo", "i:inn:1655", "n:alfa", "i:ogrn:1", "n:"])
PAIRS = st.lists(st.tuples(KEY, st.integers(0, 9)), max_size=40)


def _reference(pairs: list[tuple[str, int]], bucket: int) -> tuple[set[int], set[str]]:
    owners: dict[str, set[int]] = defaultdict(set)
    for key, owner in pairs:
        if key:
            owners[key].add(owner)
    generic = {k for k, o in owners.items() if k.startswith("n:") and len(o) > bucket}
    linked = {e for k, o in owners.items() if len(o) > 1 and k not in generic for e in o}
    return linked, {k[2:] for k in generic}


@settings(max_examples=300, deadline=None)
@given(PAIRS, st.integers(1, 4))
def test_shared_keys_are_the_plain_count(pairs: list[tuple[str, int]], bucket: int) -> None:
    keys = pa.array([k for k, _ in pairs], pa.string())
    owners = pa.array(np.array([o for _, o in pairs], dtype=np.int32))
    old, build.MAX_BUCKET = build.MAX_BUCKET, bucket
    try:
        linked, generic = _shared(keys, owners)
    finally:
        build.MAX_BUCKET = old
    assert (set(linked.tolist()), generic) == _reference(pairs, bucket)
    assert sorted(set(linked.tolist())) == linked.tolist()
