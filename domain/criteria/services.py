"""Use cases of the criteria library: list items (by industry, by day), list editions, add an edition, and look up
what a hazard citing an item needs to check (its industries and its edition's dates). Statements in store.py."""

from __future__ import annotations

from datetime import date, datetime

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.criteria import store
from domain.criteria.model import (
    CitedCriterion,
    CriteriaEditionExists,
    CriteriaEditionInvalid,
    CriterionRecord,
    EditionRecord,
    EditionSpan,
    NewEdition,
    check_new_edition,
    item_ids,
)
from domain.db.transactions import transaction
from domain.errors import InvalidInput
from domain.org.model import Industry

__all__ = [
    "CitedCriterion",
    "CriterionRecord",
    "EditionRecord",
    "add_edition",
    "cited_criterion",
    "list_criteria",
    "list_editions",
    "load_library",
]


async def list_criteria(*, industry: str | None = None, on: date | None = None) -> list[CriterionRecord]:
    """The library's items, optionally only those applying to an industry and of editions in force on a day."""
    if industry is not None and industry not in {str(i) for i in Industry}:
        raise InvalidInput("no such industry", field="industry", reason="unknown", value=industry)
    return await store.criteria(industry=industry, on=on)


async def list_editions() -> list[EditionRecord]:
    """Every edition in the library, oldest in force first."""
    return await store.editions()


async def cited_criterion(criterion_id: str) -> CitedCriterion | None:
    """The industries and edition dates of a criterion, or None when there is no such criterion."""
    edition_id = await store.criterion_edition_id(criterion_id)
    if edition_id is None:
        return None
    # an item loaded before editions existed and never given one is treated as always in force
    span = await store.edition_span(edition_id) or EditionSpan(date.min)
    industries = (await store.industries_of([criterion_id])).get(criterion_id, [])
    return CitedCriterion(id=criterion_id, industries=frozenset(industries), span=span)


async def add_edition(*, actor: Actor, new: NewEdition, now: datetime | None = None) -> EditionRecord:
    """An administrator adds an edition with all its items; superseding one closes it the day this one starts."""
    require(actor, Action.ADD_CRITERIA_EDITION)
    now = now or utcnow()
    async with transaction():
        if await store.edition_exists(new.id):
            raise CriteriaEditionExists("an edition with this id exists", field="id", id=new.id)
        superseded = await store.edition_span(new.supersedes_id) if new.supersedes_id else None
        check_new_edition(new, superseded=superseded)
        if taken := await store.existing_criterion_ids(item_ids(new)):
            raise CriteriaEditionInvalid(
                "an item id is already in the library", field="items", reason="id_taken", ids=sorted(taken)
            )
        await store.insert_edition(new, created_by=actor.user_id, now=now)
    record = await store.edition(new.id, item_count=len(new.items))
    assert record is not None  # stored just above
    return record


async def load_library(editions: list[NewEdition], *, now: datetime | None = None) -> int:
    """The seed's editions: add those missing; for those present, bring their seeded items' wording, numbers,
    industries and `verbatim` marks up to date (an upgraded database gains the items added since). Returns how
    many items were created."""
    now = now or utcnow()
    created = 0
    for new in editions:
        async with transaction():
            if not await store.edition_exists(new.id):
                if not await store.existing_criterion_ids(item_ids(new)):
                    await store.insert_edition(new, created_by="", now=now)
                    created += len(new.items)
                    continue
                # criteria loaded before editions existed, without the migration's backfill: adopt them
                await store.adopt_edition(new, now=now)
            created += await store.sync_items(new)
    return created
