"""Issue 13, point 1: whether an OFAC listing blocks follows from the list, never from the
program tag. EO 13662 is a blocking order (its directives are one use of it): an SDN entry
under UKRAINE-EO13662 alone is blocked; the same tag on the non-SDN consolidated list names
the Sectoral Sanctions Identifications (SSI) list, which does not block. Real files from
../shared/data (skipped with a message when absent)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from riskengine.derive.verdicts import derive_regime
from riskengine.domain import Dataset, Designation, Entity, Ownership, Share, Source
from riskengine.graph import GraphData
from riskengine.lists.base import ListEdition
from riskengine.lists.ofac import entity_id, read_cons, read_sdn
from tests.derive.build import US

pytestmark = pytest.mark.shared_data
RENOVA = entity_id("24303")
EO13662 = "UKRAINE-EO13662"


def _shared() -> Path:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA} (set RISKENGINE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="module")
def sdn(tmp_path_factory: pytest.TempPathFactory) -> ListEdition:
    """sdn.csv of 2024-05-03 alone."""
    folder = tmp_path_factory.mktemp("sdn_measures")
    shutil.copy(_shared() / "ofac_sdn_csv" / "2024-05-03" / "sdn.csv", folder / "sdn.csv")
    return read_sdn(folder, date(2024, 5, 3))


def _programs(edition: ListEdition) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for d in edition.dataset.designations:
        found.setdefault(d.entity_id, set()).add(d.program or "")
    return found


def test_sdn_entries_under_eo13662_block(sdn: ListEdition) -> None:
    """The 2024-05-03 file: 10 entries under UKRAINE-EO13662 alone, 69 with it among others;
    every one of their designations is an SDN asset freeze."""
    programs = _programs(sdn)
    alone = sorted(e for e, p in programs.items() if p == {EO13662})
    among = sorted(e for e, p in programs.items() if EO13662 in p and len(p) > 1)
    assert (len(alone), len(among)) == (10, 69)
    assert RENOVA in alone
    tagged = [d for d in sdn.dataset.designations if d.entity_id in {*alone, *among}]
    assert {(d.list_name, d.measure) for d in tagged} == {("SDN", "asset_freeze")}


def test_renova_group_record(sdn: ListEdition) -> None:
    found = [d for d in sdn.dataset.designations if d.entity_id == RENOVA]
    assert [(d.program, d.list_name, d.measure, d.blocking) for d in found] == [
        (EO13662, "SDN", "asset_freeze", True)]


def test_ssi_tag_on_the_consolidated_list_does_not_block() -> None:
    """The same tag in cons_prim.csv: the SSI list, sectoral, never a freeze."""
    cons = read_cons(_shared() / "ofac_consolidated_non_sdn" / "csv", date(2025, 12, 19))
    tagged = [d for d in cons.dataset.designations if d.program == EO13662]
    assert tagged
    assert {(d.list_name, d.measure) for d in tagged} == {("SSI", "sectoral")}
    assert not any(d.blocking for d in cons.dataset.designations)


def _owned(sdn: ListEdition, owners: list[tuple[str, float]], extra: tuple[Designation, ...] = ()
           ) -> bool:
    """Is a new company owned by ``owners`` (entity id, percent) blocked under the US test?"""
    src = Source(source="test", note="OFAC FAQ 399 example")
    ids = {o for o, _ in owners}
    entities = [e for e in sdn.dataset.entities if e.id in ids]
    entities += [Entity(id=o, name=o) for o in ids - {e.id for e in entities}]
    ds = Dataset(
        entities=(*entities, Entity(id="subsidiary", name="SUBSIDIARY")),
        designations=(*(d for d in sdn.dataset.designations if d.entity_id in ids), *extra),
        ownerships=tuple(Ownership(id=f"o{i}", owner=o, asset="subsidiary",
                                   share=Share.exact(p), source=src)
                         for i, (o, p) in enumerate(owners)))
    g = GraphData.from_dataset(ds).at(date(2024, 5, 3))
    verdict = derive_regime(g, "us", US)
    return bool(verdict.owned[g.index["subsidiary"]])


def test_faq_399_aggregates_across_programs(sdn: ListEdition) -> None:
    """OFAC FAQ 399: ownership of blocked persons is aggregated whatever their programs. Renova
    Group (UKRAINE-EO13662 only) 25% + KAMAZ (RUSSIA-EO14024) 25% = 50%: blocked. Renova alone
    at 25% is not; an SSI-listed (sectoral) 25% owner does not count."""
    kamaz = entity_id("37756")
    assert _owned(sdn, [(RENOVA, 25), (kamaz, 25)])
    assert not _owned(sdn, [(RENOVA, 25)])
    ssi = Designation(id="ssi", entity_id="ssi-bank", regime="us", program=EO13662,
                      list_name="SSI", measure="sectoral",
                      source=Source(source="ofac-cons", record_id="x"))
    assert not _owned(sdn, [(RENOVA, 25), ("ssi-bank", 25)], (ssi,))
