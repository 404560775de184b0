"""Roll-ups on both engines: any sequence of incremental runs after random changes made through the services
gives exactly the figures of a full recompute; a run with nothing changed writes nothing."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from domain.accounts.services import AccountService
from domain.clock import utcnow
from domain.errors import DomainError
from domain.hazards.model import Accept, Assign, Void
from domain.hazards.services import NewHazard, create_hazard, transition
from domain.hazards.tables import Hazard
from domain.org.tables import Enterprise
from domain.stats.model import COUNT_DEFINITIONS, COUNTS, PeriodKind
from domain.stats.services import count_items, refresh_rollups, resolve_scope
from domain.stats.tables import RollupCell, RollupWatermark
from seed.inspections import actor_named
from tests.api.test_standardisation import enterprise_ids

# The seed ran the roll-up on its day; these compare it with runs on the test's day (see tests/conftest.py).
pytestmark = pytest.mark.clock


async def cells() -> dict[str, tuple]:
    """Every stored cell's figures by key (`as_of` aside: it says when they were taken, not what they are)."""
    rows = await RollupCell.select().run()
    return {row["id"]: (row["scope_path"], row["period_kind"], *(int(row[name]) for name in COUNTS)) for row in rows}


async def clean_full() -> dict[str, tuple]:
    """The figures of a full recompute into an empty table."""
    await RollupCell.delete(force=True).run()
    await RollupWatermark.delete(force=True).run()
    await refresh_rollups(full=True)
    return await cells()


async def _random_change(rng: random.Random, actors: dict, ids: dict[str, str], serial: list[int]) -> bool:
    """One random change through the services; False when the workflow refused it (that is fine, it is random)."""
    enterprise = rng.choice(["E1", "E2"])
    officer, principal = actors[f"officer{enterprise[1]}"], actors[f"principal{enterprise[1]}"]
    choice = rng.random()
    try:
        if choice < 0.45:
            serial[0] += 1
            found = utcnow() - timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23))
            await create_hazard(
                actor=officer,
                new=NewHazard(
                    client_id=f"rollup-{serial[0]}",
                    enterprise_id=ids[enterprise],
                    source="daily",
                    category="unsafe_condition",
                    title=f"随机隐患 {serial[0]}",
                    found_at=found,
                ),
            )
            return True
        rows = (
            await Hazard.select(Hazard.id, Hazard.status, Hazard.version)
            .where(Hazard.enterprise_id == ids[enterprise], Hazard.level == "general")
            .run()
        )
        by_status = {
            status: [row for row in rows if row["status"] == status] for status in ("reported", "awaiting_acceptance")
        }
        if choice < 0.65 and by_status["reported"]:
            row = rng.choice(by_status["reported"])
            deadline = utcnow() + timedelta(days=rng.choice([-3, -1, 2, 10]))
            command = Assign(assignee_id=officer.user_id, measures="整改", deadline=deadline)
            await transition(actor=officer, hazard_id=row["id"], expected_version=row["version"], command=command)
        elif choice < 0.8 and by_status["reported"]:
            row = rng.choice(by_status["reported"])
            await transition(
                actor=officer, hazard_id=row["id"], expected_version=row["version"], command=Void(reason="误报")
            )
        elif by_status["awaiting_acceptance"]:
            row = rng.choice(by_status["awaiting_acceptance"])
            await transition(
                actor=principal, hazard_id=row["id"], expected_version=row["version"], command=Accept(note="验收")
            )
        else:
            return False
    except DomainError:
        return False
    return True


async def test_incremental_runs_after_random_changes_equal_a_full_recompute(db):
    accounts = AccountService(db[0])
    actors = {name: await actor_named(accounts, name) for name in ("officer1", "officer2", "principal1", "principal2")}
    ids = await enterprise_ids()
    rng = random.Random(20261129)
    serial = [0]
    assert (await refresh_rollups()).written == 0  # the seed ran the roll-up: nothing is pending
    changed = 0
    for _ in range(4):
        for _ in range(6):
            changed += await _random_change(rng, actors, ids, serial)
        await refresh_rollups()
    assert changed >= 12
    incremental = await cells()
    assert incremental == await clean_full()
    # the demo's city cell reflects the hazards created here
    assert any(key.startswith("region:330900:*:") for key in incremental)


async def test_an_enterprise_moved_to_another_grid_region_and_industry_leaves_its_old_ancestors(db):
    """Its stored figures come off the grid, regions and industry they were added to, and go onto the new ones."""
    ids = await enterprise_ids()
    rows = await Enterprise.select().where(Enterprise.id.is_in([ids["E1"], ids["E2"]])).run()
    moved, target = sorted(rows, key=lambda row: row["id"] != ids["E2"])
    assert (moved["grid_id"], moved["industry"]) != (target["grid_id"], target["industry"])
    before = await cells()
    await (
        Enterprise.update(
            {
                Enterprise.grid_id: target["grid_id"],
                Enterprise.region_code: target["region_code"],
                Enterprise.region_path: target["region_path"],
                Enterprise.industry: "machinery" if target["industry"] != "machinery" else "shipbuilding",
                Enterprise.updated_at: utcnow(),
            }
        )
        .where(Enterprise.id == moved["id"])
        .run()
    )
    report = await refresh_rollups()
    assert report.written > 0
    incremental = await cells()
    assert incremental != before
    assert incremental == await clean_full()


async def test_a_second_run_changes_nothing_and_a_full_run_over_current_cells_writes_nothing(db):
    before = await RollupCell.select().order_by(RollupCell.id).run()
    assert before
    again = await refresh_rollups()
    assert (again.written, again.deleted) == (0, 0)
    full = await refresh_rollups(full=True)
    assert (full.written, full.deleted) == (0, 0)
    assert await RollupCell.select().order_by(RollupCell.id).run() == before


async def test_a_stale_cell_is_overwritten_and_an_orphan_removed_by_the_next_full_run(db):
    expected = await cells()
    key = next(key for key in expected if key.startswith("region:330900:*:"))
    await RollupCell.update({RollupCell.found: 999}).where(RollupCell.id == key).run()
    orphan = dict(
        (await RollupCell.select().where(RollupCell.id == key).first().run()),
        id="grid:NOPE:*:2020",
        scope_kind="grid",
        scope_id="NOPE",
        period_kind="year",
        period_key="2020",
    )
    await RollupCell.insert(RollupCell(**orphan)).run()
    report = await refresh_rollups(full=True)
    assert (report.written, report.deleted) == (1, 1)
    assert await cells() == expected


async def _listed(scope, count, period: str) -> tuple[int, int]:
    """How many rows the drill-down lists behind one count of a period, and the sum of their seconds to close."""
    rows = seconds = 0
    cursor = None
    while True:
        page = await count_items(scope, count=count, industry=None, period=period, cursor=cursor, limit=50)
        rows += len(page.items)
        seconds += sum(item.seconds_to_close or 0 for item in page.items)
        if (cursor := page.next_cursor) is None:
            return rows, seconds


async def test_every_count_lists_exactly_the_rows_its_aggregate_counts(db):
    accounts = AccountService(db[0])
    regulator = await actor_named(accounts, "regulator_city")
    ids = await enterprise_ids()
    checked = 0
    for scope in (
        await resolve_scope(regulator, region_code="330900"),
        await resolve_scope(regulator, enterprise_id=ids["E2"]),
    ):
        stored = await RollupCell.select().where(RollupCell.scope_id == scope.id, RollupCell.industry == "*").run()
        assert {row["period_kind"] for row in stored} == {str(kind) for kind in PeriodKind}
        for cell in stored:
            for count in COUNT_DEFINITIONS:
                rows, seconds = await _listed(scope, count, cell["period_key"])
                expected = int(cell[count.name])
                assert (seconds if count.seconds_between else rows) == expected, (scope.id, cell["id"], count.name)
                checked += 1
    assert checked > 100
