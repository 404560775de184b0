"""The change feed: what changed, written in the change's own transaction, and read back by scope key and `seq`.

Writing: the services call `record_change` (or `record_changes`) next to the change itself. A row carries the
enterprise's place at that moment (enterprise, grid, the three region levels), so a reader finds the changes of
their scope by one index range scan per scope key, from their cursor on: the cost follows the changes in scope,
not the size of the data.

Leaving and entering a scope (the rule the phone relies on):
- an enterprise moved to another grid or region: a `remove` of the enterprise (reason `leftScope`) under its old
  place, then an `upsert` of it and of everything of it (risk points, hazards, recent tasks) under its new place;
  a reader who sees both sees the removal first, then everything back;
- a user's own binding changed (enterprise, grids, region): for that user alone, a `remove` of every enterprise
  they no longer see and an `upsert` of every enterprise they now see newly, with everything of it.
A removed enterprise takes with it everything of that enterprise the phone holds.

Order: PostgreSQL hands out `id`s when rows are inserted, not when their transactions commit, so a reader paging by
`id` could pass a slow transaction's row before it is visible and never see it. Rows are therefore read by `seq`,
which `seal` gives to committed rows only, one sealer at a time: a row sealed later always gets a larger `seq`.
SQLite commits one writer at a time, so there `seq` is the `id`, given in the writer's own transaction.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.columns.combination import WhereRaw

from domain.access.model import Actor, Role
from domain.access.scope import enterprise_condition
from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.errors import InvalidInput
from domain.hazards.tables import Hazard
from domain.inspections.tables import InspectionTask
from domain.org.tables import Enterprise
from domain.risk.tables import RiskPoint
from domain.sync.tables import SyncChange

ENTERPRISE, RISK_POINT, HAZARD, TASK = "enterprise", "riskPoint", "hazard", "task"
KINDS = (ENTERPRISE, RISK_POINT, HAZARD, TASK)
UPSERT, REMOVE = "upsert", "remove"
LEFT_SCOPE = "leftScope"
# Tasks whose window ended longer ago than this are history, not work: a snapshot of an enterprise leaves them out.
TASK_HORIZON = timedelta(days=30)
DEFAULT_LIMIT, MAX_LIMIT = 200, 500
_INSERT_BATCH = 500
# PostgreSQL advisory lock key of the sealer ("sf-sync" in ASCII).
_SEAL_LOCK = 0x73662D73796E63
_CURSOR_PREFIX = "c1."


class CursorInvalid(InvalidInput):
    """A sync cursor this service did not issue."""

    code = "SYNC_CURSOR_INVALID"


@dataclass(frozen=True, slots=True)
class Place:
    """Where an enterprise sits, as the feed's scope keys."""

    enterprise_id: str
    grid_id: str | None
    region_path: str

    def keys(self) -> dict[str, str | None]:
        """The row's scope columns."""
        codes = [code for code in self.region_path.split("/") if code]
        levels = ([*codes, None, None, None])[:3]
        return {
            "enterprise_id": self.enterprise_id,
            "grid_id": self.grid_id,
            "region1": levels[0],
            "region2": levels[1],
            "region3": levels[2],
            "region_path": self.region_path,
        }


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One row of the feed as a reader gets it."""

    seq: int
    kind: str
    entity_id: str
    op: str
    enterprise_id: str
    reason: str | None


# --- writing -------------------------------------------------------------------------------------------------------


async def places_of(enterprise_ids: Iterable[str]) -> dict[str, Place]:
    """The current place of each enterprise."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return {}
    rows = (
        await Enterprise.select(Enterprise.id, Enterprise.grid_id, Enterprise.region_path)
        .where(Enterprise.id.is_in(ids))
        .run()
    )
    return {row["id"]: Place(row["id"], row["grid_id"], row["region_path"]) for row in rows}


async def record_changes(
    kind: str,
    entities: Iterable[tuple[str, str]],
    *,
    op: str = UPSERT,
    reason: str | None = None,
    user_id: str | None = None,
    place: Place | None = None,
    at: datetime | None = None,
) -> int:
    """Add a row per (entity id, enterprise id), keyed by the enterprise's place now (or `place`); call it inside
    the transaction of the change. Returns the number of rows."""
    pairs = list(entities)
    if not pairs:
        return 0
    places = {place.enterprise_id: place} if place else await places_of(e for _, e in pairs)
    at = at or utcnow()
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
    if _is_sqlite():
        # one writer at a time: ids already follow commit order
        await SyncChange.update({SyncChange.seq: SyncChange.id}).where(SyncChange.seq.is_null()).run()
    return len(rows)


async def record_change(kind: str, entity_id: str, enterprise_id: str, **options) -> None:
    """`record_changes` for one entity."""
    await record_changes(kind, [(entity_id, enterprise_id)], **options)


async def _entities_of(enterprise_ids: Sequence[str], now: datetime) -> dict[str, list[tuple[str, str]]]:
    """Everything of these enterprises a phone holds, by kind."""
    ids = list(enterprise_ids)
    points = (
        await RiskPoint.select(RiskPoint.id, RiskPoint.enterprise_id)
        .where(RiskPoint.enterprise_id.is_in(ids))
        .order_by(RiskPoint.id)
        .run()
    )
    hazards = (
        await Hazard.select(Hazard.id, Hazard.enterprise_id)
        .where(Hazard.enterprise_id.is_in(ids))
        .order_by(Hazard.id)
        .run()
    )
    tasks = (
        await InspectionTask.select(InspectionTask.id, InspectionTask.enterprise_id)
        .where(InspectionTask.enterprise_id.is_in(ids), InspectionTask.window_end > now - TASK_HORIZON)
        .order_by(InspectionTask.id)
        .run()
    )
    pairs = lambda rows: [(row["id"], row["enterprise_id"]) for row in rows]  # noqa: E731
    return {ENTERPRISE: [(i, i) for i in ids], RISK_POINT: pairs(points), HAZARD: pairs(hazards), TASK: pairs(tasks)}


async def record_snapshot(
    enterprise_ids: Iterable[str], *, user_id: str | None = None, now: datetime | None = None
) -> int:
    """An `upsert` of each enterprise and of everything of it (for `user_id` alone when given)."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    now = now or utcnow()
    places = await places_of(ids)
    count = 0
    for enterprise_id in ids:
        for kind, pairs in (await _entities_of([enterprise_id], now)).items():
            count += await record_changes(kind, pairs, user_id=user_id, place=places.get(enterprise_id), at=now)
    return count


async def record_enterprise_moved(before: Place, *, now: datetime | None = None) -> None:
    """The enterprise left its old place (a removal there) and arrived at its new one (everything again there)."""
    now = now or utcnow()
    await record_change(
        ENTERPRISE, before.enterprise_id, before.enterprise_id, op=REMOVE, reason=LEFT_SCOPE, place=before, at=now
    )
    await record_snapshot([before.enterprise_id], now=now)


async def visible_enterprise_ids(actor: Actor) -> set[str]:
    """The enterprises a binding sees."""
    rows = await Enterprise.select(Enterprise.id).where(enterprise_condition(actor)).run()
    return {row["id"] for row in rows}


async def record_scope_changed(before: Actor, after: Actor, *, now: datetime | None = None) -> None:
    """A user's binding changed: for them alone, a removal of each enterprise they lost, everything of each gained."""
    now = now or utcnow()
    seen, sees = await visible_enterprise_ids(before), await visible_enterprise_ids(after)
    for enterprise_id in sorted(seen - sees):
        await record_change(
            ENTERPRISE, enterprise_id, enterprise_id, op=REMOVE, reason=LEFT_SCOPE, user_id=after.user_id, at=now
        )
    await record_snapshot(sees - seen, user_id=after.user_id, now=now)


async def backfill(*, now: datetime | None = None) -> int:
    """An `upsert` of every entity the feed has never mentioned (data from before the feed, or loaded in bulk), so a
    first sync from no cursor finds everything; running it again adds nothing."""
    now = now or utcnow()
    count = 0
    sources = (
        (ENTERPRISE, Enterprise, Enterprise.id, None),
        (RISK_POINT, RiskPoint, RiskPoint.enterprise_id, None),
        (HAZARD, Hazard, Hazard.enterprise_id, None),
        (TASK, InspectionTask, InspectionTask.enterprise_id, InspectionTask.window_end > now - TASK_HORIZON),
    )
    async with transaction():
        for kind, table, enterprise_column, condition in sources:
            mentioned = SyncChange.select(SyncChange.entity_id).where(SyncChange.kind == kind)
            query = (
                table.select(table.id, enterprise_column.as_alias("enterprise_id"))
                .where(table.id.not_in(mentioned))
                .order_by(table.id)
            )
            if condition is not None:
                query = query.where(condition)
            rows = await query.run()
            count += await record_changes(kind, [(row["id"], row["enterprise_id"]) for row in rows], at=now)
    return count


# --- sealing and reading -------------------------------------------------------------------------------------------


def _is_sqlite() -> bool:
    return SyncChange._meta.db.engine_type == "sqlite"


async def seal() -> None:
    """Give the committed rows without a `seq` the next ones; one sealer at a time, the others go on without."""
    if _is_sqlite():
        return
    async with transaction():
        locked = await SyncChange.raw("SELECT pg_try_advisory_xact_lock({}) AS locked", _SEAL_LOCK).run()
        if locked and locked[0]["locked"]:
            await SyncChange.raw("UPDATE sync_change SET seq = nextval('sync_change_position') WHERE seq IS NULL").run()


def encode_cursor(seq: int) -> str:
    """The opaque cursor of a feed position."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The feed position of a cursor (0 without one); a cursor we did not issue → `CursorInvalid`."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 18:
        raise CursorInvalid("the cursor is not one this service issued", field="since", reason="malformed")
    return int(number)


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


async def read_changes(*, actor: Actor, since: int, limit: int) -> tuple[list[ChangeRow], bool]:
    """The caller's rows after `since`, in `seq` order, at most `limit`, and whether more follow."""
    await seal()
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
