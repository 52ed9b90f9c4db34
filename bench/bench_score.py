"""Single-score figures on the real OFAC SDN 2024-05-03 + UK ConList store: ``riskengine
score`` as a cold process (the compiled graph present), ``riskengine --help``, and warm
explained scores in one process (compiled graph open, the day's verdicts derived once).
The bare interpreter start (``python -c pass``) is printed as the baseline of the process
figures.

Usage: python bench/bench_score.py [data_dir] [--db URL] [--instructions]   (ingests into a
temp SQLite file unless --db names a store that already holds the lists). ``--instructions``
also counts each process's instructions under ``valgrind --tool=callgrind`` (slow, ~40 s a
run, but the same count however loaded the machine is: for comparing versions on a busy
machine, where wall and CPU times stretch with the load).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
RISKENGINE = Path(sys.executable).with_name("riskengine")
QUERIES = ("kamaz", "jac", "uk:RUS1422", "ofac:37756", "moskvich", "nefaz")


def _median_run(cmd: list[str], env: dict[str, str], times: int = 7) -> tuple[float, float]:
    """Median (wall seconds, CPU seconds) of ``times`` runs: on a loaded machine the wall
    time stretches with the load, the CPU time much less."""
    found, cpu = [], []
    for _ in range(times):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        found.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(found), statistics.median(cpu)


def _ingest(url: str, data: Path) -> None:
    from riskengine.application import ingest as app_ingest
    from riskengine.settings import Settings

    settings = Settings(db_url=url)
    app_ingest.ingest_list(settings, "ofac-sdn", data / "ofac_sdn_csv" / "2024-05-03",
                        date(2024, 5, 3))
    app_ingest.ingest_list(settings, "uk", data / "uk_ofsi_conlist" / "ConList.xlsx",
                        date(2025, 4, 14))


def _warm(url: str) -> list[tuple[str, float]]:
    from riskengine.application import service
    from riskengine.engine import evaluate, score
    from riskengine.settings import Settings

    settings = Settings(db_url=url)
    out = []
    with service.compiled_graph(settings) as (loaded, rules, _store):
        ev = evaluate(loaded.data, rules, date(2026, 11, 1))
        for query in QUERIES:
            if query not in ev.graph.index:
                continue
            score(ev, query)  # first call builds the graph's explanation index
            found = []
            for _ in range(15):
                start = time.perf_counter()
                score(ev, query)
                found.append(time.perf_counter() - start)
            out.append((query, statistics.median(found)))
    return out


def _bytecode_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a user's Python, which keeps compiled bytecode (``__pycache__``):
    some shells here set PYTHONDONTWRITEBYTECODE, which makes every start compile the
    project's modules again (about 0.1 s). Compiles them once, as a first start would."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "riskengine")],
                   env=env, check=True, capture_output=True)
    return env


def _instructions(cmd: list[str], env: dict[str, str]) -> int | None:
    """Instructions the process executes (callgrind's total); None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *cmd], env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def _print_instructions(commands: list[tuple[str, list[str]]], env: dict[str, str]) -> None:
    base = _instructions([sys.executable, "-c", "pass"], env)
    if base is None:
        print("instructions: valgrind not found (apt-get install valgrind)")
        return
    print(f"{'python -c pass (baseline)':<30} {base / 1e9:7.2f} G instructions")
    for label, cmd in commands:
        count = _instructions(cmd, env) or 0
        print(f"{label:<30} {count / 1e9:7.2f} G instructions  {count / base:5.1f}x baseline")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--db", default=None)
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    if args.db is None:
        _ingest(url, args.data)
    env = _bytecode_env({**os.environ, "RISKENGINE_DB": url})
    subprocess.run([str(RISKENGINE), "score", "kamaz"], env=env, check=True,
                   capture_output=True)  # compiles the graph, remembers the rules
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    base, base_cpu = _median_run([sys.executable, "-c", "pass"], env)
    print(f"python -c pass (baseline)      {base * 1000:7.0f} ms ({base_cpu * 1000:5.0f} ms CPU)")
    commands = [("riskengine --help", [str(RISKENGINE), "--help"]),
                ("riskengine score kamaz (cold)", [str(RISKENGINE), "score", "kamaz"]),
                ("riskengine score jac (cold)", [str(RISKENGINE), "score", "jac"])]
    for label, cmd in commands:
        took, cpu = _median_run(cmd, env)
        print(f"{label:<30} {took * 1000:7.0f} ms ({cpu * 1000:5.0f} ms CPU)   "
              f"{took / base:5.1f}x baseline")
    if args.instructions:
        _print_instructions(commands, env)
    for query, took in _warm(url):
        print(f"warm explained score {query:<12} {took * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
