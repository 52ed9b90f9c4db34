"""`riskengine screen --file -` streams: the first rows come out while the input is still
being written (the pipe is open), the rest follow in order once it is closed."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from riskengine.screening.batch import FIRST_CHUNK

HANG_GUARD = 600  # seconds: only stops a broken run from hanging the suite, never a timing
NAMES = ["KAMAZ", "Nobody In Particular", "Moskvich", "Anhui Jianghuai Automobile"]


def lines_of(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def test_first_rows_arrive_before_the_input_ends(tmp_path: Path) -> None:
    env = {**os.environ, "RISKENGINE_DB": f"sqlite:///{tmp_path / 'riskengine.db'}"}
    env.pop("RISKENGINE_RULES", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "riskengine", "screen", "--file", "-", "--format", "json",
         "--as-of", "2026-11-01"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8", env=env)
    assert proc.stdin and proc.stdout and proc.stderr
    out: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=lines_of, args=(proc.stdout, out), daemon=True).start()
    rows = [f"r{i};{NAMES[i % len(NAMES)]}\n" for i in range(FIRST_CHUNK * 4)]
    try:
        proc.stdin.write("id;name\n" + "".join(rows[:FIRST_CHUNK]))
        proc.stdin.flush()
        first = [out.get(timeout=HANG_GUARD) for _ in range(FIRST_CHUNK)]
        assert None not in first, proc.stderr.read()
        assert proc.poll() is None  # still running: the rest of the input has not come
        proc.stdin.write("".join(rows[FIRST_CHUNK:]))
        proc.stdin.close()
        rest = list(iter(lambda: out.get(timeout=HANG_GUARD), None))
        assert proc.wait(timeout=HANG_GUARD) == 0, proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    got = [json.loads(line or "") for line in first + rest]
    assert [r["input"]["id"] for r in got] == [f"r{i}" for i in range(len(rows))]
    assert [r["input"]["line"] for r in got] == list(range(2, len(rows) + 2))
    kamaz = got[0]["matches"][0]
    assert kamaz["entity"]["id"] == "kamaz" and kamaz["risk"]["regimes"]["us"] == "listed"


def test_a_bad_row_on_stdin_stops_at_its_line(tmp_path: Path) -> None:
    env = {**os.environ, "RISKENGINE_DB": f"sqlite:///{tmp_path / 'riskengine.db'}"}
    env.pop("RISKENGINE_RULES", None)
    text = "name\n" + "KAMAZ\n" * 30 + '"unterminated\n'
    done = subprocess.run(
        [sys.executable, "-m", "riskengine", "screen", "--file", "-", "--format", "json",
         "--as-of", "2026-11-01"], input=text, capture_output=True, text=True, env=env,
        timeout=HANG_GUARD, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: <stdin>:32: not a valid CSV row: unexpected end " \
                                  "of data"
    assert len(done.stdout.splitlines()) == 30  # the rows before it were all screened
