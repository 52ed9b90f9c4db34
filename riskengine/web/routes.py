"""The pages under ``/ui``: sign in, search (screening), entity (the case report's body with
the date and run pickers, the PDF button and the override actions the role allows), the
latest run's changes. Every page needs a session (``web.sessions``) except sign-in; every
form that changes something carries the session's CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from riskengine.application import base, reports, served, views
from riskengine.application import overrides as app_overrides
from riskengine.application.users import User, authenticate_in
from riskengine.application.warm import Version, Warm
from riskengine.errors import (
    AuthError,
    ForbiddenError,
    InputError,
    NotFoundError,
    RiskEngineError,
)
from riskengine.report.html import context
from riskengine.roles import allowed
from riskengine.screening.report import ScreenQuery
from riskengine.web.pages import HEADERS, css, error_page, page
from riskengine.web.sessions import COOKIE, IDLE_SECONDS, Session, Sessions, csrf_ok

router = APIRouter(prefix="/ui", include_in_schema=False)
SESSIONS = Sessions()
TEXT = 500  # longest search or filter text taken from a form (characters)
Text = Annotated[str, Query(max_length=TEXT)]
Day = Annotated[str, Query(max_length=20)]  # forms send "" for an empty field
RunNo = Annotated[str, Query(max_length=20)]
Entity = Annotated[str, Path(min_length=1, max_length=TEXT)]


@dataclass(frozen=True)
class Caller:
    user: User
    session: Session
    warm: Warm

    def can(self, action: str) -> bool:
        return allowed(self.user.role, action)

    def common(self) -> dict[str, Any]:
        return {"user": self.user, "csrf": self.session.csrf}

    def version(self) -> Version:
        found = self.warm.view()
        if found is None:
            raise RiskEngineError(self.warm.problem or "loading the data: retry shortly")
        return found


def _caller(request: Request) -> Caller | None:
    """The signed-in caller (its token authenticated again now), or None."""
    warm: Warm = request.app.state.warm
    session = SESSIONS.get(request.cookies.get(COOKIE))
    if session is None:
        return None
    try:
        return Caller(authenticate_in(warm.store, session.token, base.now().date()), session,
                      warm)
    except AuthError:
        SESSIONS.close(request.cookies.get(COOKIE))
        return None


def _to_login() -> Response:
    return RedirectResponse("/ui/login", status_code=303)


def day_of(text: str) -> date | None:
    """A date field of a form ("" when left empty)."""
    try:
        return date.fromisoformat(text) if text.strip() else None
    except ValueError:
        raise InputError("as_of", f"expected a date YYYY-MM-DD, got {text!r}") from None


def run_of(text: str) -> int | None:
    """The run picker's value ("": no run)."""
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) < 2**63:
        raise InputError("run", f"expected a run number, got {text!r}")
    return int(text)


def _check(caller: Caller, csrf: str, action: str) -> None:
    if not csrf_ok(caller.session, csrf):
        raise ForbiddenError("the form is stale or not from this site: reload the page")
    caller.user.require(action)


@router.get("/static/style.css")
def style() -> Response:
    return Response(css(), media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("")
def home() -> Response:
    return RedirectResponse("/ui/search", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    if _caller(request) is not None:
        return RedirectResponse("/ui/search", status_code=303)
    return page("login.html.j2", user=None)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    warm: Warm = request.app.state.warm
    try:
        authenticate_in(warm.store, token.strip(), base.now().date())
    except AuthError as exc:
        return page("login.html.j2", 401, user=None, message=str(exc))
    sid, _session = SESSIONS.open(token.strip())
    response = RedirectResponse("/ui/search", status_code=303)
    response.set_cookie(COOKIE, sid, max_age=IDLE_SECONDS, path="/ui", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    caller = _caller(request)
    if caller is not None and csrf_ok(caller.session, csrf):
        SESSIONS.close(request.cookies.get(COOKIE))
    response = _to_login()
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("/search")
def search(request: Request, q: Text = "", as_of: Day = "") -> Response:
    """Screening: ranked candidates with their confidence and the features behind it."""
    caller = _caller(request)
    if caller is None:
        return _to_login()
    found: dict[str, Any] | None = None
    try:
        if q.strip():
            caller.user.require("screen")
            found = _screen(caller, q.strip(), day_of(as_of) or base.now().date())
    except RiskEngineError as exc:
        return error_page(exc, **caller.common())
    return page("search.html.j2", **caller.common(), q=q, as_of=as_of, found=found,
                quote=quote)


def _screen(caller: Caller, name: str, day: date) -> dict[str, Any]:
    v = caller.version()
    return served.screen_one(caller.warm, v, ScreenQuery(name, None, None, None),
                             caller.warm.config.max_limit, day)


@router.get("/entity/{query}")
def entity(request: Request, query: Entity, as_of: Day = "", run: RunNo = "") -> Response:
    """The entity page: the case report's body, pickers, PDF button, override actions."""
    caller = _caller(request)
    if caller is None:
        return _to_login()
    try:
        return _entity_page(caller, query, day_of(as_of), run_of(run))
    except RiskEngineError as exc:
        return error_page(exc, **caller.common())


def _entity_page(caller: Caller, query: str, as_of: date | None, run: int | None
                 ) -> HTMLResponse:
    caller.user.require("read")
    if run is not None and as_of is not None:
        raise InputError("as_of", "not with run: a run is reproduced as of its own date")
    v = caller.version()
    made = reports.on_version(caller.warm, v, query, as_of, run, caller.user)
    reports.viewed(caller.warm, v, query, made, caller.user)
    entity_id = made.header.entity_id
    listed = app_overrides.listing(caller.warm.settings, entity_id, base.now().date())
    pdf = {k: v for k, v in (("as_of", as_of), ("run", run)) if v is not None}
    return page("entity.html.j2", **caller.common(), **context(made), query=query,
                runs=views.run_list(caller.warm.settings)[::-1], run=run, as_of=as_of,
                can_propose=caller.can("propose"), can_approve=caller.can("approve"),
                listed=listed, pdf_query=urlencode(pdf), quote=quote,
                regimes=list(made.result.regimes))


@router.get("/entity/{query}/report.{fmt}")
def download(request: Request, query: Entity, fmt: Annotated[str, Path(pattern="^(pdf|html)$")],
             as_of: Day = "", run: RunNo = "") -> Response:
    """The case report file; its sha256 goes into the audit log under the user's name."""
    caller = _caller(request)
    if caller is None:
        return _to_login()
    try:
        caller.user.require("read")
        kind: reports.Format = "pdf" if fmt == "pdf" else "html"
        made = reports.served_report(caller.warm, caller.version(), query, day_of(as_of),
                                     run_of(run), kind, caller.user)
    except RiskEngineError as exc:
        return error_page(exc, **caller.common())
    name = f"case-{made.report.header.entity_id}-{made.report.header.as_of}.{fmt}"
    return Response(made.data, media_type=made.media_type, headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="{quote(name)}"',
        "RiskEngine-Report-SHA256": made.sha256})


@router.get("/changes")
def changes(request: Request, run: RunNo = "", kind: Text = "", text: Text = "") -> Response:
    """What the latest run (or ``run``) changed, filtered by kind and by name or id."""
    caller = _caller(request)
    if caller is None:
        return _to_login()
    try:
        caller.user.require("read")
        found = views.changes(caller.warm.settings, run_of(run), None)
    except NotFoundError as exc:
        if run.strip():
            return error_page(exc, **caller.common())
        found = {"run": None, "previous": None, "changes": [], "none": str(exc)}
    except RiskEngineError as exc:
        return error_page(exc, **caller.common())
    rows = found["changes"]
    kinds = sorted({c["kind"] for c in rows})
    wanted = text.strip().casefold()
    shown = [c for c in rows if (not kind or c["kind"] == kind) and (
        not wanted or wanted in c["name"].casefold() or wanted in c["entity_id"].casefold())]
    return page("changes.html.j2", **caller.common(), found=found, rows=shown, kinds=kinds,
                kind=kind, text=text, total=len(rows), quote=quote)


@router.post("/overrides")
def propose(request: Request,  # noqa: PLR0913, PLR0917 - one parameter per form field
            csrf: Annotated[str, Form(max_length=100)],
            entity: Annotated[str, Form(max_length=TEXT)],
            kind: Annotated[str, Form(max_length=40)],
            reason: Annotated[str, Form(min_length=1, max_length=5000)],
            expires: Annotated[date, Form()],
            regime: Annotated[str, Form(max_length=20)] = "",
            status: Annotated[str, Form(max_length=20)] = "",
            cap: Annotated[float | None, Form()] = None) -> Response:
    """Propose an override as the signed-in analyst (pending until someone else approves)."""

    caller = _caller(request)
    if caller is None:
        return _to_login()
    try:
        _check(caller, csrf, "propose")
        draft = {"entity_id": entity, "kind": kind, "reason": reason, "expires": expires,
                 "cap": cap, "regime": regime or None, "manual_status": status or None,
                 "counterparty": None, "author": caller.user.name}
        app_overrides.add(caller.warm.settings, draft, base.now().date())
        caller.warm.refresh()
    except RiskEngineError as exc:
        return error_page(exc, **caller.common())
    return RedirectResponse(f"/ui/entity/{quote(entity, safe='')}", status_code=303)


@router.post("/overrides/{override_id}/{action}")
def decide(request: Request, override_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
           action: Annotated[str, Path(pattern="^(approve|revoke)$")],
           csrf: Annotated[str, Form(max_length=100)],
           entity: Annotated[str, Form(max_length=TEXT)],
           reason: Annotated[str, Form(max_length=5000)] = "") -> Response:
    """Approve or revoke an override as the signed-in approver (four eyes: not one's own)."""

    caller = _caller(request)
    if caller is None:
        return _to_login()
    try:
        _check(caller, csrf, "approve")
        if action == "approve":
            app_overrides.approve(caller.warm.settings, override_id, caller.user.name)
        else:
            app_overrides.revoke(caller.warm.settings, override_id, caller.user.name,
                                 reason or None)
        caller.warm.refresh()
    except RiskEngineError as exc:
        return error_page(exc, **caller.common())
    return RedirectResponse(f"/ui/entity/{quote(entity, safe='')}", status_code=303)
