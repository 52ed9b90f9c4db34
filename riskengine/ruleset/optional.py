"""Optional rule files beside the core ones: each is one pydantic model, defaults when absent.

``ingest.yaml`` (list-ingestion safety limits), ``merges.yaml`` (forced and forbidden entity
merges), ``alerts.yaml`` (change alerts of rescoring runs), ``retention.yaml`` (how long runs
are kept), ``screening.yaml`` (name matching) and ``coverage.yaml`` (when list data is
out of date), ``registers.yaml`` (ownership-register ingests). ``riskengine rules check``
validates them together with the core files; ``service.yaml`` (limits and caches of
``riskengine serve``) too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from riskengine.coverage import CoverageRules
from riskengine.errors import RuleErrors
from riskengine.ingest.editions import IngestRules
from riskengine.ingest.merge import MergeRules
from riskengine.registers.rules import RegisterRules
from riskengine.ruleset.report import ReportRules
from riskengine.ruleset.service import ServiceRules
from riskengine.ruleset.yamlpos import parse_bytes, validation_problems
from riskengine.runs.changes import AlertRules
from riskengine.runs.retention import RetentionRules
from riskengine.screening.config import ScreeningConfig

_M = TypeVar("_M", bound=BaseModel)


def optional_models() -> dict[str, type[BaseModel]]:
    """File name -> model of every optional rule file."""
    return {"ingest.yaml": IngestRules, "merges.yaml": MergeRules, "alerts.yaml": AlertRules,
            "retention.yaml": RetentionRules, "screening.yaml": ScreeningConfig,
            "coverage.yaml": CoverageRules, "registers.yaml": RegisterRules,
            "service.yaml": ServiceRules, "report.yaml": ReportRules}


def load_optional(directory: Path, name: str, model: type[_M]) -> _M:
    """``model`` from ``directory/name`` (its defaults when the file is absent); RuleErrors
    with 'path:line:col: message' lines when the file is invalid."""
    path = directory / name
    if not path.is_file():
        return model()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleErrors([f"{path}: cannot read file: {exc.strerror}"]) from None
    doc, problems = parse_bytes(str(path), raw)
    if doc is None or problems:
        raise RuleErrors([str(p) for p in problems])
    try:
        return model.model_validate(doc.data or {})
    except ValidationError as exc:
        found = validation_problems(doc, exc.errors(), model)
        raise RuleErrors([str(p) for p in found]) from None


def check_optional(directory: Path) -> list[str]:
    """Problems of every optional rule file present in ``directory``."""
    problems: list[str] = []
    for name, model in optional_models().items():
        try:
            load_optional(directory, name, model)
        except RuleErrors as exc:
            problems += exc.problems
    return problems
