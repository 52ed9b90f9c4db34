"""Overrides: list, propose (analyst), approve and revoke (approver). Four eyes rest on the
authenticated identity: the author is the caller, and the approver must be someone else
(``application.overrides``). After a change the warm version is refreshed at once, so the
next request sees it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from riskengine.api import deps
from riskengine.api.deps import Approver, Proposer, Reader, WarmDep
from riskengine.api.models import NAME_CHARS, OverrideRequest, RevokeRequest
from riskengine.api.routes_score import json_response
from riskengine.application import overrides as app_overrides
from riskengine.application import views

router = APIRouter(prefix="/v1/overrides", tags=["overrides"])
OverrideId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("", responses={200: {"model": list[views.OverrideDoc]}})
def listing(warm: WarmDep, _user: Reader,
            entity: Annotated[str | None, Query(max_length=NAME_CHARS)] = None) -> Response:
    """Overrides with their status today (`override list --format json`)."""
    found = app_overrides.listing(warm.settings, entity, deps.today())
    return json_response([app_overrides.override_json(o, s) for o, s in found])


def _one(warm: WarmDep, override_id: int) -> Response:
    warm.refresh()
    found = [(o, s) for o, s in app_overrides.listing(warm.settings, None, deps.today())
             if o.id == override_id]
    return json_response(app_overrides.override_json(*found[0]))


@router.post("", status_code=201, responses={201: {"model": views.OverrideDoc}})
def propose(body: OverrideRequest, warm: WarmDep, user: Proposer) -> Response:
    """Propose an override (pending until another person approves it)."""
    draft = {"entity_id": body.entity, "kind": body.kind, "reason": body.reason,
             "expires": body.expires, "cap": body.cap, "regime": body.regime,
             "manual_status": body.status, "counterparty": body.counterparty,
             "author": user.name}
    made = app_overrides.add(warm.settings, draft, body.as_of or deps.today())
    assert made.id is not None
    response = _one(warm, made.id)
    response.status_code = 201
    return response


@router.post("/{override_id}/approve", responses={200: {"model": views.OverrideDoc}})
def approve(override_id: OverrideId, warm: WarmDep, user: Approver) -> Response:
    """Approve another person's pending override: it takes effect."""
    app_overrides.approve(warm.settings, override_id, user.name)
    return _one(warm, override_id)


@router.post("/{override_id}/revoke", responses={200: {"model": views.OverrideDoc}})
def revoke(override_id: OverrideId, body: RevokeRequest, warm: WarmDep,
           user: Approver) -> Response:
    """Revoke an override (it stops applying)."""
    app_overrides.revoke(warm.settings, override_id, user.name, body.reason)
    return _one(warm, override_id)
