"""Stored rows checked against the audit entries that recorded them (issue 14, point 5).

The chain (``riskengine.runs.chain``) proves the entries were not edited; these functions
prove the rows of runs, ingests and overrides are still what the entries recorded, and name
what differs. Entries written before digests were recorded say less: a run whose entry has
no digest is *not covered* (reported, not broken). Pure: rows and entries come in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskengine.runs.chain import Entry
from riskengine.runs.digest import content_digest, header_digest, json_cell

# Header columns of a run and where its rescore entry records each: (details key or
# hashes key, which of the two).
RUN_FIELDS = {
    "as_of": ("as_of", "details"), "counts": ("counts", "details"),
    "started_at": ("started_at", "details"), "finished_at": ("finished_at", "details"),
    "rules_hash": ("rules", "hashes"), "data_snapshot": ("data", "hashes"),
    "facts_hash": ("facts", "hashes"), "rules_snapshot": ("rule_files", "hashes"),
}
INGEST_FIELDS = {"source": ("source", "details"), "file": ("file", "details"),
                 "content_hash": ("file", "hashes")}


@dataclass
class Findings:
    """What a verification found: problems (each naming what was edited), how many rows of
    each kind were checked, and how many older ones were not covered by a digest."""

    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    not_covered: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, covered: bool = True) -> None:
        into = self.checked if covered else self.not_covered
        into[kind] = into.get(kind, 0) + 1


def _recorded(entry: Entry, where: tuple[str, str]) -> tuple[bool, Any]:
    """(whether the entry records it, the value) of one field."""
    key, part = where
    holder = entry.details if part == "details" else entry.hashes
    return key in holder, holder.get(key)


def edited_fields(row: Mapping[str, Any], entry: Entry,
                  fields: Mapping[str, tuple[str, str]]) -> list[str]:
    """The columns of ``row`` whose value differs from what ``entry`` records of them."""
    found = []
    for column, where in fields.items():
        present, value = _recorded(entry, where)
        if present and json_cell(value) != json_cell(row.get(column)):
            found.append(column)
    return found


def by_detail(entries: Iterable[Entry], action: str, key: str) -> dict[int, Entry]:
    """The latest entry of ``action`` per integer ``details[key]``."""
    return {e.details[key]: e for e in entries
            if e.action == action and isinstance(e.details.get(key), int)}


def run_problem(run: Mapping[str, Any], entry: Entry | None, pruned: set[int]) -> str | None:
    """Why run ``run`` (its header row) disagrees with its rescore entry, or None."""
    name = f"run {run['id']}"
    if entry is None:
        return f"{name} has no audit entry (entries deleted, or the run inserted)"
    if run["status"] not in ("complete", "pruned"):
        return f"{name} has status {run['status']!r} (edited)"
    if run["status"] == "pruned" and run["id"] not in pruned:
        return f"{name} is marked pruned, but no prune entry names it (edited)"
    edited = edited_fields(run, entry, RUN_FIELDS)
    if entry.actor != run["actor"]:
        edited.append("actor")
    if not edited and "header" in entry.hashes and entry.hashes["header"] != header_digest(run):
        edited.append("header digest")
    return f"{name}: header edited ({', '.join(edited)})" if edited else None


def scores_problem(run_id: int, entry: Entry, rows: tuple[int, str]) -> str | None:
    """Why run ``run_id``'s per-entity rows, (count, digest), disagree with its entry."""
    count, digest = rows
    expected = entry.details.get("rows")
    if expected is not None and count != expected:
        return (f"run {run_id}: {count} score rows, its audit entry recorded {expected} "
                f"(rows deleted or inserted)")
    if digest != entry.hashes.get("scores"):
        return f"run {run_id}: score rows edited (their digest differs from its audit entry)"
    return None


def ingest_problem(ingest: Mapping[str, Any], entry: Entry) -> str | None:
    """Why an ingest row disagrees with its ingest entry, or None."""
    edited = edited_fields(ingest, entry, INGEST_FIELDS)
    digest = entry.hashes.get("ingest")
    if not edited and digest is not None and digest != content_digest(ingest):
        edited.append("row digest")
    if not edited:
        return None
    return f"ingest {ingest['id']} ({ingest['source']}): row edited ({', '.join(edited)})"


def override_problem(content: Mapping[str, Any], recorded: Mapping[str, Any] | None
                     ) -> str | None:
    """Why an override's content (``riskengine.overrides.content``) differs from what its
    latest audit entry recorded (None: it has no entry), or None."""
    name = f"override #{content['id']}"
    if recorded is None:
        return f"{name} has no audit entry (inserted outside riskengine)"
    edited = sorted(k for k in {*content, *recorded} if content.get(k) != recorded.get(k))
    return f"{name}: row edited ({', '.join(edited)})" if edited else None
