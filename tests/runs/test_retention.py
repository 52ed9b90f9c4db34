"""The retention period: which prune dates are allowed."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from riskengine.errors import InputError
from riskengine.runs.retention import RetentionRules, check_prune_date, years_before

TODAY = date(2036, 11, 22)


@pytest.mark.parametrize(("day", "years", "expected"), [
    (date(2036, 11, 22), 10, date(2026, 11, 22)),
    (date(2036, 2, 29), 10, date(2026, 2, 28)),
    (date(2036, 2, 29), 4, date(2032, 2, 29)),
])
def test_years_before(day: date, years: int, expected: date) -> None:
    assert years_before(day, years) == expected


@pytest.mark.parametrize(("before", "years", "allowed"), [
    (date(2026, 11, 22), 10, True),   # every run pruned finished at least ten years ago
    (date(2026, 11, 23), 10, False),  # one day too young
    (date(2036, 1, 1), 10, False),
    (date(2035, 11, 22), 1, True),
])
def test_check_prune_date(before: date, years: int, allowed: bool) -> None:
    rules = RetentionRules(retention_years=years)
    if allowed:
        check_prune_date(before, TODAY, rules)
        return
    with pytest.raises(InputError, match=rf"runs are kept {years} years.*allowed today is") as err:
        check_prune_date(before, TODAY, rules)
    assert err.value.exit_code == 2 and "\n" not in str(err.value)


@pytest.mark.parametrize("fields", [{"retention_years": 0}, {"retention_yeras": 5}])
def test_rules_are_validated(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetentionRules.model_validate(fields)


def test_default_is_ten_years() -> None:
    assert RetentionRules().retention_years == 10
