"""What every endpoint depends on: the warm state, the current version, the caller.

``caller(action)`` authenticates the bearer token against the warm token table
(``application.users.TokenTable``: no query unless the store changed) and checks the role
allows ``action`` (``riskengine.roles``). These dependencies are coroutines: FastAPI runs a
plain function in a worker thread, a hop that costs more than they do. ``version`` is taken
once per request, so a request finishes on the version it started on whatever is swapped in
meanwhile; its hashes go into the response headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from riskengine.application import base
from riskengine.application.users import User
from riskengine.application.warm import Version, Warm
from riskengine.errors import AuthError, RiskEngineError

HEADERS = {"data": "RiskEngine-Data-Version", "rules": "RiskEngine-Rules-Hash",
           "graph": "RiskEngine-Graph", "overrides": "RiskEngine-Overrides-Hash"}


class NotReady(RiskEngineError):
    """The first version is still being built (HTTP 503)."""

    exit_code = 1


async def warm(request: Request) -> Warm:
    found: Warm = request.app.state.warm
    return found


WarmDep = Annotated[Warm, Depends(warm)]


async def version(state: WarmDep) -> Version:
    """The current version (503 while loading); endpoints name its hashes in their response
    headers (``routes_score.named``)."""
    current = state.view()
    if current is None:
        raise NotReady(state.problem or "loading the data: retry in a few seconds")
    return current


VersionDep = Annotated[Version, Depends(version)]


BEARER = HTTPBearer(auto_error=False, description="a token of `riskengine users add`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise AuthError("missing bearer token (Authorization: Bearer rk_...)")
    return credentials.credentials.strip()


def caller(action: str) -> Callable[..., Awaitable[User]]:
    """A dependency: the authenticated user, allowed ``action`` (401/403 otherwise)."""

    async def dependency(credentials: Credentials, state: WarmDep) -> User:
        token, today = _token(credentials), base.now().date()
        if state.tokens.in_memory:
            user = state.tokens.authenticate(token, today)
        else:  # a query per request (PostgreSQL): not on the event loop
            user = await run_in_threadpool(state.tokens.authenticate, token, today)
        user.require(action)
        return user

    return dependency


Reader = Annotated[User, Depends(caller("read"))]
Scorer = Annotated[User, Depends(caller("score"))]
Screener = Annotated[User, Depends(caller("screen"))]
Proposer = Annotated[User, Depends(caller("propose"))]
Approver = Annotated[User, Depends(caller("approve"))]
Admin = Annotated[User, Depends(caller("admin"))]


def today() -> date:
    return base.now().date()
