"""The FastAPI application of ``riskengine serve``.

``create_app(settings)`` builds it for one store and rules directory: the warm state
(``application.warm``) starts with the server and is closed with it; every error becomes a
problem+json body (``api.problems``); bodies are limited (``api.limits``); the OpenAPI
document is at ``/openapi.json`` and its interactive page at ``/docs``, whose scripts are
served from the package (no CDN: it works offline). ``from_env`` is the factory the server
process calls, from the ``RISKENGINE_*`` environment ``riskengine serve`` sets.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from riskengine.api import problems, routes_admin, routes_data, routes_overrides, routes_score
from riskengine.api.limits import BodyLimit
from riskengine.api.routes_score import json_response
from riskengine.application import views
from riskengine.application.warm import Warm, quiet_collector, service_rules
from riskengine.settings import Settings
from riskengine.web import routes as web_routes


def create_app(settings: Settings, server: bool = False) -> FastAPI:
    """The service for ``settings`` (rule files checked now: a broken one stops the start).
    ``server``: in a server process of its own, whose cycle collector runs rarely
    (``warm.quiet_collector``) and never traverses a version once built."""
    config = service_rules(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if server:
            quiet_collector()
        warm = Warm(settings, config, settle=server)
        app.state.warm = warm
        warm.start()
        try:
            yield
        finally:
            warm.close()

    app = FastAPI(title="riskengine", version=_version(), lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="Sanctions-exposure risk scoring: per-regime blocking verdicts "
                              "and explained exposure. Every endpoint but /health and /ready "
                              "needs a bearer token (`riskengine users add`).")
    problems.install(app)
    app.add_middleware(BodyLimit, most=config.max_body_bytes)
    for module in (routes_score, routes_data, routes_overrides, routes_admin):
        app.include_router(module.router)
    app.include_router(web_routes.router)  # the pages for compliance officers (/ui)
    _health(app)
    _docs(app)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("riskengine")
    except PackageNotFoundError:
        return "0"


def _health(app: FastAPI) -> None:
    @app.get("/health", tags=["health"], responses={200: {"model": views.HealthDoc}})
    def health(request: Request) -> Response:
        """Liveness: the process answers (no token needed)."""
        warm: Warm = request.app.state.warm
        return json_response({"status": "ok", "loaded": warm.view() is not None})

    @app.get("/ready", tags=["health"],
             responses={200: {"model": views.ReadyDoc}, 503: {"model": views.ReadyDoc}})
    def ready(request: Request) -> Response:
        """Readiness: 200 once a version is loaded, with its hashes and the last run; 503
        while loading. ``problem``: why the last refresh failed (the old version serves)."""
        warm: Warm = request.app.state.warm
        current = warm.view()
        body = {"ready": current is not None, "problem": warm.problem,
                "hashes": current.hashes if current else None,
                "last_run": _last_run(warm) if current else None}
        response = json_response(body)
        response.status_code = 200 if current is not None else 503
        return response


def _last_run(warm: Warm) -> int | None:
    from riskengine.store.runs import list_runs

    runs = list_runs(warm.store)
    return runs[-1].id if runs else None


def _docs(app: FastAPI) -> None:
    import swagger_ui_bundle

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="riskengine API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")


def from_env() -> FastAPI:
    """The app for the settings in the environment (the server process's factory)."""
    return create_app(Settings.build(os.environ), server=True)
