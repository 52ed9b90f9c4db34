"""Entity resolution on the real OFAC SDN, UK and UN lists (skipped without shared data)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

from riskengine.domain import Dataset, Entity
from riskengine.ingest.merge import MergeRules, cluster, origin
from riskengine.ingest.merge_evidence import births_conflict
from riskengine.lists import ofac, uk, un

SAME = [("ofac:37767", "uk:RUS1124"),  # KOGOGIN, Sergei Anatolyevich = Sergey Anatolyevich KOGOGIN
        ("ofac:6941", "un:QDi.003")]  # HAMDAN, Salim Ahmad Salim: same name, year of birth
APART = [("ofac:37767", "uk:RUS0668")]  # KOGOGIN and KOGOGINA


def test_real_lists_merge_precisely_and_stably(shared_data: Path) -> None:
    entities = (*ofac.read_sdn(shared_data / "ofac_sdn_csv/2024-05-03/sdn.csv").dataset.entities,
                *uk.read(shared_data / "uk_ofsi_conlist/ConList.xlsx").dataset.entities)
    un_list = un.read(shared_data / "un_sc_consolidated/UN_consolidated.xml").dataset.entities
    before = cluster(Dataset(entities=entities), MergeRules())
    after = cluster(Dataset(entities=(*entities, *un_list)), MergeRules())
    by_id = {e.id: e for e in (*entities, *un_list)}
    for members in after.members.values():
        assert len({origin(m) for m in members}) == len(members), members
        assert not _conflicting(by_id[m] for m in members), members
    assert [after.resolve(a) == after.resolve(b) for a, b in SAME] == [True] * len(SAME)
    assert [after.resolve(a) == after.resolve(b) for a, b in APART] == [False] * len(APART)
    kept = [len({after.resolve(m) for m in ms}) == 1 for ms in before.members.values()]
    assert sum(kept) >= 0.995 * len(kept)  # adding the UN list splits (almost) nothing


def _conflicting(members: Iterable[Entity]) -> bool:
    people = [e for e in members if e.kind == "person" and e.birth_dates]
    return any(births_conflict(a.birth_dates, b.birth_dates) for a, b in combinations(people, 2))
