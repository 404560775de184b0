"""Penalties, accidents, one confirmed listing, one pending candidate and grades A–D for the demo, through the services.

E4 concealed a 较大 accident 14 months ago and was fined for it: listed 10 months ago (basis: accident_concealed), so
it is D. E5 operated while its licence was suspended: a candidate, notified, not yet decided. E6, E8 and E9 carry
lighter penalties and accidents (B, B, C); the rest are clean (A, unless overdue major hazards cost them). Dates are
relative to today, so the windows hold whenever the demo is seeded. Running it again adds nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.accounts.services import AccountService
from domain.config import Settings
from domain.credit import services as credit
from domain.credit.model import ListingAction, add_months
from domain.credit.tables import BlacklistListing, CreditPenalty
from seed.inspections import actor_named

AUTHORITIES = {
    "E4": "舟山市定海区应急管理局",
    "E5": "舟山市定海区应急管理局",
    "E6": "岱山县应急管理局",
    "E8": "舟山市普陀区应急管理局",
    "E9": "岱山县应急管理局",
}
# The deciding departments' regions: the city's regulator records the districts' decisions, and only each district's
# regulators decide the listings that follow (so the city is offered no action on E5's pending candidate).
AUTHORITY_REGIONS = {"E4": "330902", "E5": "330902", "E6": "330921", "E8": "330903", "E9": "330921"}


def _penalty(
    key: str,
    serial: int,
    decided_on: date,
    kind: str,
    violation: str,
    facts: str,
    amount: str | None,
    accident_id: str | None = None,
    execution: str = "executed",
) -> credit.NewPenalty:
    return credit.NewPenalty(
        decision_no=f"（舟）应急罚〔{decided_on.year}〕{serial}号",
        decided_on=decided_on,
        authority=AUTHORITIES[key],
        kind=kind,
        violation=violation,
        execution=execution,
        facts=facts,
        amount=Decimal(amount) if amount is not None else None,
        accident_id=accident_id,
        authority_region_code=AUTHORITY_REGIONS[key],
    )


async def seed_credit(settings: Settings, enterprise_ids: dict[str, str]) -> str:
    """Record the demo's credit story once and grade every enterprise; a summary line."""
    if await CreditPenalty.exists().where(CreditPenalty.enterprise_id == enterprise_ids["E4"]).run():
        return "credit: already seeded"
    accounts = AccountService(settings)
    city = await actor_named(accounts, "regulator_city")
    dinghai = await actor_named(accounts, "regulator_dinghai")
    assert city is not None and dinghai is not None, "the demo regulators are seeded first"
    today = credit.local_today()

    async def accident(key: str, months_ago: int, grade: str, **facts) -> str:
        new = credit.NewAccident(occurred_on=add_months(today, -months_ago), grade=grade, **facts)
        return (await credit.record_accident(actor=city, enterprise_id=enterprise_ids[key], new=new)).id

    async def penalty(key: str, new: credit.NewPenalty) -> str:
        return (await credit.record_penalty(actor=city, enterprise_id=enterprise_ids[key], new=new)).id

    # E4: a concealed 较大 accident, fined; notified, heard, listed by the district that imposed the penalty.
    concealed = await accident(
        "E4",
        14,
        "large",
        deaths=3,
        injuries=2,
        concealed=True,
        description="储罐区检修动火引发闪爆，事故发生后迟报并少报死亡人数",
    )
    fined = await penalty(
        "E4",
        _penalty(
            "E4",
            101,
            add_months(today, -13),
            "fine",
            "accident",
            "对较大生产安全事故负有责任并瞒报事故",
            "1500000.00",
            concealed,
        ),
    )
    listing = (
        await BlacklistListing.select(BlacklistListing.id).where(BlacklistListing.penalty_id == fined).first().run()
    )
    steps = (
        (ListingAction.NOTIFY, add_months(today, -12), None),
        (ListingAction.RESPOND, None, "企业对事故责任无异议，已完成整改并申请从轻处理"),
        (ListingAction.CONFIRM, add_months(today, -10), "经集体讨论决定列入严重失信主体名单"),
    )
    for action, on, text in steps:
        await credit.act_on_listing(actor=dinghai, listing_id=listing["id"], action=action, on=on, text=text)

    # E5: operated while its licence was suspended; a candidate, told 10 days ago, awaiting the decision.
    suspended = await penalty(
        "E5",
        _penalty(
            "E5",
            245,
            today.fromordinal(today.toordinal() - 20),
            "suspension",
            "licence_suspended",
            "危险货物港口作业许可暂扣期间擅自组织装卸作业",
            None,
        ),
    )
    candidate = (
        await BlacklistListing.select(BlacklistListing.id).where(BlacklistListing.penalty_id == suspended).first().run()
    )
    await credit.act_on_listing(
        actor=dinghai,
        listing_id=candidate["id"],
        action=ListingAction.NOTIFY,
        on=today.fromordinal(today.toordinal() - 10),
    )

    # Lighter records: grades B, B and C under the default scheme, and no ground for listing.
    general = await accident("E6", 8, "general", deaths=1, description="散货装卸作业中人员被抓斗碰撞")
    await penalty(
        "E6",
        _penalty(
            "E6", 77, add_months(today, -7), "fine", "accident", "对一般生产安全事故负有责任", "300000.00", general
        ),
    )
    await penalty("E6", _penalty("E6", 78, add_months(today, -3), "warning", "other", "安全培训记录不全", None))
    await penalty(
        "E8",
        _penalty("E8", 310, add_months(today, -5), "fine", "other", "液氨制冷车间未按规定设置泄漏报警装置", "50000.00"),
    )
    await penalty("E8", _penalty("E8", 311, add_months(today, -2), "warning", "other", "应急预案未按期演练", None))
    large = await accident("E9", 6, "large", deaths=3, description="起重作业中吊物坠落")
    await penalty(
        "E9",
        _penalty("E9", 56, add_months(today, -5), "fine", "accident", "对较大生产安全事故负有责任", "800000.00", large),
    )

    graded = await credit.compute_grades()
    return f"credit: penalties and accidents for 5 enterprises, 1 confirmed listing, 1 candidate, {graded} grades"
