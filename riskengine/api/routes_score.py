"""Score one entity; screen one name or a batch (JSON rows, or a CSV upload), streamed
back as NDJSON."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from riskengine.api import deps
from riskengine.api.deps import HEADERS, Scorer, Screener, VersionDep, WarmDep
from riskengine.api.limits import TooLarge
from riskengine.api.models import NAME_CHARS, BatchRequest, ScreenRequest
from riskengine.application import served, views
from riskengine.application.users import User
from riskengine.application.warm import Version
from riskengine.errors import InputError
from riskengine.result import ScoreResult

router = APIRouter(prefix="/v1", tags=["score and screen"])
JSON = "application/json"
NDJSON = "application/x-ndjson"


def json_response(document: Any, v: Version | None = None) -> Response:
    """``document`` as JSON; with ``v``, its hashes named in the headers."""
    return Response(orjson.dumps(document), media_type=JSON, headers=named(v))


def named(v: Version | None) -> dict[str, str] | None:
    """The response headers naming the data version, rules and graph ``v`` is."""
    return {header: v.hashes[key] for key, header in HEADERS.items()} if v else None


def _check_length(warm: WarmDep, field: str, text: str) -> None:
    most = warm.config.max_query_chars
    if len(text) > most:
        raise InputError(field, f"longer than {most} characters (service.yaml "
                                f"max_query_chars)")


@router.get("/score", responses={200: {"model": ScoreResult}})
async def score(warm: WarmDep, v: VersionDep, user: Scorer,
          q: Annotated[str, Query(min_length=1, max_length=NAME_CHARS,
                                  description="entity id, name or alias (any script)")],
          as_of: Annotated[date | None, Query(description="evaluate as of this date")] = None,
          run: Annotated[int | None, Query(ge=1, le=2**63 - 1, description=(
              "reproduce what this stored run gave the entity"))] = None) -> Response:
    """The explained score of one counterparty (the CLI's `score --format json`); every
    request is recorded in the audit log under the caller's name."""
    _check_length(warm, "q", q)
    given = served.kept_answer(warm, v, q, as_of, run)  # a repeated question: a look-up
    if given is None and served.quick(warm, v, as_of, run):  # about a millisecond
        given = served.answer(warm, v, q, as_of, run)
    elif given is None:  # scored in a worker thread: the event loop keeps serving
        given = await run_in_threadpool(served.answer, warm, v, q, as_of, run)
    await _recorded(warm, v, user, given)
    return Response(given.body, media_type=JSON, headers=named(v))


async def _recorded(warm: WarmDep, v: Version, user: User, given: served.Answer) -> None:
    """Wait, without holding a thread, for the audit entry of ``given`` to be committed."""
    loop = asyncio.get_running_loop()
    committed: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if committed.done():
            return
        if error is not None:
            committed.set_exception(error)
        else:
            committed.set_result(None)

    served.record(warm, v, user, given,
                  lambda _entry, error: loop.call_soon_threadsafe(settle, error))
    await committed


def _limit(warm: WarmDep, limit: int) -> int:
    if limit > warm.config.max_limit:
        raise InputError("limit", f"at most {warm.config.max_limit} (service.yaml max_limit)")
    return limit


@router.post("/screen", responses={200: {"model": views.ScreenDoc}})
def screen(body: ScreenRequest, warm: WarmDep, v: VersionDep, _user: Screener) -> Response:
    """Screen one name against the listed entities (the CLI's `screen NAME --format json`)."""
    _check_length(warm, "name", body.name)
    query = body.query()
    return json_response(served.screen_one(warm, v, query, _limit(warm, body.limit),
                                           body.as_of or deps.today()), v)


def _ndjson(chunks: Iterator[list[dict[str, Any]]], cleanup: str | None = None
            ) -> Iterator[bytes]:
    try:
        for rows in chunks:
            yield b"".join(orjson.dumps(row) + b"\n" for row in rows)
    finally:
        if cleanup:
            os.unlink(cleanup)


@router.post("/screen/batch", responses={200: {"content": {NDJSON: {}}}})
async def screen_batch(request: Request, warm: WarmDep, v: VersionDep, _user: Screener,
                       limit: Annotated[int, Query(ge=1, le=10_000)] = 10,
                       as_of: Annotated[date | None, Query()] = None) -> Response:
    """Screen many names: a JSON body ``{"rows": [{"name": ...}, ...]}`` (``limit`` and
    ``as_of`` in the body), or a CSV file (``text/csv`` body, or a multipart form field
    ``file``) with a ``name`` column as for `screen --file`. One JSON object per line
    (NDJSON), streamed as the rows are screened; at most ``max_batch_rows`` rows."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == JSON:
        return await _json_batch(request, warm, v)
    path = await _saved_csv(request, kind, warm.config.max_body_bytes)
    return _csv_batch(path, warm, v, _limit(warm, limit), as_of or deps.today())


async def _json_batch(request: Request, warm: WarmDep, v: VersionDep) -> Response:
    from pydantic import ValidationError

    try:
        body = BatchRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(exc.errors()) from None
    _rows_allowed(warm, len(body.rows))
    for i, row in enumerate(body.rows):
        _check_length(warm, f"rows.{i}.name", row.name)
    queries = [r.query(i + 1) for i, r in enumerate(body.rows)]
    chunks = served.screen_many(warm, v, queries, _limit(warm, body.limit),
                                body.as_of or deps.today())
    return StreamingResponse(_ndjson(chunks), media_type=NDJSON, headers=named(v))


def _rows_allowed(warm: WarmDep, count: int) -> None:
    if count > warm.config.max_batch_rows:
        raise TooLarge(f"more than {warm.config.max_batch_rows} rows (service.yaml "
                       f"max_batch_rows)")


async def _saved_csv(request: Request, kind: str, most: int) -> str:
    """The CSV of the request in a temporary file (a raw body, or a form's ``file``)."""
    handle, path = tempfile.mkstemp(prefix="riskengine-batch-", suffix=".csv")
    try:
        with os.fdopen(handle, "wb") as out:
            if kind == "multipart/form-data":
                form = await request.form(max_part_size=most)
                upload = form.get("file")
                if upload is None or isinstance(upload, str):
                    raise InputError("file", "a multipart upload needs a file field 'file'")
                while block := await upload.read(1 << 20):
                    out.write(block)
            else:
                async for block in request.stream():
                    out.write(block)
    except BaseException:
        os.unlink(path)
        raise
    return path


def _csv_batch(path: str, warm: WarmDep, v: VersionDep, limit: int, day: date) -> Response:
    from riskengine.screening.infile import InputFile, count_rows, queries

    spec = InputFile(path)
    try:
        count = count_rows(spec)  # every row checked before any output
        _rows_allowed(warm, count)
    except InputError as exc:
        os.unlink(path)
        raise InputError(exc.location.replace(path, "file"), exc.message) from None
    except BaseException:
        os.unlink(path)
        raise
    chunks = served.screen_many(warm, v, queries(spec), limit, day)
    return StreamingResponse(_ndjson(chunks, cleanup=path), media_type=NDJSON,
                             headers=named(v))
