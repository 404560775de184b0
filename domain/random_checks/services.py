"""Use cases of 双随机一公开: make and approve a plan (committing a secret seed), draw once (revealing it), record
results, and publish every plan past draft to everyone.

Each plan has a chain `random-check:<plan id>` (created, approved with the seed's hash, drawn with the pools, seed
and picks, closed) and, from its draw, a results chain `random-check-results:<plan id>` (the picks, then each
result). Every write appends its event in the same transaction; `shuangfang verify` replays both, re-running the
draw from the published pools and the revealed seed. The rules and the draw are `domain.random_checks.model`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.access.model import Actor, Role, can_see_region
from domain.access.permissions import Action, allowed, require
from domain.accounts import store as accounts_store
from domain.clock import utcnow
from domain.credit import store as credit_store
from domain.db.engine import unique_or
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.hazards import store as hazards_store
from domain.history.store import append_event
from domain.ids import new_id
from domain.inspections import store as inspections_store
from domain.org import store as org_store
from domain.org.scope import require_region
from domain.random_checks import store
from domain.random_checks.model import (
    CLASSES,
    ActionNotAllowed,
    AlreadyDrawn,
    NotAssigned,
    PlanInvalid,
    PlanStatus,
    PoolEnterprise,
    PoolOfficer,
    ResultInvalid,
    ResultStale,
    check_officer_count,
    checked_rates,
    draw,
    dump,
    local_day,
    months_before,
    new_seed,
    seed_hash,
)
from domain.random_checks.store import StoredPick, StoredPlan
from domain.supervision import services as supervision

PLAN_SUBJECT = "randomCheckPlan"
RESULT_SUBJECT = "randomCheckResult"
ENFORCEMENT_ROLES = (Role.REGULATOR, Role.INSPECTOR)


def chain_of(plan_id: str) -> str:
    """The id of a plan's chain."""
    return f"random-check:{plan_id}"


async def _chain_plan_event(
    plan_id: str, action: str, name: str, payload: dict[str, Any], *, actor: Actor, at: datetime
) -> None:
    """Chain one step of a plan on the plan's own chain (the plan row, already written, carries it as its head)."""
    await store.append_plan_event(
        plan_id,
        chain_id=chain_of(plan_id),
        subject_kind=PLAN_SUBJECT,
        action=action,
        name=name,
        actor=actor,
        at=at,
        payload=payload,
    )


def results_chain_of(plan_id: str) -> str:
    """The id of a plan's results chain."""
    return f"random-check-results:{plan_id}"


# --- views -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfficerRef:
    """An officer as published: id, name, role (never a phone number)."""

    id: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class ResultView:
    """A recorded result."""

    inspected_on: date
    findings: str
    hazard_ids: list[str]
    penalty_ids: list[str]
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class PickView:
    """A picked enterprise, its two officers, its result (None until recorded) and its version (If-Match)."""

    enterprise_id: str
    enterprise_name: str
    class_code: str
    officers: list[OfficerRef]
    result: ResultView | None
    version: int


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan as shown to its regulators and, past draft, to everyone; the seed only once drawn."""

    id: str
    name: str
    year: int
    period: str
    region_code: str
    region_name: str
    industries: list[str]
    classes: list[str]
    rates: dict[str, str]
    exclusion_months: int
    status: str
    officer_count: int
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    seed_hash: str | None
    seed: str | None
    drawn_by: str | None
    drawn_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    version: int
    algorithm: str = "sf-random-check-v1"
    officers: list[OfficerRef] = field(default_factory=list)  # the pool chosen by the plan maker
    pools: dict[str, Any] | None = None
    picks: list[PickView] = field(default_factory=list)


async def _view(plan: StoredPlan, picks: Sequence[StoredPick] | None = None) -> PlanView:
    names = await org_store.region_names([plan.region_code])
    officer_ids = set(plan.officer_ids) | {o for p in picks or () for o in p.officer_ids}
    officers = await _officer_refs(sorted(officer_ids))
    revealed = plan.status in (PlanStatus.DRAWN, PlanStatus.CLOSED) and plan.drawn_at is not None
    return PlanView(
        id=plan.id,
        name=plan.name,
        year=plan.year,
        period=plan.period,
        region_code=plan.region_code,
        region_name=names.get(plan.region_code, plan.region_code),
        industries=plan.industries,
        classes=plan.classes,
        rates=plan.rates,
        exclusion_months=plan.exclusion_months,
        status=plan.status,
        officer_count=len(plan.officer_ids),
        created_by=plan.created_by,
        created_at=plan.created_at,
        approved_by=plan.approved_by,
        approved_at=plan.approved_at,
        seed_hash=plan.seed_hash,
        seed=plan.seed if revealed else None,  # the secret stays secret until the draw
        drawn_by=plan.drawn_by,
        drawn_at=plan.drawn_at,
        closed_by=plan.closed_by,
        closed_at=plan.closed_at,
        version=plan.version,
        officers=[officers[o] for o in plan.officer_ids if o in officers],
        pools=plan.pools if revealed else None,
        picks=[_pick_view(p, officers) for p in picks or ()],
    )


def _pick_view(pick: StoredPick, officers: Mapping[str, OfficerRef]) -> PickView:
    result = None
    if pick.inspected_on is not None and pick.recorded_by and pick.recorded_at:
        result = ResultView(
            pick.inspected_on,
            pick.findings or "",
            pick.hazard_ids,
            pick.penalty_ids,
            pick.recorded_by,
            pick.recorded_at,
        )
    return PickView(
        enterprise_id=pick.enterprise_id,
        enterprise_name=pick.enterprise_name,
        class_code=pick.class_code,
        officers=[officers.get(o, OfficerRef(o, o, "")) for o in pick.officer_ids],
        result=result,
        version=pick.version,
    )


# --- officers ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Officer:
    """An enforcement officer as the pool rules see them."""

    id: str
    name: str
    role: str
    region_path: str | None
    grid_ids: tuple[str, ...]


async def _officers(user_ids: Sequence[str]) -> dict[str, Officer]:
    """The enabled regulators and inspectors among the ids (one indexed statement each: pools are small)."""
    found: dict[str, Officer] = {}
    for user_id in user_ids:
        pair = await accounts_store.actor_for(user_id)
        if pair is None or pair[0].role not in ENFORCEMENT_ROLES:
            continue
        actor, user = pair
        found[user_id] = Officer(user_id, user.name, actor.role.value, actor.region_path, tuple(user.grid_ids))
    return found


async def _officer_refs(user_ids: Sequence[str]) -> dict[str, OfficerRef]:
    refs = {}
    for user_id in user_ids:
        user = await accounts_store.user_by_id(user_id)
        if user is not None:
            refs[user_id] = OfficerRef(user.id, user.name, user.role)
    return refs


async def _within(officer: Officer, region_path: str) -> bool:
    """A regulator of the region or below it, or an inspector all of whose grids lie in it."""
    if officer.role == Role.REGULATOR:
        return officer.region_path is not None and officer.region_path.startswith(region_path)
    if not officer.grid_ids:
        return False
    grids = await org_store.grids_under(region_path, list(officer.grid_ids))
    return len(grids) == len(officer.grid_ids)


async def candidate_officers(*, actor: Actor, region_code: str) -> list[OfficerRef]:
    """The enforcement officers a plan of the region may name (the console's new-plan form)."""
    require(actor, Action.MANAGE_RANDOM_CHECKS)
    region = await require_region(actor, region_code)
    ids: list[str] = []
    for role in ENFORCEMENT_ROLES:
        after = None
        while page := await accounts_store.users_page(after=after, size=500, role=role.value):
            ids += [user.id for user in page if not user.disabled]
            after = page[-1].id
    officers = await _officers(ids)
    return [
        OfficerRef(o.id, o.name, o.role)
        for o in sorted(officers.values(), key=lambda o: (o.role, o.name, o.id))
        if await _within(o, region.path)
    ]


# --- plans -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPlan:
    """What a plan maker fills in."""

    name: str
    year: int
    region_code: str
    rates: Mapping[str, Any]
    officer_ids: Sequence[str]
    period: str = ""
    industries: Sequence[str] = ()
    classes: Sequence[str] = ()
    exclusion_months: int = 0


async def create_plan(*, actor: Actor, new: NewPlan, now: datetime | None = None) -> PlanView:
    """A draft plan of a region wholly the caller's, with its officer pool (all within the region)."""
    now = now or utcnow()
    require(actor, Action.MANAGE_RANDOM_CHECKS)
    region = await require_region(actor, new.region_code)
    classes = sorted(set(new.classes))
    if any(code not in CLASSES for code in classes):
        raise PlanInvalid("classes are A–D", field="classes", reason="unknown_class")
    rates = checked_rates(new.rates, classes)
    officer_ids = sorted(set(new.officer_ids))
    check_officer_count(officer_ids)
    officers = await _officers(officer_ids)
    for officer_id in officer_ids:
        officer = officers.get(officer_id)
        if officer is None or not await _within(officer, region.path):
            raise PlanInvalid(
                "every officer of the pool is an enabled regulator or inspector within the plan's region",
                field="officerIds",
                reason="not_an_officer_of_region",
                officer_id=officer_id,
            )
    plan_id = new_id()
    fields = {
        "name": new.name,
        "year": new.year,
        "period": new.period,
        "region_code": region.code,
        "industries": sorted(set(new.industries)),
        "classes": classes,
        "rates": rates,
        "exclusion_months": new.exclusion_months,
        "officer_ids": officer_ids,
    }
    async with transaction():
        await store.insert_plan(
            {
                **fields,
                **{name: dump(fields[name]) for name in ("industries", "classes", "rates", "officer_ids")},
                "id": plan_id,
                "region_path": region.path,
                "status": PlanStatus.DRAFT.value,
                "created_by": actor.user_id,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        await _chain_plan_event(
            plan_id, "createPlan", "RandomCheckPlanCreated", fields | {"plan_id": plan_id}, actor=actor, at=now
        )
    return await _view(await _stored(plan_id))


async def _stored(plan_id: str) -> StoredPlan:
    plan = await store.plan(plan_id)
    if plan is None:
        raise NotFound("no such random-check plan", entity="randomCheckPlan", id=plan_id)
    return plan


def _can_read(actor: Actor, plan: StoredPlan) -> bool:
    if not allowed(actor, Action.READ_RANDOM_CHECKS):
        return False
    if actor.role == Role.INSPECTOR:
        return actor.user_id in plan.officer_ids
    return can_see_region(actor, plan.region_path)


async def _readable(actor: Actor, plan_id: str) -> StoredPlan:
    """The plan, if the caller may read it; NotFound exactly as for an unknown id otherwise."""
    require(actor, Action.READ_RANDOM_CHECKS)
    plan = await store.plan(plan_id)
    if plan is None or not _can_read(actor, plan):
        raise NotFound("no such random-check plan", entity="randomCheckPlan", id=plan_id)
    return plan


async def _managed(actor: Actor, plan_id: str) -> StoredPlan:
    """The plan, if the caller manages its region (NotFound as for an unknown id, else Forbidden by role)."""
    require(actor, Action.MANAGE_RANDOM_CHECKS)
    plan = await store.plan(plan_id)
    if plan is None or not can_see_region(actor, plan.region_path):
        raise NotFound("no such random-check plan", entity="randomCheckPlan", id=plan_id)
    return plan


async def get_plan(*, actor: Actor, plan_id: str) -> PlanView:
    """A plan the caller may read, with its picks."""
    plan = await _readable(actor, plan_id)
    return await _view(plan, await store.picks_of([plan.id]))


async def list_plans(*, actor: Actor) -> list[PlanView]:
    """The plans the caller may read, newest first (without picks)."""
    require(actor, Action.READ_RANDOM_CHECKS)
    prefix = actor.region_path if actor.role == Role.REGULATOR else None
    return [await _view(plan) for plan in await store.plans(region_prefix=prefix) if _can_read(actor, plan)]


async def approve_plan(*, actor: Actor, plan_id: str, now: datetime | None = None) -> PlanView:
    """Approve a draft: a fresh secret seed is kept and its SHA-256 published at once (chained)."""
    now = now or utcnow()
    plan = await _managed(actor, plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise ActionNotAllowed("only a draft plan is approved", status=plan.status)
    seed = new_seed()
    committed = seed_hash(seed)
    async with transaction():
        if not await store.approve(
            plan_id, version=plan.version, seed=seed, seed_hash=committed, by=actor.user_id, at=now
        ):
            raise ActionNotAllowed("the plan changed meanwhile; read it again", status=plan.status)
        await _chain_plan_event(
            plan_id,
            "approvePlan",
            "RandomCheckPlanApproved",
            {"plan_id": plan_id, "seed_hash": committed},
            actor=actor,
            at=now,
        )
    return await _view(await _stored(plan_id))


# Class lookup: enterprise ids -> class code of those classified (the supervision area's current classes).
ClassLookup = Callable[[Sequence[str]], Any]


async def _supervision_classes(enterprise_ids: Sequence[str]) -> dict[str, str]:
    found = await supervision.current_classes(list(enterprise_ids))
    return {enterprise_id: str(record.supervision_class) for enterprise_id, record in found.items()}


@dataclass(frozen=True, slots=True)
class Pools:
    """The frozen pools of a draw, as published."""

    enterprises: list[PoolEnterprise]
    officers: list[PoolOfficer]
    excluded: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "enterprises": [e.to_json() for e in self.enterprises],
            "officers": [o.to_json() for o in self.officers],
            "excluded": self.excluded,
        }


async def build_pools(actor: Actor, plan: StoredPlan, now: datetime, classes_of: ClassLookup | None = None) -> Pools:
    """The enterprises eligible on the day (region, industries, classes; not inspected or penalised within the
    exclusion months; each with who inspected it last time) and the officer pool (enabled, within the region)."""
    classes_of = classes_of or _supervision_classes
    enterprises = await org_store.enterprises_meeting(
        actor,
        region_path=plan.region_path,
        registered_before=now + timedelta(microseconds=1),  # registered by the draw's instant, that one included
        industries=plan.industries or None,
        operating_only=True,
    )
    ids = [e.id for e in enterprises]
    classes = await classes_of(ids)
    inspections = await inspections_store.onsite_inspectors(ids, [r.value for r in ENFORCEMENT_ROLES])
    last: dict[str, tuple[datetime, list[str]]] = {}
    for enterprise_id, inspector_id, at in inspections:  # oldest first: the last one wins
        last[enterprise_id] = (at, [inspector_id])
    last_check: dict[str, tuple[datetime, list[str]]] = {}
    for enterprise_id, officer_ids, at in await store.earlier_picks(ids, other_than=plan.id):
        if at is not None and (enterprise_id not in last_check or at > last_check[enterprise_id][0]):
            last_check[enterprise_id] = (at, officer_ids)
    excluded: list[dict[str, str]] = []
    if plan.exclusion_months:
        cutoff = months_before(local_day(now), plan.exclusion_months)
        inspected = {e for e, _, at in inspections if local_day(at) >= cutoff}
        inspected |= {e for e, _ in await store.result_days(ids, cutoff, local_day(now))}
        penalised = {p.enterprise_id for p in await credit_store.penalties_of(ids) if p.decided_on >= cutoff}
    else:
        inspected, penalised = set(), set()
    pool: list[PoolEnterprise] = []
    for e in sorted(enterprises, key=lambda e: e.id):
        code = classes.get(e.id)
        if code is None or (plan.classes and code not in plan.classes):
            continue
        reason = "inspected" if e.id in inspected else "penalised" if e.id in penalised else None
        if reason:
            excluded.append({"id": e.id, "name": e.name, "reason": reason})
            continue
        previous = set(last.get(e.id, (None, []))[1]) | set(last_check.get(e.id, (None, []))[1])
        pool.append(PoolEnterprise(e.id, e.name, code, e.grid_id, tuple(sorted(previous))))
    officers = await _officers(plan.officer_ids)
    pooled = [
        PoolOfficer(o.id, o.name, o.role, o.grid_ids)
        for o in sorted(officers.values(), key=lambda o: o.id)
        if await _within(o, plan.region_path)
    ]
    return Pools(pool, pooled, excluded)


async def draw_plan(
    *, actor: Actor, plan_id: str, now: datetime | None = None, classes_of: ClassLookup | None = None
) -> PlanView:
    """Draw an approved plan, once: freeze and publish the pools, reveal the seed, record the picks (chained).
    A second draw, even racing on another connection, is refused with `RANDOM_CHECK_ALREADY_DRAWN`."""
    now = now or utcnow()
    plan = await _managed(actor, plan_id)
    if plan.status != PlanStatus.APPROVED or plan.seed is None:
        if plan.drawn_at is not None:
            raise AlreadyDrawn("this plan was drawn already; a draw happens once", drawn_at=plan.drawn_at)
        raise ActionNotAllowed("only an approved plan is drawn", status=plan.status)
    pools = await build_pools(actor, plan, now, classes_of)
    picks = draw(plan.seed, plan.rates, pools.enterprises, pools.officers)
    published = pools.to_json()
    names = {e.id: e.name for e in pools.enterprises}
    rows = [
        {
            "id": new_id(),
            "plan_id": plan_id,
            "enterprise_id": pick.enterprise_id,
            "enterprise_name": names[pick.enterprise_id],
            "class_code": pick.class_code,
            "officer_ids": dump(list(pick.officer_ids)),
            "position": position,
            "version": 1,
        }
        for position, pick in enumerate(picks)
    ]
    picked = [pick.to_json() for pick in picks]
    async with transaction():
        # the claim first: a racing second draw fails here, on the primary key, before touching the chains
        with unique_or(AlreadyDrawn("this plan was drawn already; a draw happens once")):
            await store.claim_draw(plan_id, by=actor.user_id, at=now)
        if not await store.mark_drawn(
            plan_id, version=plan.version, pools=dump(published), picks=dump(picked), by=actor.user_id, at=now
        ):
            raise AlreadyDrawn("this plan was drawn already; a draw happens once")
        await store.insert_picks(rows)
        await _chain_plan_event(
            plan_id,
            "drawPlan",
            "RandomCheckDrawn",
            {"plan_id": plan_id, "seed": plan.seed, "pools": published, "picks": picked},
            actor=actor,
            at=now,
        )
        # the results chain starts with the picks, and every pick row carries that event as its head
        event = await append_event(
            chain_id=results_chain_of(plan_id),
            subject_kind=RESULT_SUBJECT,
            action="picked",
            name="RandomCheckPicked",
            actor=actor,
            at=now,
            payload={"plan_id": plan_id, "picks": picked},
        )
        await store.bind_picks(plan_id, event)
    return await get_plan(actor=actor, plan_id=plan_id)


async def close_plan(*, actor: Actor, plan_id: str, now: datetime | None = None) -> PlanView:
    """Close a drawn plan (its checks done) or an approved one never drawn (abandoned); chained, who recorded."""
    now = now or utcnow()
    plan = await _managed(actor, plan_id)
    if plan.status not in (PlanStatus.APPROVED, PlanStatus.DRAWN):
        raise ActionNotAllowed("only an approved or drawn plan is closed", status=plan.status)
    async with transaction():
        if not await store.close(plan_id, version=plan.version, by=actor.user_id, at=now):
            raise ActionNotAllowed("the plan changed meanwhile; read it again", status=plan.status)
        await _chain_plan_event(
            plan_id, "closePlan", "RandomCheckPlanClosed", {"plan_id": plan_id}, actor=actor, at=now
        )
    return await get_plan(actor=actor, plan_id=plan_id)


# --- results -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewResult:
    """A check's result: the day, the findings, the hazards it opened and penalties it led to (of that enterprise)."""

    inspected_on: date
    findings: str
    hazard_ids: Sequence[str] = ()
    penalty_ids: Sequence[str] = ()


async def record_result(
    *,
    actor: Actor,
    plan_id: str,
    enterprise_id: str,
    expected_version: int,
    result: NewResult,
    now: datetime | None = None,
) -> PickView:
    """Record (or correct) the result of a picked enterprise: by one of its two drawn officers or a regulator of
    its region, at the pick's version (If-Match), on a drawn plan; hazards and penalties must be the enterprise's."""
    now = now or utcnow()
    require(actor, Action.RECORD_RANDOM_CHECK_RESULT)
    plan = await store.plan(plan_id)
    pick = await store.pick(plan_id, enterprise_id) if plan else None
    drawn_for_it = pick is not None and actor.user_id in pick.officer_ids
    if plan is None or pick is None or not (drawn_for_it or _can_read(actor, plan)):
        raise NotFound("no such pick", entity="randomCheckPick", id=enterprise_id)
    if not drawn_for_it:
        place = await org_store.enterprise_place(enterprise_id)
        if actor.role != Role.REGULATOR or place is None or not can_see_region(actor, place.region_path):
            raise NotAssigned("only the two drawn officers or a regulator of the region record this result")
    if plan.status != PlanStatus.DRAWN:
        raise ActionNotAllowed("results are recorded on a drawn plan that is not closed", status=plan.status)
    if pick.version != expected_version:
        raise ResultStale("the pick changed since you read it", version=pick.version)
    today = local_day(now)
    if result.inspected_on > today or (plan.drawn_at and result.inspected_on < local_day(plan.drawn_at)):
        raise ResultInvalid("the check is on or after the draw's day and not in the future", field="inspectedOn")
    hazard_ids = sorted(set(result.hazard_ids))
    for hazard_id in hazard_ids:
        if await hazards_store.enterprise_of_hazard(hazard_id) != enterprise_id:
            raise ResultInvalid("a hazard of another enterprise", field="hazardIds", hazard_id=hazard_id)
    penalty_ids = sorted(set(result.penalty_ids))
    penalties = await credit_store.penalties_by_id(penalty_ids)
    for penalty_id in penalty_ids:
        if penalty_id not in penalties or penalties[penalty_id].enterprise_id != enterprise_id:
            raise ResultInvalid("a penalty of another enterprise", field="penaltyIds", penalty_id=penalty_id)
    values = {
        "inspected_on": result.inspected_on,
        "findings": result.findings,
        "hazard_ids": dump(hazard_ids),
        "penalty_ids": dump(penalty_ids),
        "recorded_by": actor.user_id,
        "recorded_at": now,
    }
    async with transaction():
        if not await store.record_result(pick.id, version=pick.version, values=values):
            raise ResultStale("the pick changed since you read it")
        await store.append_result_event(
            pick.id,
            chain_id=results_chain_of(plan_id),
            subject_kind=RESULT_SUBJECT,
            action="recordResult",
            name="RandomCheckResultRecorded",
            actor=actor,
            at=now,
            payload=values | {"enterprise_id": enterprise_id, "hazard_ids": hazard_ids, "penalty_ids": penalty_ids},
        )
    stored = await store.pick(plan_id, enterprise_id)
    assert stored is not None
    return _pick_view(stored, await _officer_refs(stored.officer_ids))


# --- 一公开: everyone reads every plan past draft ---------------------------------------------------------------------


async def public_plans() -> list[PlanView]:
    """Every plan past draft, newest first (without picks)."""
    return [await _view(plan) for plan in await store.plans(public_only=True)]


async def public_plan(plan_id: str) -> PlanView:
    """A plan past draft with its pools, seed (once drawn), picks and results; a draft is unknown."""
    plan = await store.plan(plan_id)
    if plan is None or plan.status == PlanStatus.DRAFT:
        raise NotFound("no such random-check plan", entity="randomCheckPlan", id=plan_id)
    return await _view(plan, await store.picks_of([plan.id]))


# --- on-site visits for the supervision quota ---------------------------------------------------------------------


async def visit_days(enterprise_ids: Sequence[str], first: date, last: date) -> dict[str, set[date]]:
    """The days random checks were recorded on, per enterprise (a source of the supervision area's visit count)."""
    found: dict[str, set[date]] = defaultdict(set)
    for enterprise_id, day in await store.result_days(enterprise_ids, first, last):
        found[enterprise_id].add(day)
    return dict(found)


supervision.register_visit_source(visit_days)
