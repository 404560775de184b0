"""Every statement on the criteria area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from domain.criteria.model import CriterionRecord, EditionRecord, EditionSpan, NewEdition, item_ids
from domain.criteria.tables import CriteriaEdition, CriterionIndustry, MajorHazardCriterion
from domain.org.model import Industry


def _span(row: dict) -> EditionSpan:
    return EditionSpan(row["effective_from"], row["effective_until"])


def _in_force_on(on: date):
    return (CriteriaEdition.effective_from <= on) & (
        CriteriaEdition.effective_until.is_null() | (CriteriaEdition.effective_until > on)
    )


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


async def industries_of(criterion_ids: Sequence[str]) -> dict[str, list[str]]:
    """Criterion id → the industries it applies to, in the order of `Industry`."""
    if not criterion_ids:
        return {}
    rows = (
        await CriterionIndustry.select(CriterionIndustry.criterion_id, CriterionIndustry.industry)
        .where(CriterionIndustry.criterion_id.is_in(list(criterion_ids)))
        .run()
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["criterion_id"], []).append(row["industry"])
    order = {str(industry): n for n, industry in enumerate(Industry)}
    return {key: sorted(values, key=lambda v: order.get(v, len(order))) for key, values in found.items()}


async def criteria(*, industry: str | None = None, on: date | None = None) -> list[CriterionRecord]:
    """The library's items in edition and position order, optionally only those applying to an industry and of
    editions in force on a day, with their edition's dates and industries."""
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
    industries = await industries_of([row["id"] for row in rows])
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


async def editions() -> list[EditionRecord]:
    """Every edition with its number of items, oldest in force first."""
    rows = await CriteriaEdition.select().order_by(CriteriaEdition.effective_from).order_by(CriteriaEdition.id).run()
    counts: dict[str, int] = {}
    for row in await MajorHazardCriterion.select(MajorHazardCriterion.edition_id).run():
        counts[row["edition_id"]] = counts.get(row["edition_id"], 0) + 1
    return [_edition_record(row, counts.get(row["id"], 0)) for row in rows]


async def edition(edition_id: str, *, item_count: int) -> EditionRecord | None:
    """One edition, given its number of items (the caller knows it)."""
    row = await CriteriaEdition.select().where(CriteriaEdition.id == edition_id).first().run()
    return _edition_record(row, item_count) if row else None


async def edition_exists(edition_id: str) -> bool:
    """True when the library holds an edition with this id."""
    return await CriteriaEdition.exists().where(CriteriaEdition.id == edition_id).run()


async def edition_span(edition_id: str) -> EditionSpan | None:
    """When an edition is (or was) in force, None when there is no such edition."""
    row = await CriteriaEdition.select().where(CriteriaEdition.id == edition_id).first().run()
    return _span(row) if row else None


async def criterion_edition_id(criterion_id: str) -> str | None:
    """The edition of a criterion ("" for an item loaded before editions), None when there is no such criterion."""
    row = (
        await MajorHazardCriterion.select(MajorHazardCriterion.id, MajorHazardCriterion.edition_id)
        .where(MajorHazardCriterion.id == criterion_id)
        .first()
        .run()
    )
    return row["edition_id"] if row else None


async def existing_criterion_ids(criterion_ids: Sequence[str]) -> set[str]:
    """Those of the criterion ids the library holds."""
    rows = (
        await MajorHazardCriterion.select(MajorHazardCriterion.id)
        .where(MajorHazardCriterion.id.is_in(list(criterion_ids)))
        .run()
    )
    return {row["id"] for row in rows}


async def insert_edition(new: NewEdition, *, created_by: str, now: datetime) -> None:
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
    await _insert_industries(new)


async def _insert_industries(new: NewEdition) -> None:
    await CriterionIndustry.insert(
        *[
            CriterionIndustry(id=f"{criterion_id}:{industry}", criterion_id=criterion_id, industry=industry)
            for criterion_id, item in zip(item_ids(new), new.items, strict=True)
            for industry in item.industries
        ]
    ).run()


async def adopt_edition(new: NewEdition, *, now: datetime) -> None:
    """Store the edition row alone, for items loaded before editions existed (the seed adopts them)."""
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


async def sync_items(new: NewEdition) -> int:
    """Bring the stored items of an edition to the given wording, numbers, order and industries, adding those
    missing; returns how many were added."""
    ids = item_ids(new)
    known = await existing_criterion_ids(ids)
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
    await _insert_industries(new)
    return created
