"""Errors as RFC 9457 problem details (``application/problem+json``): the status follows
the error's kind; the body names the field of a bad input; no stack trace ever reaches a
client (the server logs it under an id the body quotes)."""

from __future__ import annotations

import logging
import secrets
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from riskengine.errors import (
    AmbiguousError,
    AuditChainError,
    AuthError,
    ForbiddenError,
    InputError,
    NotFoundError,
    RiskEngineError,
    RuleErrors,
)
from riskengine.overrides import OverrideError

LOG = logging.getLogger("riskengine.api")
PROBLEM = "application/problem+json"
# Error kind -> (HTTP status, title). Checked in order: the first matching class wins.
STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (AuthError, 401, "Unauthorized"),
    (ForbiddenError, 403, "Forbidden"),
    (NotFoundError, 404, "Not found"),
    (AmbiguousError, 409, "Ambiguous query"),
    (InputError, 422, "Invalid input"),
    (AuditChainError, 409, "Audit log broken"),
    (OverrideError, 409, "Conflict"),
    (RuleErrors, 503, "Rule files invalid"),
    (RiskEngineError, 503, "Service unavailable"),
)


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = ({"WWW-Authenticate": "Bearer"} if status == 401
               else {"Retry-After": "5"} if status == 503 else None)
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM,
                    headers=headers)


def field_of(location: str) -> str:
    """The API's name for an InputError's location ('--as-of' -> 'as_of')."""
    return location.lstrip("-").replace("-", "_") if location.startswith("--") else location


def _engine_error(_request: Request, exc: Exception) -> Response:
    status, title = next((s, t) for kind, s, t in STATUS if isinstance(exc, kind))
    extra: dict[str, Any] = {}
    detail = str(exc)
    if isinstance(exc, InputError):
        extra["field"], detail = field_of(exc.location), exc.message
    if isinstance(exc, AmbiguousError):
        extra["candidates"] = [{"id": i, "name": n} for i, n in exc.candidates]
    return problem(status, title, detail.splitlines()[0] if detail else title, **extra)


def _field(error: Any) -> str:
    """'as_of', 'rows.3.name'; 'body' for a body that is not JSON at all."""
    if error.get("type") == "json_invalid":
        return "body"
    return ".".join(str(p) for p in error["loc"] if p not in ("body", "query", "path"))


def _validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(e), "message": e["msg"]} for e in exc.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return problem(422, "Invalid input", f"{first['field']}: {first['message']}",
                   field=first["field"], errors=errors)


def _http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc.detail))


def _unexpected(request: Request, exc: Exception) -> Response:
    ref = secrets.token_hex(6)
    LOG.error("unexpected error %s on %s %s", ref, request.method, request.url.path,
              exc_info=exc)
    return problem(500, "Internal error", f"unexpected error (reference {ref} in the "
                                          f"server log)", reference=ref)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RiskEngineError, _engine_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
