"""Every statement on the change feed's table: the writer inserts, the sealer numbers, the reader pages by `seq`.

Order: PostgreSQL hands out `id`s when rows are inserted, not when their transactions commit, so a reader paging by
`id` could pass a slow transaction's row before it is visible and never see it. Rows are therefore read by `seq`,
which `seal` gives to committed rows only, one sealer at a time: a row sealed later always gets a larger `seq`.
SQLite commits one writer at a time, so there `seq` is the `id`, given in the writer's own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from piccolo.columns.combination import WhereRaw

from domain.access.model import Actor, Role
from domain.changes.model import ChangeRow, Place
from domain.changes.tables import SyncChange
from domain.db.transactions import is_sqlite, transaction

_INSERT_BATCH = 500
# PostgreSQL advisory lock key of the sealer ("sf-sync" in ASCII).
_SEAL_LOCK = 0x73662D73796E63


async def insert_changes(
    kind: str,
    pairs: Sequence[tuple[str, str]],
    places: dict[str, Place],
    *,
    op: str,
    reason: str | None,
    user_id: str | None,
    at: datetime,
) -> int:
    """A row per (entity id, enterprise id), keyed by the enterprise's place in `places`. Returns the row count."""
    rows = [
        SyncChange(
            kind=kind,
            entity_id=entity_id,
            op=op,
            reason=reason,
            user_id=user_id,
            at=at,
            seq=None,
            **places.get(enterprise_id, Place(enterprise_id, None, "")).keys(),
        )
        for entity_id, enterprise_id in pairs
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        await SyncChange.insert(*rows[start : start + _INSERT_BATCH]).run()
    if is_sqlite():
        # one writer at a time: ids already follow commit order
        await SyncChange.update({SyncChange.seq: SyncChange.id}).where(SyncChange.seq.is_null()).run()
    return len(rows)


async def mentioned_ids(kind: str) -> set[str]:
    """The ids of the entities of this kind the feed has mentioned at least once."""
    rows = await SyncChange.select(SyncChange.entity_id).where(SyncChange.kind == kind).run()
    return {row["entity_id"] for row in rows}


async def count_changes() -> int:
    """How many rows the feed holds."""
    return await SyncChange.count().run()


async def seal() -> None:
    """Give the committed rows without a `seq` the next ones; one sealer at a time, the others wait for it.

    Waiting, not going on without: a reader that skipped the seal under way read before that sealer committed, and a
    phone's sync answered "nothing more" while rows were being numbered (seen twice in four runs of two processes).
    """
    if is_sqlite():
        return
    async with transaction():
        await SyncChange.raw("SELECT pg_advisory_xact_lock({})", _SEAL_LOCK).run()
        await SyncChange.raw("UPDATE sync_change SET seq = nextval('sync_change_position') WHERE seq IS NULL").run()


def _scope_conditions(actor: Actor) -> list:
    """One condition per scope key of the actor; each is an index range scan with `seq`."""
    match actor.role:
        case Role.ADMIN:
            return [WhereRaw("1 = 1")]
        case Role.OFFICER | Role.PRINCIPAL if actor.enterprise_id:
            return [SyncChange.enterprise_id == actor.enterprise_id]
        case Role.INSPECTOR:
            return [SyncChange.grid_id == grid_id for grid_id in sorted(actor.grid_ids)]
        case Role.REGULATOR if actor.region_path:
            codes = [code for code in actor.region_path.split("/") if code]
            if 1 <= len(codes) <= 3:
                return [getattr(SyncChange, f"region{len(codes)}") == codes[-1]]
            # deeper than a town: the town's range, narrowed by the path
            return [(SyncChange.region3 == codes[2]) & SyncChange.region_path.like(actor.region_path + "%")]
    return []


_COLUMNS = (
    SyncChange.seq,
    SyncChange.kind,
    SyncChange.entity_id,
    SyncChange.op,
    SyncChange.enterprise_id,
    SyncChange.reason,
)


async def rows_after(*, actor: Actor, since: int, limit: int) -> tuple[list[ChangeRow], bool]:
    """The actor's sealed rows after `since`, in `seq` order, at most `limit`, and whether more follow."""
    queries = [
        SyncChange.select(*_COLUMNS).where(condition, SyncChange.user_id.is_null(), SyncChange.seq > since)
        for condition in _scope_conditions(actor)
    ]
    queries.append(SyncChange.select(*_COLUMNS).where(SyncChange.user_id == actor.user_id, SyncChange.seq > since))
    found: dict[int, dict] = {}
    for query in queries:
        for row in await query.order_by(SyncChange.seq).limit(limit + 1).run():
            found[row["seq"]] = row
    ordered = [found[seq] for seq in sorted(found)]
    return [ChangeRow(**row) for row in ordered[:limit]], len(ordered) > limit
