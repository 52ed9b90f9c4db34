"""Read-only endpoints: entities, history, runs, changes, ingests and the audit log; the
documents of the CLI's ``--format json``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from riskengine.api.deps import Reader, VersionDep, WarmDep
from riskengine.api.models import NAME_CHARS
from riskengine.api.routes_score import json_response
from riskengine.application import views

router = APIRouter(prefix="/v1", tags=["entities, runs and audit"])
QueryPath = Annotated[str, Path(min_length=1, max_length=NAME_CHARS,
                                description="entity id, name or alias")]
RunId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/entities/{query}", responses={200: {"model": views.EntityDoc}})
def entity(query: QueryPath, warm: WarmDep, v: VersionDep, _user: Reader) -> Response:
    """An entity merged across lists: names, identifiers, source records, designations and
    why its records were merged (`entities show --format json`)."""
    from riskengine.application.entities import entity_report

    return json_response(entity_report(warm.settings, query, (v.loaded, v.rules, warm.store)),
                         v)


@router.get("/entities/{query}/history", responses={200: {"model": views.HistoryDoc}})
def history(query: QueryPath, warm: WarmDep, v: VersionDep, _user: Reader) -> Response:
    """Score, band and blocking regimes across the stored runs (`history --format json`);
    the query resolved on the warm version's graph."""
    return json_response(views.history(warm.settings, query, v.loaded), v)


@router.get("/runs", responses={200: {"model": list[views.RunDoc]}})
def runs(warm: WarmDep, _user: Reader) -> Response:
    """Completed runs, oldest first (`runs list --format json`)."""
    return json_response(views.run_list(warm.settings))


@router.get("/runs/{run_id}", responses={200: {"model": views.RunDetailDoc}})
def run(run_id: RunId, warm: WarmDep, _user: Reader) -> Response:
    """One run with the ingests its data came from (`runs show --format json`)."""
    return json_response(views.run_detail(warm.settings, run_id))


@router.get("/changes", responses={200: {"model": views.ChangesDoc}})
def changes(warm: WarmDep, _user: Reader,
            run: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
            since: Annotated[date | None, Query()] = None) -> Response:
    """What changed since the previous completed run, or since a day (`changes --format
    json`)."""
    return json_response(views.changes(warm.settings, run, since))


@router.get("/ingests", responses={200: {"model": list[views.IngestDoc]}})
def ingests(warm: WarmDep, _user: Reader) -> Response:
    """Every ingest, oldest first, with the list editions stored."""
    from riskengine.application import runs as app_runs

    return json_response([views.ingest_json(i) for i in app_runs.ingests(warm.settings)])


@router.get("/audit", responses={200: {"model": list[views.EntryDoc]}})
def audit(warm: WarmDep, _user: Reader,
          since: Annotated[date | None, Query()] = None) -> Response:
    """Audit entries, oldest first (`audit show --format json`)."""
    return json_response(views.audit(warm.settings, since))


@router.get("/audit/verify", responses={200: {"model": views.VerifyDoc}})
def audit_verify(warm: WarmDep, _user: Reader) -> Response:
    """Check the audit log's hash chain (409 naming the first broken entry)."""
    from riskengine.application import runs as app_runs

    return json_response({"intact": True, "entries": app_runs.audit_verify(warm.settings)})
