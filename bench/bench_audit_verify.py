"""What tamper evidence costs: a run of N synthetic per-entity rows saved (with the digest of
all its rows in its audit entry), the digest alone, and `audit verify` over the store (the
chain, the run's header and every row read back and digested), on a fresh SQLite file.

Usage: python bench/bench_audit_verify.py [rows] [runs]

Prints wall and CPU seconds of each step and the peak RSS. Asserts nothing.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from riskengine.runs.digest import rows_digest
from riskengine.store import Store
from riskengine.store.audit_check import verify_store
from riskengine.store.records import RunRecord
from riskengine.store.runs import AuditNote, save_run

T = TypeVar("T")
AT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def rows(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Rows shaped like a real run's: most entities clear with no parts, some blocked."""
    for i in range(n):
        blocked = (i + seed) % 40 == 0
        yield {"entity_id": f"NK-{i:08d}", "name": f"Company {i} Holding LLC",
               "score": 100.0 if blocked else round((i * 7 % 9000) / 100, 2),
               "band": "blocked" if blocked else "low", "blocked": blocked,
               "regimes": {"us": ["listed", True, True]} if blocked else {},
               "parts": {"blocked:us": 100.0} if blocked else (
                   {"tie_exposure:eu": 12.5} if i % 5 == 0 else {}),
               "members": None}


def timed(label: str, work: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    found = work()
    print(f"{label}: {time.perf_counter() - wall:.1f} s wall, "
          f"{time.process_time() - cpu:.1f} s CPU", flush=True)
    return found


def a_run(n: int) -> RunRecord:
    return RunRecord(started_at=AT, finished_at=AT, as_of=date(2026, 12, 1),
                     rules_hash="r" * 64, data_snapshot="d" * 64, actor="bench",
                     counts={"entities": n})


def main(argv: list[str]) -> int:
    count = int(argv[1]) if len(argv) > 1 else 200_000
    runs = int(argv[2]) if len(argv) > 2 else 1
    timed(f"digest alone of {count:,} rows", lambda: rows_digest(rows(count)))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        for k in range(runs):
            timed(f"save_run {k + 1} of {count:,} rows (digest included)",
                  lambda k=k: save_run(store, a_run(count), rows(count, k),  # type: ignore[misc]
                                       AuditNote("bench", AT)))
        verified = timed(f"audit verify ({runs} runs of {count:,} rows)",
                         lambda: verify_store(store))
        store.close()
    print(f"problems: {verified.findings.problems or 'none'}; checked "
          f"{verified.findings.checked}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
