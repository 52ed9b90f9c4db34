"""``riskengine entities merges [--state S] | accept ID | reject ID | approve ID``: the review
queue of uncertain merges (``riskengine.application.merges``), four eyes.

Register under the entities group: ``entities_app.add_typer(merges_app, name="merges")``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from riskengine.cli.runs_cmd import ActorOpt, Format, FormatOpt, actor_of

merges_app = typer.Typer(help="Review uncertain merges: list, accept, reject, approve.",
                         invoke_without_command=True)


class State(StrEnum):
    pending = "pending"
    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"
    all = "all"


ItemArg = Annotated[str, typer.Argument(help="Item id (from `entities merges`).")]
ReasonOpt = Annotated[str, typer.Option(help="Why (recorded with the decision).")]


@merges_app.callback()
def listing(
    ctx: typer.Context,
    state: Annotated[State, typer.Option(help="Only items in this state.")] = State.pending,
    fmt: FormatOpt = Format.table,
) -> None:
    """Pairs of records whose names agree without enough other evidence, and decisions."""
    if ctx.invoked_subcommand is not None:
        return
    from riskengine.application import merges as app_merges
    from riskengine.cli import render

    found = [i for i in app_merges.queue(ctx.obj)
             if state is State.all or i.state == state.value]
    if fmt is Format.json:
        render.print_json([app_merges.item_json(i) for i in found])
        return
    for line in [app_merges.item_line(i) for i in found] or [f"no {state.value} items"]:
        typer.echo(line)


@merges_app.command("accept")
def accept(ctx: typer.Context, item: ItemArg, reason: ReasonOpt, actor: ActorOpt = None
           ) -> None:
    """Propose that the pair is one party (a forced merge once another person approves)."""
    _propose(ctx, item, "merge", reason, actor)


@merges_app.command("reject")
def reject(ctx: typer.Context, item: ItemArg, reason: ReasonOpt, actor: ActorOpt = None
           ) -> None:
    """Propose that the pair are different parties (never merged once approved)."""
    _propose(ctx, item, "separate", reason, actor)


def _propose(ctx: typer.Context, item: str, decision: str, reason: str, actor: str | None
             ) -> None:
    from riskengine.application import merges as app_merges

    done = app_merges.propose(ctx.obj, item, decision, reason, actor_of(actor))
    typer.echo(f"{done.id} {decision} proposed by {actor_of(actor)}: needs approval by "
               f"someone else (`entities merges approve {done.id}`)")


@merges_app.command("approve")
def approve(ctx: typer.Context, item: ItemArg, actor: ActorOpt = None) -> None:
    """Approve the proposed decision (another person than its proposer): it takes effect."""
    from riskengine.application import merges as app_merges

    done = app_merges.approve(ctx.obj, item, actor_of(actor))
    typer.echo(f"{done.id} {done.state} (approved by {actor_of(actor)})")
