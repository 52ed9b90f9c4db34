"""What-if figures through the real CLI (issue 16): ``rescore --dry-run --rules DIR`` for
three kinds of rule edit, and ``score QUERY --with FILE``, each as a cold process with the
compiled graph of the rules in use present, printing wall time, peak RSS and what changed.

The first dry run proposes the rules in use unchanged: it scores the book under them and
keeps it beside the compiled graph (``compiled/scores.py``), as any first dry run after an
ingest or a rule change does; the later ones read it and score only the proposed rules.

Edits: a scoring weight (one graph, verdicts derived once), a regime threshold (one graph,
verdicts derived twice), a scenario tie added (appended to the graph in use), a scenario
tie edited (its old row taken out of the graph in use, the new one appended), a scenario
entity edited (the proposed rules' own graph, compiled on first use and reused after).

Usage: python bench/bench_whatif.py real [--data DIR] [--keep DIR] [--once]
       python bench/bench_whatif.py scale N [--keep DIR] [--once] [--skip WORD]
``--once``: each dry run once (by default twice: the second shows a graph kept).
``real``: the full OFAC SDN 2024-05-03 set and OFSI's ConList.xlsx in a fresh SQLite file,
``scale``: ``gen_ftm.py`` N entities; both with the seed scenario (whose tie the scenario
edit adds).
Prints figures; asserts nothing (timings are not tests).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RISKENGINE = Path(sys.executable).with_name("riskengine")
DATA = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
ATTEMPTS = ["", " again"]  # --once: [""]
SKIP: list[str] = []  # --skip WORD: dry runs whose label has WORD
AS_OF = ["2025-06-01"]  # --as-of: e.g. 2023-06-01, before EO 14114 and its FFI factor
TIE = """\
relationships:
  - {{a: {a}, b: {b}, kind: financing, from: 2025-01-01, source: {{note: proposed loan}}}}
"""


def run(args: list[str], env: dict[str, str]) -> tuple[str, float, str]:
    """('wall s (CPU s)', peak RSS in GB, stdout) of one CLI process: on a shared machine
    the CPU time says what the command costs, the wall time what waiting for a core added."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(RISKENGINE), *args], env=env, stdout=out, stderr=err,
                                text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text, problem = out.read(), err.read()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(args)} failed: {problem[-300:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return f"{seconds:6.1f} s ({cpu:5.1f} CPU)", usage.ru_maxrss / 1e6, text


def proposal(folder: Path, name: str, edits: dict[str, tuple[str, str]],
             extra: str = "") -> Path:
    """The bundled rules copied with ``edits`` (file: (old, new)) and an extra scenario file."""
    target = folder / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "rules", target)
    for rel, (old, new) in edits.items():
        text = (target / rel).read_text(encoding="utf-8")
        (target / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
    if extra:
        (target / "scenario" / "zz_bench.yaml").write_text(extra, encoding="utf-8")
    return target


def dry_runs(folder: Path, env: dict[str, str], tie: tuple[str, str], query: str) -> None:
    cases = {
        "no edit (current book scored, kept)": proposal(folder, "p-same", {}),
        "scoring weight (decay 0.5 -> 0.7)": proposal(
            folder, "p-decay", {"scoring.yaml": ("decay: 0.5", "decay: 0.7")}),
        "regime threshold (eu 50 -> 25)": proposal(
            folder, "p-eu", _eu_threshold()),
        "scenario tie added (appended)": proposal(
            folder, "p-tie", {}, TIE.format(a=tie[0], b=tie[1])),
        "scenario tie edited (graph in use)": proposal(
            folder, "p-edit", {"scenario/europe.yaml": ("    b: jac\n    kind: joint_venture",
                                                        "    b: kamaz\n    kind: joint_venture")}),
        "scenario entity edited (own graph)": proposal(
            folder, "p-entity", {"scenario/china.yaml": ("  - id: jac\n    kind: company",
                                                         "  - id: jac\n    kind: "
                                                         "financial_institution")}),
    }
    seconds, rss, _out = run(["score", query, "--as-of", AS_OF[0]], env)
    print(f"{'score (compiles the graph in use)':<44} {seconds}  {rss:5.2f} GB  {_load()}")
    for label, rules in cases.items():
        if any(word in label for word in SKIP):
            continue
        for attempt in ATTEMPTS:
            seconds, rss, out = run(["rescore", "--dry-run", "--rules", str(rules), "--as-of",
                                     AS_OF[0], "--format", "json"], env)
            found = json.loads(out)
            print(f"{label + attempt:<44} {seconds}  {rss:5.2f} GB  "
                  f"{found['entities']:,} entities, {len(found['changes'])} changes, "
                  f"graph {found['graph']}, {_load()}")
    deal = folder / "deal.yaml"
    deal.write_text(TIE.format(a=tie[0], b=tie[1]), encoding="utf-8")
    seconds, rss, _out = run(["score", tie[0], "--with", str(deal), "--as-of", AS_OF[0]], env)
    print(f"{'score --with (a tie added)':<44} {seconds}  {rss:5.2f} GB  {_load()}")


def _load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _eu_threshold() -> dict[str, tuple[str, str]]:
    """Every period of the eu block at 25% (regimes.yaml lists eu before uk)."""
    text = (ROOT / "rules" / "regimes.yaml").read_text(encoding="utf-8")
    start, end = text.index("code: eu"), text.index("code: uk")
    block = text[start:end]
    return {"regimes.yaml": (block, block.replace("threshold: 50", "threshold: 25"))}


def real(folder: Path, data: Path) -> None:
    sdn, conlist = data / "ofac_sdn_csv" / "2024-05-03", data / "uk_ofsi_conlist" / "ConList.xlsx"
    env = {**os.environ, "RISKENGINE_DB": f"sqlite:///{folder / 'real.db'}"}
    if not (folder / "real.db").exists():
        for args in (["ingest", "ofac-sdn", str(sdn), "--published", "2024-05-03"],
                     ["ingest", "uk", str(conlist)]):
            seconds, rss, _out = run(args, env)
            print(f"{' '.join(args[:2]):<44} {seconds}  {rss:5.2f} GB")
    dry_runs(folder, env, ("volkswagen", "kamaz"), "kamaz")


def scale(folder: Path, n: int) -> None:
    db = folder / f"scale-{n}.db"
    env = {**os.environ, "RISKENGINE_DB": f"sqlite:///{db}"}  # with the seed scenario
    if not db.exists():
        made = folder / f"synthetic-{n}.ftm.json"
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_ftm.py"), str(n), str(made)],
                       check=True)
        seconds, rss, _out = run(["ingest", "ftm", str(made)], env)
        print(f"{'ingest ftm':<44} {seconds}  {rss:5.2f} GB")
    dry_runs(folder, env, ("volkswagen", "kamaz"), "kamaz")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["real", "scale"])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--keep", type=Path, default=None, help="folder for files (kept)")
    parser.add_argument("--as-of", default=AS_OF[0], help="evaluation date [%(default)s]")
    parser.add_argument("--once", action="store_true", help="each dry run once")
    parser.add_argument("--skip", action="append", default=[], metavar="WORD",
                        help="leave out the dry runs whose label has WORD (repeatable)")
    args = parser.parse_args()
    AS_OF[0] = args.as_of
    if args.once:
        ATTEMPTS[1:] = []
    SKIP.extend(args.skip)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_whatif_"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.what == "real":
        real(folder, args.data)
    else:
        scale(folder, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
