"""IngestRecord: timestamps from the caller, timezone-aware, normalised to UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from riskengine.store import IngestRecord

START = datetime(2024, 7, 1, 11, 0, tzinfo=timezone(timedelta(hours=2)))


def make(started: datetime, finished: datetime) -> IngestRecord:
    return IngestRecord(source="uk", file="uk.xml", content_hash="00", started_at=started,
                        finished_at=finished)


def test_timestamps_are_normalised_to_utc() -> None:
    made = make(START, START + timedelta(seconds=5))
    assert made.started_at == datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    assert made.started_at.tzinfo is UTC
    assert (made.finished_at - made.started_at, made.id, made.counts) == (
        timedelta(seconds=5), None, {})


@pytest.mark.parametrize(
    ("started", "finished", "message"),
    [(START.replace(tzinfo=None), START, "timezone"),
     (START, START.replace(tzinfo=None), "timezone"),
     (START, START - timedelta(seconds=1), "finished_at is before started_at")],
    ids=["naive-start", "naive-finish", "reversed"],
)
def test_bad_timestamps_are_refused(started: datetime, finished: datetime, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make(started, finished)


def test_records_are_frozen() -> None:
    made = make(START, START)
    with pytest.raises(ValidationError, match="frozen"):
        made.file = "other.xml"  # type: ignore[misc]
    assert made.file == "uk.xml"
