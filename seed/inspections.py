"""Recent weeks of inspections for the demo enterprises, recorded through the services, and today's tasks.

The officers of E1 and E2 inspect their first points once a week for the past four weeks (a few items fail and open
general hazards), scanning each point's code first from a few metres away, as the presence policy asks at 重大 and
较大 points. At their 低风险 points, where a scan is not required, the demo shows every presence value: one week
without a scan (none), one scanned from the road 240 m away (far), one citing a scan made three hours before
(stale), and one proven. The berth of E1 has its own 300 m radius: a scan 180 m along it proves presence. The grid
inspector inspects one point of E1 today after scanning its code. Deterministic; running it again adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from domain.access.model import Actor
from domain.accounts.services import AccountService
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.codes.model import distance_m
from domain.codes.services import Codes
from domain.codes.tokens import SubjectKind
from domain.config import Settings
from domain.inspections.model import LOCAL_TIME, Presence, ResultReport
from domain.inspections.services import NewInspection, generate_tasks, record_inspection
from domain.inspections.tables import Inspection
from domain.risk.tables import ChecklistItem, RiskPoint

STAFF = {"E1": "officer1", "E2": "officer2"}
POINTS_PER_ENTERPRISE = 3
WEEKS = 4
FAILURE_RATE = 0.08
NOTES = ("现场检查发现不符合项，已拍照记录", "检查时发现问题，已通知岗位负责人", "不符合要求，需整改")
# What the officer's scan at a point where none is required looks like, by week: (presence shown, metres away,
# how long before the start it was made).
UNREQUIRED_SCANS = {
    4: (Presence.NONE, None, None),
    3: (Presence.FAR, 240.0, timedelta(minutes=4)),
    2: (Presence.STALE, 15.0, timedelta(hours=3)),
    1: (Presence.PROVEN, 20.0, timedelta(minutes=3)),
}
METRES_PER_DEGREE_LAT = distance_m(0.0, 0.0, 1.0, 0.0)


async def actor_named(accounts: AccountService, username: str) -> Actor | None:
    """The acting identity of a demo account, with its scope, as a signed-in request would have it."""
    row = await AppUser.select(AppUser.id).where(AppUser.username == username).first().run()
    found = await accounts.actor_for(row["id"]) if row else None
    return found[0] if found else None


async def _points(enterprise_id: str) -> list[dict]:
    return (
        await RiskPoint.select(
            RiskPoint.id,
            RiskPoint.qr_serial,
            RiskPoint.level,
            RiskPoint.lat,
            RiskPoint.lng,
            RiskPoint.presence_radius_m,
        )
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active")
        .order_by(RiskPoint.name)
        .limit(POINTS_PER_ENTERPRISE)
        .run()
    )


async def _results(point_id: str, rng: random.Random, *, finding: bool = False) -> tuple[ResultReport, ...]:
    """Results for every item of the point, a few failed (with `finding`, at least one)."""
    items = (
        await ChecklistItem.select(ChecklistItem.id, ChecklistItem.criterion_id)
        .where(ChecklistItem.risk_point_id == point_id, ChecklistItem.active.eq(True))
        .order_by(ChecklistItem.content)
        .run()
    )
    # A failed item citing a criterion opens a proposed major hazard that waits for a person to confirm its level.
    failing = [item["id"] for item in items if rng.random() < FAILURE_RATE]
    if finding and not failing:
        failing = [item["id"] for item in items if not item["criterion_id"]][:1]
    return tuple(
        ResultReport(item_id=item["id"], ok=False, note=rng.choice(NOTES))
        if item["id"] in failing
        else ResultReport(item_id=item["id"], ok=True)
        for item in items
    )


async def _record(
    actor: Actor, client_id: str, point_id: str, results, started: datetime, minutes: int, scan_id: str | None = None
) -> bool:
    finished = started + timedelta(minutes=minutes)
    new = NewInspection(
        client_id=client_id,
        risk_point_id=point_id,
        started_at=started,
        finished_at=finished,
        results=results,
        scan_id=scan_id,
    )
    _, created = await record_inspection(actor=actor, new=new, now=finished + timedelta(minutes=2))
    return created


async def _scan(codes: Codes, actor: Actor, point: dict, at: datetime, metres: float, accuracy: float) -> str:
    """A scan of the point's printed code made at `at`, `metres` north of the point; its id."""
    printed = codes.printed(SubjectKind.RISK_POINT, point["id"], point["qr_serial"])
    lat = point["lat"] + metres / METRES_PER_DEGREE_LAT if point["lat"] is not None else None
    scanned = await codes.scan(
        actor=actor, token=printed.token, device_id="demo-phone", lat=lat, lng=point["lng"], accuracy=accuracy, now=at
    )
    return scanned.scan_id


async def _officer_scan(
    codes: Codes, officer: Actor, point: dict, week: int, started: datetime, rng: random.Random
) -> str | None:
    """The scan the officer cites: near at 重大 / 较大 points (along the berth with its own radius), and each
    presence value in turn at the points where none is required."""
    if point["level"] in ("major", "large"):
        metres = 180.0 if point["presence_radius_m"] else round(rng.uniform(5, 60), 1)
        return await _scan(codes, officer, point, started - timedelta(minutes=3), metres, round(rng.uniform(5, 20)))
    _, metres, before = UNREQUIRED_SCANS[week]
    if metres is None:
        return None
    return await _scan(codes, officer, point, started - before, metres, 12.0)


async def seed_inspections(settings: Settings, enterprise_ids: dict[str, str], today: datetime | None = None) -> str:
    """Inspections of the demo enterprises with staff, then the tasks due today; returns a one-line summary."""
    today = today or utcnow()
    rng = random.Random(20261130)
    accounts = AccountService(settings)
    codes = Codes(settings)
    recorded = 0
    local_today = today.astimezone(LOCAL_TIME).date()
    for key, username in STAFF.items():
        officer = await actor_named(accounts, username)
        if officer is None or key not in enterprise_ids:
            continue
        for week in range(WEEKS, 0, -1):
            for n, point in enumerate(await _points(enterprise_ids[key])):
                results = await _results(point["id"], rng)
                if not results:
                    continue
                day = local_today - timedelta(days=7 * week - n)
                started = datetime.combine(day, time(9, 30), tzinfo=LOCAL_TIME)
                client_id = f"seed-{key}-w{week}-p{n}"
                if await Inspection.exists().where(Inspection.client_key == f"{officer.user_id}:{client_id}").run():
                    continue  # seeded before: no second scan either
                scan_id = await _officer_scan(codes, officer, point, week, started, rng)
                recorded += await _record(officer, client_id, point["id"], results, started, 20, scan_id=scan_id)
    recorded += await _inspector_round(settings, accounts, enterprise_ids.get("E1"), rng)
    tasks = await generate_tasks(now=today)
    return f"inspections: {recorded} recorded; {tasks.created} tasks of the current windows created"


async def _inspector_round(
    settings: Settings, accounts: AccountService, enterprise_id: str | None, rng: random.Random
) -> int:
    """The grid inspector scans a point of E1 and inspects it (a scan is a real one, so this happens now)."""
    inspector = await actor_named(accounts, "inspector1")
    points = await _points(enterprise_id) if enterprise_id else []
    client_id = "seed-inspector1-E1"
    if inspector is None or not points:
        return 0
    if await Inspection.exists().where(Inspection.client_key == f"{inspector.user_id}:{client_id}").run():
        return 0
    point = points[-1]
    # at least one finding, so the demo shows a grid inspection's hazard
    results = await _results(point["id"], rng, finding=True)
    if not results:
        return 0
    started = utcnow() - timedelta(minutes=30)
    scan_id = await _scan(Codes(settings), inspector, point, started - timedelta(minutes=2), 12.0, 6.0)
    return await _record(inspector, client_id, point["id"], results, started, 25, scan_id=scan_id)
