"""`riskengine` command line. Thin: parse options, build Settings, call the service, print.

Errors become one stderr line and an exit code here and only here:
0 ok, 1 unexpected error, 2 invalid input or rules, 3 entity not found, 4 ambiguous query.
Heavy modules (numpy, scipy, pandas, SQLAlchemy) are imported inside the commands so that
``riskengine --help`` starts fast.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from riskengine.cli import merges_cmd, registers_cmd, report_cmd
from riskengine.cli.options import day_or_today, parse_day
from riskengine.cli.overrides_cmd import overrides_app
from riskengine.cli.runs_cmd import (
    ActorOpt,
    actor_of,
    audit_app,
    changes,
    history,
    rescore,
    runs_app,
)
from riskengine.cli.screen_cmd import screen
from riskengine.cli.serve_cmd import serve
from riskengine.cli.users_cmd import users_app
from riskengine.cli.whatif_cmd import rules_diff
from riskengine.settings import Settings

app = typer.Typer(
    name="riskengine",
    help="Sanctions-exposure risk scoring: per-regime blocking verdicts (OFAC 50% rule, EU and "
    "UK ownership and control tests) and explained secondary-sanctions exposure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Validate and inspect rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
rules_app.command("diff")(rules_diff)
entities_app = typer.Typer(help="Inspect entities (merged across lists).", no_args_is_help=True)
app.add_typer(entities_app, name="entities")
entities_app.add_typer(merges_cmd.merges_app, name="merges")
app.add_typer(runs_app, name="runs")
app.add_typer(audit_app, name="audit")
app.command()(rescore)
app.command()(changes)
app.command()(history)
app.command("screen")(screen)
app.add_typer(overrides_app, name="override")
app.add_typer(users_app, name="users")
app.command("serve")(serve)
app.command("report")(report_cmd.report)


class Format(StrEnum):
    table = "table"
    json = "json"


class Source(StrEnum):
    ftm = "ftm"
    ofac_sdn = "ofac-sdn"
    ofac_cons = "ofac-cons"
    uk = "uk"
    eu = "eu"
    un = "un"
    ca = "ca"
    bis = "bis"
    gleif = "gleif"
    bods = "bods"
    psc = "psc"


@app.callback()
def _options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option(
        help="Database URL or SQLite file [env RISKENGINE_DB; default sqlite:///riskengine.db]"
    )] = None,
    rules: Annotated[Path | None, typer.Option(
        help="Rules directory [env RISKENGINE_RULES; default: the bundled rules]"
    )] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks on errors.")] = False,
    seed: Annotated[bool | None, typer.Option(
        "--seed/--no-seed", help="Score with the bundled seed scenario facts of the rule files "
                                 "(rules/scenario) [env RISKENGINE_SEED=0: without; default: "
                                 "with]", show_default=False)] = None,
) -> None:
    ctx.obj = Settings.build(os.environ, db=db, rules=rules, debug=debug, seed=seed)


@app.command()
def score(  # noqa: PLR0913, PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Entity id, name or alias (any script).")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Evaluate lists and ties as they stood on this date (YYYY-MM-DD).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table for people, json for tools.")
                   ] = Format.table,
    run: Annotated[int | None, typer.Option(
        "--run", min=1, max=2**63 - 1,
        help="Reproduce the result that stored rescore run gave the entity, from "
             "the facts, rules and overrides it used (checked against its record).")
    ] = None,
    actor: ActorOpt = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="Table: cite sources uncut, wider than the terminal if need be.")
    ] = False,
    with_file: Annotated[Path | None, typer.Option(
        "--with", help="What if: hypothetical entities and ties (scenario format, naming "
                       "the data's entities by id); the score with and without them.")
    ] = None,
) -> None:
    """Score one counterparty: verdict per regime, exposure score, band and the evidence.

    Every score request is recorded in the audit log (who, when, what, the result).
    """
    from riskengine.application.scoring import score as score_one
    from riskengine.cli import render

    today = day_or_today("--as-of", None)  # the clock is read here, at the boundary
    if with_file is not None:
        from riskengine.cli import whatif_cmd
        from riskengine.errors import InputError

        if run is not None:
            raise InputError("--with", "not with --run: a stored run is reproduced as it was")
        whatif_cmd.score_with(ctx.obj, query, with_file, parse_day("--as-of", as_of) or today,
                              actor_of(actor), fmt is Format.json, wide)
        return
    result = score_one(ctx.obj, query, parse_day("--as-of", as_of), run, actor_of(actor), today)
    if fmt is Format.json:
        render.print_json(result.to_json_dict())
    else:
        render.score_table(result, wide=wide)


@app.command()
def ingest(
    ctx: typer.Context,
    source: Annotated[Source, typer.Argument(help="Format of the file.")],
    paths: Annotated[list[Path], typer.Argument(
        help="File or directory to ingest (gleif: the files of one publication).", exists=True,
        dir_okay=True)],
    published: Annotated[str | None, typer.Option(
        help="Publication date of a list edition whose file states none (YYYY-MM-DD; "
             "required for such a file).")] = None,
    force: Annotated[bool, typer.Option(
        help="Ingest an edition older than the newest stored one, or one delisting more "
             "than rules/ingest.yaml allows.")] = False,
    actor: ActorOpt = None,
) -> None:
    """Ingest a file into the database (one transaction with its audit entry: all or nothing).

    Official lists (ofac-sdn, ofac-cons, uk, eu, un, ca, bis) keep their history: entries new in
    an edition are listed from its date, entries gone are delisted as of it. Ownership
    registers (gleif, bods, psc) likewise: ties a newer snapshot no longer states end.
    """
    from riskengine.application import ingest as app_ingest
    from riskengine.errors import InputError

    if source.value in registers_cmd.REGISTERS:
        registers_cmd.ingest_register(ctx.obj, source.value, paths, published, force,
                                      actor_of(actor))
        return
    if len(paths) != 1:
        raise InputError(" ".join(map(str, paths)), f"{source.value} ingests one path")
    path = paths[0]
    if source is Source.ftm:
        lines = app_ingest.ingest_ftm(ctx.obj, path, actor_of(actor))
    else:
        when = parse_day("--published", published)
        lines = app_ingest.ingest_list(ctx.obj, source.value, path, when, force=force,
                                    actor=actor_of(actor))
    for line in lines:
        typer.echo(line)


@entities_app.command("show")
def entities_show(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Entity id, name or alias (any script).")],
    fmt: Annotated[Format, typer.Option("--format", help="table for people, json for tools.")
                   ] = Format.table,
) -> None:
    """Show an entity merged across lists: names, identifiers, source records and why."""
    from riskengine.application import entities
    from riskengine.cli import render

    report = entities.entity_report(ctx.obj, query)
    if fmt is Format.json:
        render.print_json(report)
    else:
        for line in render.entity_lines(report):
            typer.echo(line)


@rules_app.command("check")
def rules_check(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(help="Rules directory to check.")] = None,
) -> None:
    """Validate a rules directory; print every problem as path:line:col: message (exit 2),
    then values that are valid but suspicious as path:line:col: warning: ... (exit 0)."""
    from riskengine.application import base
    from riskengine.ruleset.loader import check_rules
    from riskengine.ruleset.warnings import rule_warnings

    target = directory or base.rules_dir(ctx.obj)
    problems = check_rules(target)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(2)
    warnings = rule_warnings(target)
    for warning in warnings:
        typer.echo(warning, err=True)
    plural = "" if len(warnings) == 1 else "s"
    typer.echo(f"{target}: rules OK" + (f" ({len(warnings)} warning{plural})" if warnings
                                        else ""))


@rules_app.command("factors")
def rules_factors() -> None:
    """Describe the scoring factors that make up a score."""
    from riskengine.exposure.factors import FACTORS

    for name, fn in FACTORS.items():
        doc = " ".join((fn.__doc__ or "").split())
        typer.echo(f"{name}: {doc}")


def main() -> None:
    """Console entry point: the error boundary."""
    debug = "--debug" in sys.argv or os.environ.get("RISKENGINE_DEBUG", "") not in ("", "0")
    try:
        # standalone_mode=False: click returns the exit code of typer.Exit instead of exiting,
        # and lets our exceptions through to be reported below.
        code = app(standalone_mode=False)
    except Exception as exc:  # the boundary: every error becomes one line
        if debug:  # the traceback, then the same exit code as without --debug
            traceback.print_exc()
        code = _report(exc)
    sys.exit(code if isinstance(code, int) else 0)


def _report(exc: BaseException) -> int:
    if isinstance(exc, typer.Exit):
        return exc.exit_code
    if isinstance(exc, typer.TyperException):  # usage errors: typer formats them itself
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return int(getattr(exc, "exit_code", 2))
    if isinstance(exc, typer.Abort):
        typer.echo("aborted", err=True)
        return 130
    return _report_error(exc)


def _report_error(exc: BaseException) -> int:
    """One line on stderr (a line per problem for rule files and ambiguous queries)."""
    from riskengine.errors import AmbiguousError, RiskEngineError, RuleErrors

    if isinstance(exc, AmbiguousError):
        typer.echo(f"error: {_one_line(str(exc))}; candidates:", err=True)
        for eid, name in exc.candidates:
            typer.echo(f"  {eid}\t{name}", err=True)
        return exc.exit_code
    if isinstance(exc, RuleErrors):  # one line per problem, by design
        typer.echo(f"error: {exc}", err=True)
        return exc.exit_code
    if isinstance(exc, RiskEngineError):
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        return exc.exit_code
    if type(exc).__module__.startswith("sqlalchemy."):
        typer.echo(f"error: database error: {_one_line(str(exc))}", err=True)
        return 1
    typer.echo(f"error: unexpected {type(exc).__name__}: {_one_line(str(exc))} (run with "
               f"--debug for details)", err=True)
    return 1


_DRIVER_DETAIL = re.compile(r"\n\s*(?:\[SQL:|\[parameters:|\(Background on this error).*", re.S)
_DRIVER_CLASS = re.compile(r"\((?:sqlite3|psycopg|psycopg2)[\w.]*\.\w+\)\s*")


def _one_line(text: str) -> str:
    """A message as one line: a database driver's SQL, parameters and links left out."""
    text = _DRIVER_CLASS.sub("", _DRIVER_DETAIL.sub("", text))
    return " ".join(text.split())
