"""Migration 0015 judges the inspections recorded before it by the rule the service applies, on both engines."""

from __future__ import annotations

import importlib

import pytest

from domain.inspections.tables import Inspection

migration = importlib.import_module("domain.db.piccolo_migrations.shuangfang_0015_presence_policy")


async def test_inspections_recorded_before_the_policy_are_judged_as_the_service_judges_them(db):
    _, engine = db
    judged = {row["id"]: (row["presence"], row["presence_distance_m"]) for row in await Inspection.select().run()}
    assert {presence for presence, _ in judged.values()} == {"proven", "far", "stale", "none"}
    # as an upgraded database holds them: every inspection at the column's default
    await Inspection.update({Inspection.presence: "none", Inspection.presence_distance_m: None}, force=True).run()
    await migration._judge_recorded(engine)
    again = {row["id"]: (row["presence"], row["presence_distance_m"]) for row in await Inspection.select().run()}
    assert again.keys() == judged.keys()
    for inspection_id, (presence, distance) in judged.items():
        assert again[inspection_id][0] == presence, inspection_id
        assert again[inspection_id][1] == (None if distance is None else pytest.approx(distance, abs=0.2))
