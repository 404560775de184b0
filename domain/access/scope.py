"""The scope rules as data every store can turn into its own SQL; the rules themselves are in model.py.

`can_see_enterprise` (model.py) states the rule. The SQL form of the same rule lives with the table it filters:
`domain.org.store.enterprise_in_scope` (a condition on any table's enterprise-id column) and
`domain.org.store.visible_enterprises_sql` (a raw subquery) turn `enterprise_scope` into statements, and a test checks
rule and SQL agree on real data. Anything scoped hangs off an enterprise, so it filters through those, or calls
`domain.org.scope.require_enterprise`, which answers an out-of-scope id exactly like a missing one.

A region code in a request (query, path or body) goes through `domain.org.scope.require_region` (`can_see_region`):
outside the caller's scope it answers exactly like an unknown code, so no endpoint tells which regions exist. Data the
law has published (the blacklist) is everyone's, so its region filter goes through `require_published_region`.

This module names no table: `access` is the leaf every area may import.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.access.model import Actor, Role
from domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class EnterpriseScope:
    """Which enterprises an actor sees, as data: everything, or those matching the one field that is set.

    Nothing set and `everything` False means none at all (an actor whose binding is empty).
    """

    everything: bool = False
    enterprise_id: str | None = None
    grid_ids: tuple[str, ...] = ()
    region_prefix: str | None = None  # a region path; the subtree is every path starting with it


def enterprise_scope(actor: Actor) -> EnterpriseScope:
    """The scope rule of `can_see_enterprise` as data: own enterprise, own grids, own region subtree, or all."""
    match actor.role:
        case Role.ADMIN:
            return EnterpriseScope(everything=True)
        case Role.OFFICER | Role.PRINCIPAL:
            return EnterpriseScope(enterprise_id=actor.enterprise_id or "")
        case Role.INSPECTOR if actor.grid_ids:
            return EnterpriseScope(grid_ids=tuple(sorted(actor.grid_ids)))
        case Role.REGULATOR if actor.region_path:
            return EnterpriseScope(region_prefix=actor.region_path)
    return EnterpriseScope()


def like_prefix(prefix: str) -> str:
    """The LIKE pattern of a region subtree; refuses anything that would make LIKE a wildcard search."""
    # Region paths hold digits and slashes only.
    if not all(ch.isdigit() or ch == "/" for ch in prefix):
        raise ValueError(f"not a region path: {prefix!r}")
    return prefix + "%"


# The name older call sites use.
_like_prefix = like_prefix


def no_such_region(region_code: str) -> NotFound:
    """One answer for a code that is unknown and one that is not the caller's: the same text and parameters."""
    return NotFound("no such region", entity="region", id=region_code)


def no_such_enterprise(enterprise_id: str) -> NotFound:
    """One answer for an enterprise that is missing and one outside the caller's scope."""
    return NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
