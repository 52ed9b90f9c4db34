"""JSON Schemas of the rule files, generated from the rule models, so that editors validate a
rule file as it is typed (VS Code's YAML extension, JetBrains IDEs, any yaml-language-server
client): unknown keys, wrong types and out-of-range numbers are marked where they are.

The schemas ship in ``rules/schema/`` (``<file>.schema.json`` per rule file, ``scenario``
for every ``scenario/*.yaml``); a test checks that they equal what the models generate, so a
model change without regenerated schemas fails. Regenerate with
``python -m riskengine.ruleset.schema [DIR]`` (default: the bundled rules' ``schema/``).
The loader stays the one judge: it also checks what a schema cannot say (period overlaps,
band order, references between scenario files, stakes over 100%).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from riskengine.ruleset.bundled import bundled_rules_dir
from riskengine.ruleset.models import RegimeRules, ScoringRules
from riskengine.ruleset.optional import optional_models
from riskengine.ruleset.scenario import ScenarioFile
from riskengine.ruleset.warnings import CHECKS_FILE, CheckRules

SCHEMA_DIR = "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def rule_file_models() -> dict[str, type[BaseModel]]:
    """Rule file (relative to a rules directory; ``scenario/*.yaml`` for the scenario
    files) -> the model that validates it."""
    return {"regimes.yaml": RegimeRules, "scoring.yaml": ScoringRules,
            "scenario/*.yaml": ScenarioFile, **optional_models(), CHECKS_FILE: CheckRules}


def schema_name(rule_file: str) -> str:
    """'scoring.yaml' -> 'scoring.schema.json'; 'scenario/*.yaml' -> 'scenario.schema.json'."""
    return rule_file.split("/", maxsplit=1)[0].removesuffix(".yaml") + ".schema.json"


def schema_of(rule_file: str, model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of one rule file, keys as written in YAML (``from``, ``to``, ``list``)."""
    found = model.model_json_schema(by_alias=True, mode="validation")
    head = {"$schema": DIALECT, "title": f"riskengine rules/{rule_file}",
            "description": (model.__doc__ or "").strip().split("\n\n")[0]}
    return {**head, **{k: v for k, v in found.items() if k not in ("title", "description")}}


def generated() -> dict[str, str]:
    """Schema file name -> its text (sorted keys, two-space indent, final newline)."""
    return {schema_name(rel): json.dumps(schema_of(rel, model), indent=2, sort_keys=True,
                                         ensure_ascii=False) + "\n"
            for rel, model in rule_file_models().items()}


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` (created); the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated().items():
        (directory / name).write_text(text, encoding="utf-8")
        written.append(directory / name)
    return written


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else bundled_rules_dir() / SCHEMA_DIR
    for path in write_schemas(target):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
