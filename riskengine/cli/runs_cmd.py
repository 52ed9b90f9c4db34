"""CLI of rescoring runs, changes, history and the audit log (issue #5).

Registered on the main app by ``riskengine.cli.app``:
``rescore``, ``changes``, ``history`` (commands), ``runs`` and ``audit`` (sub-apps).
Exit codes besides the usual: 5 ``rescore --fail-on-changes`` found changes, 6 the audit log
is broken; a second rescore while one runs exits 1 with a one-line message.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskengine.cli.options import day_or_today, parse_day

if TYPE_CHECKING:
    from riskengine.store.audit_check import Verified

runs_app = typer.Typer(help="List and show stored rescoring runs.", no_args_is_help=True)
audit_app = typer.Typer(help="Check and show the audit log.", no_args_is_help=True)
EXIT_CHANGES = 5


class Format(StrEnum):
    table = "table"
    json = "json"


class ChangeFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def actor_of(option: str | None) -> str:
    """--actor, else the OS user ($USER, else the account's name), else 'unknown'."""
    if option:
        return option
    try:
        import getpass

        return os.environ.get("USER") or getpass.getuser()
    except (OSError, KeyError):  # no passwd entry for the uid (some containers)
        return "unknown"


def _log(quiet: bool) -> Callable[[str], None]:
    def log(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    return log


@contextmanager
def _bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar of stored rows on a terminal; None (plain log lines) otherwise."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("storing scores", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _echo(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


ActorOpt = Annotated[str | None, typer.Option(help="Who runs this, for the audit log "
                                                   "[default: $USER].")]
FormatOpt = Annotated[Format, typer.Option("--format", help="table for people, json for tools.")]


def rescore(  # noqa: PLR0913, PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Evaluate lists and ties as they stood on this date [default: today].")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress lines on stderr.")] = False,
    fail_on_changes: Annotated[bool, typer.Option(
        help="Exit 5 when the run differs from the previous one (rules/alerts.yaml).")
    ] = False,
    actor: ActorOpt = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Store nothing: score under --rules DIR and report what would "
                          "change against the rules in use (an audit entry names them).")
    ] = False,
    proposed: Annotated[Path | None, typer.Option(
        "--rules", help="--dry-run: the proposed rules directory.")] = None,
    fmt: Annotated[ChangeFormat, typer.Option(
        "--format", help="--dry-run: table, csv or json.")] = ChangeFormat.table,
    top: Annotated[int, typer.Option("--top", min=0, help="--dry-run: top movers shown.")
                   ] = 10,
) -> None:
    """Score every entity and store the run (one transaction; one rescore at a time).

    With --dry-run --rules DIR: what rescoring under the proposed rules would change
    (the change kinds of `changes`), stored nowhere; --fail-on-changes exits 5 on any."""
    from riskengine.application import runs as app_runs
    from riskengine.cli import runs_render

    when = day_or_today("--as-of", as_of)
    if dry_run or proposed is not None:
        from riskengine.cli import whatif_cmd
        from riskengine.errors import InputError

        if not dry_run:
            raise InputError("--rules", "on rescore only with --dry-run (to store a run "
                                        "under other rules, give --rules before the command)")
        count = whatif_cmd.dry_run(ctx.obj, proposed, when, fmt.value, top, actor_of(actor))
        if fail_on_changes and count:
            raise typer.Exit(EXIT_CHANGES)
        return
    with _bar(quiet) as bar:
        run = app_runs.rescore(ctx.obj, when, actor_of(actor), _log(quiet), bar)
    typer.echo(runs_render.run_line(run))
    if fail_on_changes:
        _run, before, found = app_runs.changes(ctx.obj, run.id)
        if found:
            typer.echo(f"{len(found)} changes since run {before.id if before else '-'}: "
                       f"riskengine changes --run {run.id}")
            raise typer.Exit(EXIT_CHANGES)


def changes(
    ctx: typer.Context,
    run: Annotated[int | None, typer.Option(min=1, max=2**63 - 1,
                                            help="Run id [default: the latest].")] = None,
    since: Annotated[str | None, typer.Option(
        help="Compare with the last run finished before this day (YYYY-MM-DD, UTC) instead "
             "of the previous run: the net changes over the period.")] = None,
    fmt: Annotated[ChangeFormat, typer.Option("--format", help="table, csv or json.")
                   ] = ChangeFormat.table,
) -> None:
    """What changed since the previous completed run (newly blocked, unblocked, bands, scores,
    new evidence, entities added, removed, merged or split), or since a day (--since).

    Entities are followed by their records: a merge is one `merged` row naming the absorbed
    id, a split one `split` row naming the entity it came from, and verdicts and scores are
    compared with the predecessors'.

    Pruned runs (scores deleted under retention) are skipped: the run is compared with the
    latest run before it that still has its scores, and the output says which runs were
    skipped.

    Score moves count from rules/alerts.yaml's threshold (default 10 points)."""
    from riskengine.application import runs as app_runs
    from riskengine.application import views
    from riskengine.cli import render, runs_render

    current, before, found = app_runs.changes(ctx.obj, run, parse_day("--since", since)
                                                  if since else None)
    skipped = app_runs.pruned_between(ctx.obj, before, current)
    if fmt is ChangeFormat.json:
        render.print_json(views.changes_payload(current, before, skipped, found))
    elif fmt is ChangeFormat.csv:
        sys.stdout.write(runs_render.change_csv(found))
    else:
        head = runs_render.changes_head(current, before, len(found), skipped)
        _echo([head, *runs_render.change_lines(found)])


def history(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Entity id, name or alias.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """An entity's score, band and blocking regimes across the stored runs, under its
    earlier ids too (before a merge); pruned runs, whose scores are deleted, are named, not
    shown."""
    from riskengine.application import runs as app_runs
    from riskengine.cli import render, runs_render

    if fmt is Format.json:
        from riskengine.application import views

        render.print_json(views.history(ctx.obj, query))
        return
    entity_id, found = app_runs.history(ctx.obj, query)
    pruned = app_runs.pruned_runs(ctx.obj)
    _echo([*runs_render.history_lines(entity_id, found), *runs_render.pruned_note(pruned)])


@runs_app.command("list")
def runs_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Completed runs, oldest first."""
    from riskengine.application import runs as app_runs
    from riskengine.cli import render, runs_render

    if fmt is Format.json:
        from riskengine.application import views

        render.print_json(views.run_list(ctx.obj))
        return
    found = app_runs.runs(ctx.obj)
    _echo([runs_render.run_line(r) for r in found] or ["no runs yet"])


@runs_app.command("show")
def runs_show(
    ctx: typer.Context,
    run: Annotated[int, typer.Argument(min=1, max=2**63 - 1, help="Run id.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """One run: dates, hashes of the rules and data used, the list files ingested by then,
    counts."""
    from riskengine.application import runs as app_runs
    from riskengine.cli import render, runs_render

    if fmt is Format.json:
        from riskengine.application import views

        render.print_json(views.run_detail(ctx.obj, run))
        return
    found = app_runs.run(ctx.obj, run, pruned_ok=True)
    ingests = app_runs.ingests_before(ctx.obj, found)
    _echo(runs_render.run_lines(found) + runs_render.ingest_lines(ingests))


@runs_app.command("prune")
def runs_prune(
    ctx: typer.Context,
    before: Annotated[str, typer.Option(
        help="Prune completed runs that finished before this date (YYYY-MM-DD).")],
    yes: Annotated[bool, typer.Option(
        "--yes", help="Prune; without it, only print what would be pruned.")] = False,
    actor: ActorOpt = None,
) -> None:
    """Delete the per-entity scores of old runs, keeping each run's header (status pruned,
    counts, hashes) and writing one audit entry. Refuses (exit 2) any date within the
    retention period of rules/retention.yaml (default 10 years)."""
    from riskengine.application import runs as app_runs
    from riskengine.cli import runs_render

    day = parse_day("--before", before)
    assert day is not None
    found, done = app_runs.prune(ctx.obj, day, actor_of(actor), apply=yes)
    _echo(runs_render.prune_lines(found, day, done))


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    head: Annotated[str | None, typer.Option(
        help="A head hash printed by `audit head` and kept outside the database: it must "
             "still be in the chain (entries removed from its end are found).")] = None,
) -> None:
    """Check the audit log's hash chain, and every run (header and all its score rows),
    ingest and override against the entries that recorded them: exit 6 naming what was
    edited or deleted. Runs recorded before digests existed are counted as not covered."""
    from riskengine.application import runs as app_runs

    typer.echo(_verified_line(app_runs.audit_report(ctx.obj, head)))


def _verified_line(verified: Verified) -> str:
    """'audit log intact: 12 entries; checked 2 runs, 5 ingests, 1 override; not covered
    (recorded before digests): 1 run'."""
    found = verified.findings
    line = f"audit log intact: {verified.entries} entries"
    if found.checked:
        line += "; checked " + _counted(found.checked)
    if found.not_covered:
        line += "; not covered (recorded before digests): " + _counted(found.not_covered)
    return line


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind if n != 1 else kind.rstrip('s')}" for kind, n in
                     counts.items())


@audit_app.command("head")
def audit_head(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The hash of the latest audit entry: keep it outside the database (a ticket, a log,
    another system) and check it later with `audit verify --head HASH`."""
    from riskengine.application import runs as app_runs

    entry = app_runs.audit_head(ctx.obj)
    if fmt is Format.json:
        from riskengine.cli import render

        render.print_json({"id": entry.id, "at": entry.at.isoformat(), "hash": entry.hash})
        return
    typer.echo(entry.hash)


@audit_app.command("show")
def audit_show(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Entries from this date (YYYY-MM-DD).")
                     ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Audit entries, oldest first."""
    from riskengine.application import runs as app_runs
    from riskengine.cli import render, runs_render

    if fmt is Format.json:
        from riskengine.application import views

        render.print_json(views.audit(ctx.obj, parse_day("--since", since)))
        return
    found = app_runs.audit_entries(ctx.obj, parse_day("--since", since))
    _echo([runs_render.entry_line(e) for e in found] or ["no audit entries"])
