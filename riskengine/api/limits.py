"""Request body limit (``rules/service.yaml`` ``max_body_bytes``): a declared length above it
is refused before anything is read, and a chunked body is cut off as soon as it passes it;
either way 413 with a problem body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class TooLarge(HTTPException):
    """Raised while a body is read (FastAPI passes HTTP exceptions through; the problem
    handler turns it into a 413)."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


async def _refuse(send: Send, most: int) -> None:
    body = orjson.dumps({"type": "about:blank", "title": "Payload too large", "status": 413,
                         "detail": f"request body over {most} bytes (service.yaml "
                                   f"max_body_bytes)"})
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware enforcing ``most`` bytes per request body."""

    def __init__(self, app: App, most: int) -> None:
        self.app, self.most = app, most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.most:
            await _refuse(send, self.most)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.most:
                raise TooLarge(f"request body over {self.most} bytes (service.yaml "
                               "max_body_bytes)")
            return message

        await self.app(scope, counted, send)
