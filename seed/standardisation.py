"""Standardisation grades, a frozen scope list and the statutory statistics of the demo, through the services.

Grades are dated back from today, so the story holds whenever the demo is loaded: most enterprises hold a valid
grade, 冷链 (E3) let its grade expire, 精细化工 (E4) had its 一级 revoked. The scope list — above-size enterprises of
high-risk industries in 舟山市 — holds E1–E4, so today's rate is 2 of 4. The statutory snapshots due for the year of
seeded hazards are frozen, and principal1 signs E1's latest quarter. Idempotent: run again, it adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from domain.accounts.services import AccountService
from domain.clock import utcnow
from domain.config import Settings
from domain.standardisation import services as standardisation
from domain.standardisation.model import ScopeCriteria, add_years
from domain.standardisation.tables import StandardisationGrade, StandardisationScope
from domain.statutory.model import local_date
from domain.statutory.services import freeze_due_statistics, sign_snapshot
from domain.statutory.tables import StatisticsSnapshot
from seed import zhoushan
from seed.inspections import actor_named

CITY_AUTHORITY = "舟山市应急管理局"
# (enterprise key, grade, certificate number, days before today it was awarded, (days before today revoked, reason))
GRADES = [
    ("E1", "second", "舟AQBⅡ(2025)0012", 420, None),
    ("E2", "third", "舟AQBⅢ(2024)0087", 700, None),
    ("E3", "third", "舟AQBⅢ(2022)0031", None, None),  # awarded 3 years and 90 days ago: expired
    ("E4", "first", "浙AQBⅠ(2025)0005", 300, (45, "发生较大生产安全事故，撤销一级达标等级")),
    ("E5", "second", "舟AQBⅡ(2025)0040", 200, None),
    ("E6", "third", "舟AQBⅢ(2024)0019", 1000, None),
    ("E8", "third", "舟AQBⅢ(2026)0002", 100, None),
]
SCOPE_NAME = "舟山市规模以上高危行业企业标准化达标名单"


async def seed_standardisation(settings: Settings, enterprise_ids: dict[str, str]) -> str:
    """Grades, the scope list and the due statistics snapshots (one signed); returns a one-line summary."""
    accounts = AccountService(settings)
    regulator = await actor_named(accounts, "regulator_city")
    principal = await actor_named(accounts, "principal1")
    if regulator is None or principal is None:
        return "standardisation: demo accounts missing, nothing seeded"
    now = utcnow()
    today = local_date(now)
    recorded = 0
    for key, grade, certificate, days, revocation in GRADES:
        enterprise_id = enterprise_ids[key]
        if (
            await StandardisationGrade.exists()
            .where(
                StandardisationGrade.enterprise_id == enterprise_id, StandardisationGrade.certificate_no == certificate
            )
            .run()
        ):
            continue
        awarded = today - timedelta(days=days) if days is not None else add_years(today, -3) - timedelta(days=90)
        new = standardisation.NewGrade(
            grade=grade, certificate_no=certificate, authority=CITY_AUTHORITY, valid_from=awarded
        )
        record = await standardisation.record_grade(actor=regulator, enterprise_id=enterprise_id, new=new, now=now)
        if revocation is not None:
            days_ago, reason = revocation
            await standardisation.revoke_grade(
                actor=regulator,
                enterprise_id=enterprise_id,
                grade_id=record.id,
                revoked_on=today - timedelta(days=days_ago),
                reason=reason,
                now=now,
            )
        recorded += 1
    if not await StandardisationScope.exists().where(StandardisationScope.name == SCOPE_NAME).run():
        criteria = ScopeCriteria(region_code=zhoushan.CITY[0], above_designated_size=True, high_risk=True)
        await standardisation.freeze_scope(actor=regulator, name=SCOPE_NAME, as_of=today, criteria=criteria, now=now)
    report = await freeze_due_statistics(now=now)
    latest = (
        await StatisticsSnapshot.select()
        .where(StatisticsSnapshot.enterprise_id == enterprise_ids["E1"], StatisticsSnapshot.period_kind == "quarter")
        .order_by(StatisticsSnapshot.due_on, ascending=False)
        .first()
        .run()
    )
    if latest is not None and latest["signed_at"] is None:
        await sign_snapshot(actor=principal, enterprise_id=enterprise_ids["E1"], snapshot_id=latest["id"], now=now)
    return (
        f"standardisation: {recorded} grades recorded, scope list {SCOPE_NAME!r}; statutory statistics: "
        f"{report.frozen} snapshots frozen"
    )
