"""Use cases of hazards: report one, move it through the workflow table, list, read, and show its history.

Every change is one transaction: the hazard row (its version checked in the UPDATE itself), its photos, and the
next link of its hash-chained history. The workflow rules are `domain.hazards.model`; this module only loads,
checks references, stores and appends.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.accounts.tables import AppUser
from domain.changes.services import HAZARD, record_change
from domain.clock import utcnow
from domain.criteria.model import check_citation
from domain.criteria.services import cited_criterion
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.documents.services import AttachedDocument, attach_documents, documents_of_hazards, usable_documents
from domain.errors import DomainError, InvalidInput, NotFound
from domain.hazards.model import (
    DESCRIPTIVE_FIELDS,
    OWING_STATUSES,
    PHOTO_FIELDS,
    TERMINAL_STATUSES,
    Category,
    Command,
    HazardLevel,
    HazardState,
    Side,
    Source,
    Status,
    allowed_actions,
    apply,
    is_overdue,
    open_hazard,
    side_of_role,
    side_of_source,
)
from domain.hazards.tables import Hazard, HazardPhoto
from domain.history.chain import verify_chain
from domain.history.store import append_event, chain_rows, event_record
from domain.ids import new_id
from domain.org.scope import require_enterprise
from domain.org.store import enterprise_condition
from domain.org.tables import Enterprise
from domain.outbox.services import add_to_outbox
from domain.photos.services import near_duplicates
from domain.photos.tables import Photo, PhotoUpload
from domain.risk.tables import RiskPoint, ScanRecord

SUBJECT_KIND = "hazard"
MAX_PHOTOS = 20
MAX_DOCUMENTS = 10
CLOCK_SKEW = timedelta(minutes=10)  # a phone's clock may run a little ahead of ours


# The job the outbox runs after every committed change of a hazard (workers/jobs/outbox.py: its follow-ups).
CHANGE_JOB = "hazard_changed"


class StaleVersion(DomainError):
    """The hazard changed since the caller read it: read it again, then decide."""

    code = "HAZARD_VERSION_STALE"


class HazardInputInvalid(InvalidInput):
    """A reference or value of a hazard report does not hold (photo, scan, risk point, source, basis of a major)."""

    code = "HAZARD_INPUT_INVALID"


@dataclass(frozen=True, slots=True)
class NewHazard:
    """What a reporter says about a hazard they found."""

    client_id: str
    enterprise_id: str
    source: str
    category: str
    title: str
    description: str = ""
    risk_point_id: str | None = None
    level: str = HazardLevel.GENERAL
    level_confirmed: bool = True  # False: proposed by a checklist item, a person confirms it (confirmLevel)
    major_criterion_id: str | None = None
    expert_reason: str | None = None
    professional_type: str = "safety"
    internal_grade: str | None = None
    photo_ids: tuple[str, ...] = ()
    found_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    scan_id: str | None = None
    inspection_id: str | None = None
    responsible_person: str = ""


@dataclass(frozen=True, slots=True)
class HazardPhotoRecord:
    """A photo on a hazard: before (the hazard) or after (the fix)."""

    photo_id: str
    sha256: str
    stage: str
    event_seq: int


@dataclass(frozen=True, slots=True)
class HazardRecord:
    """A hazard as stored, with its photos, what the caller may do with it, and whether it is overdue."""

    id: str
    client_key: str
    enterprise_id: str
    enterprise_name: str
    risk_point_id: str | None
    inspection_id: str | None
    scan_id: str | None
    source: str
    category: str
    professional_type: str
    title: str
    description: str
    level: str
    level_confirmed: bool
    internal_grade: str | None
    major_criterion_id: str | None
    expert_reason: str | None
    governance_type: str | None
    status: str
    side: str
    reporter_id: str
    reporter_role: str
    assignee_id: str | None
    rectifier_id: str | None
    responsible_person: str
    measures: str
    funds: str
    stoppage_scope: str
    supervised: bool
    deadline: datetime | None
    requested_deadline: datetime | None
    has_after_photos: bool
    lat: float | None
    lng: float | None
    found_at: datetime
    closed_at: datetime | None
    details: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    photos: list[HazardPhotoRecord]
    allowed_actions: list[str]
    overdue: bool
    documents: list[AttachedDocument] = dataclasses.field(default_factory=list)
    extension_requester_id: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """One event of a hazard's history as shown to the phone."""

    seq: int
    action: str
    name: str
    actor_id: str
    role: str
    at: datetime
    payload: dict[str, Any]
    photo_hashes: list[str]
    prev_hash: str
    hash: str


# --- reading -------------------------------------------------------------------------------------------------------


def _in_scope(actor: Actor):
    """Hazards of the enterprises the actor may see: the one scope rule, as a sub-select."""
    return Hazard.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor)))


def state_of(row: dict) -> HazardState:
    """The workflow's view of a stored hazard."""
    return HazardState(
        id=row["id"],
        level=HazardLevel(row["level"]),
        status=Status(row["status"]),
        side=Side(row["side"]),
        enterprise_id=row["enterprise_id"],
        reporter_id=row["reporter_id"],
        version=row["version"],
        assignee_id=row["assignee_id"],
        rectifier_id=row["rectifier_id"],
        governance_type=row["governance_type"],
        supervised=row["supervised"],
        deadline=row["deadline"],
        requested_deadline=row["requested_deadline"],
        extension_requester_id=row["extension_requester_id"],
        has_after_photos=row["has_after_photos"],
        level_confirmed=row["level_confirmed"],
    )


async def _photos_of(hazard_ids: list[str]) -> dict[str, list[HazardPhotoRecord]]:
    if not hazard_ids:
        return {}
    rows = (
        await HazardPhoto.select(
            HazardPhoto.hazard_id,
            HazardPhoto.photo_id,
            HazardPhoto.stage,
            HazardPhoto.event_seq,
            HazardPhoto.photo_id.join_on(Photo.id).sha256.as_alias("sha256"),
        )
        .where(HazardPhoto.hazard_id.is_in(hazard_ids))
        .order_by(HazardPhoto.event_seq)
        .order_by(HazardPhoto.position)
        .run()
    )
    photos: dict[str, list[HazardPhotoRecord]] = {}
    for row in rows:
        record = HazardPhotoRecord(row["photo_id"], row["sha256"], row["stage"], row["event_seq"])
        photos.setdefault(row["hazard_id"], []).append(record)
    return photos


async def _records(rows: list[dict], actor: Actor, now: datetime) -> list[HazardRecord]:
    names = {}
    if rows:
        enterprise_ids = sorted({row["enterprise_id"] for row in rows})
        found = await Enterprise.select(Enterprise.id, Enterprise.name).where(Enterprise.id.is_in(enterprise_ids)).run()
        names = {row["id"]: row["name"] for row in found}
    photos = await _photos_of([row["id"] for row in rows])
    documents = await documents_of_hazards([row["id"] for row in rows])
    records = []
    for row in rows:
        state = state_of(row)
        fields = {f.name: row[f.name] for f in dataclasses.fields(HazardRecord) if f.name in row}
        fields["details"] = json.loads(row["details"] or "{}")
        records.append(
            HazardRecord(
                **fields,
                enterprise_name=names.get(row["enterprise_id"], ""),
                photos=photos.get(row["id"], []),
                documents=documents.get(row["id"], []),
                allowed_actions=allowed_actions(state, actor),
                overdue=is_overdue(state, now),
            )
        )
    return records


async def _row_in_scope(actor: Actor, hazard_id: str) -> dict:
    row = await Hazard.select().where(Hazard.id == hazard_id, _in_scope(actor)).first().run()
    if row is None:
        raise NotFound("no such hazard", entity="hazard", id=hazard_id)
    return row


async def hazards_by_ids(*, actor: Actor, hazard_ids: list[str], now: datetime | None = None) -> list[HazardRecord]:
    """Those of the hazards that are in the caller's scope, in no particular order (the sync feed)."""
    if not hazard_ids:
        return []
    rows = await Hazard.select().where(Hazard.id.is_in(hazard_ids), _in_scope(actor)).run()
    return await _records(rows, actor, now or utcnow())


async def get_hazard(*, actor: Actor, hazard_id: str, now: datetime | None = None) -> HazardRecord:
    """One hazard in the caller's scope (out of scope answers as missing)."""
    row = await _row_in_scope(actor, hazard_id)
    return (await _records([row], actor, now or utcnow()))[0]


@dataclass(frozen=True, slots=True)
class HazardFilter:
    """The list filters of `GET /v1/hazards`."""

    statuses: tuple[str, ...] = ()
    level: str | None = None
    enterprise_id: str | None = None
    risk_point_id: str | None = None
    overdue: bool | None = None
    open_only: bool = False


async def list_hazards(
    *,
    actor: Actor,
    filters: HazardFilter,
    cursor: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> Page[HazardRecord]:
    """Hazards in scope, newest first (ids are time-ordered), a page at a time."""
    now = now or utcnow()
    size = clamp_limit(limit)
    query = Hazard.select().where(_in_scope(actor)).order_by(Hazard.id, ascending=False).limit(size + 1)
    if filters.statuses:
        if unknown := sorted(set(filters.statuses) - {str(status) for status in Status}):
            raise InvalidInput("no such hazard status", field="status", values=unknown)
        query = query.where(Hazard.status.is_in(list(filters.statuses)))
    if filters.open_only:
        query = query.where(Hazard.status.not_in(sorted(TERMINAL_STATUSES)))
    if filters.level:
        query = query.where(Hazard.level == filters.level)
    if filters.enterprise_id:
        query = query.where(Hazard.enterprise_id == filters.enterprise_id)
    if filters.risk_point_id:
        query = query.where(Hazard.risk_point_id == filters.risk_point_id)
    if filters.overdue is not None:
        owing = (Hazard.deadline < now) & Hazard.status.is_in(sorted(OWING_STATUSES))
        # "not overdue" is everything else, including hazards without a deadline
        query = query.where(
            owing
            if filters.overdue
            else ((Hazard.deadline.is_null()) | (Hazard.deadline >= now) | Hazard.status.not_in(sorted(OWING_STATUSES)))
        )
    if after := decode_cursor(cursor):
        query = query.where(Hazard.id < after)
    rows = await query.run()
    page = page_of(rows, size, lambda row: row["id"])
    return Page(items=await _records(page.items, actor, now), next_cursor=page.next_cursor)


async def hazard_history(*, actor: Actor, hazard_id: str) -> list[HistoryRecord]:
    """The hazard's events in order, each with its hash and the hash it points at."""
    await _row_in_scope(actor, hazard_id)
    return [
        HistoryRecord(
            seq=row["seq"],
            action=row["action"],
            name=row["name"],
            actor_id=row["actor_id"],
            role=row["role"],
            at=row["at"],
            payload=json.loads(row["payload"]),
            photo_hashes=json.loads(row["photo_hashes"]),
            prev_hash=row["prev_hash"],
            hash=row["hash"],
        )
        for row in await chain_rows(hazard_id)
    ]


# --- references ----------------------------------------------------------------------------------------------------


async def usable_photos(actor: Actor, photo_ids: tuple[str, ...], enterprise_id: str) -> list[dict]:
    """The photos, in the order given, each uploaded by the actor or already of this enterprise; else refused."""
    if len(photo_ids) > MAX_PHOTOS:
        raise HazardInputInvalid(f"at most {MAX_PHOTOS} photos", field="photoIds", reason="too_many")
    if len(set(photo_ids)) != len(photo_ids):
        raise HazardInputInvalid("a photo is listed twice", field="photoIds", reason="duplicate")
    if not photo_ids:
        return []
    rows = await Photo.select(Photo.id, Photo.sha256, Photo.enterprise_id).where(Photo.id.is_in(list(photo_ids))).run()
    mine = (
        await PhotoUpload.select(PhotoUpload.photo_id)
        .where(PhotoUpload.photo_id.is_in(list(photo_ids)), PhotoUpload.user_id == actor.user_id)
        .run()
    )
    uploaded_by_me = {row["photo_id"] for row in mine}
    by_id = {row["id"]: row for row in rows if row["id"] in uploaded_by_me or row["enterprise_id"] == enterprise_id}
    missing = [photo_id for photo_id in photo_ids if photo_id not in by_id]
    if missing:
        # another's photo answers like a missing one: its existence is not ours to reveal
        raise HazardInputInvalid("no such photo of yours", field="photoIds", reason="unknown", ids=missing)
    return [by_id[photo_id] for photo_id in photo_ids]


async def _documents_for(actor: Actor, document_ids: tuple[str, ...], enterprise_id: str) -> list[dict]:
    """The documents a step names, in the order given, each uploaded by the actor or of this enterprise; else refused."""
    if len(document_ids) > MAX_DOCUMENTS:
        raise HazardInputInvalid(f"at most {MAX_DOCUMENTS} documents", field="documentIds", reason="too_many")
    if len(set(document_ids)) != len(document_ids):
        raise HazardInputInvalid("a document is listed twice", field="documentIds", reason="duplicate")
    usable = await usable_documents(actor, document_ids, enterprise_id)
    if missing := [document_id for document_id in document_ids if document_id not in usable]:
        # another enterprise's document answers like a missing one: its existence is not ours to reveal
        raise HazardInputInvalid("no such document of yours", field="documentIds", reason="unknown", ids=missing)
    return [usable[document_id] for document_id in document_ids]


async def _check_assignee(user_id: str, enterprise_id: str) -> None:
    found = (
        await AppUser.select(AppUser.id)
        .where(AppUser.id == user_id, AppUser.enterprise_id == enterprise_id, AppUser.disabled.eq(False))
        .first()
        .run()
    )
    if found is None:
        raise HazardInputInvalid(
            "the assignee is not an active user of this enterprise", field="assigneeId", reason="unknown"
        )


async def check_criterion(criterion_id: str, enterprise_id: str, found_at: datetime, *, proposed: bool = False) -> None:
    """A cited criterion exists, applies to the enterprise's industry and was in force on the day of the finding;
    a level only proposed (by a failed checklist item) is checked for existence, the rest when a person confirms."""
    cited = await cited_criterion(criterion_id)
    if cited is None:
        raise HazardInputInvalid("no such criterion", field="majorCriterionId", reason="unknown")
    if proposed:
        # an inspection is never refused for the library's state: confirmLevel judges the citation
        return
    enterprise = await Enterprise.select(Enterprise.industry).where(Enterprise.id == enterprise_id).first().run()
    check_citation(
        industries=cited.industries,
        span=cited.span,
        enterprise_industry=enterprise["industry"],
        found_at=found_at,
        criterion_id=criterion_id,
    )


async def _check_references(actor: Actor, new: NewHazard, now: datetime) -> None:
    if new.risk_point_id:
        point = (
            await RiskPoint.select(RiskPoint.id)
            .where(RiskPoint.id == new.risk_point_id, RiskPoint.enterprise_id == new.enterprise_id)
            .first()
            .run()
        )
        if point is None:
            raise HazardInputInvalid("no such risk point in this enterprise", field="riskPointId", reason="unknown")
    if new.scan_id:
        scan = (
            await ScanRecord.select(ScanRecord.id)
            .where(
                ScanRecord.id == new.scan_id,
                ScanRecord.user_id == actor.user_id,
                ScanRecord.enterprise_id == new.enterprise_id,
            )
            .first()
            .run()
        )
        if scan is None:
            raise HazardInputInvalid(
                "the scan is not yours or not of this enterprise", field="scanId", reason="unknown"
            )
    if new.level == HazardLevel.MAJOR:
        if new.major_criterion_id:
            await check_criterion(
                new.major_criterion_id, new.enterprise_id, new.found_at or now, proposed=not new.level_confirmed
            )
        elif not (new.expert_reason or "").strip():
            raise HazardInputInvalid(
                "a major hazard names the criterion it meets or the experts' reason",
                field="majorCriterionId",
                reason="required",
            )


def _check_values(actor: Actor, new: NewHazard, now: datetime) -> tuple[Source, Side]:
    try:
        source, _, level = Source(new.source), Category(new.category), HazardLevel(new.level)
    except ValueError as error:
        raise HazardInputInvalid(str(error), reason="unknown_value") from None
    side = side_of_role(actor.role)
    if side_of_source(source) != side:
        raise HazardInputInvalid(
            f"a {actor.role} does not report hazards from {source}", field="source", reason="not_for_role"
        )
    if new.found_at and new.found_at > now + CLOCK_SKEW:
        raise HazardInputInvalid("foundAt lies in the future", field="foundAt", reason="future")
    if level is not HazardLevel.MAJOR and (new.major_criterion_id or new.expert_reason):
        raise HazardInputInvalid(
            "only a major hazard has a criterion or an expert reason", field="level", reason="inconsistent"
        )
    return source, side


def _coordinate(value: float | None) -> str | None:
    # the history refuses floats (their text is not stable): coordinates are hashed as decimal text
    return None if value is None else str(Decimal(repr(value)))


# --- writing -------------------------------------------------------------------------------------------------------


async def create_hazard(*, actor: Actor, new: NewHazard, now: datetime | None = None) -> tuple[HazardRecord, bool]:
    """Record a reported hazard and the first link of its history; the same clientId again finds the same hazard."""
    now = now or utcnow()
    require(actor, Action.REPORT_HAZARD)
    client_key = f"{actor.user_id}:{new.client_id}"
    existing = await Hazard.select().where(Hazard.client_key == client_key).first().run()
    if existing is not None:
        return (await _records([existing], actor, now))[0], False
    await require_enterprise(actor, new.enterprise_id)
    source, side = _check_values(actor, new, now)
    await _check_references(actor, new, now)
    photos = await usable_photos(actor, new.photo_ids, new.enterprise_id)
    hazard_id = new_id()
    state = open_hazard(
        hazard_id,
        level=HazardLevel(new.level),
        side=side,
        enterprise_id=new.enterprise_id,
        reporter_id=actor.user_id,
        level_confirmed=new.level_confirmed,
    )
    row = {
        "id": hazard_id,
        "client_key": client_key,
        "enterprise_id": new.enterprise_id,
        "risk_point_id": new.risk_point_id,
        "inspection_id": new.inspection_id,
        "scan_id": new.scan_id,
        "source": str(source),
        "category": new.category,
        "professional_type": new.professional_type,
        "title": new.title,
        "description": new.description,
        "level": str(state.level),
        "level_confirmed": state.level_confirmed,
        "internal_grade": new.internal_grade,
        "major_criterion_id": new.major_criterion_id,
        "expert_reason": new.expert_reason,
        "governance_type": None,
        "status": str(state.status),
        "side": str(side),
        "reporter_id": actor.user_id,
        "reporter_role": str(actor.role),
        "assignee_id": None,
        "rectifier_id": None,
        "responsible_person": new.responsible_person,
        "measures": "",
        "funds": "",
        "stoppage_scope": "",
        "supervised": False,
        "deadline": None,
        "requested_deadline": None,
        "extension_requester_id": None,
        "has_after_photos": False,
        "lat": new.lat,
        "lng": new.lng,
        "found_at": new.found_at or now,
        "closed_at": None,
        "details": "{}",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    payload = {
        k: v
        for k, v in row.items()
        if k
        not in (
            "id",
            "client_key",
            "lat",
            "lng",
            "details",
            "created_at",
            "updated_at",
            "closed_at",
            "extension_requester_id",
        )
    }
    payload |= {
        "client_id": new.client_id,
        "lat": _coordinate(new.lat),
        "lng": _coordinate(new.lng),
        "photo_ids": [p["id"] for p in photos],
    }
    try:
        async with transaction():
            await Hazard.insert(Hazard(**row)).run()
            await append_event(
                chain_id=hazard_id,
                subject_kind=SUBJECT_KIND,
                action="report",
                name="HazardReported",
                actor=actor,
                at=now,
                payload=payload,
                photo_hashes=[p["sha256"] for p in photos],
                bind=(Hazard, hazard_id),
            )
            await _attach(hazard_id, new.enterprise_id, photos, "before", 1, now)
            await add_to_outbox(CHANGE_JOB, hazard_id, 1, now=now)
            await record_change(HAZARD, hazard_id, new.enterprise_id, at=now)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        # the same phone's retry won the race: answer with what it made
        existing = await Hazard.select().where(Hazard.client_key == client_key).first().run()
        if existing is None:
            raise
        return (await _records([existing], actor, now))[0], False
    return await get_hazard(actor=actor, hazard_id=hazard_id, now=now), True


async def _attach(
    hazard_id: str, enterprise_id: str, photos: list[dict], stage: str, event_seq: int, now: datetime
) -> None:
    for position, photo in enumerate(photos):
        await HazardPhoto.insert(
            HazardPhoto(
                id=new_id(),
                hazard_id=hazard_id,
                photo_id=photo["id"],
                stage=stage,
                event_seq=event_seq,
                position=position,
                attached_at=now,
            )
        ).run()
        if photo["enterprise_id"] is None:
            # an inspector's photo now belongs with this enterprise's evidence (and its scope)
            await Photo.update({Photo.enterprise_id: enterprise_id}).where(Photo.id == photo["id"]).run()


# Which command fields name photos, and the stage they are attached as (a fix, the pages of an evaluation report).
_PHOTO_FIELDS = PHOTO_FIELDS
# Which changed state fields are columns of the hazard row.
_STATE_COLUMNS = (
    "level",
    "level_confirmed",
    "status",
    "assignee_id",
    "rectifier_id",
    "governance_type",
    "supervised",
    "deadline",
    "requested_deadline",
    "extension_requester_id",
    "has_after_photos",
)
# Command fields that also update a descriptive column of the hazard.
_DESCRIPTIVE = DESCRIPTIVE_FIELDS  # the replay of `verify` applies the same


async def transition(
    *, actor: Actor, hazard_id: str, expected_version: int, command: Command, now: datetime | None = None
) -> HazardRecord:
    """Apply one workflow action; exactly one of two racing callers with the same version wins."""
    now = now or utcnow()
    row = await _row_in_scope(actor, hazard_id)
    if row["version"] != expected_version:
        raise StaleVersion("the hazard changed since you read it", current=row["version"], sent=expected_version)
    state = state_of(row)
    new_state, event = apply(state, command, actor, now)
    if new_state.level is HazardLevel.MAJOR and getattr(command, "major_criterion_id", None):
        await check_criterion(command.major_criterion_id, state.enterprise_id, row["found_at"])
    if getattr(command, "assignee_id", None):
        await _check_assignee(command.assignee_id, state.enterprise_id)
    attached = {p.photo_id for p in (await _photos_of([hazard_id])).get(hazard_id, [])}
    photos_by_stage = {}
    for name, stage in _PHOTO_FIELDS.items():
        ids = tuple(getattr(command, name, ()))
        if attached & set(ids):
            raise HazardInputInvalid(
                "a photo already on this hazard cannot be new evidence", field=name, reason="already_attached"
            )
        photos_by_stage[stage] = await usable_photos(actor, ids, state.enterprise_id)
    photos = [photo for stage_photos in photos_by_stage.values() for photo in stage_photos]
    # The steps whose command has `document_ids` (the report, the plan, the evaluation, the resume application).
    documents = await _documents_for(actor, tuple(getattr(command, "document_ids", ())), state.enterprise_id)
    # A hint for whoever accepts the fix, kept in the evidence: after-photos that repeat a before-photo or another
    # hazard's photo (the same scene re-shot unchanged, or an old picture reused).
    flagged = await _near_duplicate_flags(photos_by_stage.get("after", []), hazard_id)
    described = dict(event.payload) | ({"near_duplicates": flagged} if flagged else {})
    payload = described | {
        "from_status": str(event.from_status),
        "to_status": str(event.to_status),
        "version": event.version,
    }
    if documents:
        # the chain names each document by its bytes, as it names photos in photo_hashes
        payload["document_hashes"] = [document["sha256"] for document in documents]
    details = json.loads(row["details"] or "{}") | {str(event.action): described}
    changes: dict[Any, Any] = {getattr(Hazard, name): getattr(new_state, name) for name in _STATE_COLUMNS}
    changes |= {
        getattr(Hazard, column): event.payload[field]
        for field, column in _DESCRIPTIVE.items()
        if field in event.payload and event.payload[field] is not None
    }
    changes |= {
        Hazard.version: new_state.version,
        Hazard.updated_at: now,
        Hazard.details: json.dumps(details, ensure_ascii=False, default=str),
    }
    if new_state.status in TERMINAL_STATUSES:
        changes[Hazard.closed_at] = now
    async with transaction():
        # the version check lives in the UPDATE: of two racing writers the second matches no row
        updated = (
            await Hazard.update(changes)
            .where(Hazard.id == hazard_id, Hazard.version == expected_version)
            .returning(Hazard.id)
            .run()
        )
        if not updated:
            raise StaleVersion("the hazard changed since you read it", sent=expected_version)
        linked = await append_event(
            chain_id=hazard_id,
            subject_kind=SUBJECT_KIND,
            action=str(event.action),
            name=event.name,
            actor=actor,
            at=now,
            payload=payload,
            photo_hashes=[p["sha256"] for p in photos],
            bind=(Hazard, hazard_id),
        )
        for stage, stage_photos in photos_by_stage.items():
            await _attach(hazard_id, state.enterprise_id, stage_photos, stage, linked.seq, now)
        await attach_documents(hazard_id, documents, str(event.action), linked.seq, now)
        await add_to_outbox(CHANGE_JOB, hazard_id, linked.seq, now=now)
        await record_change(HAZARD, hazard_id, state.enterprise_id, at=now)
    return await get_hazard(actor=actor, hazard_id=hazard_id, now=now)


async def _near_duplicate_flags(after_photos: list[dict], hazard_id: str) -> list[dict[str, Any]]:
    found = await near_duplicates([photo["id"] for photo in after_photos], hazard_id)
    return [
        {
            "photo_id": hit.photo_id,
            "matches_photo_id": hit.matches_photo_id,
            "hazard_id": hit.hazard_id,
            "stage": hit.stage,
            "distance": hit.distance,
        }
        for hit in found
    ]


async def verify_hazard_chain(hazard_id: str) -> bool:
    """True when the hazard's own chain verifies (tests and tools; `shuangfang verify` checks them all)."""
    return verify_chain(event_record(row) for row in await chain_rows(hazard_id)).ok
