"""Option parsing shared by the CLI commands."""

from __future__ import annotations

from datetime import date


def parse_day(option: str, value: str | None) -> date | None:
    """``value`` as a date (YYYY-MM-DD), None when not given; InputError naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from riskengine.errors import InputError

        raise InputError(option, f"expected a date YYYY-MM-DD, got {value!r}") from None


def day_or_today(option: str, value: str | None) -> date:
    """``parse_day``, defaulting to today (the clock is read here, at the boundary)."""
    return parse_day(option, value) or date.today()
