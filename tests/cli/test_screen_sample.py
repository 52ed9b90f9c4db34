"""The README's messy sample file screened in one command: the expected party on top and
flagged, a different company (KAMAZ's leasing arm, Siemens) not flagged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import ok
from tests.conftest import ROOT

SAMPLE = ROOT / "fixtures" / "screening" / "counterparties.csv"
EXPECTED = {  # input id -> (top entity or None, flagged as a match)
    "C-001": ("kamaz", True), "C-002": ("kamaz", True), "C-003": ("jac", True),
    "C-004": ("moskvich", True), "C-005": ("nefaz", True), "C-006": (None, False),
    "C-007": ("renault", True), "C-008": ("kamaz", False), "C-009": ("tutaev-motor-plant", True),
    "C-010": ("rostec", True),
}


@pytest.fixture
def screened(cli) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    out = ok(cli, "screen", "--file", str(SAMPLE), "--format", "json").out
    rows = [json.loads(line) for line in out.splitlines()]  # one object per line (NDJSON)
    return {row["input"]["id"]: row for row in rows}


@pytest.mark.parametrize("input_id", sorted(EXPECTED))
def test_sample_counterparties(screened: dict[str, dict[str, Any]], input_id: str) -> None:
    entity, flagged = EXPECTED[input_id]
    matches = screened[input_id]["matches"]
    top = matches[0] if matches else None
    assert (top["entity"]["id"] if top else None) == entity
    assert any(m["match"] for m in matches) is flagged
    if top:
        assert top["features"] and top["sources"] is not None and 0 <= top["score"] <= 1


def test_csv_output_has_a_row_per_candidate(cli) -> None:  # type: ignore[no-untyped-def]
    lines = ok(cli, "screen", "--file", str(SAMPLE)).out.splitlines()
    assert lines[0].startswith("line,input_id,input_name,rank,entity_id")
    assert {line.split(",")[1] for line in lines[1:]} == set(EXPECTED)
