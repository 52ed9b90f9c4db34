"""A new data version is swapped in under load, without a restart and without an error:
every response names the version it used, versions only move forward, and what a response
says agrees with the version it names."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Server, start, stop

NEW = {"id": "co-swap", "schema": "Company", "caption": "Zephyr Swaptest Trading LLC",
       "properties": {"name": ["Zephyr Swaptest Trading LLC"], "country": ["ru"]}}


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Server]:
    server, proc = start(tmp_path)
    try:
        yield server
    finally:
        stop(proc)


def _hammer(server: Server, stop: threading.Event, seen: list[tuple[str, int, str]]) -> None:
    while not stop.is_set():
        for q in ("kamaz", "Zephyr%20Swaptest%20Trading%20LLC"):
            got = server.call("GET", f"/v1/score?q={q}", "vera")
            seen.append((q, got.status, got.headers.get("riskengine-data-version", "")))


def test_ingest_swaps_the_version_under_load(fresh: Server, tmp_path: Path) -> None:
    before = fresh.call("GET", "/ready").json()["hashes"]["data"]
    stop, seen = threading.Event(), []  # type: ignore[var-annotated]
    threads = [threading.Thread(target=_hammer, args=(fresh, stop, seen)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    path = tmp_path / "new.ftm.json"
    path.write_text(json.dumps(NEW) + "\n", encoding="utf-8")
    done = fresh.cli("ingest", "ftm", str(path))
    assert done.returncode == 0, done.stderr
    end = time.monotonic() + 60
    while fresh.call("GET", "/ready").json()["hashes"]["data"] == before:
        assert time.monotonic() < end, "new version not swapped in within 60 s"
        time.sleep(0.1)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join()
    kamaz = [(status, version) for q, status, version in seen if q == "kamaz"]
    assert kamaz and all(status == 200 for status, _ in kamaz)
    versions = [v for _, v in kamaz]
    after = versions[-1]
    assert after != before and set(versions) == {before, after}
    assert versions == sorted(versions, key=lambda v: v == after)  # old, then new, never back
    new = [(status, version) for q, status, version in seen if q != "kamaz"]
    assert any(status == 200 and version == after for status, version in new)
    assert all(status in (200, 404) for status, _ in new)
    assert all(version == after for status, version in new if status == 200)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _features(found: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["kind"] for f in found["matches"][0]["features"]}


def test_a_date_of_birth_counts_for_or_against(fresh: Server) -> None:
    """Screening a person with a date of birth, one name and in a batch (the Canadian list
    excerpt names Mikhail Nikolaevich Kushakov, born 1958-11-23)."""
    before = fresh.call("GET", "/ready").json()["hashes"]["data"]
    done = fresh.cli("ingest", "ca", str(FIXTURES / "ca" / "sema-lmes.excerpt.xml"),
                     "--published", "2025-01-01")
    assert done.returncode == 0, done.stderr
    end = time.monotonic() + 60
    while fresh.call("GET", "/ready").json()["hashes"]["data"] == before:
        assert time.monotonic() < end
        time.sleep(0.1)
    row = {"name": "Mikhail Nikolaevich Kushakov"}
    same = fresh.call("POST", "/v1/screen", "vera", {**row, "birth_date": "1958-11-23"}).json()
    other = fresh.call("POST", "/v1/screen", "vera", {**row, "birth_date": "1985"}).json()
    assert "birth_date_agreement" in _features(same)
    assert "birth_date_conflict" in _features(other)
    assert other["matches"][0]["score"] < same["matches"][0]["score"]
    batch = fresh.call("POST", "/v1/screen/batch", "vera",
                       {"rows": [{**row, "birth_date": "1985"}]}).lines()
    assert batch[0]["matches"][0]["features"] == other["matches"][0]["features"]
