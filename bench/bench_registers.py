"""PSC ingest figures: statements per second and peak memory on a synthetic snapshot.

Writes a synthetic Companies House PSC snapshot (default 1,000,000 statements: individual
and corporate PSCs with share, vote and control natures, 3% ceased, one PSC statement in
fifty an unidentified PSC; about 1.3 statements a company), ingests it into a fresh SQLite
store through the use case the CLI calls, then ingests a second snapshot with 2% of the
statements gone (the tie-history path: every tie looked up, the gone ones ended). Prints
statements/s (wall clock, and per CPU second of this process: on a shared machine the wall
clock counts the other work's time too; the file is read by a worker process, whose CPU
seconds are printed apart) and the process's peak resident memory
(``resource.getrusage``) after each, and the CPU time as a multiple of reading the first
file alone (JSON to rows, nothing stored: a baseline in the same process); asserts
nothing. Memory is bounded by ``rules/registers.yaml``'s batch: compare the peak at
``--statements 200000`` and at the default. The load average is printed with each figure
(the machine is shared). ``--db``: another, empty store (a PostgreSQL URL; its server's
CPU time is not this process's).

Run: .venv/bin/python bench/bench_registers.py [--statements N] [--keep DIR] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import orjson

from riskengine.application.registers import ingest_register
from riskengine.gcpause import collector_paused
from riskengine.registers.common import Notes
from riskengine.registers.psc_rows import batches
from riskengine.settings import Settings

NATURES = (["ownership-of-shares-25-to-50-percent"], ["ownership-of-shares-75-to-100-percent",
           "voting-rights-75-to-100-percent", "right-to-appoint-and-remove-directors"],
           ["ownership-of-shares-50-to-75-percent", "voting-rights-50-to-75-percent"],
           ["significant-influence-or-control"])


def _line(rng: random.Random, i: int) -> bytes:
    company = f"{i * 10 // 13:08d}"
    key = f"p{i:09d}"
    if i % 50 == 0:
        data: dict[str, object] = {"kind": "persons-with-significant-control-statement",
                                   "statement": "psc-exists-but-not-identified",
                                   "notified_on": "2019-01-01", "etag": key}
    elif i % 5 == 0:
        data = {"kind": "corporate-entity-person-with-significant-control",
                "name": f"Holding {i} Limited", "notified_on": "2016-04-06",
                "identification": {"country_registered": "England And Wales",
                                   "registration_number": f"{rng.randrange(10**7):08d}"},
                "natures_of_control": rng.choice(NATURES),
                "links": {"self": f"/company/{company}/persons-with-significant-control/"
                                  f"corporate-entity/{key}"}}
    else:
        data = {"kind": "individual-person-with-significant-control",
                "name": f"Person {i}", "nationality": "British",
                "date_of_birth": {"year": 1950 + i % 50, "month": 1 + i % 12},
                "notified_on": "2017-06-01", "natures_of_control": rng.choice(NATURES),
                "links": {"self": f"/company/{company}/persons-with-significant-control/"
                                  f"individual/{key}"}}
    if i % 33 == 0:
        data["ceased_on"] = "2022-03-01"
    return orjson.dumps({"company_number": company, "data": data})


def write_snapshot(path: Path, n: int, drop: float, day: date) -> None:
    rng = random.Random(7)
    gone = random.Random(11)
    with path.open("wb") as fh:
        for i in range(n):
            line = _line(rng, i)
            if drop == 0 or gone.random() >= drop:
                fh.write(line + b"\n")
        totals = {"data": {"kind": "totals#persons-of-significant-control-snapshot",
                           "generated_at": f"{day.isoformat()}T03:00:00Z"}}
        fh.write(orjson.dumps(totals) + b"\n")


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _read_alone(path: Path, n: int) -> float:
    """The reader alone (JSON lines to store rows, batch by batch, nothing written): the
    baseline the ingests are compared with in this process; its CPU seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    with collector_paused():
        rows = sum(len(b) for b in batches(path, Notes(), {}, 20_000))
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"reading alone (no store): {n:,} statements, {rows:,} parties and ties in "
          f"{took:.1f} s = {n / took:,.0f} statements/s (CPU {cpu:.1f} s = {n / cpu:,.0f} "
          f"statements per CPU second); load average {_load()}")
    return cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(settings: Settings, path: Path, n: int, label: str, base: float) -> None:
    started, cpu, worker = time.perf_counter(), time.process_time(), _children_cpu()
    lines = ingest_register(settings, "psc", [path], None, actor="bench")
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    worker = _children_cpu() - worker
    print(f"{label}: {n:,} statements in {took:.1f} s = {n / took:,.0f} statements/s "
          f"(CPU {cpu:.1f} s = {n / cpu:,.0f} statements per CPU second of the writing "
          f"process; the reader process {worker:.1f} CPU s); "
          f"peak RSS {_peak_mib():,.0f} MiB; load average {_load()}; CPU {cpu / base:.1f} "
          f"times reading alone")
    print(f"  {lines[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="folder for files and store")
    parser.add_argument("--db", default=None, help="an empty store's URL (default: SQLite)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-registers-"))
    folder.mkdir(parents=True, exist_ok=True)
    first, second = folder / "psc-1.jsonl", folder / "psc-2.jsonl"
    write_snapshot(first, args.statements, 0.0, date(2024, 11, 22))
    write_snapshot(second, args.statements, 0.02, date(2024, 12, 22))
    db = folder / "bench.db"
    db.unlink(missing_ok=True)
    settings = Settings.build({}, db=args.db or f"sqlite:///{db}").model_copy(
        update={"cache_dir": folder / "cache"})
    print(f"after writing the files: peak RSS {_peak_mib():,.0f} MiB; load average {_load()}")
    base = _read_alone(first, args.statements)
    _run(settings, first, args.statements, "first snapshot (fresh store)", base)
    _run(settings, second, int(args.statements * 0.98), "second snapshot (history)", base)


if __name__ == "__main__":
    main()
