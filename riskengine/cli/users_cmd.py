"""``riskengine users add|list|token|revoke|disable``: users and API tokens of the service.

Register on the main app with ``app.add_typer(users_app, name="users")``. A token is
printed once, when it is made; only its hash is stored. The CLI itself is for local use by
whoever may write the database: its audit entries name the OS user (or ``--actor``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from riskengine.cli.options import parse_day
from riskengine.cli.runs_cmd import ActorOpt, Format, FormatOpt, actor_of

users_app = typer.Typer(help="Users and API tokens of `riskengine serve`.", no_args_is_help=True)


class Role(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    approver = "approver"
    admin = "admin"


NameArg = Annotated[str, typer.Argument(help="User name (the actor in the audit log).")]
ExpiresOpt = Annotated[str | None, typer.Option(
    help="Day the token stops working (YYYY-MM-DD) [default: never].")]


def _issued_lines(user: str, token_id: str, token: str, expires: str | None) -> list[str]:
    until = f", valid before {expires}" if expires else ""
    return [f"token {token_id} for {user}{until}:", token,
            "it is shown only now: keep it in a secret store"]


@users_app.command("add")
def add(ctx: typer.Context, name: NameArg,
        role: Annotated[Role, typer.Option(help="What the user may do.")],
        expires: ExpiresOpt = None, actor: ActorOpt = None) -> None:
    """Add a user and print its first token (once)."""
    from riskengine.application import users

    day = parse_day("--expires", expires)
    issued = users.add_user(ctx.obj, name, role.value, actor_of(actor), day)
    typer.echo(f"user {name} added ({role.value})")
    for line in _issued_lines(name, issued.token_id, issued.token, expires):
        typer.echo(line)


@users_app.command("token")
def token(ctx: typer.Context, name: NameArg, expires: ExpiresOpt = None,
          actor: ActorOpt = None) -> None:
    """Make another token for a user and print it (once)."""
    from riskengine.application import users

    day = parse_day("--expires", expires)
    issued = users.new_token(ctx.obj, name, actor_of(actor), day)
    for line in _issued_lines(name, issued.token_id, issued.token, expires):
        typer.echo(line)


@users_app.command("revoke")
def revoke(ctx: typer.Context,
           token_id: Annotated[str, typer.Argument(help="Token id (from `users list`).")],
           actor: ActorOpt = None) -> None:
    """Revoke a token: it stops working at once."""
    from riskengine.application import users

    user = users.revoke_token(ctx.obj, token_id, actor_of(actor))
    typer.echo(f"token {token_id} of {user} revoked")


@users_app.command("disable")
def disable(ctx: typer.Context, name: NameArg, actor: ActorOpt = None) -> None:
    """Disable a user: none of its tokens works any more; its name stays in the audit log."""
    from riskengine.application import users

    users.disable_user(ctx.obj, name, actor_of(actor))
    typer.echo(f"user {name} disabled")


def _token_state(t: dict[str, str | None]) -> str:
    if t["revoked_at"]:
        return f"revoked {t['revoked_at'][:10]}"
    return f"valid before {t['expires']}" if t["expires"] else "no expiry"


@users_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Users, their roles and their tokens (ids and state, never the tokens)."""
    from riskengine.application import users
    from riskengine.cli import render

    found = users.list_users(ctx.obj)
    if fmt is Format.json:
        render.print_json(found)
        return
    if not found:
        typer.echo("no users")
    for u in found:
        state = f", disabled {u['disabled_at'][:10]}" if u["disabled_at"] else ""
        typer.echo(f"{u['name']} ({u['role']}{state}), added by {u['created_by']}")
        for t in u["tokens"]:
            typer.echo(f"  token {t['token_id']}: {_token_state(t)}")
