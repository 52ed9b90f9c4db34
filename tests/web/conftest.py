"""A real ``riskengine serve`` (tests/api's) with two runs stored, and Debian's Chromium
driven by Playwright. Where Chromium or Playwright is missing the browser tests skip with
the reason (``bash .ci/browser.sh`` installs what they need)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Server, start, stop

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    found, proc = start(tmp_path_factory.mktemp("web"))
    for day in ("2022-03-01", "2024-06-01"):  # two runs: the changes page has a latest run
        done = found.cli("rescore", "--as-of", day, "--quiet", "--actor", "cron")
        assert done.returncode == 0, done.stderr
    try:
        yield found
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (bash .ci/browser.sh installs Debian's)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed (test extra)")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        pytest.skip("pdftotext not installed (bash .ci/browser.sh installs poppler-utils)")
    return found
