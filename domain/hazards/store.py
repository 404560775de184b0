"""Every statement on the hazards area's tables: other modules call these functions and get typed records back.

The reads a phone waits on are one statement each, written by hand (`_VIEW`): the hazard row, its enterprise's name,
its photos and its documents (as JSON arrays), filtered by the caller's scope, for one hazard or a page of them. The
other areas' parts come from their stores as SQL fragments (`domain.org.store`, `domain.photos.store`,
`domain.documents.store`, `domain.history.store`), so this module names no table of theirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access.model import Actor
from domain.changes.services import HAZARD, register_entities
from domain.db.sql import Statement
from domain.db.transactions import is_sqlite
from domain.documents import store as documents
from domain.documents.links import register_attachments as register_document_holders
from domain.documents.store import AttachedDocument
from domain.hazards.model import OWING_STATUSES, TERMINAL_STATUSES, HazardLevel
from domain.hazards.tables import Hazard, HazardPhoto
from domain.history.store import ProtectedRows, head_sql
from domain.ids import new_id
from domain.org.store import enterprise_column_sql, visible_enterprises_sql
from domain.photos import store as photos
from domain.photos.links import Attachment
from domain.photos.links import register_attachments as register_photo_holders

# The hazard's own columns, as every read returns them (the chain binding, chain_seq / chain_hash, stays inside).
COLUMNS = (
    "id",
    "client_key",
    "enterprise_id",
    "risk_point_id",
    "inspection_id",
    "scan_id",
    "source",
    "category",
    "professional_type",
    "title",
    "description",
    "level",
    "level_confirmed",
    "internal_grade",
    "major_criterion_id",
    "expert_reason",
    "governance_type",
    "status",
    "side",
    "reporter_id",
    "reporter_role",
    "assignee_id",
    "rectifier_id",
    "responsible_person",
    "measures",
    "funds",
    "stoppage_scope",
    "supervised",
    "deadline",
    "requested_deadline",
    "extension_requester_id",
    "has_after_photos",
    "lat",
    "lng",
    "found_at",
    "closed_at",
    "details",
    "version",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class HazardPhotoRecord:
    """A photo on a hazard: before (the hazard) or after (the fix)."""

    photo_id: str
    sha256: str
    stage: str
    event_seq: int


@dataclass(frozen=True, slots=True)
class StoredHazard:
    """A hazard row with what every read shows beside it: its enterprise's name, its photos and its documents."""

    id: str
    client_key: str
    enterprise_id: str
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
    extension_requester_id: str | None
    has_after_photos: bool
    lat: float | None
    lng: float | None
    found_at: datetime
    closed_at: datetime | None
    details: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    enterprise_name: str = ""
    photos: list[HazardPhotoRecord] = field(default_factory=list)
    documents: list[AttachedDocument] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last event of a hazard's chain (None: no event yet) and its enterprise's place, read with the row."""

    seq: int | None
    hash: str | None
    grid_id: str | None
    region_path: str


@dataclass(frozen=True, slots=True)
class HazardSummary:
    """A hazard's title and status (the demo's tour)."""

    id: str
    title: str
    status: str


# --- hand-written statements ---------------------------------------------------------------------------------------

# Statements by their text: a scope shape or a set of filters is compiled once and then reused (prepared) by text.
_STATEMENTS: dict[tuple[str, bool], Statement] = {}


async def _fetch(template: str, args: Sequence[Any], *, short: bool = False) -> list[Mapping[str, Any]]:
    """Run one hand-written statement (`{}` placeholders) on the bound engine; `short`: bounded by index lookups."""
    statement = _STATEMENTS.get((template, short))
    if statement is None:
        statement = _STATEMENTS[(template, short)] = Statement(template, short=short)
    return await statement.rows(*args)


def _photos_sql(sqlite: bool) -> str:
    sha256 = photos.sha256_sql("hp.photo_id")
    where = "FROM hazard_photo hp WHERE hp.hazard_id = h.id"
    if sqlite:
        # SQLite 3.40 has no ORDER BY inside an aggregate: it aggregates an ordered subquery in that order
        ordered = (
            f"SELECT hp.photo_id, {sha256} AS sha256, hp.stage, hp.event_seq {where} ORDER BY hp.event_seq, hp.position"
        )
        return f"(SELECT json_group_array(json_array(photo_id, sha256, stage, event_seq)) FROM ({ordered}) attached)"
    array = f"json_build_array(hp.photo_id, {sha256}, hp.stage, hp.event_seq) ORDER BY hp.event_seq, hp.position"
    return f"(SELECT COALESCE(json_agg({array}), '[]'::json) {where})"


def _view_sql(sqlite: bool, *, head: bool = False) -> str:
    """SELECT … FROM hazard h: the row, its enterprise's name, its photos and documents (and its chain head)."""
    columns = ", ".join(f"h.{name}" for name in COLUMNS)
    extras = [
        f"{enterprise_column_sql('name', 'h.enterprise_id')} AS enterprise_name",
        f"{_photos_sql(sqlite)} AS photos",
        f"{documents.attached_documents_sql('h.id', sqlite=sqlite)} AS documents",
    ]
    if head:
        extras += [
            f"{head_sql('h.id', 'seq')} AS head_seq",
            f"{head_sql('h.id', 'hash')} AS head_hash",
            f"{enterprise_column_sql('grid_id', 'h.enterprise_id')} AS grid_id",
            f"{enterprise_column_sql('region_path', 'h.enterprise_id')} AS region_path",
        ]
    return f"SELECT {columns}, {', '.join(extras)} FROM hazard h"


_VIEWS: dict[tuple[bool, bool], str] = {}


def _view(*, head: bool = False) -> str:
    sqlite = is_sqlite()
    text = _VIEWS.get((sqlite, head))
    if text is None:
        text = _VIEWS[(sqlite, head)] = _view_sql(sqlite, head=head)
    return text


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _stored(row: Mapping[str, Any]) -> StoredHazard:
    fields = {name: row[name] for name in COLUMNS}
    fields["details"] = json.loads(row["details"] or "{}")
    return StoredHazard(
        **fields,
        enterprise_name=row["enterprise_name"] or "",
        photos=[HazardPhotoRecord(*item) for item in _json(row["photos"]) or ()],
        documents=[AttachedDocument(*item) for item in _json(row["documents"]) or ()],
    )


def _in_scope(actor: Actor) -> tuple[str, list[Any]]:
    sql, args = visible_enterprises_sql(actor)
    return f"h.enterprise_id IN ({sql})", args


# --- reading -------------------------------------------------------------------------------------------------------


async def hazard_in_scope(actor: Actor, hazard_id: str) -> StoredHazard | None:
    """One hazard with its name, photos and documents, if the actor may see it: one statement."""
    scope, args = _in_scope(actor)
    rows = await _fetch(f"{_view()} WHERE h.id = {{}} AND {scope}", [hazard_id, *args], short=True)
    return _stored(rows[0]) if rows else None


async def hazard_for_change(actor: Actor, hazard_id: str) -> tuple[StoredHazard, ChainHead] | None:
    """One hazard in the actor's scope with its chain's head and its enterprise's place: what a transition reads,
    in one statement (outside the write: the version check of the UPDATE and the chain's unique (id, seq) refuse
    anything read stale)."""
    scope, args = _in_scope(actor)
    rows = await _fetch(f"{_view(head=True)} WHERE h.id = {{}} AND {scope}", [hazard_id, *args], short=True)
    if not rows:
        return None
    row = rows[0]
    return _stored(row), ChainHead(row["head_seq"], row["head_hash"], row["grid_id"], row["region_path"] or "")


async def hazards_in_scope(actor: Actor, hazard_ids: Sequence[str]) -> list[StoredHazard]:
    """Those of the hazards the actor may see, in no particular order: one statement."""
    ids = sorted(set(hazard_ids))
    if not ids:
        return []
    scope, args = _in_scope(actor)
    marks = ", ".join("{}" for _ in ids)
    rows = await _fetch(f"{_view()} WHERE h.id IN ({marks}) AND {scope}", [*ids, *args])
    return [_stored(row) for row in rows]


async def hazard_by_client_key(client_key: str) -> StoredHazard | None:
    """The hazard a phone's create made under this key (whoever asks: the key holds the creator's id)."""
    rows = await _fetch(f"{_view()} WHERE h.client_key = {{}}", [client_key], short=True)
    return _stored(rows[0]) if rows else None


@dataclass(frozen=True, slots=True)
class PageFilter:
    """The conditions of a page of hazards, as the store needs them (the service checks and translates the query)."""

    statuses: tuple[str, ...] = ()
    not_statuses: tuple[str, ...] = ()
    level: str | None = None
    enterprise_id: str | None = None
    risk_point_id: str | None = None
    # overdue: (True, now, owing statuses) keeps the overdue, (False, …) the others, None both
    overdue: tuple[bool, datetime, tuple[str, ...]] | None = None
    before_id: str | None = None


async def page_in_scope(actor: Actor, where: PageFilter, limit: int) -> list[StoredHazard]:
    """Up to `limit` hazards the actor may see, newest first (ids are time-ordered): one statement."""
    scope, args = _in_scope(actor)
    conditions = [scope]

    def among(column: str, values: Sequence[Any], negate: bool = False) -> str:
        args.extend(values)
        return f"{column} {'NOT IN' if negate else 'IN'} ({', '.join('{}' for _ in values)})"

    if where.statuses:
        conditions.append(among("h.status", where.statuses))
    if where.not_statuses:
        conditions.append(among("h.status", where.not_statuses, negate=True))
    for column, value in (
        ("level", where.level),
        ("enterprise_id", where.enterprise_id),
        ("risk_point_id", where.risk_point_id),
    ):
        if value:
            conditions.append(f"h.{column} = {{}}")
            args.append(value)
    if where.overdue is not None:
        overdue, now, owing = where.overdue
        args.append(now)
        if overdue:
            conditions.append(f"h.deadline < {{}} AND {among('h.status', owing)}")
        else:
            # "not overdue" is everything else, including hazards without a deadline
            conditions.append(f"(h.deadline IS NULL OR h.deadline >= {{}} OR {among('h.status', owing, negate=True)})")
    if where.before_id:
        conditions.append("h.id < {}")
        args.append(where.before_id)
    args.append(limit)
    rows = await _fetch(f"{_view()} WHERE {' AND '.join(conditions)} ORDER BY h.id DESC LIMIT {{}}", args)
    return [_stored(row) for row in rows]


async def enterprise_of_hazard(hazard_id: str) -> str | None:
    """The enterprise a hazard belongs to (None: no such hazard)."""
    row = await Hazard.select(Hazard.enterprise_id).where(Hazard.id == hazard_id).first().run()
    return row["enterprise_id"] if row else None


async def summaries(hazard_ids: Iterable[str]) -> dict[str, HazardSummary]:
    """Title and status of each of the hazards that exist, by id."""
    ids = sorted(set(hazard_ids))
    if not ids:
        return {}
    rows = await Hazard.select(Hazard.id, Hazard.title, Hazard.status).where(Hazard.id.is_in(ids)).run()
    return {row["id"]: HazardSummary(row["id"], row["title"], row["status"]) for row in rows}


async def earlier_photos(hazard_id: str) -> list[tuple[str, str, str, str]]:
    """(photo id, hazard id, stage, dHash) of every photo on another hazard and of this hazard's before-photos."""
    rows = await HazardPhoto.raw(
        f"SELECT hp.photo_id, hp.hazard_id, hp.stage, {photos.phash_sql('hp.photo_id')} AS phash"
        " FROM hazard_photo hp WHERE hp.hazard_id <> {} OR (hp.hazard_id = {} AND hp.stage = 'before')",
        hazard_id,
        hazard_id,
    ).run()
    return [(row["photo_id"], row["hazard_id"], row["stage"], row["phash"]) for row in rows]


# --- writing (inside the caller's transaction) ---------------------------------------------------------------------


async def insert_hazard(columns: Mapping[str, Any]) -> None:
    """Insert a new hazard row (the unique client_key refuses a phone's racing retry)."""
    await Hazard.insert(Hazard(**columns)).run()


_UPDATED = ", ".join(f"{name} = {{}}" for name in COLUMNS if name not in ("id", "client_key", "created_at"))


async def update_hazard(
    hazard_id: str, expected_version: int, values: Mapping[str, Any], *, chain_seq: int, chain_hash: str
) -> Mapping[str, Any] | None:
    """Write the hazard's new values and its new chain head if its version is still `expected_version`; the row as
    written (None: another writer changed it first). One statement, the same text for every action."""
    args = [values[name] for name in COLUMNS if name not in ("id", "client_key", "created_at")]
    rows = await _fetch(
        f"UPDATE hazard SET {_UPDATED}, chain_seq = {{}}, chain_hash = {{}} WHERE id = {{}} AND version = {{}}"
        f" RETURNING {', '.join(COLUMNS)}",
        [*args, chain_seq, chain_hash, hazard_id, expected_version],
    )
    return rows[0] if rows else None


def as_stored(
    row: Mapping[str, Any], *, enterprise_name: str, photos: list[HazardPhotoRecord], documents: list[AttachedDocument]
) -> StoredHazard:
    """A row as `update_hazard` returned it, with its enterprise's name, photos and documents."""
    fields = {name: row[name] for name in COLUMNS}
    fields["details"] = json.loads(row["details"] or "{}")
    return StoredHazard(**fields, enterprise_name=enterprise_name, photos=photos, documents=documents)


async def attach_photos(
    hazard_id: str, photos_by_stage: Mapping[str, Sequence[str]], event_seq: int, now: datetime
) -> None:
    """Attach the photos to the hazard as the stages say, attached by event `event_seq`: one statement. Positions
    run on across the stages, so a read lists an event's photos in the order given here."""
    attached = [(stage, photo_id) for stage, photo_ids in photos_by_stage.items() for photo_id in photo_ids]
    rows = [
        HazardPhoto(
            id=new_id(),
            hazard_id=hazard_id,
            photo_id=photo_id,
            stage=stage,
            event_seq=event_seq,
            position=position,
            attached_at=now,
        )
        for position, (stage, photo_id) in enumerate(attached)
    ]
    if rows:
        await HazardPhoto.insert(*rows).run()


# --- what the photos and documents areas ask about their attachments -------------------------------------------------


async def enterprises_holding_photo(photo_id: str) -> list[str]:
    """The enterprises of the hazards the photo is attached to."""
    rows = await HazardPhoto.raw(
        "SELECT DISTINCT h.enterprise_id FROM hazard_photo hp JOIN hazard h ON h.id = hp.hazard_id"
        " WHERE hp.photo_id = {}",
        photo_id,
    ).run()
    return [row["enterprise_id"] for row in rows]


async def first_attachment_of_photo(photo_id: str) -> Attachment | None:
    """The enterprise and risk point of the first hazard the photo was attached to."""
    rows = await HazardPhoto.raw(
        "SELECT h.enterprise_id, h.risk_point_id FROM hazard_photo hp JOIN hazard h ON h.id = hp.hazard_id"
        " WHERE hp.photo_id = {} ORDER BY hp.attached_at LIMIT 1",
        photo_id,
    ).run()
    return Attachment(rows[0]["enterprise_id"], rows[0]["risk_point_id"]) if rows else None


async def enterprises_holding_document(document_id: str) -> list[str]:
    """The enterprises of the hazards the document is attached to."""
    rows = await Hazard.raw(
        f"SELECT DISTINCT enterprise_id FROM hazard WHERE id IN ({documents.hazards_holding_sql()})", document_id
    ).run()
    return [row["enterprise_id"] for row in rows]


register_photo_holders(enterprises_holding=enterprises_holding_photo, first_attachment=first_attachment_of_photo)
register_document_holders(enterprises_holding=enterprises_holding_document)


# --- the change feed's snapshot of an enterprise ---------------------------------------------------------------------


async def feed_hazards(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(hazard id, enterprise id) of the enterprises' hazards (of all when None), in id order: the change feed's list."""
    query = Hazard.select(Hazard.id, Hazard.enterprise_id).order_by(Hazard.id)
    if enterprise_ids is not None:
        query = query.where(Hazard.enterprise_id.is_in(list(enterprise_ids)))
    return [(row["id"], row["enterprise_id"]) for row in await query.run()]


register_entities(HAZARD, feed_hazards)


# --- a fragment for hand-written statements of other areas (the scan card: domain/codes/queries.py) ---------------


def open_hazards_sql(*, of_point: bool, limit: int) -> str:
    """`SELECT id, title, level, status, deadline` of an enterprise's hazards not yet closed, newest first, at most
    `limit`; its `{}` take the enterprise id, then (`of_point`) the risk point id."""
    terminal = ", ".join(f"'{status}'" for status in sorted(TERMINAL_STATUSES))
    point = " AND risk_point_id = {}" if of_point else ""
    return (
        "SELECT id, title, level, status, deadline FROM hazard"
        f" WHERE enterprise_id = {{}}{point} AND status NOT IN ({terminal}) ORDER BY id DESC LIMIT {int(limit)}"
    )


async def overdue_major_counts(now: datetime) -> dict[str, int]:
    """Enterprise id → how many of its major hazards are still owed past their deadline (credit grading)."""
    rows = await Hazard.raw(
        "SELECT enterprise_id, COUNT(*) AS n FROM hazard WHERE level = {} AND status IN ("
        + ", ".join("{}" for _ in OWING_STATUSES)
        + ") AND deadline < {} GROUP BY enterprise_id",
        str(HazardLevel.MAJOR),
        *sorted(OWING_STATUSES),
        now,
    ).run()
    return {row["enterprise_id"]: int(row["n"]) for row in rows}


async def safety_code_counts(enterprise_id: str, now: datetime) -> tuple[int, int, int]:
    """(open major, overdue major, overdue) hazards of the enterprise, major meaning confirmed major (the safety
    code's input)."""
    hazards = Hazard.enterprise_id == enterprise_id
    major = (Hazard.level == HazardLevel.MAJOR.value) & Hazard.level_confirmed.eq(True)
    overdue = Hazard.status.is_in(sorted(OWING_STATUSES)) & (Hazard.deadline < now)
    return (
        await Hazard.count().where(hazards, major, Hazard.status.not_in(sorted(TERMINAL_STATUSES))).run(),
        await Hazard.count().where(hazards, major, overdue).run(),
        await Hazard.count().where(hazards, overdue).run(),
    )


# --- for notifications and the overdue sweep ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HazardBrief:
    """What a notification or an escalation says of a hazard."""

    id: str
    enterprise_id: str
    title: str
    level: str
    status: str
    deadline: datetime | None
    supervised: bool


_BRIEF = (
    Hazard.id,
    Hazard.enterprise_id,
    Hazard.title,
    Hazard.level,
    Hazard.status,
    Hazard.deadline,
    Hazard.supervised,
)


async def hazard_brief(hazard_id: str) -> HazardBrief | None:
    """One hazard's brief, None when there is no such hazard."""
    row = await Hazard.select(*_BRIEF).where(Hazard.id == hazard_id).first().run()
    return HazardBrief(**row) if row else None


async def overdue_hazards(now: datetime) -> list[HazardBrief]:
    """Every hazard `is_overdue` at `now` (owing rectification, deadline passed), in id order."""
    rows = (
        await Hazard.select(*_BRIEF)
        .where(Hazard.status.is_in(sorted(OWING_STATUSES)), Hazard.deadline < now)
        .order_by(Hazard.id)
        .run()
    )
    return [HazardBrief(**row) for row in rows]


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(Hazard)


async def chained_photos() -> dict[str, list[list]]:
    """Hazard id → [event seq, stage, photo SHA-256] of each attached photo in attachment order (verify compares them
    with the chain)."""
    rows = await HazardPhoto.raw(
        f"SELECT hp.hazard_id, hp.event_seq, hp.stage, {photos.sha256_sql('hp.photo_id')} AS sha256"
        " FROM hazard_photo hp ORDER BY hp.hazard_id, hp.event_seq, hp.position"
    ).run()
    found: dict[str, list[list]] = {}
    for row in rows:
        if row["sha256"] is not None:  # a photo row gone: as the join it replaces, the attachment is not listed
            found.setdefault(row["hazard_id"], []).append([row["event_seq"], row["stage"], row["sha256"]])
    return found
