"""Precision and recall of entity merges across real lists (labelled from the lists themselves).

Usage: .venv/bin/python bench/eval_merges.py [DATA_DIR]   (default ../shared/data)

Reads the OFAC SDN 2024-05-03 CSV with its companion files (alt/add/comments), the OFSI
ConList, the UN consolidated list and Canada's list, and labels pairs of records of
different lists:

* positive: the two records state the same strong identifier (passport, national id,
  registration, tax, LEI, IMO, SWIFT: ``identifier_key``) and their dates of birth do not
  conflict;
* negative: two persons who share a name key (``blocking_keys``) but whose dates of birth
  cannot be the same day; two parties stating INN, OGRN, LEI or IMO numbers of one kind
  with none in common (``numbers_conflict``); pairs of records of one list.

Recall is measured with every identifier a positive pair was derived from removed from both
records (else it is trivial): the pair must be found through names, dates of birth,
nationalities and countries. Precision counts the merged pairs (two records in one cluster)
that carry a label. Both are printed, with the clustering time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from riskengine.domain import Dataset, Entity
from riskengine.ingest.merge import MergeMap, MergeRules, blocking_keys, cluster, identifier_key
from riskengine.ingest.merge_evidence import births_conflict, numbers_conflict
from riskengine.ingest.merge_links import origin
from riskengine.lists import ca, ofac, uk, un

Pair = tuple[str, str]


def load(data: Path) -> tuple[Entity, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        sdn = Path(tmp)
        (sdn / "sdn.csv").symlink_to(data / "ofac_sdn_csv/2024-05-03/sdn.csv")
        for name in ("add.csv", "alt.csv", "sdn_comments.csv"):
            (sdn / name).symlink_to(data / "ofac_sdn_csv/2025-12_companions" / name)
        editions = [ofac.read_sdn(sdn), uk.read(data / "uk_ofsi_conlist/ConList.xlsx"),
                    un.read(data / "un_sc_consolidated/UN_consolidated.xml"),
                    ca.read(data / "canada_sema/cannada.xml")]
    return tuple(e for ed in editions for e in ed.dataset.entities)


def positives(entities: tuple[Entity, ...]) -> dict[Pair, set[tuple[str, str]]]:
    """Pairs of records of different lists sharing a strong identifier: the keys shared."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in entities:
        for ident in e.identifiers:
            key = identifier_key(ident)
            if key:
                holders[key].add(e.id)
    by_id = {e.id: e for e in entities}
    found: dict[Pair, set[tuple[str, str]]] = defaultdict(set)
    for key, ids in holders.items():
        for a, b in combinations(sorted(ids), 2):
            if origin(a) != origin(b) and not _conflict(by_id[a], by_id[b]):
                found[(a, b)].add(key)
    return found


def _conflict(a: Entity, b: Entity) -> bool:
    return bool(a.birth_dates and b.birth_dates and births_conflict(a.birth_dates, b.birth_dates))


def negatives(entities: tuple[Entity, ...]) -> set[Pair]:
    """Persons of different lists sharing a blocking key with conflicting dates of birth."""
    blocks: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        if e.kind == "person" and e.birth_dates:
            for key in blocking_keys(e.all_names(), ()):
                blocks[key].append(e)
    out: set[Pair] = set()
    for group in blocks.values():
        for a, b in combinations(sorted(group, key=lambda e: e.id)[:200], 2):
            if origin(a.id) != origin(b.id) and _conflict(a, b):
                out.add((a.id, b.id))
    return out


def conflicting_numbers(a: Entity, b: Entity) -> bool:
    """Two parties (not persons) that both state an INN, OGRN, LEI or IMO number and share
    none of them: different parties."""
    return "person" not in (a.kind, b.kind) and numbers_conflict(a, b)


def hide(entities: tuple[Entity, ...], keys: set[tuple[str, str]]) -> tuple[Entity, ...]:
    def kept(e: Entity) -> Entity:
        idents = tuple(i for i in e.identifiers if identifier_key(i) not in keys)
        return e if len(idents) == len(e.identifiers) else e.model_copy(
            update={"identifiers": idents})
    return tuple(kept(e) for e in entities)


def merged_pairs(mm: MergeMap) -> set[Pair]:
    return {(a, b) for ms in mm.members.values() for a, b in combinations(sorted(ms), 2)}


def report(label: str, mm: MergeMap, pos: set[Pair], neg: set[Pair], seconds: float,
           by_id: dict[str, Entity]) -> None:
    merged = merged_pairs(mm)
    same_list = {p for p in merged if origin(p[0]) == origin(p[1])}
    numbers = {p for p in merged - pos if conflicting_numbers(by_id[p[0]], by_id[p[1]])}
    births = merged & neg
    tp, fp = len(merged & pos), len(births | numbers | same_list)
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"{label}: {len(mm.members)} clusters, {len(merged)} merged pairs, "
          f"{len(mm.review)} pairs for review, clustering {seconds:.1f} s")
    print(f"  recall    {len(merged & pos) / len(pos):.4f} ({len(merged & pos)} of {len(pos)} "
          f"positive pairs)")
    print(f"  precision {precision:.4f} ({tp} true, {len(births)} conflicting dates of "
          f"birth, {len(numbers)} conflicting registration numbers, {len(same_list)} of one "
          f"list; {len(merged - pos - births - numbers)} merged pairs unlabelled)")


def timed(entities: tuple[Entity, ...]) -> tuple[MergeMap, float]:
    start = time.perf_counter()
    mm = cluster(Dataset(entities=entities), MergeRules())
    return mm, time.perf_counter() - start


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared/data")
    entities = load(data)
    pos_keys = positives(entities)
    pos, neg = set(pos_keys), negatives(entities)
    print(f"{len(entities)} records; {len(pos)} positive pairs (shared strong identifier), "
          f"{len(neg)} negative pairs (same name key, conflicting dates of birth)")
    by_id = {e.id: e for e in entities}
    mm, seconds = timed(entities)
    report("all identifiers", mm, pos, neg, seconds, by_id)
    hidden = hide(entities, set().union(*pos_keys.values()))
    mm, seconds = timed(hidden)
    report("identifiers of the positive pairs hidden", mm, pos, neg, seconds, by_id)


if __name__ == "__main__":
    main()
