"""``riskengine report QUERY -o FILE``: the case report of one counterparty, as a standalone
HTML file or a PDF (``application.reports``); its sha256 goes into the audit log."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from riskengine.cli.options import day_or_today, parse_day
from riskengine.cli.runs_cmd import ActorOpt, actor_of


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


def report(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Entity id, name or alias (any script).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.",
                                         dir_okay=False)],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html (one file, no script) "
                                                               "or pdf.")] = ReportFormat.html,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Evaluate lists and ties as they stood on this date (YYYY-MM-DD).")
    ] = None,
    run: Annotated[int | None, typer.Option(
        "--run", min=1, max=2**63 - 1,
        help="The report of what that stored run gave the entity (its facts, rules and "
             "overrides: what we knew then).")] = None,
    actor: ActorOpt = None,
) -> None:
    """Write the case report of one counterparty: header (entity, as of, run, rules and
    data hashes, when, by whom), verdicts with evidence, the score as a waterfall, the
    exposure graph, sources and overrides in force. Its sha256 is recorded in the audit log.
    """
    from riskengine.application.reports import report as make_report
    from riskengine.errors import InputError

    today = day_or_today("--as-of", None)
    made = make_report(ctx.obj, query, parse_day("--as-of", as_of), run, fmt.value,
                       actor_of(actor), today)
    try:
        output.write_bytes(made.data)
    except OSError as exc:
        raise InputError(str(output), exc.strerror or str(exc)) from None
    r = made.report.result
    typer.echo(f"{output}: {fmt.value} report of {r.entity.name} ({r.entity.id}) as of "
               f"{r.as_of.isoformat()}, score {r.score:g}; sha256 {made.sha256}")
