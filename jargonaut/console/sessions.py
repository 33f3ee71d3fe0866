"""Console sessions: an opaque random cookie naming a server-side session that expires, and a
CSRF token per session (per browser before sign-in) that every form and script POST must echo."""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from jargonaut.api.sigv4 import Principal

SESSION_COOKIE = "jargonaut_session"
SIGNIN_CSRF_COOKIE = "jargonaut_signin_csrf"


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf_token: str
    expires_at: float


class Sessions:
    """In memory: a restart signs everyone out, which is the safe direction."""

    def __init__(self, lifetime_seconds: int) -> None:
        self.lifetime = lifetime_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, principal: Principal) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        session = Session(principal, secrets.token_urlsafe(32), time.time() + self.lifetime)
        with self._lock:
            self._drop_expired()
            self._sessions[token] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is not None and session.expires_at <= time.time():
                del self._sessions[token]
                return None
        return session

    def close(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def _drop_expired(self) -> None:
        now = time.time()
        for token in [t for t, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[token]


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())  # type: ignore[union-attr]
