"""Rendering of the pages: one Jinja2 environment over the web templates and the report
templates (the entity page shows the case report's body), errors as HTML pages."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from riskengine.errors import (
    AmbiguousError,
    AuthError,
    ForbiddenError,
    InputError,
    NotFoundError,
    RiskEngineError,
)
from riskengine.report.html import TEMPLATES as REPORT_TEMPLATES
from riskengine.report.html import stylesheet

HERE = Path(__file__).parent
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (AuthError, 401), (ForbiddenError, 403), (NotFoundError, 404), (AmbiguousError, 409),
    (InputError, 422), (RiskEngineError, 409))
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; "
                                      "img-src 'self' data:; form-action 'self'; "
                                      "frame-ancestors 'none'; base-uri 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader([HERE / "templates", REPORT_TEMPLATES]),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def css() -> str:
    return stylesheet() + (HERE / "static" / "web.css").read_text(encoding="utf-8")


def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = environment().get_template(name).render(**values)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def error_page(exc: RiskEngineError, user: Any = None, csrf: str = "") -> HTMLResponse:
    status = next(s for kind, s in STATUS if isinstance(exc, kind))
    candidates = exc.candidates if isinstance(exc, AmbiguousError) else []
    return page("error.html.j2", status, message=str(exc), user=user, csrf=csrf,
                candidates=candidates)
