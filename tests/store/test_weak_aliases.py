"""The lists' weak aliases are stored apart from the entity's names (migration 0011)."""

from __future__ import annotations

from riskengine.domain import Dataset
from riskengine.lists import ofac
from riskengine.store import Store
from tests.conftest import FIXTURES
from tests.store.builders import record


def test_weak_aliases_round_trip(store: Store) -> None:
    """Read from the real Consolidated CSV excerpt, saved, loaded: same weak aliases, and
    a weak alias does not resolve as a name."""
    dataset = ofac.read(FIXTURES / "ofac" / "cons_csv" / "cons_prim.csv").dataset
    store.save_ingest(Dataset(entities=dataset.entities), record())
    loaded = store.load_dataset().entity_map()
    expected = {e.id: e.weak_aliases for e in dataset.entities}
    assert {k: loaded[k].weak_aliases for k in expected} == expected
    assert loaded[ofac.entity_id("9647")].weak_aliases == ("ZAHAR, Mahmoud",
                                                           "AL-ZAHAR, Mahmoud")
    assert store.find_by_name("ZAHAR, Mahmoud") == []
    assert store.find_by_name("ZAHHAR, Mahmoud Khaled") == [ofac.entity_id("9647")]
