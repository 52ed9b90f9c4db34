"""Text, CSV and JSON forms of runs, changes, history and audit entries."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from riskengine.runs.chain import Entry
    from riskengine.runs.changes import Change
    from riskengine.runs.table import EntityState
    from riskengine.store.records import IngestRecord, RunRecord

CHANGE_FIELDS = ("entity_id", "name", "kind", "regime", "before", "after")




def run_line(run: RunRecord) -> str:
    """'3  as of 2022-07-01  2026-11-22 03:10:00 UTC  120 entities, 5 blocked  rules 1a2b..'."""
    c = run.counts
    return (f"{run.id}\tas of {run.as_of.isoformat()}\t{run.finished_at:%Y-%m-%d %H:%M:%S} UTC"
            f"\t{c.get('entities', 0)} entities, {c.get('blocked', 0)} blocked"
            f"\trules {run.rules_hash[:12]}\tdata {run.data_snapshot[:12]}\tby {run.actor}"
            + ("\tpruned (scores deleted)" if run.status == "pruned" else ""))


def run_lines(run: RunRecord) -> list[str]:
    """Every field and count of one run, for people."""
    lines = [f"run {run.id} ({run.status}) as of {run.as_of.isoformat()} by {run.actor}",
             f"started {run.started_at.isoformat()}  finished {run.finished_at.isoformat()}",
             f"rules {run.rules_hash}", f"data  {run.data_snapshot}",
             f"snapshots: facts {run.facts_hash or '-'}, rule files {run.rules_snapshot or '-'}"]
    return lines + [f"  {key}: {value}" for key, value in sorted(run.counts.items())]




def ingest_lines(ingests: Sequence[IngestRecord]) -> list[str]:
    """'ingest 2  ofac-sdn 2024-05-03  sha256 1a2b...  /path/sdn.csv' per ingest."""
    head = [f"data from {len(ingests)} ingests:"]
    return head + [f"  ingest {i.id}\t{i.source}\t{i.published or '-'}\t"
                   f"{i.content_hash[:12]}\t{i.file}" for i in ingests]




def change_lines(changes: Sequence[Change]) -> list[str]:
    """One line per change: 'kamaz  KAMAZ PJSC  newly_blocked us: clear -> listed', or for
    a merge 'kamaz  KAMAZ PJSC  merged: ofac:37756 -> kamaz' (split: from -> new id)."""
    lines = []
    for c in changes:
        what = f"{c.kind} {c.regime}" if c.regime else c.kind
        arrow = f": {c.before or '-'} -> {c.after or '-'}"
        lines.append(f"{c.entity_id}\t{c.name}\t{what}{arrow}")
    return lines


def change_csv(changes: Sequence[Change]) -> str:
    """CSV with a header row: entity_id,name,kind,regime,before,after."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHANGE_FIELDS)
    for c in changes:
        writer.writerow([getattr(c, f) or "" for f in CHANGE_FIELDS])
    return out.getvalue()




def history_lines(entity_id: str, found: Sequence[tuple[RunRecord, EntityState]]) -> list[str]:
    if not found:
        return [f"{entity_id}: in no stored run"]
    lines = [f"{found[-1][1].name} ({entity_id})"]
    for r, s in found:
        blocked = ", ".join(sorted(c for c, v in s.regimes.items() if v.blocked)) or "none"
        earlier = f"\tas {s.entity_id}" if s.entity_id != entity_id else ""
        lines.append(f"run {r.id}\tas of {r.as_of.isoformat()}\t{s.score:6.2f}\t{s.band}"
                     f"\tblocked under: {blocked}{earlier}")
    return lines


def changes_head(current: RunRecord, before: RunRecord | None, count: int,
                 skipped: Sequence[int]) -> str:
    """'run 3 vs run 1: 4 changes', saying which pruned runs were skipped."""
    note = (f" (pruned runs skipped: {', '.join(map(str, skipped))})" if skipped else "")
    if before is None:
        return f"run {current.id}: no previous run to compare with{note}"
    return f"run {current.id} vs run {before.id}: {count} changes{note}"


def pruned_note(pruned: Sequence[int]) -> list[str]:
    """The line naming pruned runs (their scores deleted under retention), if any."""
    if not pruned:
        return []
    return [f"not shown: pruned runs (scores deleted under retention): "
            f"{', '.join(map(str, pruned))}"]


def prune_lines(found: Sequence[RunRecord], before: date, done: bool) -> list[str]:
    """What ``runs prune`` did, or would do without --yes."""
    if not found:
        return [f"no completed run finished before {before.isoformat()}: nothing to prune"]
    ids = ", ".join(str(r.id) for r in found)
    if done:
        return [f"pruned {len(found)} runs (scores deleted, headers kept): {ids}"]
    return [f"would prune {len(found)} runs finished before {before.isoformat()}: {ids}",
            *[run_line(r) for r in found], "run again with --yes to prune them"]




def entry_line(entry: Entry) -> str:
    from riskengine.runs.chain import canonical

    return (f"{entry.id}\t{entry.at:%Y-%m-%d %H:%M:%S} UTC\t{entry.actor}\t{entry.action}"
            f"\t{canonical(dict(entry.details))}\t{entry.hash[:16]}")
