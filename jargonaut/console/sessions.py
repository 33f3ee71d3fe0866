"""Console session cookies: an opaque random token naming a session kept in the database
(service/console_sessions.py), and a CSRF token per session (per browser before sign-in) that
every form and script POST must echo."""
from __future__ import annotations

import hmac

SESSION_COOKIE = "jargonaut_session"
SIGNIN_CSRF_COOKIE = "jargonaut_signin_csrf"


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())  # type: ignore[union-attr]
