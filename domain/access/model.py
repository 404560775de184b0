"""Who may do what, and see what: the roles, the actor, the scope rules. A leaf every area may use."""

from __future__ import annotations

from dataclasses import dataclass
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
