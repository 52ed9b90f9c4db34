"""rescore shows a progress bar on a terminal and plain lines otherwise."""

from __future__ import annotations

import io
import sys

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
