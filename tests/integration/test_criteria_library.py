"""The criteria library on both engines: the seed's editions and items, loading them again, the migration's
backfill of criteria stored before editions existed, and the demo hazard whose deadline was extended."""

from __future__ import annotations

from datetime import date, timedelta

from domain.criteria.services import cited_criterion, list_criteria, list_editions
from domain.criteria.tables import CriteriaEdition, CriterionIndustry, MajorHazardCriterion
from domain.db.piccolo_migrations.shuangfang_0017_criteria_editions import _backfill
from domain.hazards.services import verify_hazard_chain
from domain.hazards.tables import Hazard
from domain.history.store import chain_rows
from seed import criteria as seeded
from seed.extensions import DECISION, extended_client_id
from seed.scenario import seed_criteria


async def test_the_seed_loads_both_editions_with_every_item_its_industries_and_its_wording_mark(db):
    editions = {e.id: e for e in await list_editions()}
    assert (editions["HC2017"].item_count, editions["GM2023"].item_count) == (20, 64)
    assert editions["GM2023"].effective_from == date(2023, 5, 15) and editions["GM2023"].effective_until is None
    items = {item.id: item for item in await list_criteria()}
    assert len(items) == len(seeded.CRITERIA)
    for spec in seeded.CRITERIA:
        item = items[spec["id"]]
        assert (item.item_no, item.text, item.verbatim, item.edition_id) == (
            spec["itemNo"],
            spec["text"],
            spec["verbatim"],
            spec["edition"],
        )
        assert sorted(item.industries) == sorted(spec["industries"])
    assert all(item.text.strip() for item in items.values())


async def test_loading_the_library_again_adds_nothing_and_changes_nothing(db):
    before = await MajorHazardCriterion.select().order_by(MajorHazardCriterion.id).run()
    pairs = await CriterionIndustry.count()
    assert await seed_criteria() == 0
    assert await MajorHazardCriterion.select().order_by(MajorHazardCriterion.id).run() == before
    assert await CriterionIndustry.count() == pairs and await CriteriaEdition.count() == 2


async def test_the_migration_gives_criteria_stored_before_editions_their_edition_and_industries(db):
    _, engine = db
    # as a database upgraded from before migration 0017 holds them: no editions, no industries, edition_id ''
    async with MajorHazardCriterion._meta.db.transaction():
        await CriterionIndustry.delete(force=True).run()
        await CriteriaEdition.delete(force=True).run()
        await MajorHazardCriterion.update({MajorHazardCriterion.edition_id: ""}, force=True).run()
        # the group the dust items were filed under then (today's rows name their first industry there)
        await (
            MajorHazardCriterion.update({MajorHazardCriterion.industry: "dust"})
            .where(MajorHazardCriterion.id == "GM2023-06")
            .run()
        )
    await _backfill(engine)
    chemicals = await cited_criterion("HC2017-05")
    assert chemicals.industries == {"hazardous_chemicals", "oil_storage"}
    assert chemicals.span.effective_from == date(2017, 11, 13) and chemicals.span.effective_until is None
    dust = await cited_criterion("GM2023-06")
    assert {"machinery", "shipbuilding", "aquatic_processing", "trade"} <= dust.industries
    assert dust.span.effective_from == date(2023, 5, 15)
    # the seed then completes the library: every item gets its industries as the seed states them
    await seed_criteria()
    assert (await cited_criterion("GM2023-07-01")).industries == {"machinery", "shipbuilding"}
    assert await CriteriaEdition.count() == 2


async def test_the_demo_holds_a_general_hazard_whose_deadline_was_extended_on_request_with_reasons(db):
    row = await Hazard.select().where(Hazard.client_key.like(f"%:{extended_client_id()}")).first().run()
    assert (
        row is not None
        and row["level"] == "general"
        and row["status"] in ("rectifying", "awaiting_acceptance", "closed")
    )
    events = await chain_rows(row["id"])
    names = [event["name"] for event in events]
    assert names[-2:] == ["HazardExtensionRequested", "HazardExtensionDecided"] or ("HazardExtensionDecided" in names)
    assigned = next(e for e in events if e["name"] == "HazardAssigned")
    decided = next(e for e in events if e["name"] == "HazardExtensionDecided")
    assert DECISION in decided["payload"] and row["requested_deadline"] is None
    assert row["deadline"] - timedelta(days=14) > assigned["at"]
    assert await verify_hazard_chain(row["id"])


async def test_the_demo_tour_shows_the_criteria_editions_and_the_extended_deadline(db):
    from seed.tour import demo_tour

    tour = await demo_tour()
    assert "GM2023 工贸企业重大事故隐患判定标准 (应急管理部令第10号) in force from 2023-05-15: 64 items" in tour, tour
    assert "HC2017" in tour and "marked not verbatim" in tour
    assert "general hazard with an extended deadline:" in tour and "HazardExtensionDecided" in tour
