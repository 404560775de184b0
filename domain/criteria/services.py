"""Use cases of the criteria library: list items (by industry, by day), list editions, add an edition, and look up
what a hazard citing an item needs to check (its industries and its edition's dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.access.model import Actor
from domain.access.permissions import require_admin
from domain.clock import utcnow
from domain.criteria.model import (
    CriteriaEditionExists,
    CriteriaEditionInvalid,
    EditionSpan,
    NewEdition,
    check_new_edition,
    item_ids,
)
from domain.criteria.tables import CriteriaEdition, CriterionIndustry
from domain.db.transactions import transaction
from domain.errors import InvalidInput
from domain.org.model import Industry
from domain.risk.tables import MajorHazardCriterion


@dataclass(frozen=True, slots=True)
class EditionRecord:
    """An edition of a standard with its dates and how many items it holds."""

    id: str
    standard: str
    edition: str
    doc_no: str
    issuer: str
    effective_from: date
    effective_until: date | None
    supersedes_id: str | None
    superseded_by_id: str | None
    item_count: int


@dataclass(frozen=True, slots=True)
class CriterionRecord:
    """An item of the library with its edition's dates and the industries it applies to."""

    id: str
    standard: str
    edition: str
    edition_id: str
    item_no: str
    text: str
    industry: str
    industries: list[str]
    verbatim: bool
    effective_from: date | None
    effective_until: date | None


@dataclass(frozen=True, slots=True)
class CitedCriterion:
    """What a citation is checked against: the industries of the item and when its edition was in force."""

    id: str
    industries: frozenset[str]
    span: EditionSpan


def _span(row: dict) -> EditionSpan:
    return EditionSpan(row["effective_from"], row["effective_until"])


def _in_force_on(on: date):
    return (CriteriaEdition.effective_from <= on) & (
        CriteriaEdition.effective_until.is_null() | (CriteriaEdition.effective_until > on)
    )


async def _industries_of(criterion_ids: list[str]) -> dict[str, list[str]]:
    if not criterion_ids:
        return {}
    rows = (
        await CriterionIndustry.select(CriterionIndustry.criterion_id, CriterionIndustry.industry)
        .where(CriterionIndustry.criterion_id.is_in(criterion_ids))
        .run()
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["criterion_id"], []).append(row["industry"])
    order = {str(industry): n for n, industry in enumerate(Industry)}
    return {key: sorted(values, key=lambda v: order.get(v, len(order))) for key, values in found.items()}


async def list_criteria(*, industry: str | None = None, on: date | None = None) -> list[CriterionRecord]:
    """The library's items, optionally only those applying to an industry and of editions in force on a day."""
    if industry is not None and industry not in {str(i) for i in Industry}:
        raise InvalidInput("no such industry", field="industry", reason="unknown", value=industry)
    query = (
        MajorHazardCriterion.select()
        .order_by(MajorHazardCriterion.edition_id)
        .order_by(MajorHazardCriterion.position)
        .order_by(MajorHazardCriterion.id)
    )
    if industry:
        query = query.where(
            MajorHazardCriterion.id.is_in(
                CriterionIndustry.select(CriterionIndustry.criterion_id).where(CriterionIndustry.industry == industry)
            )
        )
    if on is not None:
        query = query.where(
            MajorHazardCriterion.edition_id.is_in(CriteriaEdition.select(CriteriaEdition.id).where(_in_force_on(on)))
        )
    rows = await query.run()
    editions = {row["id"]: row for row in await CriteriaEdition.select().run()}
    industries = await _industries_of([row["id"] for row in rows])
    records = []
    for row in rows:
        edition = editions.get(row["edition_id"])
        records.append(
            CriterionRecord(
                id=row["id"],
                standard=row["standard"],
                edition=row["edition"],
                edition_id=row["edition_id"],
                item_no=row["item_no"],
                text=row["text"],
                industry=row["industry"],
                industries=industries.get(row["id"], []),
                verbatim=row["verbatim"],
                effective_from=edition["effective_from"] if edition else None,
                effective_until=edition["effective_until"] if edition else None,
            )
        )
    return records


async def list_editions() -> list[EditionRecord]:
    """Every edition in the library, oldest in force first."""
    rows = await CriteriaEdition.select().order_by(CriteriaEdition.effective_from).order_by(CriteriaEdition.id).run()
    counts: dict[str, int] = {}
    for row in await MajorHazardCriterion.select(MajorHazardCriterion.edition_id).run():
        counts[row["edition_id"]] = counts.get(row["edition_id"], 0) + 1
    return [_edition_record(row, counts.get(row["id"], 0)) for row in rows]


def _edition_record(row: dict, item_count: int) -> EditionRecord:
    return EditionRecord(
        id=row["id"],
        standard=row["standard"],
        edition=row["edition"],
        doc_no=row["doc_no"],
        issuer=row["issuer"],
        effective_from=row["effective_from"],
        effective_until=row["effective_until"],
        supersedes_id=row["supersedes_id"],
        superseded_by_id=row["superseded_by_id"],
        item_count=item_count,
    )


async def cited_criterion(criterion_id: str) -> CitedCriterion | None:
    """The industries and edition dates of a criterion, or None when there is no such criterion."""
    row = (
        await MajorHazardCriterion.select(MajorHazardCriterion.id, MajorHazardCriterion.edition_id)
        .where(MajorHazardCriterion.id == criterion_id)
        .first()
        .run()
    )
    if row is None:
        return None
    edition = await CriteriaEdition.select().where(CriteriaEdition.id == row["edition_id"]).first().run()
    # an item loaded before editions existed and never given one is treated as always in force
    span = _span(edition) if edition else EditionSpan(date.min)
    industries = (await _industries_of([criterion_id])).get(criterion_id, [])
    return CitedCriterion(id=criterion_id, industries=frozenset(industries), span=span)


async def _insert(new: NewEdition, *, created_by: str, now: datetime) -> None:
    """Store an edition and its items (and close the one it supersedes) in the caller's transaction."""
    await CriteriaEdition.insert(
        CriteriaEdition(
            id=new.id,
            standard=new.standard.strip(),
            edition=new.edition.strip(),
            doc_no=new.doc_no.strip(),
            issuer=new.issuer.strip(),
            effective_from=new.effective_from,
            effective_until=None,
            supersedes_id=new.supersedes_id,
            superseded_by_id=None,
            created_by=created_by,
            created_at=now,
        )
    ).run()
    if new.supersedes_id:
        await (
            CriteriaEdition.update(
                {
                    CriteriaEdition.effective_until: new.effective_from,
                    CriteriaEdition.superseded_by_id: new.id,
                }
            )
            .where(CriteriaEdition.id == new.supersedes_id)
            .run()
        )
    ids = item_ids(new)
    await MajorHazardCriterion.insert(
        *[
            MajorHazardCriterion(
                id=criterion_id,
                standard=new.standard.strip(),
                edition=new.edition.strip(),
                item_no=item.item_no.strip(),
                text=item.text.strip(),
                industry=item.group or item.industries[0],
                edition_id=new.id,
                verbatim=item.verbatim,
                position=position,
            )
            for position, (criterion_id, item) in enumerate(zip(ids, new.items, strict=True), 1)
        ]
    ).run()
    await CriterionIndustry.insert(
        *[
            CriterionIndustry(id=f"{criterion_id}:{industry}", criterion_id=criterion_id, industry=industry)
            for criterion_id, item in zip(ids, new.items, strict=True)
            for industry in item.industries
        ]
    ).run()


async def add_edition(*, actor: Actor, new: NewEdition, now: datetime | None = None) -> EditionRecord:
    """An administrator adds an edition with all its items; superseding one closes it the day this one starts."""
    require_admin(actor)
    now = now or utcnow()
    async with transaction():
        if await CriteriaEdition.exists().where(CriteriaEdition.id == new.id).run():
            raise CriteriaEditionExists("an edition with this id exists", field="id", id=new.id)
        superseded = None
        if new.supersedes_id:
            row = await CriteriaEdition.select().where(CriteriaEdition.id == new.supersedes_id).first().run()
            superseded = _span(row) if row else None
        check_new_edition(new, superseded=superseded)
        ids = item_ids(new)
        if (
            taken := await MajorHazardCriterion.select(MajorHazardCriterion.id)
            .where(MajorHazardCriterion.id.is_in(ids))
            .run()
        ):
            raise CriteriaEditionInvalid(
                "an item id is already in the library",
                field="items",
                reason="id_taken",
                ids=sorted(row["id"] for row in taken),
            )
        await _insert(new, created_by=actor.user_id, now=now)
    row = await CriteriaEdition.select().where(CriteriaEdition.id == new.id).first().run()
    return _edition_record(row, len(new.items))


async def load_library(editions: list[NewEdition], *, now: datetime | None = None) -> int:
    """The seed's editions: add those missing; for those present, bring their seeded items' wording, numbers,
    industries and `verbatim` marks up to date (an upgraded database gains the items added since). Returns how
    many items were created."""
    now = now or utcnow()
    created = 0
    for new in editions:
        async with transaction():
            if not await CriteriaEdition.exists().where(CriteriaEdition.id == new.id).run():
                known = {
                    row["id"]
                    for row in await MajorHazardCriterion.select(MajorHazardCriterion.id)
                    .where(MajorHazardCriterion.id.is_in(item_ids(new)))
                    .run()
                }
                if not known:
                    await _insert(new, created_by="", now=now)
                    created += len(new.items)
                    continue
                # criteria loaded before editions existed, without the migration's backfill: adopt them
                await CriteriaEdition.insert(
                    CriteriaEdition(
                        id=new.id,
                        standard=new.standard,
                        edition=new.edition,
                        doc_no=new.doc_no,
                        issuer=new.issuer,
                        effective_from=new.effective_from,
                        created_by="",
                        created_at=now,
                    )
                ).run()
            created += await _sync_items(new)
    return created


async def _sync_items(new: NewEdition) -> int:
    ids = item_ids(new)
    known = {
        row["id"]
        for row in await MajorHazardCriterion.select(MajorHazardCriterion.id)
        .where(MajorHazardCriterion.id.is_in(ids))
        .run()
    }
    created = 0
    for position, (criterion_id, item) in enumerate(zip(ids, new.items, strict=True), 1):
        values = {
            "standard": new.standard,
            "edition": new.edition,
            "item_no": item.item_no,
            "text": item.text,
            "edition_id": new.id,
            "verbatim": item.verbatim,
            "position": position,
        }
        if criterion_id in known:
            await (
                MajorHazardCriterion.update({getattr(MajorHazardCriterion, k): v for k, v in values.items()})
                .where(MajorHazardCriterion.id == criterion_id)
                .run()
            )
        else:
            await MajorHazardCriterion.insert(
                MajorHazardCriterion(id=criterion_id, industry=item.group or item.industries[0], **values)
            ).run()
            created += 1
    await CriterionIndustry.delete().where(CriterionIndustry.criterion_id.is_in(ids)).run()
    await CriterionIndustry.insert(
        *[
            CriterionIndustry(id=f"{criterion_id}:{industry}", criterion_id=criterion_id, industry=industry)
            for criterion_id, item in zip(ids, new.items, strict=True)
            for industry in item.industries
        ]
    ).run()
    return created
