"""rescore shows a progress bar on a terminal and plain lines otherwise."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from riskengine.cli.runs_cmd import _bar


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("tty", "quiet", "bar"), [(True, False, True), (True, True, False),
                                                   (False, False, False)])
def test_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tty: bool, quiet: bool,
                                bar: bool) -> None:
    monkeypatch.setattr(sys, "stderr", _Tty() if tty else io.StringIO())
    with _bar(quiet) as update:
        assert (update is not None) is bar
        if update is not None:
            update(5, 10)  # drives the real rich progress bar


# --- the real command, on a pseudo-terminal and on a pipe -----------------------------------

MAIN = "from riskengine.cli.app import main; main()"
BAR = "━"  # rich's bar glyph


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "RISKENGINE_RULES")}
    return env | {"TERM": "xterm-256color", "RISKENGINE_DB": f"sqlite:///{tmp_path / 'r.db'}"}


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's other end closed (Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _rescore(tmp_path: Path, tty: bool) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `riskengine rescore` with stderr a terminal or a pipe."""
    args = [sys.executable, "-c", MAIN, "rescore", "--as-of", "2022-07-01"]
    if not tty:
        done = subprocess.run(args, env=_env(tmp_path), capture_output=True, check=False)
        return done.returncode, done.stdout.decode(), done.stderr.decode()
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, env=_env(tmp_path), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    try:
        err = _read_all(master)
    finally:
        os.close(master)
    out, _ = proc.communicate()
    return proc.returncode, out.decode(), err.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize(("tty", "present", "absent"), [
    (True, ["storing scores", BAR, "100%", "rescore: run 1 complete"], ["rescore: stored"]),
    (False, ["rescore: stored", "rescore: run 1 complete"], ["storing scores", BAR, "\x1b["]),
])
def test_rescore_progress_on_a_terminal_and_a_pipe(tmp_path: Path, tty: bool,
                                                   present: list[str], absent: list[str]) -> None:
    code, out, err = _rescore(tmp_path, tty)
    assert code == 0, err
    assert out.startswith("1\tas of 2022-07-01")
    for text in present:
        assert text in err, (text, err)
    for text in absent:
        assert text not in err, (text, err)
    if not tty:
        total = re.findall(r"rescore: stored (\d+)/(\d+) entities", err)[-1]
        assert total[0] == total[1]  # the last line reports every row stored
