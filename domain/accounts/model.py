"""Pure rules of the accounts area: usernames, passwords, lockout (roles and scopes are in domain.access)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.access.model import Role
from domain.accounts.common_passwords import is_common
from domain.errors import InvalidInput

USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,63}$")


def check_password_strength(password: str) -> None:
    """At least 8 characters with a letter and a digit (MLPS level-2 practice for personal accounts), and not a
    common or breached password."""
    if len(password) < 8 or len(password) > 128:
        raise InvalidInput("a password has 8 to 128 characters", field="password", reason="length")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password)):
        raise InvalidInput("a password needs letters and digits", field="password", reason="weak")
    if is_common(password):
        raise CommonPassword(
            "this password is on the list of common and breached passwords", field="password", reason="common"
        )


class CommonPassword(InvalidInput):
    """The password, or its stem without trailing digits, is on the shipped list of common and breached ones."""

    code = "PASSWORD_TOO_COMMON"


class LoginOutcome(StrEnum):
    """What a sign-in attempt came to; only failures count towards a lockout, a success ends its address's count."""

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


@dataclass(frozen=True, slots=True)
class Lockout:
    """The two lockout rules: per (username, address), and a slower, higher ceiling per username everywhere."""

    pair_failures: int
    pair_window: timedelta
    username_failures: int
    username_window: timedelta

    @property
    def longest_window(self) -> timedelta:
        """How far back the attempts that matter reach."""
        return max(self.pair_window, self.username_window)

    def locked_for(self, attempts: list[tuple[datetime, str, str]], *, address: str, now: datetime) -> timedelta | None:
        """How long to wait when the username is locked for this address, else None.

        `attempts` are (when, outcome, address) of the username's recent attempts. Failures from one address lock
        only that address, until a success from it or the window's end: a guesser elsewhere cannot lock the owner
        out. The username's failures from all addresses lock it everywhere past the higher, slower ceiling.
        """
        failed = [(at, ip) for at, outcome, ip in attempts if outcome == LoginOutcome.FAILED]
        if is_locked(
            [at for at, _ in failed],
            last_success_at=None,
            now=now,
            limit=self.username_failures,
            window=self.username_window,
        ):
            return self.username_window
        successes = [at for at, outcome, ip in attempts if outcome == LoginOutcome.OK and ip == address]
        if is_locked(
            [at for at, ip in failed if ip == address],
            last_success_at=max(successes, default=None),
            now=now,
            limit=self.pair_failures,
            window=self.pair_window,
        ):
            return self.pair_window
        return None


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as the API shows it (never with the password hash)."""

    id: str
    username: str
    name: str
    role: Role
    enterprise_id: str | None
    grid_ids: tuple[str, ...]
    region_code: str | None
    phone: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user as stored, hash included: what sign-in and the actor lookup read (never leaves the accounts area)."""

    id: str
    username: str
    name: str
    password_hash: str
    role: str
    enterprise_id: str | None
    region_code: str | None
    phone: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    """A refresh token as stored (its hash only)."""

    id: str
    user_id: str
    family_id: str
    device_id: str
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
