"""The one mechanism every read and write of scoped data passes through.

`can_see_enterprise` (model.py) states the rule; `enterprise_condition` states the same rule as SQL, and a test
checks the two agree on real data. Anything scoped hangs off an enterprise, so it filters by `visible_enterprise_ids`
or calls `require_enterprise`, which answers an out-of-scope id exactly like a missing one.
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from domain.accounts.model import Actor, Role
from domain.errors import NotFound
from domain.org.tables import Enterprise


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
    row = (
        await Enterprise.select()
        .where(Enterprise.id == enterprise_id, enterprise_condition(actor))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
    return row

