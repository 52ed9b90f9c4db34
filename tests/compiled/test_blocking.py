"""Blocking keys per distinct name and identifier, joined back to their entities, are the
per-entity keys of ``merge.blocking_keys`` (the reference), exactly."""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.compiled import blocking
from riskengine.compiled.blocking import key_pairs
from riskengine.ingest.merge import blocking_keys
from riskengine.names import normalise

NAMES = ["Kamaz PJSC", "KAMAZ", "Publichnoe Aktsionernoe Obshchestvo Kamaz", "JAC Motors",
         "Anhui Jianghuai Automobile Group Corp Ltd", "Moskvich", "ООО Москвич", "Ivan Petrov",
         "Petrov Ivan", "OOO", "Holding 000123 Company", "BYD Co., Ltd."]
IDENTS = [("inn", "1650032058"), ("ogrn", "1021602013971"), ("lei", "5299001X5Y2"),
          ("registration", "R0000000010"), ("inn", "12"), ("swift", "SABRRUMMXXX")]


def _reference(names: list[tuple[str, str]], idents: list[tuple[str, str, str]]
               ) -> set[tuple[str, str]]:
    by_name: dict[str, list[str]] = defaultdict(list)
    by_ident: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for eid, name in names:
        by_name[eid].append(name)
    for eid, scheme, value in idents:
        by_ident[eid].append((scheme, value))
    return {(key, eid) for eid in by_name.keys() | by_ident.keys()
            for key in blocking_keys(by_name.get(eid, ()), by_ident.get(eid, ()))}


ENTITY = st.sampled_from([f"e{i}" for i in range(6)])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(ENTITY, st.sampled_from(NAMES)), max_size=14),
       st.lists(st.tuples(ENTITY, st.sampled_from(IDENTS)), max_size=6),
       st.integers(1, 4))
def test_keys_equal_the_per_entity_reference(names: list[tuple[str, str]],
                                             idents: list[tuple[str, tuple[str, str]]],
                                             block: int) -> None:
    """The names given normalised (``key``), as the compiler has them; the reference
    blocks the names as written."""
    flat = [(e, s, v) for e, (s, v) in idents]
    columns = {"entity_id": pa.array([e for e, _ in names], pa.string()),
               "key": pa.array([normalise(n) for _, n in names], pa.string())}
    blocking.BLOCK = block  # distinct values in several blocks
    try:
        keys, owners = key_pairs(
            pa.table(columns),
            pa.table({"entity_id": pa.array([e for e, _, _ in flat], pa.string()),
                      "scheme": pa.array([s for _, s, _ in flat], pa.string()),
                      "value": pa.array([v for _, _, v in flat], pa.string())}))
    finally:
        blocking.BLOCK = 1_000_000
    assert set(zip(keys.to_pylist(), owners.to_pylist(), strict=True)) == _reference(names, flat)
