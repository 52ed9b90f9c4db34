"""Rescore figures on the real lists: ingest the full OFAC SDN 2024-05-03 set and OFSI's
ConList.xlsx into a fresh SQLite file, rescore, reproduce one past result with
``score --run``, and print wall times and the size of the run's input snapshots.

Usage: python bench/bench_rescore_real.py [data_dir]

Prints the figures; asserts nothing (timings are not tests).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from riskengine.application import ingest as app_ingest
from riskengine.application import reproduce
from riskengine.application import runs as app_runs
from riskengine.settings import Settings
from riskengine.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def timed(label: str, job):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = job()
    print(f"{label:<34} {time.perf_counter() - start:6.1f} s")
    return result


def main(argv: list[str]) -> int:
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT
    sdn, conlist = data / "ofac_sdn_csv" / "2024-05-03", data / "uk_ofsi_conlist" / "ConList.xlsx"
    if not sdn.is_dir() or not conlist.is_file():
        print(f"no OFAC SDN set or ConList.xlsx under {data}; pass the data folder")
        return 2
    settings = Settings(db_url=f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    timed("ingest OFAC SDN", lambda: app_ingest.ingest_list(settings, "ofac-sdn", sdn,
                                                         date(2024, 5, 3)))
    timed("ingest UK ConList", lambda: app_ingest.ingest_list(settings, "uk", conlist,
                                                           date(2025, 4, 14)))
    run = timed("rescore (store run + snapshots)", lambda: app_runs.rescore(
        settings, date(2025, 6, 1), "bench", lambda _line: None))
    timed("score KAMAZ --run (reproduce)", lambda: reproduce.reproduce(settings, "KAMAZ",
                                                                       run.id))
    with Store.open(settings.db_url) as store, store.transaction(write=False) as conn:
        for kind, size, stored in conn.execute(text(
                "SELECT kind, size, length(content) FROM snapshots ORDER BY kind")):
            print(f"snapshot {kind:<6} {size / 1e6:6.1f} MB content, {stored / 1e6:5.2f} MB stored")
    print(f"entities in the run: {run.counts.get('entities', 0):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
