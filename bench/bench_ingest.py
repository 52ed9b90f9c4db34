"""Ingest figures: `riskengine ingest ftm` of N synthetic entities through the CLI.

Generates the file with ``bench/gen_ftm.py`` (N entities, 2.5 edges per entity), ingests it
into a fresh store in a subprocess (``.venv/bin/riskengine --db URL ingest ftm FILE``) and
prints the wall time, rows per second and the subprocess's peak RSS. Asserts nothing.

Run: .venv/bin/python bench/bench_ingest.py N [--url postgresql://postgres@127.0.0.1/test]
     [--keep] [--limit-gb 8]
(with ``--url``, the ingest goes to a fresh schema ``--schema`` (default ``bench_ingest``) of
that database, dropped afterwards; without it, to a temporary SQLite file.) Wall times depend
on the machine's load: the CPU seconds of the subprocess are the steadier figure. To measure
another version of the code, run with ``PYTHONPATH`` pointing at its source tree.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "riskengine"


def _generate(n: int, folder: Path) -> Path:
    out = folder / f"s{n}.ftm.json"
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_ftm.py"), str(n), str(out)],
                   check=True)
    print(f"generated {out.name}: {out.stat().st_size / 1e6:.0f} MB in "
          f"{time.perf_counter() - started:.1f} s")
    return out


def _pg_schema(url: str, schema: str, create: bool) -> str:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if create:
            conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _limit(gigabytes: float) -> None:
    cap = int(gigabytes * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _ingest(url: str, path: Path, limit_gb: float) -> tuple[float, int, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(CLI), "--db", url, "ingest", "ftm", str(path)],
                          capture_output=True, text=True, check=False,
                          preexec_fn=lambda: _limit(limit_gb))
    elapsed = time.perf_counter() - started
    print(done.stdout.strip()[:2000])
    if done.returncode:
        print(f"exit {done.returncode}: {done.stderr.strip()[-400:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, done.returncode, usage.ru_maxrss / 2**20, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("--url", default=None, help="PostgreSQL URL (default: SQLite file)")
    parser.add_argument("--schema", default="bench_ingest",
                        help="PostgreSQL schema made (and dropped) for the run")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and db")
    parser.add_argument("--limit-gb", type=float, default=8.0,
                        help="address-space cap of the ingest subprocess")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    path = _generate(args.n, folder)
    lines = sum(1 for _ in path.open("rb"))
    sqlite_url = f"sqlite:///{folder / 'bench.db'}"
    url = _pg_schema(args.url, args.schema, create=True) if args.url else sqlite_url
    try:
        elapsed, code, peak_gb, cpu = _ingest(url, path, args.limit_gb)
    finally:
        if args.url and not args.keep:
            _pg_schema(args.url, args.schema, create=False)
    backend = "postgresql" if args.url else "sqlite"
    print(f"ingest ftm, {backend}: {lines} records in {elapsed:.1f} s "
          f"({lines / elapsed:,.0f} records/s), CPU {cpu:.1f} s (wall time depends "
          f"on the machine's load), peak RSS {peak_gb:.2f} GB, "
          f"exit {code}")
    if not args.keep:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
