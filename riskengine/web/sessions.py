"""Sign-in sessions of the pages: a token once, then a session cookie.

The cookie holds a random session id only (HttpOnly, SameSite=Strict, path /ui); the token
stays on the server, in this process's memory, and is authenticated again on every request,
so a revoked token or a disabled user is signed out at once. Every form that changes
something carries the session's CSRF token, compared in constant time (SameSite=Strict
already keeps other sites' forms from sending the cookie; the token is the second lock).
Sessions end after ``IDLE_SECONDS`` without a request or when the server restarts.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "rk_session"
IDLE_SECONDS = 8 * 3600  # a security bound of the pages (a working day), not a rule of law
MOST = 10_000  # sessions kept at once (the oldest is dropped): bounds memory


@dataclass
class Session:
    token: str
    csrf: str
    seen: float


class Sessions:
    """Session id -> session, thread-safe, bounded."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._clock = clock or time.monotonic

    def open(self, token: str) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        made = Session(token, secrets.token_urlsafe(24), self._clock())
        with self._lock:
            self._items[sid] = made
            while len(self._items) > MOST:
                self._items.pop(next(iter(self._items)))
        return sid, made

    def get(self, sid: str | None) -> Session | None:
        now = self._clock()
        with self._lock:
            found = self._items.get(sid or "")
            if found is None or now - found.seen > IDLE_SECONDS:
                self._items.pop(sid or "", None)
                return None
            found.seen = now
            return found

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._items.pop(sid or "", None)


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, sent or "")
