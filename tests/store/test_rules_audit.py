"""Rule changes noticed and recorded in the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from riskengine.store import Store
from riskengine.store.audit import audit_entries, verify_audit
from riskengine.store.rules_audit import file_digests, note_rule_files

AT = datetime(2026, 11, 1, tzinfo=UTC)
FIRST = {"regimes.yaml": "a", "scoring.yaml": "b"}
STEPS = [
    # name, files, recorded?, (added, removed, modified)
    ("first", FIRST, True, (["regimes.yaml", "scoring.yaml"], [], [])),
    ("unchanged", FIRST, False, None),
    ("modified", FIRST | {"scoring.yaml": "c"}, True, ([], [], ["scoring.yaml"])),
    ("added-and-removed", {"scoring.yaml": "c", "merges.yaml": "m"}, True,
     (["merges.yaml"], ["regimes.yaml"], [])),
    ("same-again", {"merges.yaml": "m", "scoring.yaml": "c"}, False, None),
]


def test_rule_changes_are_recorded_once_each(store: Store) -> None:
    for name, files, recorded, diff in STEPS:
        with store.transaction(write=True) as conn:
            assert note_rule_files(conn, files, "alice", AT, "snap") is recorded, name
        if recorded:
            last = audit_entries(store, None)[-1]
            assert (last.action, last.actor) == ("rules.change", "alice")
            assert last.details["files"] == file_digests(files)
            assert (last.details["added"], last.details["removed"],
                    last.details["modified"]) == diff, name
    assert len(audit_entries(store, None)) == 3
    assert verify_audit(store)[1] is None


@pytest.mark.parametrize("text", ["", "é"])
def test_digests_are_of_the_text(text: str) -> None:
    import hashlib

    assert file_digests({"x.yaml": text}) == {
        "x.yaml": hashlib.sha256(text.encode()).hexdigest()}
