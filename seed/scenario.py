"""Load the seed through the domain services, so seeded data obeys the same rules as any other; idempotent."""

from __future__ import annotations

from datetime import date

from domain.access.model import SYSTEM, Role
from domain.accounts.services import AccountService
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.codes.printables import Printables
from domain.codes.services import Codes
from domain.config import Settings
from domain.criteria.model import NewCriterion, NewEdition
from domain.criteria.services import load_library
from domain.history.store import export_chain_heads
from domain.org import services as org
from domain.org.model import Industry, RegionLevel, credit_code_check_character
from domain.org.tables import Enterprise, Grid, Region
from domain.outbox.services import relay_outbox
from domain.risk import services as risk
from domain.risk.model import Method
from domain.risk.tables import RiskPoint, SitePlan
from seed import criteria, risk_points, zhoushan
from seed.credit import seed_credit
from seed.extensions import seed_extension
from seed.hazards import photo_maker, seed_hazards
from seed.inspections import seed_inspections
from seed.notifications import seed_notifications
from seed.posts import seed_posts
from seed.public_reports import seed_public_reports
from seed.random_checks import seed_random_checks
from seed.region_shapes import seed_region_map
from seed.site_plans import draw_site_plan
from seed.standardisation import seed_standardisation
from seed.stats import seed_rollups
from seed.supervision import seed_supervision
from seed.sync import seed_change_feed
from seed.tour import demo_tour
from workers.dispatch import Dispatcher


def demo_credit_code(region_code: str, serial: int) -> str:
    """A well-formed 统一社会信用代码 for a demo enterprise: 9 (market regulator), 1 (company), region, serial."""
    first17 = f"91{region_code[:6]}MA{serial:07d}"
    return first17 + credit_code_check_character(first17)


async def seed_reference() -> str:
    """The Zhoushan region tree and grids."""
    created = 0
    if not await Region.exists().where(Region.code == zhoushan.CITY[0]).run():
        await org.create_region(
            actor=SYSTEM, code=zhoushan.CITY[0], name=zhoushan.CITY[1], level=RegionLevel.CITY, parent_code=None
        )
        created += 1
    for code, name in zhoushan.DISTRICTS:
        if not await Region.exists().where(Region.code == code).run():
            await org.create_region(
                actor=SYSTEM, code=code, name=name, level=RegionLevel.DISTRICT, parent_code=zhoushan.CITY[0]
            )
            created += 1
        for town_code, town_name in zhoushan.TOWNS[code]:
            if not await Region.exists().where(Region.code == town_code).run():
                await org.create_region(
                    actor=SYSTEM, code=town_code, name=town_name, level=RegionLevel.TOWN, parent_code=code
                )
                created += 1
    for grid_code, name, town in zhoushan.GRIDS:
        if not await Grid.exists().where(Grid.code == grid_code).run():
            await org.create_grid(actor=SYSTEM, code=grid_code, name=name, region_code=town)
            created += 1
    created += await seed_criteria()
    return f"reference data: {created} regions, grids and major-hazard criteria created"


async def seed_criteria() -> int:
    """The major-hazard criteria library: its editions and items (regulation text, loaded as data)."""
    editions = [
        NewEdition(
            id=edition_id,
            standard=spec["standard"],
            edition=spec["edition"],
            doc_no=spec["docNo"],
            issuer=spec["issuer"],
            effective_from=date.fromisoformat(spec["effectiveFrom"]),
            supersedes_id=spec["supersedes"],
            items=tuple(
                NewCriterion(
                    id=item["id"],
                    item_no=item["itemNo"],
                    text=item["text"],
                    industries=tuple(item["industries"]),
                    verbatim=item["verbatim"],
                    group=item["group"],
                )
                for item in criteria.CRITERIA
                if item["edition"] == edition_id
            ),
        )
        for edition_id, spec in criteria.EDITIONS.items()
    ]
    return await load_library(editions)


async def seed_risk_points(settings: Settings, enterprise_ids: dict[str, str]) -> int:
    """The demo risk points with assessments, checklists and site plans, through the services."""
    created = 0
    for key, points in risk_points.RISK_POINTS.items():
        enterprise_id = enterprise_ids[key]
        existing = {
            row["name"]
            for row in await RiskPoint.select(RiskPoint.name).where(RiskPoint.enterprise_id == enterprise_id).run()
        }
        for spec in points:
            if spec["name"] in existing:
                continue
            point = await risk.create_risk_point(actor=SYSTEM, enterprise_id=enterprise_id, fields=_point_fields(spec))
            assessment = dict(spec["assessment"])
            method = Method(assessment.pop("method"))
            factors = {name.upper(): value for name, value in assessment.items()}
            await risk.assess_risk_point(actor=SYSTEM, risk_point_id=point.id, method=method, factors=factors)
            for item in spec["checklist"]:
                await risk.add_checklist_item(
                    actor=SYSTEM,
                    risk_point_id=point.id,
                    fields={
                        "content": item["content"],
                        "basis": item.get("basis", ""),
                        "cycle_n": item["cycleN"],
                        "cycle_unit": item["cycleUnit"],
                        "responsible_post": item.get("responsiblePost", ""),
                        "criterion_id": item.get("criterionId"),
                    },
                )
            created += 1
    printables = Printables(Codes(settings))
    for key, spec in risk_points.SITE_PLANS.items():
        if not await SitePlan.exists().where(SitePlan.enterprise_id == enterprise_ids[key]).run():
            await printables.put_site_plan(actor=SYSTEM, enterprise_id=enterprise_ids[key], data=draw_site_plan(spec))
    return created


def _point_fields(spec: dict) -> dict:
    return {
        "kind": spec["kind"],
        "name": spec["name"],
        "area": spec.get("area", ""),
        "lat": spec.get("lat"),
        "lng": spec.get("lng"),
        "plan_x": spec.get("planX"),
        "plan_y": spec.get("planY"),
        "presence_radius_m": spec.get("presenceRadiusM"),
        "responsible_post": spec.get("responsiblePost", ""),
        "responsible_person": spec.get("responsiblePerson", ""),
        "hazard_sources": spec.get("hazardSources", []),
        "control_measures": spec.get("controlMeasures", []),
        "emergency_measures": spec.get("emergencyMeasures", []),
        "emergency_phone": spec.get("emergencyPhone", ""),
    }


async def run_outbox(settings: Settings) -> str:
    """Run what the seeded changes put in the outbox, here and now, so the demo starts with nothing pending."""
    dispatcher = Dispatcher(settings)
    relayed = await relay_outbox(dispatcher)
    await dispatcher.close()
    return f"outbox: {relayed.relayed} follow-up jobs of the seeded changes run"


async def seed_demo(settings: Settings) -> str:
    """The reference data, the demo enterprises and the demo accounts (password `DEMO_PASSWORD`)."""
    lines = [await seed_reference()]
    grid_ids = {row["code"]: row["id"] for row in await Grid.select(Grid.code, Grid.id).run()}
    enterprise_ids: dict[str, str] = {}
    for serial, (key, name, industry, grid_code, above, department, address) in enumerate(zhoushan.ENTERPRISES, 1):
        town = next(town for code, _, town in zhoushan.GRIDS if code == grid_code)
        credit_code = demo_credit_code(town, serial)
        existing = await Enterprise.select(Enterprise.id).where(Enterprise.credit_code == credit_code).first().run()
        if existing is None:
            record = await org.create_enterprise(
                actor=SYSTEM,
                credit_code=credit_code,
                name=name,
                industry=Industry(industry),
                grid_id=grid_ids[grid_code],
                above_designated_size=above,
                supervising_department=department,
                address=address,
                lat=zhoushan.SITES[key][0],
                lng=zhoushan.SITES[key][1],
            )
            enterprise_ids[key] = record.id
        else:
            enterprise_ids[key] = existing["id"]
    accounts = AccountService(settings)
    for username, name, role, binding in zhoushan.DEMO_USERS:
        if await AppUser.exists().where(AppUser.username == username).run():
            continue
        await accounts.create_user(
            actor=SYSTEM,
            username=username,
            name=name,
            password=settings.demo_password,
            role=Role(role),
            enterprise_id=enterprise_ids[binding] if role in ("officer", "principal") else None,
            grid_ids=[grid_ids[code] for code in binding] if role == "inspector" else None,
            region_code=binding if role == "regulator" else None,
        )
    points = await seed_risk_points(settings, enterprise_ids)
    lines.append(
        f"demo: {len(zhoushan.ENTERPRISES)} enterprises, {len(zhoushan.DEMO_USERS)} accounts, "
        f"{points} risk points created"
    )
    lines.append(await seed_posts())
    lines.append(await seed_inspections(settings, enterprise_ids))
    industries = {key: industry for key, _, industry, *_ in zhoushan.ENTERPRISES}
    hazard_enterprises = {key: (enterprise_id, industries[key]) for key, enterprise_id in enterprise_ids.items()}
    lines.append(await seed_hazards(settings, hazard_enterprises, utcnow(), photo_maker(settings)))
    lines.append(await seed_extension(settings))
    lines.append(await seed_credit(settings, enterprise_ids))
    # before the demo webhook exists, like the hazards: their notifications are listed, nothing is sent
    lines.append(await seed_public_reports(settings))
    # The follow-ups of the seeded hazards (codes, notifications) run before the demo webhook exists: nothing is sent.
    lines.append(await run_outbox(settings))
    lines.append(await seed_notifications(settings))
    lines.append(await seed_region_map())
    lines.append(await seed_standardisation(settings, enterprise_ids))
    lines.append(await run_outbox(settings))  # again: the seeders above queue follow-ups too
    lines.append(await seed_supervision())
    lines.append(await seed_random_checks(settings))  # after the classes: the draw reads them
    lines.append(await seed_rollups())
    lines.append(await seed_change_feed())
    # File today's chain heads at once, so `shuangfang verify` can detect a cut tail from the first day.
    exported = await export_chain_heads(settings.var_dir)
    lines.append(f"history: {exported['chains']} chain heads exported to {exported['path']}")
    lines.append(await demo_tour())
    lines.append(f"demo accounts, each with the password {settings.demo_password!r} (the DEMO_PASSWORD setting):")
    lines.extend(f"  {username:<18} {role:<10} {name}" for username, name, role, _ in zhoushan.DEMO_USERS)
    return "\n".join(lines)
