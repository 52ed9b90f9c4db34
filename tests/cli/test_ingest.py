"""`riskengine ingest ftm`: real OpenSanctions data scored with the rule-file scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "ftm" / "sample.ftm.json"


def _dump(db: str) -> tuple[dict[str, int], int]:
    store = Store.open(db)
    try:
        return store.counts(), len(store.load_dataset().entities)
    finally:
        store.close()


def test_ingest_sample_then_score(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    run = cli("ingest", "ftm", str(SAMPLE))
    assert run.code == 0, run.err
    assert "ingested" in run.out
    counts, entities = _dump(db)
    assert entities > 0 and counts


def test_ingest_real_opensanctions_file_and_score(cli, db, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    """LLC CST is on the SDN list; Kalashnikov holds 49% of it: below OFAC's 50%, so exposed."""
    path = shared_data / "opensanctions_ftm" / "zala" / "entities.ftm.json"
    assert cli("ingest", "ftm", str(path)).code == 0
    cst = cli("score", "LLC CST", "--as-of", "2026-01-01", "--format", "json")
    assert cst.code == 0, cst.err
    assert cst.json()["regimes"]["us"]["status"] == "listed"
    run = cli("score", "JSC Kalashnikov Concern", "--as-of", "2026-01-01", "--format", "json")
    assert run.code == 0, run.err
    kalashnikov = run.json()
    assert kalashnikov["regimes"]["us"]["blocked"] is False
    ties = [c for c in kalashnikov["contributions"] if c["factor"] == "tie_exposure"]
    assert any(cst.json()["entity"]["id"] in [i["id"] for i in c["path"]] for c in ties)
    assert 0 < kalashnikov["score"] < 100


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ('{"id": "a", "schema": "Company", "properties": {"name": ["A"]}}\n{not json}\n', 2),
        ('{"schema": "Company", "properties": {}}\n', 1),
    ],
)
def test_bad_file_fails_whole_ingest_and_changes_nothing(cli, db, tmp_path, content, line) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", "ftm", str(SAMPLE)).code == 0
    before = _dump(db)
    bad = tmp_path / "bad.ftm.json"
    bad.write_text(content, encoding="utf-8")
    run = cli("ingest", "ftm", str(bad))
    assert run.code == 2
    assert f"bad.ftm.json:{line}" in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert _dump(db) == before
