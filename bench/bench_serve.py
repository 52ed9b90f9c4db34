"""The HTTP service under load: a real `riskengine serve` process on loopback, real clients.

    python bench/bench_serve.py --db sqlite:////tmp/lead/real.db [--workers 2] [--seconds 60]

Prints, against the store given (e.g. the real OFAC SDN + UK lists):
- the baseline: GET /health (no work) p50, to read the others against;
- single explained score, one client: p50 and p99 over distinct entities (nothing cached:
  each entity scored once) and over repeated entities (the service's result cache);
- 32 concurrent clients for --seconds, twice: over repeated entities (already asked: the
  kept answers) and over distinct ones (new until the pool runs out: the count is printed);
  scores per second, errors, p50/p99, the server's CPU time (all worker processes), the
  clients' CPU time, wall time and the load average;
- screening one name: p50.
Clients keep their HTTP connections open (as an onboarding system would).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

RISKENGINE = Path(sys.executable).parent / "riskengine"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def timed(self, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=self.headers)
        got = self.conn.getresponse()
        got.read()
        return got.status, time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _entities(db: str, count: int, every: bool) -> list[str]:
    """Ids of listed entities (or of any entity, ``every``), shuffled."""
    path = db.removeprefix("sqlite:///")
    sql = ("SELECT id FROM entities ORDER BY random() LIMIT 40000" if every
           else "SELECT DISTINCT entity_id FROM designations")
    with sqlite3.connect(path) as conn:
        ids = [r[0] for r in conn.execute(sql)]
    random.Random(7).shuffle(ids)
    return ids[:count] or ["kamaz"]


def _start(args: argparse.Namespace, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([str(RISKENGINE), "serve", "--port", str(port), "--workers",
                             str(args.workers)], env=env, stderr=subprocess.PIPE)
    probe = Client(port, "")
    end = time.monotonic() + 600
    while time.monotonic() < end:
        try:
            if probe.timed("GET", "/ready")[0] == 200:
                return proc
        except OSError:
            probe = Client(port, "")
        time.sleep(0.2)
    raise SystemExit("server not ready")


def _load(port: int, token: str, ids: list[str], seconds: float, clients: int
          ) -> tuple[int, int, list[float]]:
    done, errors, took, lock = [0], [0], [], threading.Lock()
    end = time.monotonic() + seconds

    def run(k: int) -> None:
        client, i = Client(port, token), k
        while time.monotonic() < end:
            status, t = client.timed("GET", f"/v1/score?q={quote(ids[i % len(ids)])}")
            i += clients
            with lock:
                done[0] += 1
                errors[0] += status != 200
                took.append(t)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], errors[0], took


def _screen(client: Client) -> None:
    body = b'{"name": "Kamaz Publicly Traded Company", "limit": 10}'
    client.timed("POST", "/v1/screen", body)  # builds the screener
    screen = [client.timed("POST", "/v1/screen", body)[1] for _ in range(200)]
    print(f"screen one name (1 client)          p50 {_pct(screen, .5):6.2f} ms  p99 "
          f"{_pct(screen, .99):6.2f} ms")


def _cpu(pid: int) -> float:
    """CPU seconds used so far by the server process ``pid`` and its worker processes."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in _children(int(c))]


def _loaded(args: argparse.Namespace, port: int, token: str, label: str, pool: list[str],
            pid: int) -> None:
    """32 clients for --seconds over ``pool``: repeated (entities already asked about, so the
    kept answers) or distinct (each entity new until the pool is used up; said how often)."""
    cpu, mine, wall = _cpu(pid), time.process_time(), time.monotonic()
    count, errors, took = _load(port, token, pool, args.seconds, args.clients)
    cpu, mine, wall = _cpu(pid) - cpu, time.process_time() - mine, time.monotonic() - wall
    fresh = f", {min(count, len(pool))} of them first asks" if label == "distinct" else ""
    print(f"{args.clients} clients x {args.seconds:.0f} s, {args.workers} workers, {label} "
          f"entities ({len(pool)}{fresh}): {count / wall:7.1f} scores/s, {errors} errors, "
          f"p50 {_pct(took, .5):6.1f} ms, p99 {_pct(took, .99):6.1f} ms; server CPU "
          f"{cpu:.1f} s ({cpu / max(count, 1) * 1000:.2f} ms/score), clients CPU {mine:.1f} s, "
          f"wall {wall:.1f} s, load average {os.getloadavg()[0]:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--any-entity", action="store_true",
                        help="score entities drawn from all (default: listed ones)")
    parser.add_argument("--skip-load", action="store_true", help="latencies only")
    parser.add_argument("--skip-screen", action="store_true",
                        help="no screening (at 1M the first screen builds the screener: minutes)")
    args = parser.parse_args()
    cache = tempfile.mkdtemp()
    env = {**os.environ, "RISKENGINE_DB": args.db, "XDG_CACHE_HOME": cache}
    made = subprocess.run([str(RISKENGINE), "users", "add", f"bench{os.getpid()}", "--role",
                           "viewer"], env=env, capture_output=True, text=True, check=True)
    token = next(line for line in made.stdout.splitlines() if line.startswith("rk_"))
    port = _port()
    proc = _start(args, env, port)
    try:
        client = Client(port, token)
        base = [client.timed("GET", "/health")[1] for _ in range(300)]
        print(f"baseline GET /health               p50 {_pct(base, .5):6.2f} ms")
        ids = _entities(args.db, 40000, args.any_entity)
        client.timed("GET", f"/v1/score?q={quote(ids[0])}")  # the date's evaluation
        cold = [client.timed("GET", f"/v1/score?q={quote(i)}")[1] for i in ids[1:501]]
        print(f"score, distinct entities (1 client) p50 {_pct(cold, .5):6.2f} ms  p99 "
              f"{_pct(cold, .99):6.2f} ms  ({_pct(cold, .5) / _pct(base, .5):.1f}x baseline)")
        warm = [client.timed("GET", f"/v1/score?q={quote(i)}")[1] for i in ids[1:501]]
        print(f"score, repeated entities (1 client) p50 {_pct(warm, .5):6.2f} ms  p99 "
              f"{_pct(warm, .99):6.2f} ms")
        if not args.skip_screen:
            _screen(client)
        if args.skip_load:
            return 0
        for label, pool in (("repeated", ids[1:501]), ("distinct", ids[501:])):
            _loaded(args, port, token, label, pool, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
