"""The compiled graph against the reference: the merged Dataset path it replaces
(``service.merged_facts`` + ``GraphData.from_dataset``), array for array and result for
result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from riskengine.application import base, service
from riskengine.application import ingest as app_ingest
from riskengine.graph import GraphData
from riskengine.settings import Settings

FAMILIES = ("ownership", "control", "relation", "designations")
AS_OF = date(2026, 11, 1)


def _reference(settings: Settings) -> GraphData:
    _raw, merged, _mm = service.merged_facts(settings, base.load_rules(settings))
    return GraphData.from_dataset(merged)


def test_arrays_equal_the_reference(settings: Settings) -> None:
    ref = _reference(settings)
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        new = loaded.data
        assert new.ids == ref.ids
        for family in FAMILIES:
            a, b = getattr(ref, family), getattr(new, family)
            for name in ("src", "dst", "start", "end"):
                assert np.array_equal(getattr(a, name), getattr(b, name)), (family, name)
            for name in a.attrs:
                assert np.array_equal(np.asarray(a.attrs[name]),
                                      np.asarray(b.attrs[name])), (family, name)


def test_facts_read_on_demand_equal_the_reference(settings: Settings) -> None:
    ref = _reference(settings)
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        new = loaded.data
        for i in range(len(new.ids)):
            assert new.dataset.entities[i] == ref.dataset.entities[i]
            assert (new.dataset.designations_of(new.ids[i])
                    == ref.dataset.designations_of(ref.ids[i]))
        for family, facts in (("ownership", "ownerships"), ("control", "controls"),
                              ("relation", "relationships")):
            arrays_new, arrays_ref = getattr(new, family), getattr(ref, family)
            for k in range(len(arrays_new)):
                assert (getattr(new.dataset, facts)[int(arrays_new.edge[k])]
                        == getattr(ref.dataset, facts)[int(arrays_ref.edge[k])])


def test_merged_records_become_one_entity(settings: Settings) -> None:
    """The seed's KAMAZ and its OFAC record are one entity, found by either id."""
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        from riskengine.compiled.use import lookup

        (kamaz,) = lookup(loaded, "kamaz")
        assert lookup(loaded, "ofac:37756") == [kamaz]
        assert "ofac:37756" in loaded.facts.members(kamaz)
        assert loaded.facts.clusters()["kamaz"] == tuple(sorted(loaded.facts.members(kamaz)))


@pytest.mark.parametrize("query", ["JAC Motors", "KAMAZ", "ofac:37756", "Moskvich",
                                   "Volkswagen", "NefAZ"])
def test_explained_score_equals_the_reference(settings: Settings, query: str) -> None:
    """``score`` on the compiled graph gives exactly the result of the in-memory path."""
    with base.open_store(settings) as store:
        stored = store.load_dataset()
    reference = service.scored(settings, query, AS_OF, [], stored)
    assert service.scored(settings, query, AS_OF, []) == reference


def _company(key: str, name: str, registration: str | None = None) -> str:
    import json

    props: dict[str, list[str]] = {"name": [name], "country": ["ru"]}
    if registration:
        props["registrationNumber"] = [registration]
    return json.dumps({"id": key, "schema": "Company", "properties": props})


def test_a_generic_name_links_nothing_in_part_as_in_whole(tmp_path: Path) -> None:
    """More than MAX_BUCKET records carry one name: it links nobody, also when the merger
    only sees the few records that share another key (here a registration number)."""
    from riskengine.ingest.merge_links import MAX_BUCKET

    lines = [_company(f"gen{i}", "Golden Trade Link") for i in range(MAX_BUCKET + 5)]
    lines += [_company("gen0x", "Golden Trade Link", "1027700000001"),
              _company("gen1x", "Golden Trade Link", "1027700000002"),
              _company("other0", "Northern Star Shipping", "1027700000001"),
              _company("other1", "Eastern Wind Logistics", "1027700000002")]
    path = tmp_path / "generic.ftm.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'g.db'}", cache_dir=tmp_path / "c",
                        seed=False)
    app_ingest.ingest_ftm(settings, path, "test")
    ref = _reference(settings)
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        assert loaded.data.ids == ref.ids
        clusters = loaded.facts.clusters()
    assert sorted(clusters.values()) == [("gen0x", "other0"), ("gen1x", "other1")]
