"""Pure rules of the accounts area: usernames, passwords, lockout (roles and scopes are in domain.access)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidInput

USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,63}$")


def check_password_strength(password: str) -> None:
    """At least 8 characters with a letter and a digit (MLPS level-2 practice for personal accounts)."""
    if len(password) < 8 or len(password) > 128:
        raise InvalidInput("a password has 8 to 128 characters", field="password", reason="length")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password)):
        raise InvalidInput("a password needs letters and digits", field="password", reason="weak")


class LoginOutcome(StrEnum):
    """What a sign-in attempt came to; only failures count towards a lockout."""

    OK = "ok"
    FAILED = "failed"
    LOCKED = "locked"


def is_locked(
    failures_at: list[datetime], *, last_success_at: datetime | None, now: datetime, limit: int, window: timedelta
) -> bool:
    """Locked when `limit` failures fall in the window and after the last success."""
    since = now - window
    if last_success_at is not None and last_success_at > since:
        since = last_success_at
    return sum(1 for at in failures_at if at > since) >= limit
