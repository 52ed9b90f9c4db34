"""Users and tokens (admin role): the same use cases as `riskengine users`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from riskengine.api.deps import Admin, WarmDep
from riskengine.api.models import TokenRequest, UserRequest
from riskengine.api.routes_score import json_response
from riskengine.application import users, views

router = APIRouter(prefix="/v1", tags=["users"])
Name = Annotated[str, Path(min_length=1, max_length=64)]


def _issued(issued: users.Issued) -> Response:
    response = json_response({"user": issued.user, "token_id": issued.token_id,
                              "token": issued.token,
                              "expires": issued.expires.isoformat() if issued.expires
                              else None})
    response.status_code = 201
    return response


@router.get("/users", responses={200: {"model": list[views.UserDoc]}})
def listing(warm: WarmDep, _user: Admin) -> Response:
    """Users, roles and tokens (ids and state, never tokens or hashes)."""
    return json_response(users.list_users(warm.settings))


@router.post("/users", status_code=201, responses={201: {"model": views.IssuedDoc}})
def add(body: UserRequest, warm: WarmDep, user: Admin) -> Response:
    """Add a user; the response holds its token, shown this once."""
    return _issued(users.add_user(warm.settings, body.name, body.role, user.name,
                                  body.expires))


@router.post("/users/{name}/tokens", status_code=201,
             responses={201: {"model": views.IssuedDoc}})
def token(name: Name, body: TokenRequest, warm: WarmDep, user: Admin) -> Response:
    """Another token for a user, shown this once."""
    return _issued(users.new_token(warm.settings, name, user.name, body.expires))


@router.post("/users/{name}/disable", responses={200: {"model": views.DisabledDoc}})
def disable(name: Name, warm: WarmDep, user: Admin) -> Response:
    users.disable_user(warm.settings, name, user.name)
    return json_response({"user": name, "disabled": True})


@router.post("/tokens/{token_id}/revoke", responses={200: {"model": views.RevokedDoc}})
def revoke(token_id: Annotated[str, Path(min_length=1, max_length=20)], warm: WarmDep,
           user: Admin) -> Response:
    return json_response({"token_id": token_id,
                          "user": users.revoke_token(warm.settings, token_id, user.name)})
