"""End-to-end scale figures through the real CLI on SQLite: generate N synthetic entities
(``gen_ftm.py``: 2.5 ownership/directorship edges per entity, 0.5 % sanctioned), then
``riskengine ingest ftm``, ``riskengine rescore`` (which compiles the graph), ``riskengine
score`` cold with the compiled graph present, and ``riskengine --help``: each as its own
process, printing its wall time and peak RSS.

Usage: python bench/bench_scale.py [N ...] [--keep DIR] [--url URL] [--direct]
                                   [--max-rss-gb G] [--steps rescore,score]
Prints figures; asserts nothing (timings are not tests). ``--max-rss-gb``: a watchdog reads
each child's VmRSS every second and kills it when it passes G GB (the machine is shared: a
20M run must not take everyone's memory); the step is then reported as killed, with its peak.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RISKENGINE = Path(sys.executable).with_name("riskengine")


def run(args: list[str], env: dict[str, str], max_rss_gb: float | None = None
        ) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, peak RSS in GB, last line of output) of one CLI process (CPU
    time reads the same on a loaded machine, where wall time stretches). With
    ``max_rss_gb``, the process is killed when its RSS passes that (last line: KILLED)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(RISKENGINE), *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        killed: list[float] = []
        done = threading.Event()
        if max_rss_gb is not None:
            threading.Thread(target=_guard, args=(proc.pid, max_rss_gb, killed, done),
                             daemon=True).start()
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        done.set()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    if killed:
        return seconds, cpu, usage.ru_maxrss / 1e6, f"KILLED at {killed[0]:.2f} GB RSS"
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {lines[-1:]}")
    return seconds, cpu, usage.ru_maxrss / 1e6, lines[-1] if lines else ""


def rss_gb(pid: int) -> float | None:
    """VmRSS of process ``pid`` in GB (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1e6
    except OSError:
        return None
    return None


def _guard(pid: int, limit_gb: float, killed: list[float], done: threading.Event) -> None:
    """Kill process ``pid`` when its RSS passes ``limit_gb`` (polled every second until
    ``done``; the process is reaped by the waiting thread, never here)."""
    while not done.wait(1.0):
        found = rss_gb(pid)
        if found is not None and found > limit_gb and not done.is_set():
            killed.append(found)
            os.kill(pid, signal.SIGKILL)
            return


STEPS = {"rescore": ("rescore (compiles the graph)", ["rescore", "--quiet"]),
         "rescore-again": ("rescore again (graph reused)", ["rescore", "--quiet"]),
         "score": ("score, cold process", ["score", "e12345"]), "help": ("--help", ["--help"])}


def scale(n: int, folder: Path, url: str | None, direct: bool = False,
          max_rss_gb: float | None = None, which: tuple[str, ...] = tuple(STEPS)) -> None:
    db = url or f"sqlite:///{folder / f'scale-{n}.db'}"
    env = {**os.environ, "RISKENGINE_DB": db, "RISKENGINE_SEED": "0"}
    steps: list[tuple[str, list[str]]] = []
    if direct:
        _direct_store(n, db)
    else:
        steps.append(("ingest ftm", ["ingest", "ftm", str(_ftm_file(n, folder))]))
    print(f"   load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    steps += [STEPS[k] for k in which]
    for label, args in steps:
        seconds, cpu, rss, last = run(args, env, max_rss_gb)
        print(f"{label:<30} {seconds:8.1f} s ({cpu:7.1f} s CPU)   peak RSS {rss:5.2f} GB   "
              f"{last[:50]}   (load {os.getloadavg()[0]:.1f})", flush=True)


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
    parser.add_argument("--max-rss-gb", type=float, default=None,
                        help="kill a step whose RSS passes this many GB (shared machine)")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"steps to run, comma-separated, of {','.join(STEPS)}")
    args = parser.parse_args()
    which = tuple(k for k in args.steps.split(",") if k)
    if unknown := [k for k in which if k not in STEPS]:
        parser.error(f"unknown steps: {', '.join(unknown)}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    folder.mkdir(parents=True, exist_ok=True)
    for n in args.n:
        scale(n, folder, args.url, args.direct, args.max_rss_gb, which)
    return 0


if __name__ == "__main__":
    sys.exit(main())
