"""Scenario file-schema models: shares, dates, and conversion to domain objects."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskengine.domain import Identifier, Share, Source
from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.scenario import ScenarioFile, parse_date, parse_share


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (47.1, Share.exact(47.1)),
        (50, Share.exact(50)),
        (0, Share.exact(0)),
        ("47.1%", Share.exact(47.1)),
        ("25-50", Share(low=25, high=50)),
        ("25 - 50%", Share(low=25, high=50)),
        ("10%-20%", Share(low=10, high=20)),
        ("unknown", Share.unknown()),
        ("Unknown", Share.unknown()),
    ],
)
def test_parse_share(value: object, expected: Share) -> None:
    assert parse_share(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (120, "share 120 is outside 0-100"),
        (-1, "share -1 is outside 0-100"),
        ("20-120", "share 120 is outside 0-100"),
        ("60-40", "share range 60-40 is reversed"),
        ("abc", "expected a share: a number such as 47.1, a range such as '25-50', or unknown;"
                " got 'abc'"),
        (True, "got true"),
        (None, "got nothing"),
        ("-5", "got '-5'"),
    ],
)
def test_parse_share_rejects(value: object, message: str) -> None:
    with pytest.raises(ValueError, match="share") as caught:
        parse_share(value)
    assert message in str(caught.value)


@given(st.floats(min_value=0, max_value=100))
def test_any_percentage_is_an_exact_share(pct: float) -> None:
    assert parse_share(pct) == Share.exact(pct)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2022, 6, 28), date(2022, 6, 28)),
        ("2022-06-28", date(2022, 6, 28)),
        (None, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2022, "expected a date (YYYY-MM-DD), got 2022"),
        ("28/06/2022", "expected a date (YYYY-MM-DD), got '28/06/2022'"),
        ("2022-02-30", "invalid date '2022-02-30'"),
        (datetime(2022, 6, 28, 10), "expected a date (YYYY-MM-DD)"),
    ],
)
def test_parse_date_rejects(value: object, message: str) -> None:
    with pytest.raises(ValueError, match="date") as caught:
        parse_date(value)
    assert message in str(caught.value)


def test_fixture_scenario_converts_to_domain(fixture_scenario: Path) -> None:
    data = load_rules(fixture_scenario).scenario
    entities = data.entity_map()
    assert list(entities) == ["holdco", "plantco", "partner", "owner-person"]
    holdco = entities["holdco"]
    assert holdco.country == "ru"
    assert holdco.aliases == ("Holdco", "ХОЛДКО")
    assert holdco.identifiers == (
        Identifier(scheme="inn", value="7700000001"),
        Identifier(scheme="ogrn", value="1027700000001"),
        Identifier(scheme="ogrn", value="1027700000002"),
    )
    assert holdco.sources[0].source == "rules"
    assert holdco.sources[0].file == "scenario/companies.yaml"
    assert entities["owner-person"].kind == "person"
    assert entities["plantco"].kind == "company"


def test_fixture_designations(fixture_scenario: Path) -> None:
    first, second = load_rules(fixture_scenario).scenario.designations
    assert (first.id, first.regime, first.list_name, first.measure) == (
        "holdco-us", "us", "SDN", "asset_freeze")
    assert first.source == Source(
        source="ofac-sdn", record_id="99999", file="sdn.csv", published=date(2022, 6, 28))
    assert (second.id, second.measure, second.listed_from, second.listed_to) == (
        "ties:designation:1", "sectoral", date(2023, 2, 25), date(2024, 1, 1))
    assert (second.source.file, second.source.line) == ("scenario/ties.yaml", 11)


def test_fixture_edges(fixture_scenario: Path) -> None:
    data = load_rules(fixture_scenario).scenario
    shares = {o.owner: o.share for o in data.ownerships}
    assert shares == {
        "holdco": Share.exact(50.01),
        "owner-person": Share(low=25, high=49.99),
        "partner": Share.unknown(),
    }
    assert [o.id for o in data.ownerships] == [f"ties:ownership:{i}" for i in range(3)]
    (control,) = data.controls
    assert (control.controller, control.controlled, control.kind) == (
        "owner-person", "holdco", "management")
    (tie,) = data.relationships
    assert (tie.a, tie.b, tie.kind, tie.status, tie.hs_codes) == (
        "partner", "holdco", "technology_licence", "prospective", ("870710", "8708"))
    assert tie.valid_from == date(2024, 3, 1) and tie.source.record_id == "n-1"


def test_scenario_file_sections_match_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "rules" / "README.md").read_text()
    assert all(f"{section}:" in readme for section in ScenarioFile.model_fields)
