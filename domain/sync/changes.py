"""Reading the change feed: the caller's rows by scope key and `seq`, behind an opaque cursor (the writer is
domain/changes); and the backfill, which mentions once what was written around the services."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from domain.access.model import Actor
from domain.changes import store as feed
from domain.changes.model import ENTERPRISE, HAZARD, RISK_POINT, TASK, ChangeRow
from domain.changes.services import record_unmentioned
from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.errors import InvalidInput
from domain.hazards import store as hazard_store
from domain.inspections import store as inspection_store
from domain.org import store as org_store
from domain.risk import store as risk_store

DEFAULT_LIMIT, MAX_LIMIT = 200, 500
_CURSOR_PREFIX = "c1."


class CursorInvalid(InvalidInput):
    """A sync cursor this service did not issue."""

    code = "SYNC_CURSOR_INVALID"


async def backfill(*, now: datetime | None = None) -> int:
    """An `upsert` of every entity the feed has never mentioned (data from before the feed, or loaded in bulk), so a
    first sync from no cursor finds everything; running it again adds nothing."""
    now = now or utcnow()
    sources = (
        (ENTERPRISE, org_store.feed_enterprises),
        (RISK_POINT, risk_store.feed_risk_points),
        (HAZARD, hazard_store.feed_hazards),
        (TASK, inspection_store.feed_tasks),
    )
    count = 0
    async with transaction():
        for kind, source in sources:
            count += await record_unmentioned(kind, await source(None, now), at=now)
    return count


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


async def read_changes(*, actor: Actor, since: int, limit: int) -> tuple[list[ChangeRow], bool]:
    """The caller's rows after `since`, in `seq` order, at most `limit`, and whether more follow."""
    await feed.seal()
    return await feed.rows_after(actor=actor, since=since, limit=limit)
