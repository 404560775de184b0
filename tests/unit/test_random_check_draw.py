"""The pure draw of 双随机一公开: reproducible, two distinct conflict-free officers per pick, ceil(rate × n) per class,
and the replay of a plan's chain checks the revealed seed and the picks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.access.model import Role
from domain.history.chain import GENESIS_HASH, ReplayFailed, link
from domain.random_checks.model import (
    CLASSES,
    OfficersTooFew,
    PlanInvalid,
    PoolEnterprise,
    PoolOfficer,
    checked_rates,
    conflicts,
    derive_plans,
    draw,
    months_before,
    new_seed,
    recompute,
    sample_size,
    seed_hash,
)

GRIDS = ["g1", "g2", "g3", "g4"]
seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
enterprises = st.lists(
    st.builds(
        PoolEnterprise,
        id=st.text("0123456789ABCDEFGH", min_size=4, max_size=8),
        name=st.just("企业"),
        class_code=st.sampled_from(CLASSES),
        grid_id=st.sampled_from(GRIDS),
        last_officer_ids=st.lists(st.sampled_from(["o1", "o2", "o3", "o4", "o5", "o6"]), max_size=2).map(tuple),
    ),
    max_size=25,
    unique_by=lambda e: e.id,
)
officers = st.lists(
    st.builds(
        PoolOfficer,
        id=st.sampled_from(["o1", "o2", "o3", "o4", "o5", "o6"]),
        name=st.just("执法人员"),
        role=st.sampled_from(["regulator", "inspector"]),
        grid_ids=st.lists(st.sampled_from(GRIDS), max_size=2).map(tuple),
    ),
    min_size=2,
    max_size=6,
    unique_by=lambda o: o.id,
)
rates = st.fixed_dictionaries({code: st.sampled_from(["0", "0.05", "0.2", "0.5", "1"]) for code in CLASSES})


@settings(max_examples=300, deadline=None)
@given(seed=seeds, pool=enterprises, staff=officers, rate=rates)
def test_every_pick_has_two_distinct_officers_free_of_conflict_and_the_draw_reproduces(seed, pool, staff, rate):
    try:
        picks = draw(seed, rate, pool, staff)
    except OfficersTooFew as refused:
        enterprise = next(e for e in pool if e.id == refused.params["enterprise_id"])
        assert sum(not conflicts(enterprise, o) for o in staff) < 2
        return
    assert draw(seed, rate, list(reversed(pool)), list(reversed(staff))) == picks  # order of the pools is irrelevant
    by_id = {e.id: e for e in pool}
    officer_by_id = {o.id: o for o in staff}
    for pick in picks:
        enterprise = by_id[pick.enterprise_id]
        first, second = pick.officer_ids
        assert first != second
        for officer_id in pick.officer_ids:
            assert enterprise.grid_id not in officer_by_id[officer_id].grid_ids  # never their own grid
            assert officer_id not in enterprise.last_officer_ids  # never who inspected it last time
    for code in CLASSES:
        n = sum(e.class_code == code for e in pool)
        assert sum(p.class_code == code for p in picks) == sample_size(rate[code], n)


def test_sample_size_is_the_exact_ceiling():
    assert sample_size("0.2", 7) == 2  # 1.4 -> 2
    assert sample_size("0.05", 20) == 1  # exactly 1, no float drift above it
    assert sample_size("0.1", 30) == 3  # 3.0000000000000004 as floats would give 4
    assert sample_size("0", 9) == 0
    assert sample_size("1", 9) == 9


def test_rates_are_checked():
    assert checked_rates({"A": Decimal("1.0"), "B": "0.50"}, []) == {"A": "1", "B": "0.5"}
    for bad in ({"E": "0.5"}, {"A": "1.5"}, {"A": "-0.1"}, {"A": "0"}, {"A": "x"}):
        with pytest.raises(PlanInvalid):
            checked_rates(bad, [])
    with pytest.raises(PlanInvalid):
        checked_rates({"B": "0.5"}, ["A"])  # a rate for a class the plan leaves out


def test_months_before_clamps_to_the_months_end():
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    assert months_before(date(2026, 12, 3), 12) == date(2025, 12, 3)


def _published(seed: str) -> dict:
    pool = [PoolEnterprise(f"E{i}", f"企业{i}", "ABCD"[i % 4], f"g{i % 3}", ()) for i in range(12)]
    staff = [PoolOfficer(f"O{i}", f"人员{i}", "regulator", (f"g{i}",) if i < 3 else ()) for i in range(5)]
    rate = {"A": "1", "B": "0.5", "C": "0.2", "D": "0.05"}
    return {
        "seed": seed,
        "seedHash": seed_hash(seed),
        "rates": rate,
        "pools": {"enterprises": [e.to_json() for e in pool], "officers": [o.to_json() for o in staff]},
        "picks": [p.to_json() for p in draw(seed, rate, pool, staff)],
    }


def test_recompute_from_the_published_document_alone():
    published = _published(new_seed())
    assert recompute(published) == published["picks"]
    with pytest.raises(ValueError):
        recompute(published | {"seedHash": "0" * 64})  # a seed that is not the one committed


def _event(seq: int, prev: str, action: str, payload: dict):
    at = datetime(2026, 12, 3, 4, seq, tzinfo=UTC)
    return link("random-check:P1", seq, action, "u1", Role.REGULATOR.value, at, payload, (), prev)


def test_the_chain_replay_refuses_a_seed_or_picks_that_do_not_match():
    seed = new_seed()
    published = _published(seed)
    created = _event(
        1,
        GENESIS_HASH,
        "createPlan",
        {
            "plan_id": "P1",
            "name": "计划",
            "year": 2026,
            "period": "",
            "region_code": "330902",
            "industries": [],
            "classes": [],
            "rates": published["rates"],
            "exclusion_months": 0,
            "officer_ids": ["O0", "O1"],
        },
    )
    approved = _event(2, created.hash, "approvePlan", {"plan_id": "P1", "seed_hash": seed_hash(seed)})

    def drawn(payload: dict):
        return _event(3, approved.hash, "drawPlan", {"plan_id": "P1", **payload})

    body = {"seed": seed, "pools": published["pools"], "picks": published["picks"]}
    assert derive_plans([created, approved, drawn(body)])["P1"]["status"] == "drawn"
    with pytest.raises(ReplayFailed):
        derive_plans([created, approved, drawn(body | {"seed": new_seed()})])
    with pytest.raises(ReplayFailed):
        derive_plans([created, approved, drawn(body | {"picks": list(reversed(published["picks"]))})])
