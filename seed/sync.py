"""The change feed of the demo: the services wrote it as the seed went; anything written around them is backfilled,
so a phone's first sync (no cursor) finds everything in its scope."""

from __future__ import annotations

from domain.changes.store import count_changes
from domain.sync.changes import backfill


async def seed_change_feed() -> str:
    """Backfill the feed and say how large it is."""
    added = await backfill()
    return f"change feed: {await count_changes()} rows ({added} backfilled)"
