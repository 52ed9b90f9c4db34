"""A real ``riskengine serve`` process on loopback, and an HTTP client for it.

The server runs on a copy of the bundled rules whose ``service.yaml`` refreshes every 0.1 s
and has small limits (so the limit tests send small bodies); users of every role are made
with ``riskengine users add`` before it starts.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from riskengine.ruleset.bundled import bundled_rules_dir

RISKENGINE = Path(sys.executable).parent / "riskengine"
ROLES = {"vera": "viewer", "anna": "analyst", "apollo": "approver", "april": "approver",
         "adam": "admin"}
LIMITS = {"refresh_seconds": 0.1, "max_body_bytes": 100_000, "max_batch_rows": 50,
          "max_query_chars": 200, "max_limit": 20}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def lines(self) -> list[Any]:
        return [json.loads(line) for line in self.body.splitlines() if line.strip()]


@dataclass
class Server:
    url: str
    port: int
    db: str
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, user: str | None = None, body: Any = None,
             raw: bytes | None = None, content_type: str = "application/json",
             headers: dict[str, str] | None = None) -> Reply:
        """One request on a new connection (``user``: whose token; ``body``: JSON)."""
        sent = dict(headers or {})
        if user is not None:
            sent["Authorization"] = f"Bearer {self.tokens[user]}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        if data is not None:
            sent["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=sent)
            got = conn.getresponse()
            return Reply(got.status, {k.lower(): v for k, v in got.getheaders()}, got.read())
        finally:
            conn.close()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(RISKENGINE), *args], env=self.env, capture_output=True,
                              text=True, timeout=300, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rules(folder: Path) -> Path:
    shutil.copytree(bundled_rules_dir(), folder)
    text = "".join(f"{k}: {v}\n" for k, v in LIMITS.items())
    (folder / "service.yaml").write_text(text, encoding="utf-8")
    return folder


def _wait_ready(server: Server, proc: subprocess.Popen[bytes]) -> None:
    end = time.monotonic() + 120
    while time.monotonic() < end:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {err}")
        try:
            if server.call("GET", "/ready").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server not ready within 120 s")


def start(tmp: Path) -> tuple[Server, subprocess.Popen[bytes]]:
    db = f"sqlite:///{tmp / 'service.db'}"
    env = {**os.environ, "RISKENGINE_DB": db, "RISKENGINE_RULES": str(_rules(tmp / "rules")),
           "XDG_CACHE_HOME": str(tmp / "cache"), "USER": "tester"}
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", port, db, env)
    for name, role in ROLES.items():
        made = server.cli("users", "add", name, "--role", role)
        assert made.returncode == 0, made.stderr
        server.tokens[name] = next(line for line in made.stdout.splitlines()
                                   if line.startswith("rk_"))
    proc = subprocess.Popen([str(RISKENGINE), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_ready(server, proc)
    return server, proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a server started by ``start`` (killed if it does not stop within 15 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    found, proc = start(tmp_path_factory.mktemp("serve"))
    try:
        yield found
    finally:
        stop(proc)
