"""Writing the change feed: the services call `record_change` (or `record_changes`) next to the change itself.

A row carries the enterprise's place at that moment (enterprise, grid, the three region levels), so a reader finds
the changes of their scope by one index range scan per scope key, from their cursor on: the cost follows the changes
in scope, not the size of the data.

Leaving and entering a scope (the rule the phone relies on):
- an enterprise moved to another grid or region: a `remove` of the enterprise (reason `leftScope`) under its old
  place, then an `upsert` of it and of everything of it (risk points, hazards, recent tasks) under its new place;
  a reader who sees both sees the removal first, then everything back;
- a user's own binding changed (enterprise, grids, region): for that user alone, a `remove` of every enterprise
  they no longer see and an `upsert` of every enterprise they now see newly, with everything of it.
A removed enterprise takes with it everything of that enterprise the phone holds.

The writer sits below the areas whose data it keys and enumerates (org places enterprises; risk, hazards and
inspections hold what an enterprise has), so those areas hand it their lookups at import time through the
`register_*` functions below; a lookup missing when needed is a wiring fault and raises.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime

from domain.access.model import Actor
from domain.changes import store
from domain.changes.model import (
    ENTERPRISE,
    HAZARD,
    KINDS,
    LEFT_SCOPE,
    REMOVE,
    RISK_POINT,
    TASK,
    TASK_HORIZON,
    UPSERT,
    Place,
)
from domain.clock import utcnow

__all__ = [
    "ENTERPRISE",
    "HAZARD",
    "KINDS",
    "LEFT_SCOPE",
    "REMOVE",
    "RISK_POINT",
    "TASK",
    "TASK_HORIZON",
    "UPSERT",
    "Place",
    "places_of",
    "record_change",
    "record_changes",
    "record_enterprise_moved",
    "record_scope_changed",
    "record_snapshot",
    "register_entities",
    "register_places",
    "register_visible_enterprises",
]

# (enterprise ids, now) -> [(entity id, enterprise id)] in id order: what of these enterprises a phone holds.
EntitySource = Callable[[Sequence[str], datetime], Awaitable[list[tuple[str, str]]]]
# enterprise ids -> their places now
PlaceSource = Callable[[Sequence[str]], Awaitable[dict[str, Place]]]
# a binding -> the ids of the enterprises it sees
VisibleSource = Callable[[Actor], Awaitable[set[str]]]

_PLACES, _VISIBLE = "places", "visible enterprises"
# kind (or _PLACES, _VISIBLE) -> the owning area's lookup
_sources: dict[str, Callable[..., Awaitable]] = {}


def register_entities(kind: str, source: EntitySource) -> None:
    """The owning area tells the writer how to list an enterprise's entities of `kind` (a snapshot needs them)."""
    _sources[kind] = source


def register_places(source: PlaceSource) -> None:
    """The organisation area tells the writer where enterprises sit."""
    _sources[_PLACES] = source


def register_visible_enterprises(source: VisibleSource) -> None:
    """The organisation area tells the writer which enterprises a binding sees."""
    _sources[_VISIBLE] = source


def _source(name: str) -> Callable[..., Awaitable]:
    try:
        return _sources[name]
    except KeyError:
        raise RuntimeError(
            f"no {name} lookup registered with the change feed (its area's store is not imported)"
        ) from None


async def places_of(enterprise_ids: Iterable[str]) -> dict[str, Place]:
    """The current place of each enterprise."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return {}
    return await _source(_PLACES)(ids)


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
    return await store.insert_changes(kind, pairs, places, op=op, reason=reason, user_id=user_id, at=at or utcnow())


async def record_change(kind: str, entity_id: str, enterprise_id: str, **options) -> None:
    """`record_changes` for one entity."""
    await record_changes(kind, [(entity_id, enterprise_id)], **options)


async def _entities_of(enterprise_ids: Sequence[str], now: datetime) -> dict[str, list[tuple[str, str]]]:
    """Everything of these enterprises a phone holds, by kind (in the feed's kind order)."""
    ids = list(enterprise_ids)
    found: dict[str, list[tuple[str, str]]] = {ENTERPRISE: [(i, i) for i in ids]}
    for kind in KINDS[1:]:
        found[kind] = await _source(kind)(ids, now)
    return found


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


async def record_scope_changed(before: Actor, after: Actor, *, now: datetime | None = None) -> None:
    """A user's binding changed: for them alone, a removal of each enterprise they lost, everything of each gained."""
    now = now or utcnow()
    visible = _source(_VISIBLE)
    seen, sees = await visible(before), await visible(after)
    for enterprise_id in sorted(seen - sees):
        await record_change(
            ENTERPRISE, enterprise_id, enterprise_id, op=REMOVE, reason=LEFT_SCOPE, user_id=after.user_id, at=now
        )
    await record_snapshot(sees - seen, user_id=after.user_id, now=now)


async def record_unmentioned(kind: str, pairs: Sequence[tuple[str, str]], *, at: datetime) -> int:
    """An `upsert` of each of these entities the feed has never mentioned (the backfill); returns the row count."""
    mentioned = await store.mentioned_ids(kind)
    return await record_changes(kind, [pair for pair in pairs if pair[0] not in mentioned], at=at)
