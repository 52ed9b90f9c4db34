"""``riskengine override add|approve|list|revoke`` (issue #5): reviewed overrides of scores.

Register on the main app with ``app.add_typer(overrides_app, name="override")``. An override
is stored pending and takes effect in ``score`` once another person approves it; every change
is an audit entry. Approving one's own override exits 2 with a one-line message.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from riskengine.cli.options import day_or_today, parse_day
from riskengine.cli.runs_cmd import ActorOpt, Format, FormatOpt, actor_of

overrides_app = typer.Typer(help="Make, approve, list and revoke overrides of scores.",
                            no_args_is_help=True)


class Kind(StrEnum):
    false_positive = "false_positive"
    confirmed = "confirmed"
    accepted_risk = "accepted_risk"
    manual_status = "manual_status"


class ManualStatus(StrEnum):
    listed = "listed"
    owned = "owned"
    controlled = "controlled"
    clear = "clear"


IdArg = Annotated[int, typer.Argument(min=1, max=2**63 - 1,
                                      help="Override id (from `override list`).")]


@overrides_app.command("add")
def add(  # noqa: PLR0913, PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="Entity id, name or alias.")],
    kind: Annotated[Kind, typer.Option(help="What the override says.")],
    reason: Annotated[str, typer.Option(help="Why (shown wherever it applies).")],
    expires: Annotated[str, typer.Option(help="Last day it applies (YYYY-MM-DD).")],
    cap: Annotated[float | None, typer.Option(help="accepted_risk: highest score.")] = None,
    regime: Annotated[str | None, typer.Option(help="manual_status: the regime.")] = None,
    status: Annotated[ManualStatus | None, typer.Option(help="manual_status: the status.")
                      ] = None,
    counterparty: Annotated[str | None, typer.Option(
        help="false_positive/confirmed: the screened name or input id the decision is "
             "about.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Day whose facts the decision is based on (default today); it "
                        "lapses in evaluations where the entity's facts differ.")] = None,
    actor: ActorOpt = None,
) -> None:
    """Propose an override (pending until another person approves it)."""
    from riskengine.application import overrides as app_overrides

    draft = {"entity_id": entity, "kind": kind.value, "reason": reason,
             "expires": parse_day("--expires", expires), "cap": cap, "regime": regime,
             "manual_status": status.value if status else None, "counterparty": counterparty,
             "author": actor_of(actor)}
    made = app_overrides.add(ctx.obj, draft, day_or_today("--as-of", as_of))
    typer.echo(f"override #{made.id} pending: needs approval by someone other than "
               f"{made.author}")


@overrides_app.command("approve")
def approve(ctx: typer.Context, override_id: IdArg, actor: ActorOpt = None) -> None:
    """Approve an override: it must be another person than its author."""
    from riskengine.application import overrides as app_overrides

    done = app_overrides.approve(ctx.obj, override_id, actor_of(actor))
    typer.echo(f"override #{done.id} approved by {done.approver}")


@overrides_app.command("revoke")
def revoke(
    ctx: typer.Context,
    override_id: IdArg,
    actor: ActorOpt = None,
    reason: Annotated[str | None, typer.Option(help="Why it is revoked.")] = None,
) -> None:
    """Revoke an override (it stays on record, with status revoked)."""
    from riskengine.application import overrides as app_overrides

    done = app_overrides.revoke(ctx.obj, override_id, actor_of(actor), reason)
    typer.echo(f"override #{done.id} revoked by {done.revoked_by}")


@overrides_app.command("list")
def list_(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Option(help="Only this entity's overrides.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Overrides with their status today: pending, active, expired, lapsed or revoked."""
    from riskengine.application import overrides as app_overrides
    from riskengine.cli import render

    found = app_overrides.listing(ctx.obj, entity, day_or_today("--as-of", None))
    if fmt is Format.json:
        render.print_json([app_overrides.override_json(o, s) for o, s in found])
        return
    for line in [app_overrides.override_line(o, s) for o, s in found] or ["no overrides"]:
        typer.echo(line)
