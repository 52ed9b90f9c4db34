"""Load a rules directory (regimes.yaml, scoring.yaml, scenario/*.yaml) into a validated RuleSet.

Every problem in every file is collected and reported together, each as
``path:line:col: message`` pointing at the offending key or value, so an analyst can fix
a rules directory in one pass. ``path`` is ``str(directory / relative)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TypeGuard, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from riskengine.domain import CONTROL_KINDS, RELATION_KINDS, Dataset
from riskengine.errors import RuleErrors
from riskengine.ruleset.fingerprint import fingerprint  # re-exported: loader.fingerprint
from riskengine.ruleset.models import RegimeParams, RegimeRules, RuleSet, ScoringRules
from riskengine.ruleset.optional import check_optional, load_optional, optional_models
from riskengine.ruleset.scenario_checks import build_scenario
from riskengine.ruleset.yamlpos import (
    Loc,
    Problem,
    YamlDoc,
    describe,
    parse_bytes,
    validation_problems,
)

REGIMES_FILE = "regimes.yaml"
SCORING_FILE = "scoring.yaml"
SCENARIO_DIR = "scenario"

_M = TypeVar("_M", bound=BaseModel)


def load_rules(directory: Path) -> RuleSet:
    """The RuleSet in ``directory``, once every rule file there is valid: the core files
    and the optional ones (``riskengine.ruleset.optional``). RuleErrors listing every
    problem otherwise, exactly as ``check_rules`` reports them.

    This is the one validation of a rules directory: every command goes through it (rule
    files read alone go through ``load_rule_file``, which calls it first)."""
    ruleset, problems = _checked(directory)
    if problems or ruleset is None:
        raise RuleErrors(list(problems) or [f"{directory}: no rules loaded"])
    return ruleset


def check_rules(directory: Path) -> list[str]:
    """Every problem in ``directory`` as 'path:line:col: message' lines; empty when fine.

    Covers the core files and the optional ones (``riskengine.ruleset.optional``)."""
    return list(_checked(directory)[1])


def load_rule_file(directory: Path, name: str, model: type[_M]) -> _M:
    """``model`` from the optional rule file ``name`` of ``directory`` (its defaults when
    absent), once the whole rule set there is valid (``load_rules``: RuleErrors if not)."""
    load_rules(directory)
    return load_optional(directory, name, model)


_Checked = tuple[RuleSet | None, tuple[str, ...]]
_VALID: dict[str, RuleSet] = {}  # fingerprint of valid rule files -> their RuleSet
_INVALID: dict[tuple[str, str], tuple[str, ...]] = {}  # (directory, fingerprint) -> problems
_KEPT = 8


def _checked(directory: Path) -> _Checked:
    """(RuleSet or None, problems) of ``directory``, remembered by the content of its files:
    a valid rule set by content alone (names relative to the directory), so that a command
    reading the same rules again, or a private copy of them, does not validate them twice;
    problems by directory and content (they name the files)."""
    key = fingerprint(directory)
    if key in _VALID:
        return _VALID[key], ()
    if (str(directory), key) in _INVALID:
        return None, _INVALID[str(directory), key]
    ruleset, problems = _load(directory)
    lines = [str(p) for p in problems]
    lines += (check_optional(directory) + _not_text(directory)) if directory.is_dir() else []
    if key:
        for memo in (_VALID, _INVALID):
            if len(memo) >= _KEPT:
                memo.clear()
        if lines or ruleset is None:
            _INVALID[str(directory), key] = tuple(lines)
        else:
            _VALID[key] = ruleset
    return (None, tuple(lines)) if lines or ruleset is None else (ruleset, ())


def _not_text(directory: Path) -> list[str]:
    """Problems of the other ``*.yaml`` files below ``directory``, which the loader does not
    read but every run snapshots with the rules: each must be UTF-8 text."""
    read = {REGIMES_FILE, SCORING_FILE, *optional_models()}
    problems = []
    for path in sorted(directory.rglob("*.yaml")):
        rel = path.relative_to(directory)
        if rel.as_posix() in read or rel.parent == Path(SCENARIO_DIR) or not path.is_file():
            continue
        try:
            path.read_bytes().decode("utf-8")
        except OSError as exc:
            problems.append(f"{path}: cannot read file: {exc.strerror}")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            problems.append(f"{path}:{line}:1: file is not UTF-8 text (every *.yaml file "
                            f"here is kept with the rules of each run)")
    return problems


@dataclass
class _Files:
    """Files read from a rules directory: parsed documents, problems, and the running hash."""

    directory: Path
    problems: list[Problem] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def read(self, rel: str) -> YamlDoc | None:
        """Parse ``directory/rel``, hashing (rel, bytes); None (and a problem) if unusable."""
        label = str(self.directory / rel)
        try:
            raw = (self.directory / rel).read_bytes()
        except OSError as exc:
            self.problems.append(Problem(label, 0, 0, f"cannot read file: {exc.strerror}"))
            return None
        for part in (rel.encode(), len(raw).to_bytes(8, "big"), raw):
            self.digest.update(part)
        doc, problems = parse_bytes(label, raw)
        self.problems.extend(problems)
        return doc


def _load(directory: Path) -> tuple[RuleSet | None, list[Problem]]:
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "rules directory not found"
        return None, [Problem(str(directory), 0, 0, what)]
    files = _Files(directory)
    regimes = _regimes(files, files.read(REGIMES_FILE) if _present(files, REGIMES_FILE) else None)
    scoring = _scoring(files, files.read(SCORING_FILE) if _present(files, SCORING_FILE) else None)
    scenario = _scenario(files)
    files.problems.sort()
    if files.problems or regimes is None or scoring is None:
        return None, files.problems
    ruleset = RuleSet(
        regimes=regimes, scoring=scoring, scenario=scenario,
        content_hash=files.digest.hexdigest(),
    )
    return ruleset, []


def _present(files: _Files, rel: str) -> bool:
    if (files.directory / rel).is_file():
        return True
    msg = "file not found (a rules directory needs regimes.yaml and scoring.yaml)"
    files.problems.append(Problem(str(files.directory / rel), 0, 0, msg))
    return False


def _scenario(files: _Files) -> Dataset:
    folder = files.directory / SCENARIO_DIR
    names = sorted(p.name for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []
    docs = [(f"{SCENARIO_DIR}/{name}", files.read(f"{SCENARIO_DIR}/{name}")) for name in names]
    dataset, problems = build_scenario([(rel, doc) for rel, doc in docs if doc is not None])
    files.problems.extend(problems)
    return dataset


def _validate(files: _Files, doc: YamlDoc, model: type[_M]) -> _M | None:
    if doc.data is None:
        files.problems.append(doc.at((), "file is empty"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = [err for err in exc.errors() if not _band_order_error(err)]
        files.problems.extend(validation_problems(doc, errors, model))
        return None


def _band_order_error(err: ErrorDetails) -> bool:
    """ScoringRules' whole-model band check: reported with positions by ``_check_bands``."""
    return not err["loc"] and "bands must" in err["msg"]


def _quiet(model: type[_M], data: object) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _mapping(data: object, key: str) -> object:
    return data.get(key) if isinstance(data, dict) else None


def _regimes(files: _Files, doc: YamlDoc | None) -> RegimeRules | None:
    if doc is None:
        return None
    rules = _validate(files, doc, RegimeRules)
    raw = _mapping(doc.data, "regimes")
    seen: dict[str, int] = {}
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        _check_regime(files, doc, ("regimes", index), item, seen)
    return rules


def _check_regime(
    files: _Files, doc: YamlDoc, loc: Loc, item: object, seen: dict[str, int]
) -> None:
    code = _mapping(item, "code")
    if isinstance(code, str):
        first = seen.setdefault(code, int(loc[1]))
        if first != loc[1]:
            msg = f"duplicate regime code {code!r} (first used by regime {first + 1})"
            files.problems.append(doc.at((*loc, "code"), msg))
        if code != code.lower():
            msg = f"write regime codes in lower case, got {code!r}"
            files.problems.append(doc.at((*loc, "code"), msg))
    periods = _mapping(item, "periods")
    if isinstance(periods, list):
        _check_periods(files, doc, (*loc, "periods"), periods)


def _check_periods(files: _Files, doc: YamlDoc, loc: Loc, raw: list[object]) -> None:
    valid: list[tuple[int, RegimeParams]] = []
    for index, data in enumerate(raw):
        period = _quiet(RegimeParams, data)
        if period is None:
            continue
        start, end = period.valid_from, period.valid_to
        if start is not None and end is not None and start >= end:
            msg = f"'from' {start} is not before 'to' {end}"
            files.problems.append(doc.at((*loc, index, "to"), msg))
            continue
        for other, earlier in valid:
            if _overlap(period, earlier):
                msg = f"period {index + 1} overlaps period {other + 1}"
                files.problems.append(doc.at((*loc, index), msg))
        valid.append((index, period))


def _overlap(one: RegimeParams, two: RegimeParams) -> bool:
    def before(a: date | None, b: date | None) -> bool:
        return a is None or b is None or a < b

    return before(one.valid_from, two.valid_to) and before(two.valid_from, one.valid_to)


def _scoring(files: _Files, doc: YamlDoc | None) -> ScoringRules | None:
    if doc is None:
        return None
    rules = _validate(files, doc, ScoringRules)
    controlled = _mapping(_mapping(doc.data, "control"), "controlled_by")
    _check_weights(files, doc, ("regime_weights",), _mapping(doc.data, "regime_weights"))
    _check_weights(files, doc, ("control", "controlled_by"), controlled)
    _require_all(files, doc, ("control", "controlled_by"), controlled, CONTROL_KINDS)
    relationships = _mapping(doc.data, "relationships")
    _require_all(files, doc, ("relationships",), relationships, RELATION_KINDS)
    _check_bands(files, doc, _mapping(doc.data, "bands"))
    return rules


def _check_weights(files: _Files, doc: YamlDoc, loc: Loc, raw: object) -> None:
    for key, value in raw.items() if isinstance(raw, dict) else ():
        if _is_number(value) and not 0 <= value <= 1:
            files.problems.append(doc.at((*loc, key), f"weight {value:g} is outside 0-1"))


def _require_all(
    files: _Files, doc: YamlDoc, loc: Loc, raw: object, kinds: tuple[str, ...]
) -> None:
    missing = [kind for kind in kinds if isinstance(raw, dict) and kind not in raw]
    if missing:
        msg = f"missing weights for {', '.join(missing)} (every kind needs one)"
        files.problems.append(doc.at(loc, msg, key=True))


def _check_bands(files: _Files, doc: YamlDoc, raw: object) -> None:
    if not isinstance(raw, list) or not raw or not all(isinstance(b, dict) for b in raw):
        return  # wrong shapes are reported as schema errors
    names = [band.get("name") for band in raw]
    for index, name in enumerate(names):
        if name in names[:index]:
            files.problems.append(doc.at(("bands", index, "name"), f"duplicate band {name!r}"))
    mins = [(i, b["min_score"]) for i, b in enumerate(raw) if _is_number(b.get("min_score"))]
    for (_, prev), (index, low) in pairwise(mins):
        if low > prev:
            msg = f"band {names[index]!r} starts above the band before it (list highest first)"
            files.problems.append(doc.at(("bands", index, "min_score"), msg))
    last = raw[-1].get("min_score")
    if _is_number(last) and last != 0:
        msg = f"the last band must start at 0, got {describe(last)}"
        files.problems.append(doc.at(("bands", len(raw) - 1, "min_score"), msg))


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
