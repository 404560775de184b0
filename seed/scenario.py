"""Load the seed through the domain services, so seeded data obeys the same rules as any other; idempotent."""

from __future__ import annotations

from domain.accounts.model import Actor, Role
from domain.accounts.services import AccountService
from domain.accounts.tables import AppUser
from domain.config import Settings
from domain.org import services as org
from domain.org.model import Industry, RegionLevel, credit_code_check_character
from domain.org.tables import Enterprise, Grid, Region
from seed import zhoushan

SYSTEM = Actor(user_id="system", role=Role.ADMIN)


def demo_credit_code(region_code: str, serial: int) -> str:
    """A well-formed 统一社会信用代码 for a demo enterprise: 9 (market regulator), 1 (company), region, serial."""
    first17 = f"91{region_code[:6]}MA{serial:07d}"
    return first17 + credit_code_check_character(first17)


async def seed_reference() -> str:
    """The Zhoushan region tree and grids."""
    created = 0
    if not await Region.exists().where(Region.code == zhoushan.CITY[0]).run():
        await org.create_region(actor=SYSTEM, code=zhoushan.CITY[0], name=zhoushan.CITY[1], level=RegionLevel.CITY, parent_code=None)
        created += 1
    for code, name in zhoushan.DISTRICTS:
        if not await Region.exists().where(Region.code == code).run():
            await org.create_region(actor=SYSTEM, code=code, name=name, level=RegionLevel.DISTRICT, parent_code=zhoushan.CITY[0])
            created += 1
        for town_code, town_name in zhoushan.TOWNS[code]:
            if not await Region.exists().where(Region.code == town_code).run():
                await org.create_region(actor=SYSTEM, code=town_code, name=town_name, level=RegionLevel.TOWN, parent_code=code)
                created += 1
    for grid_code, name, town in zhoushan.GRIDS:
        if not await Grid.exists().where(Grid.code == grid_code).run():
            await org.create_grid(actor=SYSTEM, code=grid_code, name=name, region_code=town)
            created += 1
    return f"reference data: {created} regions and grids created"


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
    lines.append(f"demo: {len(zhoushan.ENTERPRISES)} enterprises, {len(zhoushan.DEMO_USERS)} accounts")
    lines.append(f"demo accounts, each with the password {settings.demo_password!r} (the DEMO_PASSWORD setting):")
    lines.extend(f"  {username:<18} {role:<10} {name}" for username, name, role, _ in zhoushan.DEMO_USERS)
    return "\n".join(lines)
