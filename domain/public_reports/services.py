"""Use cases of public reports: submit one (no account), upload its photos, follow it by receipt, and the regulator's
list, detail, actions and history.

A submit is one transaction: the report, the contact in its own table, the photo links, the first link of its
hash-chained history and the outbox entry that notifies the receiving regulators. Accepting a report creates the
hazard through `domain.hazards.services.create_hazard` in the same transaction as the report's own change, so a
report is never accepted without its hazard nor a hazard made twice. The contact is read in one place,
`_contact_of`, for regulators only (elsewhere only whether one was given); it goes into no hazard, history payload,
notification or sync change.

Nothing of the whistleblower reaches the enterprise either: accepting needs the regulator's own title and
description (never the report's text), the hazard gets no place and is found when accepted, and its photos are new
copies of the report's, without metadata and stamped with the enterprise and the acceptance date (their hashes are
not the originals'), kept as the regulator's uploads; the originals and the report stay with the regulators.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.access.model import Actor, Role
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import InvalidInput, NotFound
from domain.hazards import services as hazards
from domain.history.store import chain_rows
from domain.ids import new_id
from domain.notifications.model import Audience, EventKind, Notice
from domain.notifications.services import NotificationSubject, deliver_due, record_notification
from domain.org import store as org_store
from domain.org.model import RegionRecord
from domain.org.scope import require_enterprise
from domain.outbox.services import add_to_outbox
from domain.photos import store as photos_store
from domain.photos.services import CaptureForm, PhotoRecord, Photos
from domain.photos.storage import Incoming
from domain.public_reports import store
from domain.public_reports.limits import count_request
from domain.public_reports.model import (
    EVENT_NAMES,
    LOOKUP_PER_ADDRESS,
    PHOTO_PER_ADDRESS,
    PHOTO_PER_DEVICE,
    REPORT_PER_ADDRESS,
    REPORT_PER_DEVICE,
    AcceptReport,
    DismissReport,
    ForwardReport,
    Outline,
    PublicReportInputInvalid,
    PublicReportUnroutable,
    ReportCommand,
    ReportStatus,
    ReportVersionStale,
    RoutedBy,
    allowed_actions,
    check_enterprise_wording,
    hashed,
    locate,
    new_receipt,
    next_status,
    normal_receipt,
    shown_receipt,
)
from domain.public_reports.store import StoredReport

SUBJECT_KIND = "publicReport"
NOTIFY_JOB = "notify_public_report"
# The reporter has no account: history events and photo uploads name this role, which no scope rule grants anything.
PUBLIC_ROLE = "public"
PUBLIC = Actor(user_id="public", role=PUBLIC_ROLE)  # type: ignore[arg-type]
# The action of the first event of every report's chain (the regulator's actions follow it).
RECEIVE_ACTION = "receive"


def device_user(device_id: str) -> str:
    """The pseudonymous uploader id of a device (26 characters, like a user id): its photos are its own."""
    return "pub" + hashed("device", device_id)[:23]


@dataclass(frozen=True, slots=True)
class NewPublicReport:
    """What a member of the public says about a hazard."""

    client_id: str
    device_id: str
    description: str
    title: str = ""
    occurred_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    region_code: str | None = None
    enterprise_name: str = ""
    enterprise_credit_code: str | None = None
    photo_ids: tuple[str, ...] = ()
    contact_name: str = ""
    contact_phone: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply to the reporter."""

    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the reporter sees of their report."""

    receipt: str
    status: str
    submitted_at: datetime
    updated_at: datetime
    replies: list[Reply]


@dataclass(frozen=True, slots=True)
class ReportPhotoRecord:
    """A photo of a report."""

    id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Contact:
    """The reporter's contact."""

    name: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A report as its receivers see it; `contact` is None unless the caller is a regulator."""

    id: str
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
    enterprise_name: str | None
    grid_id: str | None
    region_code: str
    region_name: str
    hazard_id: str | None
    dismiss_reason: str
    photos: list[ReportPhotoRecord]
    replies: list[Reply]
    has_contact: bool
    contact: Contact | None
    allowed_actions: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Route:
    """Where a report goes: the enterprise (if found), the grid, and the region whose regulators see it."""

    routed_by: RoutedBy
    region_code: str
    region_path: str
    grid_id: str | None = None
    enterprise_id: str | None = None


# --- routing -------------------------------------------------------------------------------------------------------


async def _enterprise_route(new: NewPublicReport) -> Route | None:
    if new.enterprise_credit_code:
        found = await org_store.open_enterprises(credit_code=new.enterprise_credit_code.upper(), limit=1)
        if found:
            e = found[0]
            return Route(RoutedBy.CREDIT_CODE, e.region_code, e.region_path, e.grid_id, e.id)
    if name := new.enterprise_name.strip():
        found = await org_store.open_enterprises(name=name, limit=2)
        if len(found) == 1:  # two of one name: a name does not say which, so the place decides
            e = found[0]
            return Route(RoutedBy.ENTERPRISE_NAME, e.region_code, e.region_path, e.grid_id, e.id)
    return None


async def _outlines() -> list[Outline]:
    return [
        Outline(o.kind, o.subject, o.region_code, o.region_path, o.geometry) for o in await org_store.placed_outlines()
    ]


async def route_report(new: NewPublicReport) -> Route:
    """The receiver: the named enterprise's grid and region, else the outline holding the point, else the chosen
    region; something given that matches nothing goes to the top region; nothing given at all is refused."""
    if (new.lat is None) != (new.lng is None):
        raise PublicReportInputInvalid("a place is a pair of lat and lng", field="lat", reason="pair")
    if found := await _enterprise_route(new):
        return found
    if new.lat is not None and new.lng is not None and (outline := locate(await _outlines(), new.lng, new.lat)):
        grid_id = outline.subject if outline.kind == "grid" else None
        return Route(RoutedBy.LOCATION, outline.region_code, outline.region_path, grid_id)
    if new.region_code:
        region = await org_store.region(new.region_code)
        if region is None:
            raise PublicReportInputInvalid("no such region", field="regionCode", reason="unknown")
        return Route(RoutedBy.REGION, region.code, region.path)
    if new.lat is None and not new.enterprise_name.strip() and not new.enterprise_credit_code:
        raise PublicReportUnroutable("say where: an enterprise, a place on the map or a region")
    top = await org_store.first_root_region()
    if top is None:
        raise PublicReportUnroutable("no region is set up to receive reports")
    return Route(RoutedBy.FALLBACK, top.code, top.path)


# --- the reporter's side -------------------------------------------------------------------------------------------


async def _device_photos(device_id: str, photo_ids: tuple[str, ...]) -> list[dict]:
    """The photos, in order, each uploaded by this device; another's photo answers like a missing one."""
    if len(set(photo_ids)) != len(photo_ids):
        raise PublicReportInputInvalid("a photo is listed twice", field="photoIds", reason="duplicate")
    if not photo_ids:
        return []
    mine = await photos_store.uploaded_sha256s(photo_ids, user_id=device_user(device_id))
    if missing := [photo_id for photo_id in photo_ids if photo_id not in mine]:
        raise PublicReportInputInvalid(
            "no such photo from this device", field="photoIds", reason="unknown", ids=missing
        )
    return [{"id": photo_id, "sha256": mine[photo_id]} for photo_id in photo_ids]


def _receipt_of(row: StoredReport, replies: list[Reply]) -> Receipt:
    return Receipt(shown_receipt(row.receipt), row.status, row.created_at, row.updated_at, replies)


async def _replies(report_ids: list[str]) -> dict[str, list[Reply]]:
    if not report_ids:
        return {}
    found: dict[str, list[Reply]] = {}
    for report_id, text, created_at in await store.replies_of(report_ids):
        found.setdefault(report_id, []).append(Reply(text, created_at))
    return found


async def submit_report(*, new: NewPublicReport, address: str, now: datetime | None = None) -> tuple[Receipt, bool]:
    """Store a public report and queue its notification; the same device and clientId again → the same receipt."""
    now = now or utcnow()
    client_key = hashed(new.device_id, new.client_id)
    if (existing := await store.report_by_client_key(client_key)) is not None:
        return _receipt_of(existing, (await _replies([existing.id])).get(existing.id, [])), False
    await count_request([(REPORT_PER_DEVICE, new.device_id), (REPORT_PER_ADDRESS, address)], now)
    if new.occurred_at and new.occurred_at > now + hazards.CLOCK_SKEW:
        raise PublicReportInputInvalid("occurredAt lies in the future", field="occurredAt", reason="future")
    route = await route_report(new)
    photos = await _device_photos(new.device_id, new.photo_ids)
    report_id = new_id()
    row = {
        "id": report_id,
        "receipt": new_receipt(),
        "client_key": client_key,
        "status": str(ReportStatus.RECEIVED),
        "title": new.title.strip(),
        "description": new.description,
        "occurred_at": new.occurred_at,
        "lat": new.lat,
        "lng": new.lng,
        "given_enterprise_name": new.enterprise_name.strip(),
        "given_credit_code": (new.enterprise_credit_code or "").upper(),
        "given_region_code": new.region_code or "",
        "routed_by": str(route.routed_by),
        "enterprise_id": route.enterprise_id,
        "grid_id": route.grid_id,
        "region_code": route.region_code,
        "region_path": route.region_path,
        "hazard_id": None,
        "dismiss_reason": "",
        "decided_by": None,
        "decided_at": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    has_contact = bool(new.contact_name.strip() or new.contact_phone)
    # the chain records what was reported and where it went; whether a contact was given, never the contact
    payload = {
        k: row[k]
        for k in (
            "status",
            "title",
            "description",
            "given_enterprise_name",
            "given_credit_code",
            "given_region_code",
            "routed_by",
            "enterprise_id",
            "grid_id",
            "region_code",
        )
    }
    payload |= {
        "occurred_at": new.occurred_at,
        "lat": hazards._coordinate(new.lat),
        "lng": hazards._coordinate(new.lng),
        "photo_ids": [p["id"] for p in photos],
        "has_contact": has_contact,
        "version": 1,
    }
    try:
        async with transaction():
            await store.insert_report(
                StoredReport(**row),
                contact=(new.contact_name.strip(), new.contact_phone or "") if has_contact else None,
                photo_ids=[p["id"] for p in photos],
                now=now,
            )
            await store.append_report_event(
                report_id,
                chain_id=report_id,
                subject_kind=SUBJECT_KIND,
                action=RECEIVE_ACTION,
                name="PublicReportReceived",
                actor=PUBLIC,
                at=now,
                payload=payload,
                photo_hashes=[p["sha256"] for p in photos],
            )
            await add_to_outbox(NOTIFY_JOB, report_id, now=now)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        # the same phone's retry won the race: answer with what it made
        existing = await store.report_by_client_key(client_key)
        if existing is None:
            raise
        return _receipt_of(existing, []), False
    return _receipt_of(StoredReport(**row), []), True


async def upload_photo(
    *,
    photos: Photos,
    incoming: Incoming,
    client_id: str,
    device_id: str,
    address: str,
    taken_at: datetime | None = None,
    lat: float | None = None,
    lng: float | None = None,
    now: datetime | None = None,
) -> tuple[PhotoRecord, bool]:
    """Keep a photo for a public report, with every check of an ordinary upload, under the device's pseudonym."""
    uploader = Actor(user_id=device_user(device_id), role=PUBLIC_ROLE)  # type: ignore[arg-type]
    if await photos_store.upload_by_key(f"{uploader.user_id}:{client_id}") is None:
        await count_request([(PHOTO_PER_DEVICE, device_id), (PHOTO_PER_ADDRESS, address)], now)
    # the raw device id is not kept: the pseudonym already ties the photo to the device's reports
    form = CaptureForm(client_id=client_id, taken_at=taken_at, lat=lat, lng=lng, device_id="")
    return await photos.accept(actor=uploader, incoming=incoming, form=form, now=now)


async def follow_report(*, receipt: str, address: str, now: datetime | None = None) -> Receipt:
    """The status and replies of the report with this receipt; an unknown receipt is simply not found."""
    await count_request([(LOOKUP_PER_ADDRESS, address)], now)
    code = normal_receipt(receipt)
    row = await store.report_by_receipt(code) if code else None
    if row is None:
        raise NotFound("no report with this receipt", entity="publicReport")
    return _receipt_of(row, (await _replies([row.id])).get(row.id, []))


# --- the receivers' side -------------------------------------------------------------------------------------------


async def _contact_of(actor: Actor, report_id: str) -> Contact | None:
    """The one read of a reporter's contact: for regulators, and nobody else."""
    if actor.role is not Role.REGULATOR:
        return None
    contact = await store.contact_of(report_id)
    return Contact(contact[0], contact[1] or None) if contact else None


async def _records(rows: list[StoredReport], actor: Actor, *, with_contact: bool = False) -> list[ReportRecord]:
    ids = [row.id for row in rows]
    if not ids:
        return []
    replies = await _replies(ids)
    photos: dict[str, list[ReportPhotoRecord]] = {}
    for report_id, photo_id, sha256 in await store.report_photos(ids):
        photos.setdefault(report_id, []).append(ReportPhotoRecord(photo_id, sha256))
    contacts = await store.reports_with_contact(ids)
    enterprise_ids = sorted({row.enterprise_id for row in rows if row.enterprise_id})
    names = await org_store.enterprise_names(enterprise_ids)
    regions = await org_store.region_names(sorted({row.region_code for row in rows}))
    records = []
    for row in rows:
        fields = {
            name: getattr(row, name)
            for name in (
                "id",
                "status",
                "title",
                "description",
                "occurred_at",
                "lat",
                "lng",
                "given_enterprise_name",
                "given_credit_code",
                "given_region_code",
                "routed_by",
                "enterprise_id",
                "grid_id",
                "region_code",
                "hazard_id",
                "dismiss_reason",
                "version",
                "created_at",
                "updated_at",
            )
        }
        records.append(
            ReportRecord(
                **fields,
                enterprise_name=names.get(row.enterprise_id),
                region_name=regions.get(row.region_code, ""),
                photos=photos.get(row.id, []),
                replies=replies.get(row.id, []),
                has_contact=row.id in contacts,
                contact=await _contact_of(actor, row.id) if with_contact else None,
                allowed_actions=allowed_actions(row.status, actor),
            )
        )
    return records


async def _row_in_scope(actor: Actor, report_id: str) -> StoredReport:
    require(actor, Action.READ_PUBLIC_REPORTS)
    row = await store.report_in_scope(actor, report_id)
    if row is None:
        raise NotFound("no such public report", entity="publicReport", id=report_id)
    return row


async def get_report(*, actor: Actor, report_id: str) -> ReportRecord:
    """One report in the caller's scope, with the contact for a regulator."""
    row = await _row_in_scope(actor, report_id)
    return (await _records([row], actor, with_contact=True))[0]


async def list_reports(
    *, actor: Actor, status: str | None = None, cursor: str | None = None, limit: int | None = None
) -> Page[ReportRecord]:
    """Reports in the caller's scope, newest first (no contacts in a list: open one to see it)."""
    require(actor, Action.READ_PUBLIC_REPORTS)
    size = clamp_limit(limit)
    if status and status not in {str(s) for s in ReportStatus}:
        raise InvalidInput("no such report status", field="status", values=[status])
    rows = await store.reports_page(actor, status=status, before=decode_cursor(cursor), limit=size + 1)
    page = page_of(rows, size, lambda row: row.id)
    return Page(items=await _records(page.items, actor), next_cursor=page.next_cursor)


async def _enterprise_copies(
    actor: Actor, photos: Photos | None, report_id: str, enterprise_id: str, photo_ids: tuple[str, ...], now: datetime
) -> list[str]:
    """New photos for the enterprise, one per chosen report photo: the pixels re-encoded without metadata and
    stamped with the enterprise and the acceptance date (domain.photos.redaction), kept as the regulator's uploads
    so the hazard service takes them as evidence. The originals, with the reporter's EXIF, stay the regulators'."""
    attached = await store.photo_ids_of(report_id)
    if unknown := [photo_id for photo_id in photo_ids if photo_id not in attached]:
        raise PublicReportInputInvalid("not a photo of this report", field="photoIds", reason="unknown", ids=unknown)
    if not photo_ids:
        return []
    if photos is None:
        raise RuntimeError("accepting a report with photos needs the photo store")
    name = (await require_enterprise(actor, enterprise_id)).name  # before any copy is made for one out of scope
    copies = []
    for photo_id in photo_ids:
        # the retry key names neither the report nor its photo: the enterprise's rows hold no link back to them
        client_id = "pr:" + hashed("enterprise-copy", report_id, photo_id)[:40]
        record = await photos.keep_enterprise_copy(
            actor=actor, photo_id=photo_id, client_id=client_id, enterprise_name=name, accepted_at=now
        )
        copies.append(record.id)
    return copies


async def _accept(
    actor: Actor, row: StoredReport, command: AcceptReport, now: datetime, photos: Photos | None
) -> dict[str, Any]:
    enterprise_id = command.enterprise_id or row.enterprise_id
    if not enterprise_id:
        raise PublicReportInputInvalid(
            "name the enterprise the hazard belongs to", field="enterpriseId", reason="required"
        )
    copies = await _enterprise_copies(actor, photos, row.id, enterprise_id, command.photo_ids, now)
    # Nothing of the reporter goes into the enterprise's hazard: the regulator's own words, no place (the reporter's
    # point would say where they stood), found when accepted (the reporter's time would say when they were there),
    # the enterprise's copies of the photos, and a retry key that names no report.
    new = hazards.NewHazard(
        client_id="public-report:" + hashed("hazard", row.id)[:40],
        enterprise_id=enterprise_id,
        source="public_report",
        category=command.category,
        title=(command.title or "").strip(),
        description=(command.description or "").strip(),
        level=command.level,
        major_criterion_id=command.major_criterion_id,
        expert_reason=command.expert_reason,
        photo_ids=tuple(copies),
        found_at=now,
        lat=None,
        lng=None,
    )
    hazard, _ = await hazards.create_hazard(actor=actor, new=new, now=now)
    return {
        "hazard_id": hazard.id,
        "enterprise_id": enterprise_id,
        "photo_ids": list(command.photo_ids),
        "enterprise_photo_ids": copies,
    }


async def act(
    *,
    actor: Actor,
    report_id: str,
    expected_version: int,
    command: ReportCommand,
    now: datetime | None = None,
    photos: Photos | None = None,
) -> ReportRecord:
    """Accept, dismiss or reply to a report (regulators of its region), as one transaction with its history link;
    accepting with photos needs `photos`, where the enterprise's copies are kept."""
    now = now or utcnow()
    row = await _row_in_scope(actor, report_id)
    if row.version != expected_version:
        raise ReportVersionStale("the report changed since you read it", current=row.version, sent=expected_version)
    after = next_status(row.status, command.action, actor)
    if isinstance(command, AcceptReport):
        check_enterprise_wording(command.title, command.description, [row.title, row.description])
    changes: dict[str, Any] = {"status": str(after), "version": expected_version + 1, "updated_at": now}
    reply = (command.reply or "").strip()
    payload: dict[str, Any] = {"from_status": row.status, "to_status": str(after), "version": expected_version + 1}
    if isinstance(command, DismissReport):
        payload["reason"] = command.reason
        changes["dismiss_reason"] = command.reason
    if isinstance(command, ForwardReport):
        target = await _forward_target(row, command)
        payload |= {"from_region": row.region_code, "to_region": target.code, "reason": command.reason}
        changes |= {
            "region_code": target.code,
            "region_path": target.path,
            "grid_id": None,
            "routed_by": str(RoutedBy.FORWARDED),
        }
    if after != row.status:
        changes |= {"decided_by": actor.user_id, "decided_at": now}
    async with transaction():
        # the version check lives in the UPDATE, first: of two racing regulators the second matches no row (on
        # PostgreSQL it waits for the first's row lock) and makes no hazard
        if not await store.update_report(report_id, version=expected_version, values=changes):
            raise ReportVersionStale("the report changed since you read it", sent=expected_version)
        if isinstance(command, AcceptReport):
            accepted = await _accept(actor, row, command, now, photos)
            payload |= accepted
            await store.set_hazard(report_id, hazard_id=accepted["hazard_id"], enterprise_id=accepted["enterprise_id"])
        if reply:
            payload["reply"] = reply
            await store.insert_reply(report_id, text=reply, author_id=actor.user_id, now=now)
        await store.append_report_event(
            report_id,
            chain_id=report_id,
            subject_kind=SUBJECT_KIND,
            action=str(command.action),
            name=EVENT_NAMES[command.action],
            actor=actor,
            at=now,
            payload=payload,
        )
        if isinstance(command, ForwardReport):
            await add_to_outbox(NOTIFY_JOB, report_id, now=now)  # the new receivers hear of it
            # the report may now lie outside the forwarder's scope: they get it back as it left, without the contact
            moved = await store.report(report_id)
            assert moved is not None  # reports are never deleted
            return (await _records([moved], actor, with_contact=False))[0]
    return await get_report(actor=actor, report_id=report_id)


async def _forward_target(row: StoredReport, command: ForwardReport) -> RegionRecord:
    """The region a report is forwarded to: any existing region but the one it is at."""
    target = await org_store.region(command.region_code)
    if target is None:
        raise PublicReportInputInvalid("no such region", field="regionCode", reason="unknown")
    if target.code == row.region_code:
        raise PublicReportInputInvalid("the report is at this region already", field="regionCode", reason="same")
    return target


async def report_history(*, actor: Actor, report_id: str) -> list[dict[str, Any]]:
    """The report's hash-chained events in order (regulators and inspectors of its scope)."""
    await _row_in_scope(actor, report_id)
    return [
        {
            "seq": row["seq"],
            "action": row["action"],
            "name": row["name"],
            "actor_id": row["actor_id"],
            "role": row["role"],
            "at": row["at"],
            "payload": json.loads(row["payload"]),
            "photo_hashes": json.loads(row["photo_hashes"]),
            "prev_hash": row["prev_hash"],
            "hash": row["hash"],
        }
        for row in await chain_rows(report_id)
    ]


# --- the receivers' notification -----------------------------------------------------------------------------------


async def notify_report(*, report_id: str, now: datetime | None = None) -> list[str]:
    """Tell the regulators of the report's region it arrived (once, however often this runs); new delivery ids.

    The data says where and what kind, never the description or the contact: a webhook leaves this system.
    """
    now = now or utcnow()
    row = await store.report(report_id)
    if row is None:
        return []
    name = None
    if row.enterprise_id:
        name = (await org_store.enterprise_names([row.enterprise_id])).get(row.enterprise_id)
    data = {
        "reportId": report_id,
        "regionCode": row.region_code,
        "gridId": row.grid_id,
        "enterpriseId": row.enterprise_id,
        "enterpriseName": name,
        "routedBy": row.routed_by,
        "submittedAt": row.created_at,
    }
    subject = NotificationSubject(SUBJECT_KIND, report_id, row.enterprise_id or "", row.region_path)
    # a forwarded report is news to its new region: one notification per region it was forwarded to
    forwarded = row.routed_by == str(RoutedBy.FORWARDED)
    event_key = f"publicReport:{report_id}:" + (f"forwarded:{row.region_code}" if forwarded else "received")
    async with transaction():
        return await record_notification(
            event_key=event_key,
            notice=Notice(EventKind.PUBLIC_REPORT_RECEIVED, Audience.REGULATOR),
            subject=subject,
            data=data,
            occurred_at=row.created_at,
            now=now,
        )


async def notify_and_send(*, report_id: str, schedule: tuple[float, ...]) -> int:
    """Notify the report's arrival and send the first tries now; how many deliveries it made."""
    delivery_ids = await notify_report(report_id=report_id)
    if delivery_ids:
        await deliver_due(delivery_ids=delivery_ids, schedule=schedule)
    return len(delivery_ids)
