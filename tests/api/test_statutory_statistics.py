"""Statutory hazard statistics on both engines: snapshots frozen when due and never recomputed, figures that match
the hazards behind them, and the principal's one signature recorded in the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from domain.accounts.services import AccountService
from domain.clock import utcnow
from domain.evidence.services import verify_all
from domain.hazards.services import NewHazard, create_hazard
from domain.hazards.tables import Hazard
from domain.history.chain import verify_chain
from domain.history.store import chain_rows, event_record
from domain.statutory.model import LOCAL_TIME, Period, PeriodKind, funds_amount_yuan, local_date, parse_period
from domain.statutory.services import freeze_due_statistics
from domain.statutory.tables import StatisticsSnapshot
from seed.inspections import actor_named
from tests.api.test_standardisation import enterprise_ids
from tests.conftest import login
from workers.jobs.statutory import freeze_statutory_statistics


def local(day, hour=0, minute=0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TIME)


def expected_figures(rows: list[dict], period: Period) -> dict:
    """The figures of a period counted in Python from the hazard rows, as the model's docstring defines them."""
    start, end = period.window()
    result = {}
    for level in ("general", "major"):
        mine = [r for r in rows if r["level"] == level and start <= r["found_at"] < end]
        counted = [r for r in mine if r["status"] != "voided"]
        rectified = [r for r in counted if r["status"] in ("closed", "written_off") and r["closed_at"] < end]
        still_open = [r for r in counted if r not in rectified]
        amounts = [a for r in counted if (a := funds_amount_yuan(r["funds"])) is not None]
        result[level] = {
            "found": len(counted),
            "rectified": len(rectified),
            "rectifiedOnTime": sum(1 for r in rectified if r["deadline"] is None or r["closed_at"] <= r["deadline"]),
            "open": len(still_open),
            "overdue": sum(1 for r in still_open if r["deadline"] and r["deadline"] < end),
            "voided": len(mine) - len(counted),
            "fundsRecorded": len(amounts),
            "fundsYuan": str(sum(amounts, 0)),
        }
    return result


async def test_the_seeded_snapshots_match_the_hazards_behind_them_and_their_hash(client):
    ids = await enterprise_ids()
    for key in ("E1", "E2"):
        snapshots = await StatisticsSnapshot.select().where(StatisticsSnapshot.enterprise_id == ids[key]).run()
        assert len(snapshots) >= 3, key  # the seed holds a year of hazards: at least three quarters are due
        rows = await Hazard.select().where(Hazard.enterprise_id == ids[key]).run()
        for snapshot in snapshots:
            figures = json.loads(snapshot["figures"])
            assert hashlib.sha256(snapshot["figures"].encode()).hexdigest() == snapshot["figures_sha256"]
            expected = expected_figures(rows, parse_period(snapshot["period_key"]))
            assert {level: figures[level] for level in ("general", "major")} == expected, snapshot["period_key"]
        assert any(json.loads(s["figures"])["total"]["found"] > 0 for s in snapshots)
    assert await StatisticsSnapshot.count().where(StatisticsSnapshot.enterprise_id == ids["E9"]) == 0


async def test_freezing_twice_freezes_nothing_more_and_a_frozen_snapshot_is_never_recomputed(client, db):
    ids = await enterprise_ids()
    before = await StatisticsSnapshot.select().order_by(StatisticsSnapshot.id).run()
    assert before, "the seed froze the due snapshots"
    assert (await freeze_due_statistics()).frozen == 0
    assert (await freeze_statutory_statistics({}))["frozen"] == 0  # the daily job runs the same service
    # a hazard found late in a frozen quarter changes what a recomputation would say, but nothing is recomputed
    quarter = parse_period(
        next(s["period_key"] for s in before if s["enterprise_id"] == ids["E1"] and s["period_kind"] == "quarter")
    )
    officer = await actor_named(AccountService(db[0]), "officer1")
    found = local(quarter.end, 20)
    await create_hazard(
        actor=officer,
        new=NewHazard(
            client_id="late-find",
            enterprise_id=ids["E1"],
            source="daily",
            category="unsafe_condition",
            title="补登隐患",
            found_at=found,
        ),
        now=found,
    )
    assert (await freeze_due_statistics()).frozen == 0
    assert await StatisticsSnapshot.select().order_by(StatisticsSnapshot.id).run() == before


async def test_snapshots_freeze_on_their_due_day_in_zhoushan_and_missing_ones_are_backfilled(client):
    today = local_date(utcnow())
    coming = Period(today.year, PeriodKind.QUARTER, (today.month - 1) // 3 + 1)  # the quarter running now
    before = await StatisticsSnapshot.count()
    eve = local(coming.due - timedelta(days=1), 23, 59)
    assert await StatisticsSnapshot.count().where(StatisticsSnapshot.period_key == coming.key) == 0
    await freeze_due_statistics(now=eve)
    assert await StatisticsSnapshot.count().where(StatisticsSnapshot.period_key == coming.key) == 0
    # on the due day just after local midnight (still the day before in UTC) every enterprise gets it
    report = await freeze_due_statistics(now=local(coming.due, 0, 1))
    frozen = await StatisticsSnapshot.select().where(StatisticsSnapshot.period_key == coming.key).run()
    assert len(frozen) == 9 and all(row["due_on"] == coming.due for row in frozen)
    # a worker that stopped for a year catches up on every period it missed, each once
    later = local(coming.due.replace(year=coming.due.year + 1), 9)
    caught_up = await freeze_due_statistics(now=later)
    assert caught_up.frozen >= 9 * 4  # four more quarters (and a year) for every enterprise
    assert (await freeze_due_statistics(now=later)).frozen == 0
    keys = await StatisticsSnapshot.select(StatisticsSnapshot.enterprise_id, StatisticsSnapshot.period_key).run()
    assert len({(k["enterprise_id"], k["period_key"]) for k in keys}) == len(keys)
    assert len(keys) == before + report.frozen + caught_up.frozen
    assert all(parse_period(k["period_key"]).due <= later.date() for k in keys)


async def test_the_principal_signs_once_in_the_chain_and_others_cannot(client, db):
    ids = await enterprise_ids()
    principal, officer = await login(client, "principal1"), await login(client, "officer1")
    listed = await client.get(f"/v1/enterprises/{ids['E1']}/statistics", headers=officer)
    assert listed.status_code == 200, listed.text
    snapshots = listed.json()
    assert [s["signed"] for s in snapshots].count(True) == 1  # the seed's signature of the latest quarter
    unsigned = next(s for s in snapshots if not s["signed"])
    path = f"/v1/enterprises/{ids['E1']}/statistics/{unsigned['id']}/sign"
    for user, status in [("officer1", 403), ("regulator_dinghai", 403), ("admin", 403), ("principal2", 404)]:
        refused = await client.post(path, headers=await login(client, user))
        assert refused.status_code == status, (user, refused.text)
    signed = await client.post(path, headers=principal)
    assert signed.status_code == 200, signed.text
    assert (
        signed.json()["signed"] is True
        and signed.json()["signedBy"] == (await client.get("/v1/me", headers=principal)).json()["id"]
    )
    again = await client.post(path, headers=principal)
    assert again.status_code == 409 and again.json()["code"] == "STATISTICS_ALREADY_SIGNED"
    other = await client.post(f"/v1/enterprises/{ids['E2']}/statistics/{unsigned['id']}/sign", headers=principal)
    assert other.status_code == 404  # another enterprise's path answers like a missing one

    rows = await chain_rows(f"stats:{ids['E1']}")
    assert verify_chain(event_record(row) for row in rows).ok
    signatures = [event_record(row) for row in rows if row["name"] == "StatisticsSigned"]
    assert len(signatures) == 2
    assert signatures[-1]["payload"] == {
        "snapshot_id": unsigned["id"],
        "period": unsigned["periodKey"],
        "figures_sha256": unsigned["figuresSha256"],
    }
    stored = await StatisticsSnapshot.select().where(StatisticsSnapshot.id == unsigned["id"]).first().run()
    assert stored["sign_event_seq"] == signatures[-1]["seq"]
    assert (await verify_all(db[0].var_dir)).ok
    inspector = await client.get(f"/v1/enterprises/{ids['E2']}/statistics", headers=await login(client, "inspector1"))
    assert inspector.status_code == 404
