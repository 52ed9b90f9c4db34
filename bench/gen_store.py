"""A synthetic store of N entities written straight into the database, for the largest scale
benches (20,000,000 entities / 50,000,000 edges): the graph ``gen_ftm.py`` describes (same
random draws for the same seed: 30 % persons, a scale-free-ish owner choice, 80 % ownerships
with shares 1-100 %, 20 % directorships, 0.5 % of entities sanctioned under us/eu/gb), as
the flat facts ``riskengine ingest ftm`` would map them to, written in chunks through the
engine's own bulk writer (``Store.save_ingest_stream``: one transaction, an ingest record and
its audit entry). It skips only the JSON text and its parsing, which at 20M entities would
be a 10 GB file and most of an hour of parsing before the rescore under test can start.

Usage: python bench/gen_store.py N DB_URL [--seed S] [--edges-per-entity 2.5]
Prints the time taken and the rows written; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import chain

import numpy as np

from riskengine.domain import Source
from riskengine.ingest.ftm_flat import (
    FlatDesignation,
    FlatEntity,
    FlatFacts,
    FlatOwnership,
    FlatRelationship,
    FlatSource,
)
from riskengine.store import Store
from riskengine.store.audit import ingest_audit
from riskengine.store.store import IngestRecord

CHUNK = 500_000
REGIMES = ("us", "eu", "uk")  # gen_ftm's us/eu/gb, as ingest ftm maps the countries
NOTE = "datasets: synthetic"


def _entities(n: int, rng: np.random.Generator, origin: Source) -> Iterator[FlatFacts]:
    person = rng.random(n) < 0.3
    country = rng.choice(np.array(["ru", "cn", "de", "ae", "tr", "kz"]), n)
    for lo in range(0, n, CHUNK):
        rows = []
        for i in range(lo, min(lo + CHUNK, n)):
            p = bool(person[i])
            ident = (("registration", f"R{i:010d}"),) if not p and i % 10 == 0 else ()
            rows.append(FlatEntity(f"e{i}", "person" if p else "company",
                                   (f"{'Person' if p else 'Company'} {i:08d} Holding",),
                                   str(country[i]), ident, None,
                                   FlatSource(f"e{i}", i + 1, NOTE, None)))
        yield FlatFacts(origin, entities=rows)


def _edges(n: int, m: int, rng: np.random.Generator, origin: Source) -> Iterator[FlatFacts]:
    owner = (rng.pareto(1.2, m) * n / 50).astype(np.int64) % n
    asset = rng.integers(0, n, m)
    share = rng.integers(1, 101, m)
    own = rng.random(m) < 0.8
    for lo in range(0, m, CHUNK):
        owns, rels = [], []
        for k in range(lo, min(lo + CHUNK, m)):
            a, b = int(owner[k]), int(asset[k])
            if a == b:
                continue
            src = FlatSource(f"o{k}" if own[k] else f"d{k}", n + k + 1, None, None)
            if own[k]:
                s = float(share[k])
                owns.append(FlatOwnership(f"o{k}", f"e{a}", f"e{b}", s, s, True, None, None,
                                          src))
            else:
                rels.append(FlatRelationship(f"d{k}", f"e{a}", f"e{b}", "officer", "director",
                                             None, None, src))
        yield FlatFacts(origin, ownerships=owns, relationships=rels)


def _sanctions(n: int, m: int, rng: np.random.Generator, origin: Source) -> FlatFacts:
    chosen = rng.choice(n, max(n // 200, 1), replace=False)
    rows = [FlatDesignation(f"s{k}", f"e{i}", REGIMES[k % 3], "synthetic authority", "SYNTH",
                            "", "asset_freeze", date(2022, 3, 15), None,
                            FlatSource(f"s{k}", n + m + k + 1, None, None))
            for k, i in enumerate(chosen.tolist())]
    return FlatFacts(origin, designations=rows)


def generate(n: int, url: str, seed: int = 7, per_entity: float = 2.5) -> int:
    rng = np.random.default_rng(seed)
    m = int(n * per_entity)
    origin = Source(source="ftm", file=f"synthetic-{n}", content_hash=f"synthetic-{n}-{seed}")
    written = [0]

    def chunks() -> Iterator[FlatFacts]:
        for facts in chain(_entities(n, rng, origin), _edges(n, m, rng, origin)):
            written[0] += (len(facts.entities) + len(facts.ownerships)
                           + len(facts.relationships))
            yield facts
        yield _sanctions(n, m, rng, origin)

    def finish() -> tuple[IngestRecord, object]:
        now = datetime.now(UTC)
        record = IngestRecord(source="ftm", file=origin.file or "", content_hash=f"{seed}",
                              started_at=now, finished_at=now, counts={"facts": written[0]})
        return record, ingest_audit("bench", {"path": origin.file, "generated": True})

    with Store.open(url) as store:
        store.save_ingest_stream(chunks(), finish)  # type: ignore[arg-type]
    return written[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("url")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--edges-per-entity", type=float, default=2.5)
    args = parser.parse_args()
    start, cpu = time.perf_counter(), time.process_time()
    rows = generate(args.n, args.url, args.seed, args.edges_per_entity)
    print(f"{args.n:,} entities: {rows:,} facts written in {time.perf_counter() - start:.0f} s "
          f"({time.process_time() - cpu:.0f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
