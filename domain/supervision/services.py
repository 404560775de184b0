"""Use cases of 分级分类监管: classify an enterprise from its current inputs, keep the class chained, count the
on-site visits its class owes, and read classes in the caller's scope.

A reclassification re-reads every input and overwrites the stored class, so it can run any number of times; only a
change (of class, edition, points or reasons) bumps the version, records a history row and appends an event to the
chain `class:<enterprise id>`, in the same transaction. The same class with the same reasons writes nothing.

When it runs: the job `reclassify_enterprise` (workers/jobs/supervision.py), which the safety-code recompute queues
through the outbox whenever the code's stored figures change — risk points graded, hazards opened or closed, credit
listed or lifted, grades recomputed all reach the code first, so that one hook covers every input but the
enterprise record itself (size, department, industry), which the daily `reclassify_all_enterprises` catches.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.access.model import SYSTEM, Actor, Role
from domain.access.permissions import Action, require
from domain.changes.services import ENTERPRISE, record_change
from domain.clock import LOCAL_TIME, utcnow
from domain.credit.services import credit_standing
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, encode_cursor
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.hazards import store as hazards_store
from domain.inspections import store as inspections_store
from domain.org import store as org_store
from domain.org.model import EnterpriseRecord, EnterpriseStatus
from domain.org.scope import require_enterprise, require_region
from domain.outbox.services import add_to_outbox
from domain.risk import store as risk_store
from domain.safety_code import services as safety_code
from domain.supervision import store
from domain.supervision.model import (
    CLASS_LABELS_ZH,
    ClassInputs,
    ClassResult,
    SupervisionClass,
    VisitStanding,
    classify,
    reasons_text,
    visit_period,
    visit_standing,
)
from domain.supervision.store import ChangeRecord, ClassRecord

__all__ = ["ChangeRecord", "ClassRecord", "class_of", "current_classes", "register_visit_source"]

SUBJECT_KIND = "supervision_class"
RECLASSIFY_JOB = "reclassify_enterprise"
# Whose inspections are on-site supervision visits (they must prove presence by a scan to record one at all).
VISITING_ROLES = (Role.INSPECTOR.value, Role.REGULATOR.value)


def chain_id(enterprise_id: str) -> str:
    """The history chain of an enterprise's classes."""
    return f"class:{enterprise_id}"


def local_today(now: datetime | None = None) -> date:
    """Today in Zhoushan."""
    return (now or utcnow()).astimezone(LOCAL_TIME).date()


# --- inputs and the class ------------------------------------------------------------------------------------------


async def gather_inputs(enterprise: EnterpriseRecord, now: datetime) -> ClassInputs:
    """Everything the rules read of one enterprise now, through each owning area's store or service."""
    levels = await risk_store.active_point_levels(enterprise.id)
    open_major, _, _ = await hazards_store.safety_code_counts(enterprise.id, now)
    standing = await credit_standing(enterprise.id, local_today(now))
    code = await safety_code.current_code(enterprise.id)
    return ClassInputs(
        supervising_department=enterprise.supervising_department,
        above_designated_size=enterprise.above_designated_size,
        industry=str(enterprise.industry),
        major_points=levels.get("major", 0),
        large_points=levels.get("large", 0),
        credit_grade=standing.grade,
        credit_listed=standing.listed,
        safety_colour=code.colour.value,
        open_major_hazards=open_major,
    )


def _inputs_json(inputs: ClassInputs) -> dict:
    return {
        "supervisingDepartment": inputs.supervising_department,
        "aboveDesignatedSize": inputs.above_designated_size,
        "industry": inputs.industry,
        "majorPoints": inputs.major_points,
        "largePoints": inputs.large_points,
        "creditGrade": inputs.credit_grade,
        "creditListed": inputs.credit_listed,
        "safetyColour": inputs.safety_colour,
        "openMajorHazards": inputs.open_major_hazards,
    }


@dataclass(frozen=True, slots=True)
class Reclassified:
    """The class after a reclassification, and whether anything was written (a history row and an event)."""

    record: ClassRecord
    changed: bool
    class_changed: bool


async def reclassify(enterprise_id: str, *, now: datetime | None = None) -> Reclassified:
    """Re-read the inputs, classify and overwrite the stored class; record and chain it if anything changed."""
    enterprise = await org_store.enterprise(enterprise_id)
    if enterprise is None:
        raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
    # the code is computed (in its own transaction) before ours opens, so a first read never nests its write here
    await safety_code.current_code(enterprise_id)
    async with transaction():
        # racing reclassifications queue on the row (PostgreSQL); the later one reads after the first committed
        current = await store.class_for_update(enterprise_id)
        now = now or utcnow()
        inputs = await gather_inputs(enterprise, now)
        result = classify(inputs)
        reasons = [reason.as_json() for reason in result.reasons]
        text = reasons_text(reasons)
        same = (
            current is not None
            and current.class_code == result.supervision_class.value
            and current.edition == result.edition
            and current.points == result.points
            and current.reasons == text
        )
        if same:
            return Reclassified(record=current.record(), changed=False, class_changed=False)
        old_class = current.class_code if current else None
        class_changed = old_class != result.supervision_class.value
        stored = store.StoredClass(
            enterprise_id=enterprise_id,
            class_code=result.supervision_class.value,
            edition=result.edition,
            points=result.points,
            reasons=text,
            inputs=json.dumps(_inputs_json(inputs), ensure_ascii=False, sort_keys=True),
            computed_at=now,
            class_since=now if class_changed or current is None else current.class_since,
            version=(current.version + 1) if current else 1,
        )
        await store.save_class(stored, new=current is None)
        await _record(enterprise_id, old_class, result, reasons, stored, now)
    return Reclassified(record=stored.record(), changed=True, class_changed=class_changed)


async def _record(
    enterprise_id: str, old_class: str | None, result: ClassResult, reasons: list[dict], stored, now: datetime
) -> None:
    await store.insert_change(
        enterprise_id=enterprise_id,
        seq=await store.last_change_seq(enterprise_id) + 1,
        old_class=old_class,
        new_class=result.supervision_class.value,
        edition=result.edition,
        points=result.points,
        reasons=stored.reasons,
        inputs=stored.inputs,
        changed_at=now,
    )
    payload = {
        "from": old_class,
        "to": result.supervision_class.value,
        "edition": result.edition,
        "points": result.points,
        "reasons": reasons,
        "inputs": json.loads(stored.inputs),
    }
    await store.append_class_event(
        enterprise_id,
        chain_id=chain_id(enterprise_id),
        subject_kind=SUBJECT_KIND,
        action="reclassify",
        name="SupervisionClassChanged",
        actor=SYSTEM,
        at=now,
        payload=payload,
    )
    # phones show the class on the enterprise: it reaches them through the sync feed
    await record_change(ENTERPRISE, enterprise_id, enterprise_id, at=now)


async def _queue_reclassification(enterprise_id: str, now: datetime) -> None:
    """The safety code's figures changed (inside its transaction): reclassify after it commits."""
    await add_to_outbox(RECLASSIFY_JOB, enterprise_id, now=now)


safety_code.register_follow_up(_queue_reclassification)


async def current_class(enterprise_id: str) -> ClassRecord:
    """The stored class, computed (and stored) first if the enterprise never had one (the caller checked scope)."""
    record = await store.class_of(enterprise_id)
    if record is not None:
        return record
    try:
        return (await reclassify(enterprise_id)).record
    except Exception as error:
        # another request classified it at the same moment: theirs is as good as ours
        record = await store.class_of(enterprise_id)
        if not is_unique_violation(error) or record is None:
            raise
        return record


async def classify_missing(enterprise_ids: Sequence[str]) -> int:
    """Classify each of the enterprises that has no class yet; returns how many were classified."""
    known = await store.enterprises_with_class(enterprise_ids)
    missing = [enterprise_id for enterprise_id in enterprise_ids if enterprise_id not in known]
    for enterprise_id in missing:
        await current_class(enterprise_id)
    return len(missing)


@dataclass(frozen=True, slots=True)
class ReclassifyReport:
    """What a pass over every enterprise did."""

    enterprises: int
    changed: int


async def reclassify_all(*, now: datetime | None = None) -> ReclassifyReport:
    """Reclassify every enterprise (the daily job: the enterprise record's own fields change without an event)."""
    ids = await org_store.all_enterprise_ids()
    changed = 0
    for enterprise_id in ids:
        changed += (await reclassify(enterprise_id, now=now)).changed
    return ReclassifyReport(enterprises=len(ids), changed=changed)


async def current_classes(enterprise_ids: Sequence[str]) -> dict[str, ClassRecord]:
    """The stored classes of the enterprises that have one, in one statement (the caller checked scope)."""
    return await store.classes_of(list(enterprise_ids))


# --- visits ----------------------------------------------------------------------------------------------------------

# (enterprise ids, first day, last day) -> the Zhoushan days each was visited on site in that span
VisitSource = Callable[[Sequence[str], date, date], Awaitable[Mapping[str, Iterable[date]]]]
_visit_sources: list[VisitSource] = []


def register_visit_source(source: VisitSource) -> None:
    """Another area's on-site visits (the 双随机 checks) count towards the quota too; days are merged, so a check
    recorded both here and there is one visit."""
    if source not in _visit_sources:
        _visit_sources.append(source)


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TIME)


async def visit_days(enterprise_ids: Sequence[str], first: date, last: date) -> dict[str, set[date]]:
    """The Zhoushan days in [first, last] on which each enterprise had an on-site supervision visit: an inspection by
    a grid inspector or a regulator, or a visit a registered source reports."""
    found: dict[str, set[date]] = {enterprise_id: set() for enterprise_id in enterprise_ids}
    times = await inspections_store.onsite_inspection_times(
        list(enterprise_ids), VISITING_ROLES, since=_local_start(first), until=_local_start(last + timedelta(days=1))
    )
    for enterprise_id, started_at in times:
        found[enterprise_id].add(started_at.astimezone(LOCAL_TIME).date())
    for source in _visit_sources:
        for enterprise_id, days in (await source(list(enterprise_ids), first, last)).items():
            if enterprise_id in found:
                found[enterprise_id] |= {day for day in days if first <= day <= last}
    return found


@dataclass(frozen=True, slots=True)
class ClassView:
    """A class as an endpoint shows it: the enterprise, its class and the visits its class owes this period."""

    enterprise: EnterpriseRecord
    record: ClassRecord
    visits: VisitStanding

    @property
    def label(self) -> str:
        """The class's Chinese name."""
        return CLASS_LABELS_ZH[self.record.supervision_class]


async def _views(records: Sequence[ClassRecord], today: date) -> list[ClassView]:
    if not records:
        return []
    enterprises = await org_store.enterprises_by_id([record.enterprise_id for record in records])
    earliest = min(visit_period(record.supervision_class, today)[0] for record in records)
    days = await visit_days([record.enterprise_id for record in records], earliest, today)
    return [
        ClassView(
            enterprise=enterprises[record.enterprise_id],
            record=record,
            visits=visit_standing(
                record.supervision_class,
                today,
                sorted(days[record.enterprise_id]),
                closed=enterprises[record.enterprise_id].status == EnterpriseStatus.CLOSED.value,
            ),
        )
        for record in records
        if record.enterprise_id in enterprises
    ]


# --- reads in the caller's scope -------------------------------------------------------------------------------------


async def class_of(actor: Actor, enterprise_id: str) -> ClassRecord:
    """The class of an enterprise in the caller's scope (NotFound otherwise), for the console's enterprise page."""
    await require_enterprise(actor, enterprise_id)
    return await current_class(enterprise_id)


async def get_class(*, actor: Actor, enterprise_id: str, now: datetime | None = None) -> ClassView:
    """The class of an enterprise in the caller's scope, with its reasons and its visits owed and done. Its own
    staff see it too (the class is how they are supervised)."""
    await require_enterprise(actor, enterprise_id)
    record = await current_class(enterprise_id)
    return (await _views([record], local_today(now)))[0]


async def class_history(*, actor: Actor, enterprise_id: str) -> list[ChangeRecord]:
    """Every reclassification of an enterprise in the caller's scope, newest first."""
    await require_enterprise(actor, enterprise_id)
    return await store.changes(enterprise_id)


CHUNK = 500


async def list_classes(
    *,
    actor: Actor,
    region_code: str | None = None,
    supervision_class: SupervisionClass | None = None,
    behind: bool | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> Page[ClassView]:
    """The classes of the enterprises in the caller's scope (regulators, inspectors, admins), in enterprise id order,
    of a region's subtree, of one class, behind on their visits or not, when asked."""
    require(actor, Action.READ_REGION_MAP)  # the regulator side's view of a place, as the four-colour map
    region = await require_region(actor, region_code) if region_code else None
    size = clamp_limit(limit)
    after = decode_cursor(cursor)
    today = local_today(now)
    await classify_missing(await org_store.visible_enterprise_ids(actor))
    kept: list[ClassView] = []
    while len(kept) <= size:
        # without the visits filter one page is read; with it, chunks until the page is full (visits are counted,
        # not stored, so the filter cannot be SQL)
        want = size + 1 - len(kept) if behind is None else CHUNK
        records = await store.visible_classes(
            actor,
            region_path=region.path if region else None,
            supervision_class=supervision_class,
            after=after,
            limit=want,
        )
        views = await _views(records, today)
        kept += [view for view in views if behind is None or view.visits.behind == behind]
        if len(records) < want:
            break
        after = records[-1].enterprise_id
    if len(kept) > size:
        kept = kept[:size]
        return Page(items=kept, next_cursor=encode_cursor(kept[-1].enterprise.id))
    return Page(items=kept, next_cursor=None)
