"""End-to-end scale figures through the real CLI on SQLite: generate N synthetic entities
(``gen_ftm.py``: 2.5 ownership/directorship edges per entity, 0.5 % sanctioned), then
``riskengine ingest ftm``, ``riskengine rescore`` (which compiles the graph), ``riskengine
score`` cold with the compiled graph present, and ``riskengine --help``: each as its own
process, printing its wall time and peak RSS.

Usage: python bench/bench_scale.py [N ...] [--keep DIR] [--url URL] [--direct]
Prints figures; asserts nothing (timings are not tests).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RISKENGINE = Path(sys.executable).with_name("riskengine")


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, peak RSS in GB, last line of output) of one CLI process (CPU
    time reads the same on a loaded machine, where wall time stretches)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(RISKENGINE), *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {lines[-1:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1e6, lines[-1] if lines else ""


def scale(n: int, folder: Path, url: str | None, direct: bool = False) -> None:
    db = url or f"sqlite:///{folder / f'scale-{n}.db'}"
    env = {**os.environ, "RISKENGINE_DB": db, "RISKENGINE_SEED": "0"}
    steps: list[tuple[str, list[str]]] = []
    if direct:
        _direct_store(n, db)
    else:
        steps.append(("ingest ftm", ["ingest", "ftm", str(_ftm_file(n, folder))]))
    print(f"   load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    steps += [("rescore (compiles the graph)", ["rescore", "--quiet"]),
              ("rescore again (graph reused)", ["rescore", "--quiet"]),
              ("score, cold process", ["score", "e12345"]), ("--help", ["--help"])]
    for label, args in steps:
        seconds, cpu, rss, last = run(args, env)
        print(f"{label:<30} {seconds:8.1f} s ({cpu:7.1f} s CPU)   peak RSS {rss:5.2f} GB   "
              f"{last[:50]}", flush=True)


def _ftm_file(n: int, folder: Path) -> Path:
    data = folder / f"synthetic-{n}.ftm.json"
    t0 = time.perf_counter()
    # in a process of its own: this one stays small, so the children's peak RSS (which
    # counts what they were forked from) is theirs
    subprocess.run([sys.executable, str(Path(__file__).with_name("gen_ftm.py")), str(n),
                    str(data)], check=True)
    print(f"\n== {n:,} entities, {int(n * 2.5):,} edges (file made in "
          f"{time.perf_counter() - t0:.0f} s, {data.stat().st_size / 1e6:,.0f} MB)")
    return data


def _direct_store(n: int, db: str) -> None:
    """The same graph written straight into the store (``gen_store.py``), no FtM file; a
    SQLite file that is there already (``--keep`` of an earlier run) is used as it is."""
    print(f"\n== {n:,} entities, {int(n * 2.5):,} edges, written directly (gen_store.py)")
    if db.startswith("sqlite:///") and Path(db.removeprefix("sqlite:///")).exists():
        print("   (the store of an earlier run, kept)")
        return
    subprocess.run([sys.executable, str(Path(__file__).with_name("gen_store.py")), str(n), db],
                   check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="*", type=int, default=[100_000])
    parser.add_argument("--keep", type=Path, default=None, help="folder for files (kept)")
    parser.add_argument("--url", default=None, help="database URL instead of SQLite files")
    parser.add_argument("--direct", action="store_true",
                        help="write the store with gen_store.py instead of ingesting a file "
                             "(for 20,000,000 entities: no 10 GB file to parse first)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    folder.mkdir(parents=True, exist_ok=True)
    for n in args.n:
        scale(n, folder, args.url, args.direct)
    return 0


if __name__ == "__main__":
    sys.exit(main())
