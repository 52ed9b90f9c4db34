"""Issue 13: BM Bank, OFAC SDN entry 20002 (2022-06-17) continued as 17017 (2022-06-28) with
the same SWIFT/BIC and registration number: neither a delisting nor a new listing. Real
sdn.csv files from ../shared/data (skipped with a message when absent)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from datetime import date

import pytest

from riskengine.domain import Entity
from riskengine.ingest.editions import Guard, PastEditions, plan_edition
from riskengine.lists.base import ListEdition
from riskengine.lists.ofac import read_sdn

pytestmark = pytest.mark.shared_data
JUNE17, JUNE28 = date(2022, 6, 17), date(2022, 6, 28)


def _edition(tmp: pytest.TempPathFactory, day: date) -> ListEdition:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA} (set RISKENGINE_SHARED_DATA)")
    folder = tmp.mktemp(f"sdn-{day}")
    shutil.copy(SHARED_DATA / "ofac_sdn_csv" / day.isoformat() / "sdn.csv", folder / "sdn.csv")
    return read_sdn(folder, day)


def test_bm_bank_continued(tmp_path_factory: pytest.TempPathFactory) -> None:
    first, second = (_edition(tmp_path_factory, d) for d in (JUNE17, JUNE28))
    stored = plan_edition(first, JUNE17, [], PastEditions(), Guard(1.0), "sdn.csv").designations
    before = {e.id: e for e in first.dataset.entities}

    def lookup(ids: Iterable[str]) -> Mapping[str, Entity]:
        return {i: before[i] for i in ids if i in before}

    plan = plan_edition(second, JUNE28, stored, PastEditions(JUNE17), Guard(1.0), "sdn.csv",
                        entities=lookup)
    rows = {d.id: d for d in plan.designations}
    programs = ("UKRAINE-EO13662", "RUSSIA-EO14024")
    for program in programs:
        old, new = rows[f"ofac-sdn:20002:{program}"], rows[f"ofac-sdn:17017:{program}"]
        assert (old.listed_to, new.listed_from, new.listed_from_basis) == (
            JUNE28, JUNE17, "first_edition")
        assert "continued as ofac-sdn #17017" in (old.source.note or "")
        assert "continues ofac-sdn #20002" in (new.source.note or "")
        assert "swift MOSWRUMM" in (new.source.note or "")
    assert plan.counts["continued"] >= len(programs)
    kamaz = rows["ofac-sdn:37756:RUSSIA-EO14024"]  # a real new listing stays new
    assert (kamaz.listed_from, kamaz.listed_from_basis) == (JUNE28, "first_edition")
