"""Pure rules of the rate limits: fixed windows, their keys, and the refusals they give."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `limit` counted events per `window_s` seconds for one key (an address, a username, a user)."""

    name: str
    limit: int
    window_s: int


@dataclass(frozen=True, slots=True)
class Window:
    """One fixed window of a limit for one key: its counter's id and when it ends."""

    counter_id: str
    ends_at: datetime


def window_for(limit: Limit, key: str, now: datetime) -> Window:
    """The window `now` falls in; the key is hashed, so no address or username is kept in the clear."""
    start = int(now.timestamp()) // limit.window_s * limit.window_s
    digest = hashlib.sha256(f"{limit.name}:{key}".encode()).hexdigest()[:32]
    return Window(f"{limit.name}:{digest}:{start}", datetime.fromtimestamp(start + limit.window_s, tz=UTC))


def retry_after_s(ends_at: datetime, now: datetime) -> int:
    """Whole seconds until the window ends (at least one)."""
    return max(1, math.ceil((ends_at - now).total_seconds()))


class SignInRateLimited(DomainError):
    """Too many sign-in attempts from this address or for this username in the window (`retryAfterSeconds`)."""

    code = "AUTH_SIGNIN_RATE_LIMITED"


class WriteRateLimited(DomainError):
    """This user sent more writes than the window allows (`retryAfterSeconds`)."""

    code = "WRITE_RATE_LIMITED"
