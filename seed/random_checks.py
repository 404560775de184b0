"""双随机一公开 in the demo, through the services: enforcement officers of 定海区 and the city, a 定海区 plan approved
(its seed committed), drawn and partly checked, and a city plan approved but not yet drawn (its seed hash public).

Idempotent: accounts and plans are found by username and name, and a plan already past a step is left there. The
draw's seed is random, so which enterprises and officers are picked differs from one fresh demo to the next — the
public page shows how to check it.
"""

from __future__ import annotations

import contextlib

from domain.access.model import SYSTEM, Role
from domain.accounts.services import AccountService
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.config import Settings
from domain.org.tables import Grid
from domain.random_checks import services as random_checks
from domain.random_checks.model import OfficersTooFew, local_day
from domain.random_checks.tables import RandomCheckPlan
from seed.inspections import actor_named

# (username, name, role, grid codes | region code): the officers the plans draw from, besides the demo's own.
OFFICERS = [
    ("regulator_dinghai2", "孙执法（定海区应急管理局）", "regulator", "330902"),
    ("regulator_dinghai3", "周执法（定海区应急管理局）", "regulator", "330902"),
    ("inspector_jintang", "吴网格（金塘镇）", "inspector", ["DH-JT-01", "DH-XS-01"]),
    ("regulator_city2", "郑执法（舟山市应急管理局）", "regulator", "330900"),
    ("regulator_putuo", "冯执法（普陀区应急管理局）", "regulator", "330903"),
]
DINGHAI_PLAN = "2026年定海区安全生产“双随机”抽查（第四季度）"
CITY_PLAN = "2026年舟山市安全生产“双随机”抽查（年度）"
RATES = {"A": "1", "B": "1", "C": "0.5", "D": "0.2"}


async def seed_officers(settings: Settings) -> int:
    """The extra enforcement accounts (password `DEMO_PASSWORD`); returns how many were created."""
    accounts = AccountService(settings)
    grid_ids = {row["code"]: row["id"] for row in await Grid.select(Grid.code, Grid.id).run()}
    created = 0
    for username, name, role, binding in OFFICERS:
        if await AppUser.exists().where(AppUser.username == username).run():
            continue
        await accounts.create_user(
            actor=SYSTEM,
            username=username,
            name=name,
            password=settings.demo_password,
            role=Role(role),
            grid_ids=[grid_ids[code] for code in binding] if role == "inspector" else None,
            region_code=binding if role == "regulator" else None,
            phone="13800000000",  # never published: the leak test looks for it on the public pages
        )
        created += 1
    return created


async def _user_ids(usernames: list[str]) -> list[str]:
    rows = await AppUser.select(AppUser.id).where(AppUser.username.is_in(usernames)).run()
    return [row["id"] for row in rows]


async def _plan_named(name: str) -> str | None:
    row = await RandomCheckPlan.select(RandomCheckPlan.id).where(RandomCheckPlan.name == name).first().run()
    return row["id"] if row else None


async def seed_random_checks(settings: Settings) -> str:
    """The officers and the two plans; returns a one-line summary."""
    created = await seed_officers(settings)
    accounts = AccountService(settings)
    district = await actor_named(accounts, "regulator_dinghai")
    city = await actor_named(accounts, "regulator_city")
    if district is None or city is None:
        return "random checks: demo accounts missing, nothing seeded"
    now = utcnow()
    plan_id = await _plan_named(DINGHAI_PLAN)
    if plan_id is None:
        officers = ["regulator_dinghai", "regulator_dinghai2", "regulator_dinghai3", "inspector1", "inspector_jintang"]
        new = random_checks.NewPlan(
            name=DINGHAI_PLAN,
            year=now.year,
            period="第四季度",
            region_code="330902",
            rates=RATES,
            officer_ids=await _user_ids(officers),
            exclusion_months=0,
        )
        plan_id = (await random_checks.create_plan(actor=district, new=new, now=now)).id
    plan = await random_checks.get_plan(actor=district, plan_id=plan_id)
    if plan.status == "draft":
        plan = await random_checks.approve_plan(actor=district, plan_id=plan_id, now=now)
    if plan.status == "approved":
        # with too few officers free of conflict the plan stays approved, which the demo shows as well
        with contextlib.suppress(OfficersTooFew):
            plan = await random_checks.draw_plan(actor=district, plan_id=plan_id, now=now)
    recorded = 0
    if plan.status == "drawn" and plan.picks and plan.picks[0].result is None:
        first = plan.picks[0]
        officer = await accounts.actor_for(first.officers[0].id)
        if officer is not None:
            await random_checks.record_result(
                actor=officer[0],
                plan_id=plan_id,
                enterprise_id=first.enterprise_id,
                expected_version=first.version,
                result=random_checks.NewResult(
                    inspected_on=local_day(now),
                    findings="现场检查安全管理台账、重大危险源监控与应急预案，未发现重大事故隐患；提出一般性整改意见2条。",
                ),
                now=now,
            )
            recorded = 1
    city_id = await _plan_named(CITY_PLAN)
    if city_id is None:
        officers = ["regulator_city", "regulator_city2", "regulator_dinghai", "regulator_putuo"]
        new = random_checks.NewPlan(
            name=CITY_PLAN,
            year=now.year,
            period="全年",
            region_code="330900",
            rates={"A": "0.5", "B": "0.3", "C": "0.2", "D": "0.05"},
            officer_ids=await _user_ids(officers),
            exclusion_months=6,
        )
        city_id = (await random_checks.create_plan(actor=city, new=new, now=now)).id
        await random_checks.approve_plan(actor=city, plan_id=city_id, now=now)
    return (
        f"random checks: {created} officers created; {DINGHAI_PLAN} {plan.status} "
        f"({len(plan.picks)} picked, {recorded} result recorded now); the city plan approved, its seed hash public"
    )


async def random_check_tour_lines() -> list[str]:
    """The tour's lines: the public page and how to check a draw."""
    lines = ["  双随机一公开 (no account needed):"]
    for plan in await random_checks.public_plans():
        lines.append(f"    {plan.name}: {plan.status}, seed hash {plan.seed_hash[:16] if plan.seed_hash else '—'}…")
        lines.append(f"      /public/random-checks/{plan.id}  (JSON: /v1/public/random-checks/{plan.id})")
    lines.append(
        "    console: /console/random-checks (sign in as regulator_dinghai); README 双随机一公开 recomputes a draw"
    )
    return lines
