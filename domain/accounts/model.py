"""Pure rules of the accounts area: roles, their bindings, scopes, lockout, passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidInput


class Role(StrEnum):
    """The five roles of the contract."""

    OFFICER = "officer"  # 企业安全员
    PRINCIPAL = "principal"  # 企业主要负责人
    INSPECTOR = "inspector"  # 网格员
    REGULATOR = "regulator"  # 监管人员
    ADMIN = "admin"


ENTERPRISE_ROLES = frozenset({Role.OFFICER, Role.PRINCIPAL})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking, with the binding their scope follows; re-read from the database on every request."""

    user_id: str
    role: Role
    enterprise_id: str | None = None
    grid_ids: frozenset[str] = frozenset()
    region_path: str | None = None


# The service acting on its own (jobs, sweeps, seeding): what history records as the actor of such changes.
SYSTEM = Actor(user_id="system", role=Role.ADMIN)


@dataclass(frozen=True, slots=True)
class EnterprisePlace:
    """Where an enterprise sits, as far as scopes care."""

    enterprise_id: str
    grid_id: str
    region_path: str


def can_see_enterprise(actor: Actor, place: EnterprisePlace) -> bool:
    """The scope rule: officer/principal → own enterprise; inspector → their grids; regulator → region subtree."""
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.OFFICER | Role.PRINCIPAL:
            return actor.enterprise_id == place.enterprise_id
        case Role.INSPECTOR:
            return place.grid_id in actor.grid_ids
        case Role.REGULATOR:
            return actor.region_path is not None and place.region_path.startswith(actor.region_path)
    return False


def can_see_region(actor: Actor, region_path: str) -> bool:
    """The region rule: a region is the caller's when all of it is — any for an administrator, their own subtree for a
    regulator; inspectors (grids) and enterprise staff (one enterprise) hold no whole region."""
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.REGULATOR:
            return actor.region_path is not None and region_path.startswith(actor.region_path)
    return False


def check_binding(
    role: Role, *, enterprise_id: str | None, grid_ids: list[str] | None, region_code: str | None
) -> None:
    """Each role carries exactly the binding it needs and no other."""
    needs = {
        Role.OFFICER: "enterpriseId",
        Role.PRINCIPAL: "enterpriseId",
        Role.INSPECTOR: "gridIds",
        Role.REGULATOR: "regionCode",
        Role.ADMIN: None,
    }[role]
    given = {"enterpriseId": enterprise_id, "gridIds": grid_ids, "regionCode": region_code}
    for name, value in given.items():
        if name == needs and not value:
            raise InvalidInput(f"role {role} needs {name}", field=name, reason="required")
        if name != needs and value:
            raise InvalidInput(f"role {role} takes no {name}", field=name, reason="not_allowed")


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
