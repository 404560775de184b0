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
from domain.accounts.store import is_active_user_of
from domain.changes.model import Place
from domain.changes.services import HAZARD, record_change
from domain.clock import utcnow
from domain.criteria.model import check_citation
from domain.criteria.services import cited_criterion
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.documents import store as documents_store
from domain.documents.store import AttachedDocument, UsableDocument
from domain.errors import DomainError, InvalidInput, NotFound
from domain.hazards import store
from domain.hazards.model import (
    DESCRIPTIVE_FIELDS,
    OWING_STATUSES,
    PHOTO_FIELDS,
    REPORT_ACTION,
    REPORTED_PHOTO_STAGE,
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
from domain.hazards.store import HazardPhotoRecord, StoredHazard
from domain.history.chain import GENESIS_HASH, link, verify_chain
from domain.history.store import chain_rows, event_record, insert_linked
from domain.ids import new_id
from domain.org.scope import require_enterprise
from domain.org.store import enterprise_industry
from domain.outbox.services import add_to_outbox
from domain.photos import images
from domain.photos import store as photos_store
from domain.photos.store import UsablePhoto
from domain.risk.store import risk_point_in_enterprise, scan_by_user_in_enterprise

__all__ = ["AttachedDocument", "HazardPhotoRecord"]  # re-exported: the records a hazard carries

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


def state_of(hazard: StoredHazard) -> HazardState:
    """The workflow's view of a stored hazard."""
    return HazardState(
        id=hazard.id,
        level=HazardLevel(hazard.level),
        status=Status(hazard.status),
        side=Side(hazard.side),
        enterprise_id=hazard.enterprise_id,
        reporter_id=hazard.reporter_id,
        version=hazard.version,
        assignee_id=hazard.assignee_id,
        rectifier_id=hazard.rectifier_id,
        governance_type=hazard.governance_type,
        supervised=hazard.supervised,
        deadline=hazard.deadline,
        requested_deadline=hazard.requested_deadline,
        extension_requester_id=hazard.extension_requester_id,
        has_after_photos=hazard.has_after_photos,
        level_confirmed=hazard.level_confirmed,
    )


# The fields a hazard record takes over from the stored hazard as they are.
_STORED_FIELDS = tuple(f.name for f in dataclasses.fields(StoredHazard))


def _record(hazard: StoredHazard, actor: Actor, now: datetime) -> HazardRecord:
    state = state_of(hazard)
    return HazardRecord(
        **{name: getattr(hazard, name) for name in _STORED_FIELDS},
        allowed_actions=allowed_actions(state, actor),
        overdue=is_overdue(state, now),
    )


def _no_such_hazard(hazard_id: str) -> NotFound:
    return NotFound("no such hazard", entity="hazard", id=hazard_id)


async def hazards_by_ids(*, actor: Actor, hazard_ids: list[str], now: datetime | None = None) -> list[HazardRecord]:
    """Those of the hazards that are in the caller's scope, in no particular order (the sync feed)."""
    now = now or utcnow()
    return [_record(hazard, actor, now) for hazard in await store.hazards_in_scope(actor, hazard_ids)]


async def get_hazard(*, actor: Actor, hazard_id: str, now: datetime | None = None) -> HazardRecord:
    """One hazard in the caller's scope (out of scope answers as missing): one statement."""
    hazard = await store.hazard_in_scope(actor, hazard_id)
    if hazard is None:
        raise _no_such_hazard(hazard_id)
    return _record(hazard, actor, now or utcnow())


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
    if filters.statuses and (unknown := sorted(set(filters.statuses) - {str(status) for status in Status})):
        raise InvalidInput("no such hazard status", field="status", values=unknown)
    owing = tuple(sorted(OWING_STATUSES))
    where = store.PageFilter(
        statuses=tuple(filters.statuses),
        not_statuses=tuple(sorted(TERMINAL_STATUSES)) if filters.open_only else (),
        level=filters.level,
        enterprise_id=filters.enterprise_id,
        risk_point_id=filters.risk_point_id,
        overdue=None if filters.overdue is None else (filters.overdue, now, owing),
        before_id=decode_cursor(cursor),
    )
    page = page_of(await store.page_in_scope(actor, where, size + 1), size, lambda hazard: hazard.id)
    return Page(items=[_record(hazard, actor, now) for hazard in page.items], next_cursor=page.next_cursor)


async def hazard_history(*, actor: Actor, hazard_id: str) -> list[HistoryRecord]:
    """The hazard's events in order, each with its hash and the hash it points at."""
    if await store.hazard_in_scope(actor, hazard_id) is None:
        raise _no_such_hazard(hazard_id)
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


async def usable_photos(actor: Actor, photo_ids: tuple[str, ...], enterprise_id: str) -> list[UsablePhoto]:
    """The photos, in the order given, each uploaded by the actor or already of this enterprise; else refused."""
    if len(photo_ids) > MAX_PHOTOS:
        raise HazardInputInvalid(f"at most {MAX_PHOTOS} photos", field="photoIds", reason="too_many")
    if len(set(photo_ids)) != len(photo_ids):
        raise HazardInputInvalid("a photo is listed twice", field="photoIds", reason="duplicate")
    if not photo_ids:
        return []
    by_id = await photos_store.usable_photos(photo_ids, user_id=actor.user_id, enterprise_id=enterprise_id)
    if missing := [photo_id for photo_id in photo_ids if photo_id not in by_id]:
        # another's photo answers like a missing one: its existence is not ours to reveal
        raise HazardInputInvalid("no such photo of yours", field="photoIds", reason="unknown", ids=missing)
    return [by_id[photo_id] for photo_id in photo_ids]


async def _documents_for(actor: Actor, document_ids: tuple[str, ...], enterprise_id: str) -> list[UsableDocument]:
    """The documents a step names, in the order given, each uploaded by the actor or of this enterprise; else refused."""
    if len(document_ids) > MAX_DOCUMENTS:
        raise HazardInputInvalid(f"at most {MAX_DOCUMENTS} documents", field="documentIds", reason="too_many")
    if len(set(document_ids)) != len(document_ids):
        raise HazardInputInvalid("a document is listed twice", field="documentIds", reason="duplicate")
    usable = await documents_store.usable_documents(document_ids, user_id=actor.user_id, enterprise_id=enterprise_id)
    if missing := [document_id for document_id in document_ids if document_id not in usable]:
        # another enterprise's document answers like a missing one: its existence is not ours to reveal
        raise HazardInputInvalid("no such document of yours", field="documentIds", reason="unknown", ids=missing)
    return [usable[document_id] for document_id in document_ids]


async def _check_assignee(user_id: str, enterprise_id: str) -> None:
    if not await is_active_user_of(user_id, enterprise_id):
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
    check_citation(
        industries=cited.industries,
        span=cited.span,
        enterprise_industry=await enterprise_industry(enterprise_id),
        found_at=found_at,
        criterion_id=criterion_id,
    )


async def _check_references(actor: Actor, new: NewHazard, now: datetime) -> None:
    if new.risk_point_id and not await risk_point_in_enterprise(new.risk_point_id, new.enterprise_id):
        raise HazardInputInvalid("no such risk point in this enterprise", field="riskPointId", reason="unknown")
    if new.scan_id and not await scan_by_user_in_enterprise(new.scan_id, actor.user_id, new.enterprise_id):
        raise HazardInputInvalid("the scan is not yours or not of this enterprise", field="scanId", reason="unknown")
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
    existing = await store.hazard_by_client_key(client_key)
    if existing is not None:
        return _record(existing, actor, now), False
    enterprise = await require_enterprise(actor, new.enterprise_id)
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
        "photo_ids": [p.id for p in photos],
    }
    # the first link, made before the row so the row is written with its chain head (no second UPDATE to bind it)
    event = link(
        hazard_id,
        1,
        REPORT_ACTION,
        actor.user_id,
        str(actor.role),
        now,
        payload,
        [p.sha256 for p in photos],
        GENESIS_HASH,
    )
    try:
        async with transaction():
            await store.insert_hazard(row | {"chain_seq": event.seq, "chain_hash": event.hash})
            await insert_linked(event, subject_kind=SUBJECT_KIND, name="HazardReported")
            await _attach_photos(hazard_id, new.enterprise_id, {REPORTED_PHOTO_STAGE: photos}, 1, now)
            await add_to_outbox(CHANGE_JOB, hazard_id, 1, now=now)
            place = Place(enterprise.id, enterprise.grid_id, enterprise.region_path)
            await record_change(HAZARD, hazard_id, new.enterprise_id, place=place, at=now)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        # the same phone's retry won the race: answer with what it made
        existing = await store.hazard_by_client_key(client_key)
        if existing is None:
            raise
        return _record(existing, actor, now), False
    return await get_hazard(actor=actor, hazard_id=hazard_id, now=now), True


async def _attach_photos(
    hazard_id: str, enterprise_id: str, photos_by_stage: dict[str, list[UsablePhoto]], event_seq: int, now: datetime
) -> list[HazardPhotoRecord]:
    """Attach the photos (one statement) and adopt the inspectors' among them into the enterprise (one more, if
    any); the records as a read of the hazard lists them."""
    ids_by_stage = {stage: [p.id for p in photos] for stage, photos in photos_by_stage.items() if photos}
    if not ids_by_stage:
        return []
    await store.attach_photos(hazard_id, ids_by_stage, event_seq, now)
    if homeless := [p.id for photos in photos_by_stage.values() for p in photos if p.enterprise_id is None]:
        # an inspector's photo now belongs with this enterprise's evidence (and its scope)
        await photos_store.adopt_photos(homeless, enterprise_id)
    return [
        HazardPhotoRecord(p.id, p.sha256, stage, event_seq) for stage, photos in photos_by_stage.items() for p in photos
    ]


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
# Command fields that also update a descriptive column of the hazard (the replay of `verify` applies the same).
_DESCRIPTIVE = DESCRIPTIVE_FIELDS


async def transition(
    *, actor: Actor, hazard_id: str, expected_version: int, command: Command, now: datetime | None = None
) -> HazardRecord:
    """Apply one workflow action; exactly one of two racing callers with the same version wins.

    One statement reads the hazard with its photos, documents, chain head and place; the write is the row's UPDATE
    (version-checked, carrying its new chain head), the event, its anchor, the attachments, the outbox entry and the
    feed row; the answer is the row the UPDATE returned, with the photos and documents it read and attached.
    """
    now = now or utcnow()
    found = await store.hazard_for_change(actor, hazard_id)
    if found is None:
        raise _no_such_hazard(hazard_id)
    hazard, head = found
    if hazard.version != expected_version:
        raise StaleVersion("the hazard changed since you read it", current=hazard.version, sent=expected_version)
    state = state_of(hazard)
    new_state, event = apply(state, command, actor, now)
    if new_state.level is HazardLevel.MAJOR and getattr(command, "major_criterion_id", None):
        await check_criterion(command.major_criterion_id, state.enterprise_id, hazard.found_at)
    if getattr(command, "assignee_id", None):
        await _check_assignee(command.assignee_id, state.enterprise_id)
    attached = {p.photo_id for p in hazard.photos}
    photos_by_stage = {}
    for name, stage in PHOTO_FIELDS.items():
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
        payload["document_hashes"] = [document.sha256 for document in documents]
    details = hazard.details | {str(event.action): described}
    values: dict[str, Any] = {name: getattr(hazard, name) for name in store.COLUMNS}
    values |= {name: getattr(new_state, name) for name in _STATE_COLUMNS}
    values |= {
        column: event.payload[field]
        for field, column in _DESCRIPTIVE.items()
        if field in event.payload and event.payload[field] is not None
    }
    values |= {
        "version": new_state.version,
        "updated_at": now,
        "details": json.dumps(details, ensure_ascii=False, default=str),
    }
    if new_state.status in TERMINAL_STATUSES:
        values["closed_at"] = now
    seq, prev_hash = (head.seq + 1, head.hash) if head.seq else (1, GENESIS_HASH)
    linked = link(
        hazard_id,
        seq,
        str(event.action),
        actor.user_id,
        str(actor.role),
        now,
        payload,
        [p.sha256 for p in photos],
        prev_hash,
    )
    async with transaction():
        # the version check lives in the UPDATE: of two racing writers the second matches no row
        written = await store.update_hazard(
            hazard_id, expected_version, values, chain_seq=linked.seq, chain_hash=linked.hash
        )
        if written is None:
            raise StaleVersion("the hazard changed since you read it", sent=expected_version)
        await insert_linked(linked, subject_kind=SUBJECT_KIND, name=event.name)
        new_photos = await _attach_photos(hazard_id, state.enterprise_id, photos_by_stage, linked.seq, now)
        await documents_store.attach_documents(hazard_id, [d.id for d in documents], str(event.action), linked.seq, now)
        await add_to_outbox(CHANGE_JOB, hazard_id, linked.seq, now=now)
        place = Place(state.enterprise_id, head.grid_id, head.region_path) if head.region_path else None
        await record_change(HAZARD, hazard_id, state.enterprise_id, place=place, at=now)
    new_documents = [
        AttachedDocument(d.id, d.sha256, str(event.action), linked.seq, d.filename, d.page_count, d.size_bytes)
        for d in documents
    ]
    changed = store.as_stored(
        written,
        enterprise_name=hazard.enterprise_name,
        photos=[*hazard.photos, *new_photos],
        documents=[*hazard.documents, *new_documents],
    )
    return _record(changed, actor, now)


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """An after-photo that looks like an earlier photo: the one attached to `hazard_id` as `stage`."""

    photo_id: str
    matches_photo_id: str
    hazard_id: str
    stage: str
    distance: int


async def near_duplicates(
    photo_ids_after: list[str] | tuple[str, ...], hazard_id: str, *, threshold: int = images.NEAR_DUPLICATE_BITS
) -> list[NearDuplicate]:
    """After-photos of `hazard_id` that look like its before-photos or like any photo attached to another hazard.

    A match is a hint for the person accepting the fix (the same scene re-shot unchanged, or an old photo reused),
    not a refusal. Compares 64-bit dHashes in one pass over the attached photos: linear in their number.
    """
    if not photo_ids_after:
        return []
    after = await photos_store.phashes(photo_ids_after)
    earlier = await store.earlier_photos(hazard_id)
    return [
        NearDuplicate(new_id_, old_id, old_hazard, stage, images.hamming(new_phash, old_phash))
        for new_id_, new_phash in after
        for old_id, old_hazard, stage, old_phash in earlier
        if images.is_near_duplicate(new_phash, old_phash, threshold)
    ]


async def _near_duplicate_flags(after_photos: list[UsablePhoto], hazard_id: str) -> list[dict[str, Any]]:
    found = await near_duplicates([photo.id for photo in after_photos], hazard_id)
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


@dataclass(frozen=True, slots=True)
class DemoReport:
    """A report attached to a hazard, for the demo's tour."""

    hazard_id: str
    hazard_title: str
    hazard_status: str
    document_id: str
    filename: str
    page_count: int
    sha256: str


async def demo_reports() -> list[DemoReport]:
    """Every evaluation report attached to a hazard, oldest attachment first (the demo tour names one)."""
    reports = await documents_store.submitted_reports()
    hazards = await store.summaries(report.hazard_id for report in reports)
    return [
        DemoReport(
            report.hazard_id,
            hazards[report.hazard_id].title if report.hazard_id in hazards else None,
            hazards[report.hazard_id].status if report.hazard_id in hazards else None,
            report.document_id,
            report.filename,
            report.page_count,
            report.sha256,
        )
        for report in reports
    ]
