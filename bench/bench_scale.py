"""End-to-end scale figures through the real CLI on SQLite: generate N synthetic entities
(``gen_ftm.py``: 2.5 ownership/directorship edges per entity, 0.5 % sanctioned), then
``riskengine ingest ftm``, ``riskengine rescore`` (which compiles the graph), ``riskengine
score`` cold with the compiled graph present, and ``riskengine --help``: each as its own
process, printing its wall time and peak RSS.

Usage: python bench/bench_scale.py [N ...] [--keep DIR] [--url URL]
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


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in GB, last line of output) of one CLI process."""
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
    return seconds, usage.ru_maxrss / 1e6, lines[-1] if lines else ""


def scale(n: int, folder: Path, url: str | None) -> None:
    data = folder / f"synthetic-{n}.ftm.json"
    t0 = time.perf_counter()
    # in a process of its own: this one stays small, so the children's peak RSS (which
    # counts what they were forked from) is theirs
    subprocess.run([sys.executable, str(Path(__file__).with_name("gen_ftm.py")), str(n),
                    str(data)], check=True)
    print(f"\n== {n:,} entities, {int(n * 2.5):,} edges (file made in "
          f"{time.perf_counter() - t0:.0f} s, {data.stat().st_size / 1e6:,.0f} MB)")
    env = {**os.environ, "RISKENGINE_DB": url or f"sqlite:///{folder / f'scale-{n}.db'}",
           "RISKENGINE_SEED": "0"}
    for label, args in (("ingest ftm", ["ingest", "ftm", str(data)]),
                        ("rescore (compiles the graph)", ["rescore", "--quiet"]),
                        ("rescore again (graph reused)", ["rescore", "--quiet"]),
                        ("score, cold process", ["score", "e12345"]),
                        ("--help", ["--help"])):
        seconds, rss, last = run(args, env)
        print(f"{label:<30} {seconds:8.1f} s   peak RSS {rss:5.2f} GB   {last[:60]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="*", type=int, default=[100_000])
    parser.add_argument("--keep", type=Path, default=None, help="folder for files (kept)")
    parser.add_argument("--url", default=None, help="database URL instead of SQLite files")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    folder.mkdir(parents=True, exist_ok=True)
    for n in args.n:
        scale(n, folder, args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
