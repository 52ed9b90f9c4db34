"""The JSON Schemas shipped in rules/schema equal what the rule models generate, and they
accept the bundled rule files and reject what the loader rejects for the same reason."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riskengine.ruleset.schema import SCHEMA_DIR, generated, rule_file_models, schema_name
from riskengine.ruleset.yamlpos import parse_bytes
from tests.conftest import ROOT

SHIPPED = ROOT / "rules" / SCHEMA_DIR


def test_shipped_schemas_equal_the_generated_ones() -> None:
    """Regenerate with `python -m riskengine.ruleset.schema` after changing a rule model."""
    made = generated()
    shipped = {p.name: p.read_text(encoding="utf-8") for p in SHIPPED.glob("*.schema.json")}
    assert sorted(shipped) == sorted(made)
    for name, text in made.items():
        assert shipped[name] == text, (f"rules/schema/{name} is stale: regenerate with "
                                       f"python -m riskengine.ruleset.schema")


def _plain(value: Any) -> Any:
    """YAML data as an editor's JSON view of it: dates as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _files() -> list[tuple[str, Path]]:
    found = []
    for rel in rule_file_models():
        paths = sorted((ROOT / "rules").glob(rel))
        found += [(rel, p) for p in paths]
    return found


def _validator(rel: str) -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (test extra) not installed")
    schema = json.loads((SHIPPED / schema_name(rel)).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(("rel", "path"), _files(), ids=str)
def test_bundled_rule_files_satisfy_their_schema(rel: str, path: Path) -> None:
    doc, problems = parse_bytes(str(path), path.read_bytes())
    assert doc is not None and problems == []
    errors = [e.message for e in _validator(rel).iter_errors(_plain(doc.data or {}))]
    assert errors == []


BAD = [
    ("scoring.yaml", "decay", 1.5, "greater than the maximum"),
    ("scoring.yaml", "wieght", 1, "Additional properties"),
    ("regimes.yaml", "regimes", "us", "is not of type 'array'"),
]


@pytest.mark.parametrize(("rel", "key", "value", "message"), BAD)
def test_schemas_reject_what_the_loader_rejects(rel: str, key: str, value: object,
                                                message: str) -> None:
    path = ROOT / "rules" / rel
    doc, _problems = parse_bytes(str(path), path.read_bytes())
    assert doc is not None
    data = {**_plain(doc.data), key: value}
    errors = [e.message for e in _validator(rel).iter_errors(data)]
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize(("share", "ok"), [(47.1, True), ("25-50", True), ("unknown", True),
                                           ("47.1%", True), (150, False), ("a lot", False)])
def test_scenario_schema_takes_shares_as_written(share: object, ok: bool) -> None:
    fact = {"owner": "a", "asset": "b", "share": share, "source": {"note": "n"}}
    errors = list(_validator("scenario/*.yaml").iter_errors({"ownerships": [fact]}))
    assert (errors == []) is ok, [e.message for e in errors]
