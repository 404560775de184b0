"""Recent weeks of inspections for the demo enterprises, recorded through the services, and today's tasks.

The officers of E1 and E2 inspect their first points once a week for the past four weeks (a few items fail and open
general hazards); the grid inspector inspects one point of E1 today after scanning its code. Deterministic; running
it again adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from domain.accounts.model import Actor
from domain.accounts.services import AccountService
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.codes.services import Codes
from domain.codes.tokens import SubjectKind
from domain.config import Settings
from domain.inspections.model import LOCAL_TIME, ResultReport
from domain.inspections.services import NewInspection, generate_tasks, record_inspection
from domain.inspections.tables import Inspection
from domain.risk.tables import ChecklistItem, RiskPoint

STAFF = {"E1": "officer1", "E2": "officer2"}
POINTS_PER_ENTERPRISE = 3
WEEKS = 4
FAILURE_RATE = 0.08
NOTES = ("现场检查发现不符合项，已拍照记录", "检查时发现问题，已通知岗位负责人", "不符合要求，需整改")


async def actor_named(accounts: AccountService, username: str) -> Actor | None:
    """The acting identity of a demo account, with its scope, as a signed-in request would have it."""
    row = await AppUser.select(AppUser.id).where(AppUser.username == username).first().run()
    found = await accounts.actor_for(row["id"]) if row else None
    return found[0] if found else None


async def _points(enterprise_id: str) -> list[dict]:
    return await RiskPoint.select(RiskPoint.id, RiskPoint.qr_serial).where(
        RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active"
    ).order_by(RiskPoint.name).limit(POINTS_PER_ENTERPRISE).run()  # fmt: skip


async def _results(point_id: str, rng: random.Random, *, finding: bool = False) -> tuple[ResultReport, ...]:
    """Results for every item of the point, a few failed (with `finding`, at least one)."""
    items = await ChecklistItem.select(ChecklistItem.id, ChecklistItem.criterion_id).where(
        ChecklistItem.risk_point_id == point_id, ChecklistItem.active.eq(True)
    ).order_by(ChecklistItem.content).run()  # fmt: skip
    # A failed item citing a criterion opens a proposed major hazard that waits for a person to confirm its level.
    failing = [item["id"] for item in items if rng.random() < FAILURE_RATE]
    if finding and not failing:
        failing = [item["id"] for item in items if not item["criterion_id"]][:1]
    return tuple(
        ResultReport(item_id=item["id"], ok=False, note=rng.choice(NOTES)) if item["id"] in failing
        else ResultReport(item_id=item["id"], ok=True)
        for item in items
    )  # fmt: skip


async def _record(actor: Actor, client_id: str, point_id: str, results, started: datetime, minutes: int,
                  scan_id: str | None = None) -> bool:  # fmt: skip
    finished = started + timedelta(minutes=minutes)
    new = NewInspection(client_id=client_id, risk_point_id=point_id, started_at=started, finished_at=finished,
                        results=results, scan_id=scan_id)  # fmt: skip
    _, created = await record_inspection(actor=actor, new=new, now=finished + timedelta(minutes=2))
    return created


async def seed_inspections(settings: Settings, enterprise_ids: dict[str, str], today: datetime | None = None) -> str:
    """Inspections of the demo enterprises with staff, then the tasks due today; returns a one-line summary."""
    today = today or utcnow()
    rng = random.Random(20261130)
    accounts = AccountService(settings)
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
                recorded += await _record(officer, f"seed-{key}-w{week}-p{n}", point["id"], results, started, 20)
    recorded += await _inspector_round(settings, accounts, enterprise_ids.get("E1"), rng)
    tasks = await generate_tasks(now=today)
    return f"inspections: {recorded} recorded; {tasks.created} tasks of the current windows created"


async def _inspector_round(settings: Settings, accounts: AccountService, enterprise_id: str | None,
                           rng: random.Random) -> int:  # fmt: skip
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
    codes = Codes(settings)
    printed = codes.printed(SubjectKind.RISK_POINT, point["id"], point["qr_serial"])
    scan = await codes.scan(actor=inspector, token=printed.token)
    return await _record(inspector, client_id, point["id"], results, utcnow() - timedelta(minutes=30), 25,
                         scan_id=scan.scan_id)  # fmt: skip
