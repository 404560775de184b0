"""Every statement on the public_reports area's tables: who sees which report, the report photos, the counters.

Who sees which public report: a regulator their region's subtree, an inspector their grids, an admin all. Enterprise
roles see none: a report is about them, not for them (the reporter's identity is protected). Photos sit below this
area, so it tells them (`domain.photos.links`, at import) who may open a report's photos and which photos came with
a report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from domain.access.model import Actor, Role
from domain.access.permissions import Action, allowed
from domain.access.scope import like_prefix
from domain.history.store import ProtectedRows, append_event
from domain.ids import new_id
from domain.photos.links import register_reports
from domain.photos.store import sha256_sql
from domain.public_reports.tables import (
    PublicRateCounter,
    PublicReport,
    PublicReportContact,
    PublicReportPhoto,
    PublicReportReply,
)

# --- who sees which report ---------------------------------------------------------------------------------------


def report_condition(actor: Actor):
    """A piccolo condition on `PublicReport` keeping the reports the actor may see."""
    match actor.role:
        case Role.ADMIN:
            return WhereRaw("1 = 1")
        case Role.REGULATOR if actor.region_path:
            return PublicReport.region_path.like(like_prefix(actor.region_path))
        case Role.INSPECTOR if actor.grid_ids:
            return PublicReport.grid_id.is_in(sorted(actor.grid_ids))
    return WhereRaw("1 = 0")


async def is_report_photo(photo_id: str) -> bool:
    """True when the photo came with a public report (its original may carry the reporter's camera and place)."""
    return await PublicReportPhoto.exists().where(PublicReportPhoto.photo_id == photo_id).run()


async def photo_on_visible_report(actor: Actor, photo_id: str) -> bool:
    """True when the photo belongs to a public report the actor may see."""
    if not allowed(actor, Action.READ_PUBLIC_REPORTS):
        return False
    reports = PublicReport.select(PublicReport.id).where(report_condition(actor))
    return (
        await PublicReportPhoto.exists()
        .where(PublicReportPhoto.photo_id == photo_id, PublicReportPhoto.report_id.is_in(reports))
        .run()
    )


# Photos sit below this area: it tells them who sees a report's photos and which photos came with a report.
register_reports(on_visible_report=photo_on_visible_report, is_report_photo=is_report_photo)


# --- report photos -----------------------------------------------------------------------------------------------


async def report_photos(report_ids: list[str]) -> list[tuple[str, str, str]]:
    """(report id, photo id, photo SHA-256) of the reports' photos, in their order, in one statement."""
    if not report_ids:
        return []
    marks = ", ".join("{}" for _ in report_ids)
    rows = await PublicReportPhoto.raw(
        f"SELECT report_id, photo_id, {sha256_sql('photo_id')} AS sha256 FROM public_report_photo"
        f" WHERE report_id IN ({marks}) ORDER BY position",
        *report_ids,
    ).run()
    return [(row["report_id"], row["photo_id"], row["sha256"]) for row in rows]


# --- the public endpoints' rate counters -------------------------------------------------------------------------


async def take_place(counter_id: str, *, limit: int, window_end: datetime) -> bool:
    """Count one hit on the counter (made when missing) unless it holds `limit` already; False when it does."""
    await (
        PublicRateCounter.insert(PublicRateCounter(id=counter_id, hits=0, window_end=window_end))
        .on_conflict(action="DO NOTHING")
        .run()
    )
    # one UPDATE both checks and counts, so two racing requests cannot both take the last place
    counted = (
        await PublicRateCounter.update({PublicRateCounter.hits: PublicRateCounter.hits + 1})
        .where(PublicRateCounter.id == counter_id, PublicRateCounter.hits < limit)
        .returning(PublicRateCounter.hits)
        .run()
    )
    return bool(counted)


async def delete_counters_ended_before(cutoff: datetime) -> int:
    """Delete the counters whose window ended before `cutoff`; how many."""
    deleted = (
        await PublicRateCounter.delete()
        .where(PublicRateCounter.window_end < cutoff)
        .returning(PublicRateCounter.id)
        .run()
    )
    return len(deleted)


# --- reports -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A public report as stored (the contact, photos and replies are rows of their own)."""

    id: str
    receipt: str
    client_key: str
    status: str
    title: str
    description: str
    occurred_at: datetime | None
    lat: float | None
    lng: float | None
    given_enterprise_name: str
    given_credit_code: str
    given_region_code: str
    routed_by: str
    enterprise_id: str | None
    grid_id: str | None
    region_code: str
    region_path: str
    hazard_id: str | None
    dismiss_reason: str
    decided_by: str | None
    decided_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


def _report(row: dict) -> StoredReport:
    return StoredReport(**{f.name: row[f.name] for f in dataclasses.fields(StoredReport)})


async def _one(*conditions) -> StoredReport | None:
    row = await PublicReport.select().where(*conditions).first().run()
    return None if row is None else _report(row)


async def report(report_id: str) -> StoredReport | None:
    """One report by id, whoever asks."""
    return await _one(PublicReport.id == report_id)


async def report_by_client_key(client_key: str) -> StoredReport | None:
    """The report a device's retry key made."""
    return await _one(PublicReport.client_key == client_key)


async def report_by_receipt(receipt: str) -> StoredReport | None:
    """The report of a receipt."""
    return await _one(PublicReport.receipt == receipt)


async def report_in_scope(actor: Actor, report_id: str) -> StoredReport | None:
    """One report the actor may see."""
    return await _one(PublicReport.id == report_id, report_condition(actor))


async def reports_page(actor: Actor, *, status: str | None, before: str | None, limit: int) -> list[StoredReport]:
    """Up to `limit` reports the actor may see, newest first, of one status when given, before an id when given."""
    query = PublicReport.select().where(report_condition(actor)).order_by(PublicReport.id, ascending=False).limit(limit)
    if status:
        query = query.where(PublicReport.status == status)
    if before:
        query = query.where(PublicReport.id < before)
    return [_report(row) for row in await query.run()]


async def insert_report(
    report: StoredReport, *, contact: tuple[str, str] | None, photo_ids: Sequence[str], now: datetime
) -> None:
    """Store a report, its contact (name, phone) when given, and its photos in order."""
    await PublicReport.insert(PublicReport(**dataclasses.asdict(report))).run()
    if contact is not None:
        name, phone = contact
        await PublicReportContact.insert(
            PublicReportContact(report_id=report.id, name=name, phone=phone, created_at=now)
        ).run()
    for position, photo_id in enumerate(photo_ids):
        await PublicReportPhoto.insert(
            PublicReportPhoto(id=new_id(), report_id=report.id, photo_id=photo_id, position=position)
        ).run()


async def append_report_event(report_id: str, **event: Any) -> None:
    """Append an event that the report row, already written, carries as its chain head."""
    await append_event(bind=(PublicReport, report_id), **event)


async def update_report(report_id: str, *, version: int, values: dict[str, Any]) -> bool:
    """Write the report's columns if it is still at `version`; False when it moved on."""
    updated = (
        await PublicReport.update({getattr(PublicReport, name): value for name, value in values.items()})
        .where(PublicReport.id == report_id, PublicReport.version == version)
        .returning(PublicReport.id)
        .run()
    )
    return bool(updated)


async def set_hazard(report_id: str, *, hazard_id: str, enterprise_id: str) -> None:
    """Record the hazard an accepted report became, and its enterprise."""
    await (
        PublicReport.update({PublicReport.hazard_id: hazard_id, PublicReport.enterprise_id: enterprise_id})
        .where(PublicReport.id == report_id)
        .run()
    )


# --- replies, contacts, photo ids ------------------------------------------------------------------------------


async def replies_of(report_ids: Sequence[str]) -> list[tuple[str, str, datetime]]:
    """(report id, text, created at) of the reports' replies, oldest first."""
    if not report_ids:
        return []
    rows = (
        await PublicReportReply.select()
        .where(PublicReportReply.report_id.is_in(list(report_ids)))
        .order_by(PublicReportReply.id)
        .run()
    )
    return [(row["report_id"], row["text"], row["created_at"]) for row in rows]


async def insert_reply(report_id: str, *, text: str, author_id: str, now: datetime) -> None:
    """Store a regulator's reply to the reporter."""
    await PublicReportReply.insert(
        PublicReportReply(id=new_id(), report_id=report_id, text=text, author_id=author_id, created_at=now)
    ).run()


async def contact_of(report_id: str) -> tuple[str, str] | None:
    """The reporter's contact (name, phone) of a report, if one was given."""
    row = await PublicReportContact.select().where(PublicReportContact.report_id == report_id).first().run()
    return None if row is None else (row["name"], row["phone"])


async def reports_with_contact(report_ids: Sequence[str]) -> set[str]:
    """Those of the reports whose reporter gave a contact."""
    if not report_ids:
        return set()
    rows = (
        await PublicReportContact.select(PublicReportContact.report_id)
        .where(PublicReportContact.report_id.is_in(list(report_ids)))
        .run()
    )
    return {row["report_id"] for row in rows}


async def photo_ids_of(report_id: str) -> set[str]:
    """The photos that came with a report."""
    rows = (
        await PublicReportPhoto.select(PublicReportPhoto.photo_id).where(PublicReportPhoto.report_id == report_id).run()
    )
    return {row["photo_id"] for row in rows}


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(PublicReport)
