"""``riskengine serve``: the HTTP service (``riskengine.api``) on uvicorn.

The CLI only starts it (by the factory's name: the adapters never import each other): the
server process builds its app from the ``RISKENGINE_*`` environment set here
(``api.app.from_env``), so ``--workers`` processes each hold their own
warm graph. It binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind (0.0.0.0: every interface).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes, each with its own warm graph (on 2 cores: 2 "
                            "for throughput, 1 for least memory).")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the API (OpenAPI at /openapi.json, docs page at /docs) until interrupted."""
    import uvicorn

    settings = ctx.obj
    os.environ["RISKENGINE_DB"] = settings.db_url
    if settings.rules_dir is not None:
        os.environ["RISKENGINE_RULES"] = str(settings.rules_dir)
    os.environ["RISKENGINE_SEED"] = "1" if settings.seed else "0"
    from riskengine.application import base
    from riskengine.application.warm import service_rules

    base.load_rules(settings)  # every rule file checked now: a broken one stops the start
    config = service_rules(settings)
    typer.echo(f"riskengine serving http://{host}:{port} (docs: /docs)", err=True)
    uvicorn.run("riskengine.api.app:from_env", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, access_log=False,
                timeout_worker_healthcheck=config.worker_healthcheck_seconds)
