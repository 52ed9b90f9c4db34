"""Time streamed batch screening through the real CLI: `riskengine screen --file` on
200,000 rows against the full OFAC SDN 2024-05-03 (+ 2025-12 alt.csv aliases) and UK
ConList, ingested into a fresh SQLite database.

Usage: python bench/bench_screen_stream.py [rows] [data_dir] [--format csv|json]

The input names are the lists' own names perturbed (typos, dropped or reordered words,
changed legal forms, held-out aliases) mixed half and half with generated unlisted company
names, as ``bench/bench_screening.py`` makes them (``screening.evaluate``), shuffled.
First, ``screen NAME`` twice as cold processes: the first builds the compiled graph and
the screening index and saves them, the second reads them (``compiled.screen_index``);
the batch then reads them too. Prints: both times, time to the first output row, total
time, rows/s, CPU seconds of the command and its workers (wall times on a shared machine
stretch with its load; CPU time does not much), and memory of the whole process tree (the
command and its worker processes), sampled every
0.2 s: peak RSS summed, peak PSS summed (shared copy-on-write pages counted once) and the
largest single process. Baseline, in this process: 1,000 of the names screened one by one on
one core, so the streamed figures read as ratios. Asserts nothing.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from riskengine.screening.evaluate import build_eval_set, load_lists
from riskengine.screening.match import Screener

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_screening import DEFAULT, config  # a sibling script

AS_OF = "2026-11-01"
BASELINE = 1_000


def names(data: Path, count: int) -> list[str]:
    """``count`` query names from the real lists (module docstring)."""
    entities = load_lists(data)
    evalset = build_eval_set(entities, count // 2, count - count // 2, seed=5)
    found = [p.query for p in (*evalset.positives, *evalset.negatives)]
    rng = random.Random(5)
    while len(found) < count:  # the sampler may fall short: repeat a few, perturbed anew
        found.append(rng.choice(found))
    rng.shuffle(found)
    return found[:count]


def write_input(path: Path, queries: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "name"])
        out.writerows([f"R{i:06d}", q] for i, q in enumerate(queries))


def ingest(data: Path, db: str, tmp: Path) -> None:
    sdn = tmp / "sdn"
    sdn.mkdir()
    for src in ("2024-05-03/sdn.csv", "2025-12_companions/alt.csv"):
        (sdn / Path(src).name).write_bytes((data / "ofac_sdn_csv" / src).read_bytes())
    env = {**os.environ, "RISKENGINE_DB": db}
    for args in (["ofac-sdn", str(sdn), "--published", "2024-05-03"],
                 ["uk", str(data / "uk_ofsi_conlist" / "ConList.xlsx")]):
        subprocess.run([sys.executable, "-m", "riskengine", "ingest", *args], env=env,
                       check=True, capture_output=True)


class TreeMemory(threading.Thread):
    """Peak memory of a process and its descendants, from /proc, every ``every`` s."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.stop = pid, every, threading.Event()
        self.rss = self.pss = self.largest = 0

    def run(self) -> None:
        while not self.stop.is_set():
            figures = [_memory(p) for p in _tree(self.pid)]
            self.rss = max(self.rss, sum(r for r, _ in figures))
            self.pss = max(self.pss, sum(p for _, p in figures))
            self.largest = max([self.largest, *(r for r, _ in figures)])
            self.stop.wait(self.every)


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; zeros for a process that has gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    kb = {ln.split(":")[0]: int(ln.split()[1]) for ln in lines[1:] if ln.endswith("kB")}
    return kb.get("Rss", 0) * 1024, kb.get("Pss", 0) * 1024


def screen_file(path: Path, db: str, fmt: str) -> dict[str, float]:
    """Run the CLI on ``path``; its figures."""
    env = {**os.environ, "RISKENGINE_DB": db}
    cmd = [sys.executable, "-m", "riskengine", "screen", "--file", str(path), "--as-of",
           AS_OF, "--format", fmt]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    memory.start()
    assert proc.stdout is not None
    first, lines = 0.0, 0
    for _line in proc.stdout:
        lines += 1
        if lines == (2 if fmt == "csv" else 1):  # csv: after the header
            first = time.perf_counter() - start
    code = proc.wait()
    total = time.perf_counter() - start
    memory.stop.set()
    memory.join()
    return {"code": code, "first": first, "total": total, "lines": lines,
            "cpu": _children_cpu() - cpu_before,
            "rss": memory.rss, "pss": memory.pss, "largest": memory.largest}


def screen_one(db: str) -> tuple[float, float]:
    """(wall, CPU) seconds of ``screen NAME`` as a cold process."""
    env = {**os.environ, "RISKENGINE_DB": db}
    cpu_before, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "riskengine", "screen", "PAO Kamaz", "--as-of",
                    AS_OF], env=env, check=True, capture_output=True)
    return time.perf_counter() - start, _children_cpu() - cpu_before


def _children_cpu() -> float:
    """CPU seconds of the waited-for descendants (the command and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def baseline(data: Path, queries: list[str]) -> tuple[float, float]:
    """(names per wall second, per CPU second) screened one by one in this process."""
    screener = Screener.build(load_lists(data), config())
    start, cpu = time.perf_counter(), time.process_time()
    for q in queries[:BASELINE]:
        screener.screen(q, None, None, 10)
    return (BASELINE / (time.perf_counter() - start),
            BASELINE / (time.process_time() - cpu))


def main(argv: list[str]) -> int:
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "csv"
    args = [a for a in argv[1:] if not a.startswith("--") and a not in ("csv", "json")]
    count = int(args[0]) if args else 200_000
    data = Path(args[1]) if len(args) > 1 else DEFAULT
    queries = names(data, count)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        db = f"sqlite:///{tmp / 'bench.db'}"
        ingest(data, db, tmp)
        write_input(tmp / "input.csv", queries)
        size = (tmp / "input.csv").stat().st_size
        cold = [screen_one(db) for _ in range(2)]
        got = screen_file(tmp / "input.csv", db, fmt)
    rate = count / got["total"]
    mb = 1024 * 1024
    print(f"rows {count:,} ({len(set(queries)):,} distinct names, {size / mb:.1f} MB), "
          f"format {fmt}, {os.cpu_count()} cores; exit code {got['code']:.0f}, "
          f"{got['lines']:,.0f} output lines")
    print(f"screen NAME, cold process: {cold[0][0]:.1f} s wall, {cold[0][1]:.1f} s CPU building "
          f"and saving graph and index; {cold[1][0]:.1f} s wall, {cold[1][1]:.1f} s CPU reading "
          "them")
    print(f"batch (saved index read): first row after {got['first']:.1f} s; "
          f"total {got['total']:.1f} s; {rate:,.0f} rows/s")
    print(f"memory of the process tree: peak RSS {got['rss'] / mb:,.0f} MB summed, peak PSS "
          f"{got['pss'] / mb:,.0f} MB summed, largest process {got['largest'] / mb:,.0f} MB")
    print(f"CPU of the command and its workers {got['cpu']:,.0f} s: "
          f"{count / got['cpu']:,.0f} rows per CPU second; load average now "
          f"{os.getloadavg()[0]:.1f} (the machine is shared: wall times stretch with it)")
    sys.stdout.flush()  # the streamed figures stand even if the baseline fails
    per_core, per_cpu = baseline(data, queries)
    print(f"baseline (this process, one by one): {per_core:,.0f} names/s wall, "
          f"{per_cpu:,.0f} per CPU second; streamed CLI incl. loading = "
          f"{rate / per_core:.2f} x baseline wall, {count / got['cpu'] / per_cpu:.2f} x "
          f"baseline per CPU second")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
