"""Validated rule models kept on disk (``ruleset.disk``): an entry is found again by a name
that is the same in every process, changes with the model's shape, and is never trusted
when altered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, create_model

from riskengine.ruleset.disk import cached, entry_name, model_shape

# Every model the application layer remembers (``application.base.rule_file`` and
# ``load_rules``), by import path.
MODELS = [
    "riskengine.ruleset.models:RuleSet",
    "riskengine.screening.config:ScreeningConfig",
    "riskengine.ingest.merge:MergeRules",
    "riskengine.ingest.editions:IngestRules",
    "riskengine.coverage:CoverageRules",
    "riskengine.registers.rules:RegisterRules",
    "riskengine.runs.changes:AlertRules",
    "riskengine.runs.retention:RetentionRules",
    "riskengine.ruleset.report:ReportRules",
    "riskengine.ruleset.service:ServiceRules",
]

_NAME = """
import importlib, sys
from riskengine.ruleset.disk import entry_name
for spec in sys.argv[1:]:
    module, name = spec.split(":")
    print(entry_name("k", "f", getattr(importlib.import_module(module), name)))
"""


def _names(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _NAME, *MODELS], env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout.split()


def test_entry_names_are_the_same_in_every_process() -> None:
    """Set orders and object addresses differ between processes: names must not."""
    first = _names("1")
    assert len(first) == len(MODELS) and len(set(first)) == len(MODELS)
    assert _names("2") == first


@pytest.mark.parametrize("spec", MODELS)
def test_shapes_name_no_addresses(spec: str) -> None:
    import importlib

    module, name = spec.split(":")
    shape = model_shape(getattr(importlib.import_module(module), name))
    assert " at 0x" not in shape and shape.count("\n") >= 1


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight: float = 1.0


def _outer(**fields: object) -> type[BaseModel]:
    return create_model("Outer", __config__=ConfigDict(extra="forbid"),  # type: ignore[call-overload,no-any-return]
                        **fields)


BASE = {"name": (str, "x"), "inner": (Inner, Field(default_factory=Inner))}
CHANGES = [
    ("field added", {**BASE, "more": (int, 0)}),
    ("field removed", {"name": (str, "x")}),
    ("type changed", {**BASE, "name": (int, 0)}),
    ("default changed", {**BASE, "name": (str, "y")}),
    ("alias added", {**BASE, "name": (str, Field("x", alias="label"))}),
    ("nested model changed", {**BASE, "inner": (list[Inner] | None, None)}),
]


@pytest.mark.parametrize(("what", "fields"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_changed_model_gets_another_entry(what: str, fields: dict[str, object]) -> None:
    assert entry_name("k", "f", _outer(**fields)) != entry_name("k", "f", _outer(**BASE))


def test_a_nested_models_fields_count() -> None:
    class Other(BaseModel):
        weight: int = 1

    with_inner = _outer(name=(str, "x"), inner=(Inner, Field(default_factory=Inner)))
    with_other = _outer(name=(str, "x"), inner=(Other, Field(default_factory=Other)))
    assert "weight" in model_shape(with_inner)
    assert model_shape(with_inner) != model_shape(with_other)


def test_an_entry_is_reused_and_an_altered_one_made_again(tmp_path: Path) -> None:
    made: list[int] = []

    def make() -> Inner:
        made.append(1)
        return Inner(weight=2.5)

    assert cached("k", "f", Inner, make, tmp_path).weight == 2.5
    assert cached("k", "f", Inner, make, tmp_path).weight == 2.5
    assert len(made) == 1
    entry = tmp_path / entry_name("k", "f", Inner)
    stored = json.loads(entry.read_text())
    entry.write_text(json.dumps({**stored, "data": stored["data"].replace("2.5", "9.5")}))
    assert cached("k", "f", Inner, make, tmp_path).weight == 2.5
    assert len(made) == 2
