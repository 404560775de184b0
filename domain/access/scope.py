"""The one mechanism every read and write of scoped data passes through.

`can_see_enterprise` (model.py) states the rule; `enterprise_condition` states the same rule as SQL, and a test
checks the two agree on real data. Anything scoped hangs off an enterprise, so it filters by `visible_enterprise_ids`
or calls `require_enterprise`, which answers an out-of-scope id exactly like a missing one.

A region code in a request (query, path or body) goes through `require_region` (`can_see_region`): outside the
caller's scope it answers exactly like an unknown code, so no endpoint tells which regions exist. Data the law has
published (the blacklist) is everyone's, so its region filter goes through `require_published_region`.
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from domain.access.model import Actor, Role, can_see_region
from domain.errors import NotFound
from domain.org.tables import Enterprise, Grid, Region


def enterprise_condition(actor: Actor):
    """A piccolo condition on `Enterprise` that keeps only rows the actor may see."""
    match actor.role:
        case Role.ADMIN:
            return WhereRaw("1 = 1")
        case Role.OFFICER | Role.PRINCIPAL:
            return Enterprise.id == (actor.enterprise_id or "")
        case Role.INSPECTOR if actor.grid_ids:
            return Enterprise.grid_id.is_in(sorted(actor.grid_ids))
        case Role.REGULATOR if actor.region_path:
            return Enterprise.region_path.like(_like_prefix(actor.region_path))
    return WhereRaw("1 = 0")


def _like_prefix(prefix: str) -> str:
    # Region paths hold digits and slashes only; refuse anything that would make LIKE a wildcard search.
    if not all(ch.isdigit() or ch == "/" for ch in prefix):
        raise ValueError(f"not a region path: {prefix!r}")
    return prefix + "%"


async def require_enterprise(actor: Actor, enterprise_id: str) -> dict:
    """The enterprise row, or `NotFound` whether it is missing or outside the scope."""
    row = await Enterprise.select().where(Enterprise.id == enterprise_id, enterprise_condition(actor)).first().run()
    if row is None:
        raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
    return row


def grid_condition(actor: Actor):
    """A piccolo condition on `Grid` keeping the grids the actor may see: all, the regulator's subtree, the inspector's
    own, the grid of the officer's enterprise."""
    match actor.role:
        case Role.ADMIN:
            return WhereRaw("1 = 1")
        case Role.OFFICER | Role.PRINCIPAL:
            own = Enterprise.select(Enterprise.grid_id).where(Enterprise.id == (actor.enterprise_id or ""))
            return Grid.id.is_in(own)
        case Role.INSPECTOR if actor.grid_ids:
            return Grid.id.is_in(sorted(actor.grid_ids))
        case Role.REGULATOR if actor.region_path:
            return Grid.region_path.like(_like_prefix(actor.region_path))
    return WhereRaw("1 = 0")


def _no_such_region(region_code: str) -> NotFound:
    # one answer for a code that is unknown and one that is not the caller's: the same text and parameters
    return NotFound("no such region", entity="region", id=region_code)


async def require_published_region(region_code: str) -> dict:
    """The region row of a code, for filtering data published to everyone; `NotFound` when the code is unknown."""
    row = await Region.select().where(Region.code == region_code).first().run()
    if row is None:
        raise _no_such_region(region_code)
    return row


async def require_region(actor: Actor, region_code: str) -> dict:
    """The region row, or the same `NotFound` whether the code is unknown or the region is not wholly the caller's."""
    row = await Region.select().where(Region.code == region_code).first().run()
    if row is None or not can_see_region(actor, row["path"]):
        raise _no_such_region(region_code)
    return row
