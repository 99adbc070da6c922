"""Instants for `users.tokens_valid_after`, compared with access tokens' whole-second `iat`.

Both sides use the application clock (the one that stamps `iat`), at whole seconds, so every token
issued before a deactivation dies. (Only (de)activation still sets it: a password change or any
other ending of sign-ins ends the sessions, which cuts their access tokens whatever their `iat`.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.shared.clock import utcnow


def this_second() -> datetime:
    """Tokens issued from this second on stay valid (a fresh token is issued right after)."""
    return utcnow().replace(microsecond=0)


def next_second() -> datetime:
    """Every token issued up to now is void, including those issued earlier this second."""
    return this_second() + timedelta(seconds=1)
