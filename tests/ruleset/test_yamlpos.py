"""YAML positions, plain data and analyst-facing messages for pydantic errors."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from riskengine.ruleset.yamlpos import (
    Problem,
    YamlDoc,
    describe,
    did_you_mean,
    model_at,
    parse_yaml,
    validation_problems,
)

TEXT = """\
top:
  key: value
  nested: {a: 1, b: [x, y]}
items:
  - name: first
  - {name: second, when: 2022-06-28}
"""


def _doc(text: str = TEXT) -> YamlDoc:
    doc, problems = parse_yaml("f.yaml", text)
    assert problems == []
    assert doc is not None
    return doc


@pytest.mark.parametrize(
    ("loc", "key", "expected"),
    [
        ((), False, (1, 1)),
        (("top", "key"), False, (2, 8)),
        (("top", "key"), True, (2, 3)),
        (("top", "nested", "b", 1), False, (3, 25)),
        (("items", 1), False, (6, 5)),
        (("items", 1, "when"), False, (6, 26)),
        (("items", 1, "missing"), False, (6, 5)),
        (("items", 7), False, (5, 3)),
        (("top", "nested", "a", "[key]"), False, (3, 12)),
    ],
)
def test_positions(loc: tuple[str | int, ...], key: bool, expected: tuple[int, int]) -> None:
    problem = _doc().at(loc, "m", key=key)
    assert (problem.line, problem.col) == expected


def test_plain_data_uses_builtin_types() -> None:
    data = _doc().data
    assert data["items"][1] == {"name": "second", "when": date(2022, 6, 28)}
    assert type(data["top"]) is dict and type(data["top"]["nested"]["b"]) is list
    assert type(data["top"]["nested"]["a"]) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, 2\n", "f.yaml:2:1: YAML syntax error: expected ',' or ']', but got"
                       " '<stream end>' (while parsing a flow sequence at line 1, column 4)"),
        ("a: 1\na: 2\n", "f.yaml:2:1: found duplicate key \"a\" with value \"2\""
                         " (original value: \"1\")"),
        ("a:\n  b: 2022-02-30\n", "f.yaml:2:6: invalid date '2022-02-30' (day is out of range"
                                  " for month)"),
        ("a: b: c\n", "f.yaml:1:5: YAML syntax error: mapping values are not allowed here"),
    ],
)
def test_syntax_errors_have_positions(text: str, expected: str) -> None:
    doc, problems = parse_yaml("f.yaml", text)
    assert doc is None
    assert [str(p) for p in problems] == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", "'abc'"), (120, "120"), (50.0, "50"), (0.5, "0.5"), (True, "true"),
     (None, "nothing"), ({}, "a mapping"), ([1], "a list"), (date(2022, 1, 2), "2022-01-02")],
)
def test_describe(value: object, expected: str) -> None:
    assert describe(value) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("kamazz", " (did you mean 'kamaz'?)"), ("zzz", ""), ("nefas", " (did you mean 'nefaz'?)")],
)
def test_did_you_mean(word: str, expected: str) -> None:
    assert did_you_mean(word, ["kamaz", "nefaz", "rostec"]) == expected


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight: float = Field(ge=0, le=1)
    note: str = ""


class _Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(None, alias="from")
    flag: bool = False
    items: list[_Inner] = []
    by_name: dict[str, _Inner] = {}


def test_model_at_follows_lists_dicts_and_aliases() -> None:
    assert model_at(_Outer, ("items", 3)) is _Inner
    assert model_at(_Outer, ("by_name", "x")) is _Inner
    assert model_at(_Outer, ("from",)) is None
    assert model_at(_Outer, ()) is _Outer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("items:\n  - {wieght: 1}\n", [
            "f.yaml:2:5: missing required key 'weight'",
            "f.yaml:2:6: unknown key 'wieght' (allowed: weight, note)"]),
        ("by_name:\n  a: {weight: abc}\n", ["f.yaml:2:15: expected a number, got 'abc'"]),
        ("by_name:\n  a: {weight: 2}\n", ["f.yaml:2:15: expected a number of at most 1, got 2"]),
        ("from: someday\n", ["f.yaml:1:7: expected a date (YYYY-MM-DD), got 'someday'"]),
        ("flag: perhaps\n", ["f.yaml:1:7: expected true or false, got 'perhaps'"]),
        ("items: {weight: 1}\n", ["f.yaml:1:8: expected a list, got a mapping"]),
        ("items:\n  - {weight: 1, note: 5}\n", [
            "f.yaml:2:23: expected text, got 5 (put it in quotes to make it text)"]),
        ("extra: 1\n", ["f.yaml:1:1: unknown key 'extra' (allowed: from, flag, items, by_name)"]),
    ],
)
def test_validation_messages(text: str, expected: list[str]) -> None:
    doc = _doc(text)
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate(doc.data)
    problems = sorted(validation_problems(doc, caught.value.errors(), _Outer))
    assert [str(p) for p in problems] == expected


def test_problem_without_position() -> None:
    assert str(Problem("rules/x.yaml", 0, 0, "file not found")) == "rules/x.yaml: file not found"
