"""Role checks shared by the services (scopes are in scope.py)."""

from __future__ import annotations

from domain.access.model import Actor, Role
from domain.errors import Forbidden


def require_role(actor: Actor, *roles: Role) -> None:
    """Refuse unless the actor has one of the roles."""
    if actor.role not in roles:
        raise Forbidden("this role may not do this", role=actor.role.value, allowed=[role.value for role in roles])


def require_admin(actor: Actor) -> None:
    """Refuse unless the actor is an administrator."""
    require_role(actor, Role.ADMIN)
