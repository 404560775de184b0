"""Penalties, accidents, the serious-dishonesty list and credit grades through the real API, on both engines."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from domain.credit.model import add_months
from domain.credit.services import chain_of, local_today
from domain.credit.tables import BlacklistListing, CreditGrade
from domain.history.chain import verify_chain
from domain.history.store import chain_rows, event_record
from domain.history.tables import HistoryEvent
from domain.org.tables import Enterprise
from seed import zhoushan
from tests.conftest import login
from workers.jobs.credit import compute_blacklist_candidates, compute_credit_grades, expire_blacklist_listings

_serial = itertools.count(1)


async def enterprise_ids() -> dict[str, str]:
    """The demo enterprises' ids by key (E1–E9)."""
    by_name = {row["name"]: row["id"] for row in await Enterprise.select(Enterprise.name, Enterprise.id).run()}
    return {key: by_name[name] for key, name, *_ in zhoushan.ENTERPRISES}


def penalty(decided_on: date, violation: str = "other", **fields) -> dict:
    """A penalty body with a fresh decision number."""
    return {
        "decisionNo": f"（定）应急罚〔{decided_on.year}〕{next(_serial)}号",
        "decidedOn": decided_on.isoformat(),
        "authority": "舟山市定海区应急管理局",
        "kind": "fine",
        "violation": violation,
        "amount": "20000.00",
        "facts": "现场检查发现违法行为",
    } | fields


async def record(client, headers, enterprise_id: str, kind: str, body: dict) -> dict:
    response = await client.post(f"/v1/enterprises/{enterprise_id}/{kind}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def credit_events() -> int:
    """How many events the credit chains hold (other chains move on their own: the safety code follows credit)."""
    return await HistoryEvent.count().where(HistoryEvent.chain_id.like("credit:%"))


async def listing_of(client, headers, penalty_id: str) -> dict:
    """The pending listing that follows a penalty, as the candidates endpoint shows it."""
    items = (await client.get("/v1/blacklist/candidates", headers=headers)).json()["items"]
    return next(item for item in items if item["penaltyId"] == penalty_id)


async def act(client, headers, listing_id: str, action: str, body: dict | None = None, status: int = 200) -> dict:
    response = await client.post(f"/v1/blacklist/{listing_id}/{action}", json=body or {}, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def test_the_demo_has_a_confirmed_listing_with_its_basis_a_pending_candidate_and_grades_a_to_d(client):
    ids = await enterprise_ids()
    city = await login(client, "regulator_city")
    published = (await client.get("/v1/blacklist", headers=city)).json()["items"]
    assert [item["enterpriseId"] for item in published] == [ids["E4"]]
    listed = published[0]
    assert listed["status"] == "confirmed" and listed["listed"] is True
    assert [g["code"] for g in listed["grounds"]] == ["accident_concealed"]
    assert listed["grounds"][0]["article"] == "第六条第（四）项"
    assert listed["penaltyIds"] == [listed["penaltyId"]] and len(listed["accidentIds"]) == 1
    assert (
        listed["statement"]
        and listed["expiresOn"] == add_months(date.fromisoformat(listed["decidedOn"]), 36).isoformat()
    )

    pending = (await client.get("/v1/blacklist/candidates", headers=city)).json()["items"]
    assert [(item["enterpriseId"], item["status"]) for item in pending] == [(ids["E5"], "notified")]
    assert [g["code"] for g in pending[0]["grounds"]] == ["unlicensed_operation"]
    # 定海 imposed the penalty, so 定海 decides: the city above it sees the candidate but is offered nothing
    assert pending[0]["authorityRegionCode"] == "330902" and pending[0]["allowedActions"] == []
    dinghai = (await client.get("/v1/blacklist/candidates", headers=await login(client, "regulator_dinghai"))).json()
    assert set(dinghai["items"][0]["allowedActions"]) == {"respond", "confirm", "dismiss"}

    grades = {row["enterprise_id"]: row["grade"] for row in await CreditGrade.select().run()}
    assert set(grades) == set(ids.values()) and set(grades.values()) == {"A", "B", "C", "D"}
    assert grades[ids["E4"]] == "D"
    credit = (await client.get(f"/v1/enterprises/{ids['E4']}/credit", headers=city)).json()
    assert credit["listed"] is True and credit["grade"]["grade"] == "D"
    assert credit["grade"]["schemeVersion"] == "points-2026.1" and credit["grade"]["basis"][-1].startswith("listed")


async def test_the_published_list_is_public_to_every_signed_in_role_and_narrowed_by_region(client):
    ids = await enterprise_ids()
    for username in ("officer2", "inspector1", "principal1", "regulator_dinghai", "admin"):
        headers = await login(client, username)
        items = (await client.get("/v1/blacklist", headers=headers)).json()["items"]
        assert [item["enterpriseId"] for item in items] == [ids["E4"]], username
        # others may read it, but only the department that imposed E4's penalty is offered anything to do
        assert bool(items[0]["allowedActions"]) == (username == "regulator_dinghai"), username
    officer = await login(client, "officer2")
    assert (await client.get("/v1/blacklist", params={"regionCode": "330902"}, headers=officer)).json()["items"]
    assert not (await client.get("/v1/blacklist", params={"regionCode": "330903"}, headers=officer)).json()["items"]
    assert (await client.get("/v1/blacklist", params={"regionCode": "999999"}, headers=officer)).status_code == 404
    assert (await client.get("/v1/blacklist", headers={})).status_code == 401


async def test_a_penalty_on_a_ground_makes_a_candidate_that_is_notified_heard_and_confirmed_for_3_years(client):
    ids = await enterprise_ids()
    regulator, officer = await login(client, "regulator_dinghai"), await login(client, "officer1")
    today = local_today()
    accident = await record(
        client,
        regulator,
        ids["E1"],
        "accidents",
        {
            "occurredOn": (today - timedelta(days=30)).isoformat(),
            "grade": "major",
            "deaths": 10,
            "injuries": 4,
            "description": "储罐火灾",
        },
    )
    fined = await record(
        client,
        regulator,
        ids["E1"],
        "penalties",
        penalty(today - timedelta(days=5), "accident", accidentId=accident["id"]),
    )
    assert fined["amount"] == "20000.00" and fined["accidentId"] == accident["id"]

    candidate = await listing_of(client, regulator, fined["id"])
    assert candidate["status"] == "candidate" and [g["code"] for g in candidate["grounds"]] == ["major_accident"]
    assert candidate["accidentIds"] == [accident["id"]] and candidate["penaltyIds"] == [fined["id"]]
    # the enterprise does not see a bare candidate, and may not act on it
    assert all(
        item["id"] != candidate["id"]
        for item in (await client.get(f"/v1/enterprises/{ids['E1']}/credit", headers=officer)).json()["listings"]
    )
    await act(client, officer, candidate["id"], "respond", {"statement": "早说"}, status=404)

    notified = await act(client, regulator, candidate["id"], "notify", {"on": (today - timedelta(days=3)).isoformat()})
    assert notified["status"] == "notified" and notified["notifiedOn"] == (today - timedelta(days=3)).isoformat()
    stated = await act(client, officer, candidate["id"], "respond", {"statement": "事故已如实报告，整改已完成"})
    assert stated["statement"] == "事故已如实报告，整改已完成" and stated["allowedActions"] == ["respond"]
    await act(client, officer, candidate["id"], "confirm", {}, status=403)
    confirmed = await act(client, regulator, candidate["id"], "confirm", {"note": "经集体讨论"})
    assert confirmed["status"] == "confirmed" and confirmed["listed"] is True
    assert confirmed["decidedOn"] == today.isoformat() and confirmed["expiresOn"] == add_months(today, 36).isoformat()

    # early removal waits 12 months; a decided listing cannot be confirmed again
    early = await client.post(
        f"/v1/blacklist/{candidate['id']}/remove-early", json={"reason": "信用修复"}, headers=regulator
    )
    assert early.status_code == 422 and early.json()["code"] == "BLACKLIST_INPUT_INVALID"
    again = await client.post(f"/v1/blacklist/{candidate['id']}/confirm", json={}, headers=regulator)
    assert again.status_code == 409 and again.json()["code"] == "BLACKLIST_ACTION_NOT_ALLOWED"

    public = (await client.get("/v1/blacklist", headers=officer)).json()["items"]
    assert candidate["id"] in {item["id"] for item in public}
    credit = (await client.get(f"/v1/enterprises/{ids['E1']}/credit", headers=officer)).json()
    assert credit["listed"] is True and credit["listings"][0]["id"] == candidate["id"]

    rows = await chain_rows(chain_of(ids["E1"]))
    assert [row["action"] for row in rows] == [
        "recordAccident",
        "recordPenalty",
        "computeCandidate",
        "notify",
        "respond",
        "confirm",
    ]
    assert verify_chain(event_record(row) for row in rows).ok


async def test_early_removal_after_12_months_and_reinstatement_when_facts_were_hidden(client):
    ids = await enterprise_ids()
    regulator = await login(client, "regulator_dinghai")
    today = local_today()
    refused = await record(
        client, regulator, ids["E3"], "penalties", penalty(add_months(today, -14), execution="refused")
    )
    listing = await listing_of(client, regulator, refused["id"])
    assert [g["code"] for g in listing["grounds"]] == ["penalty_refused"]
    await act(client, regulator, listing["id"], "notify", {"on": add_months(today, -13).isoformat()})
    decided = add_months(today, -12)
    await act(client, regulator, listing["id"], "confirm", {"on": decided.isoformat()})

    too_early = await client.post(
        f"/v1/blacklist/{listing['id']}/remove-early",
        headers=regulator,
        json={"reason": "信用修复", "on": (today - timedelta(days=1)).isoformat()},
    )
    assert too_early.status_code == 422, too_early.text
    removed = await act(client, regulator, listing["id"], "remove-early", {"reason": "已履行处罚并完成信用修复"})
    assert (
        removed["status"] == "removed_early"
        and removed["listed"] is False
        and removed["removedOn"] == today.isoformat()
    )
    credit = (await client.get(f"/v1/enterprises/{ids['E3']}/credit", headers=regulator)).json()
    assert credit["listed"] is False

    reinstated = await act(client, regulator, listing["id"], "reinstate", {"reason": "申请材料隐瞒了未履行的罚款"})
    assert reinstated["status"] == "confirmed" and reinstated["listed"] is True
    assert reinstated["expiresOn"] == add_months(decided, 36).isoformat() and reinstated["removedOn"] is None
    actions = [row["action"] for row in await chain_rows(chain_of(ids["E3"]))]
    assert actions[-3:] == ["confirm", "removeEarly", "reinstate"]


async def test_a_dismissed_candidate_keeps_its_reason_and_is_not_computed_again(client):
    ids = await enterprise_ids()
    regulator = await login(client, "regulator_dinghai")
    unlicensed = await record(
        client, regulator, ids["E1"], "penalties", penalty(local_today(), "unlicensed", kind="suspension", amount=None)
    )
    listing = await listing_of(client, regulator, unlicensed["id"])
    missing_reason = await client.post(f"/v1/blacklist/{listing['id']}/dismiss", json={}, headers=regulator)
    assert missing_reason.status_code == 400
    dismissed = await act(client, regulator, listing["id"], "dismiss", {"reason": "许可已依法延续，事实不成立"})
    assert dismissed["status"] == "dismissed" and dismissed["reason"] == "许可已依法延续，事实不成立"
    assert await compute_blacklist_candidates({}) == {"created": 0, "updated": 0}
    row = await BlacklistListing.select().where(BlacklistListing.id == listing["id"]).first().run()
    assert row["status"] == "dismissed"
    # never told, so the enterprise never sees it
    officer = await login(client, "officer1")
    assert not (await client.get(f"/v1/enterprises/{ids['E1']}/credit", headers=officer)).json()["listings"]


async def test_scope_other_regions_answer_404_and_enterprise_staff_and_inspectors_cannot_record_or_decide(client):
    ids = await enterprise_ids()
    dinghai, putuo_listing = await login(client, "regulator_dinghai"), None
    city = await login(client, "regulator_city")
    today = local_today()
    # a candidate in 普陀 (E2), outside 定海's region
    fined = await record(client, city, ids["E2"], "penalties", penalty(today, "serious_violation"))
    putuo_listing = await listing_of(client, city, fined["id"])
    assert putuo_listing["id"] not in {
        item["id"] for item in (await client.get("/v1/blacklist/candidates", headers=dinghai)).json()["items"]
    }
    for action, body in (("notify", {}), ("dismiss", {"reason": "x"}), ("confirm", {})):
        response = await client.post(f"/v1/blacklist/{putuo_listing['id']}/{action}", json=body, headers=dinghai)
        assert response.status_code == 404, (action, response.text)
    assert (
        await client.post(f"/v1/enterprises/{ids['E2']}/penalties", json=penalty(today), headers=dinghai)
    ).status_code == 404
    assert (await client.get(f"/v1/enterprises/{ids['E2']}/penalties", headers=dinghai)).status_code == 404
    assert (await client.get(f"/v1/enterprises/{ids['E2']}/credit", headers=dinghai)).status_code == 404

    for username in ("officer1", "principal1", "inspector1"):
        headers = await login(client, username)
        response = await client.post(f"/v1/enterprises/{ids['E1']}/penalties", json=penalty(today), headers=headers)
        assert response.status_code == 403, (username, response.text)
        accident = {"occurredOn": today.isoformat(), "grade": "general"}
        assert (
            await client.post(f"/v1/enterprises/{ids['E1']}/accidents", json=accident, headers=headers)
        ).status_code == 403
        assert (await client.get("/v1/blacklist/candidates", headers=headers)).status_code == 403
    # enterprise staff read their own penalties (they are public decisions), not another enterprise's
    officer = await login(client, "officer1")
    assert (await client.get(f"/v1/enterprises/{ids['E1']}/penalties", headers=officer)).status_code == 200
    assert (await client.get(f"/v1/enterprises/{ids['E2']}/accidents", headers=officer)).status_code == 404


async def test_penalties_and_accidents_are_checked_and_listed_newest_first(client):
    ids = await enterprise_ids()
    regulator = await login(client, "regulator_dinghai")
    today = local_today()
    first = await record(client, regulator, ids["E3"], "penalties", penalty(today - timedelta(days=40)))
    second = await record(
        client, regulator, ids["E3"], "penalties", penalty(today - timedelta(days=2), kind="warning", amount=None)
    )
    listed = (await client.get(f"/v1/enterprises/{ids['E3']}/penalties", headers=regulator)).json()
    assert [p["id"] for p in listed] == [second["id"], first["id"]]
    duplicate = await client.post(
        f"/v1/enterprises/{ids['E3']}/penalties",
        headers=regulator,
        json=penalty(today) | {"decisionNo": first["decisionNo"]},
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "ALREADY_EXISTS"
    other_accident = await record(
        client, regulator, ids["E4"], "accidents", {"occurredOn": today.isoformat(), "grade": "general"}
    )
    borrowed = await client.post(
        f"/v1/enterprises/{ids['E3']}/penalties",
        headers=regulator,
        json=penalty(today, "accident", accidentId=other_accident["id"]),
    )
    assert borrowed.status_code == 422 and borrowed.json()["params"]["field"] == "accidentId"
    accidents = (await client.get(f"/v1/enterprises/{ids['E4']}/accidents", headers=regulator)).json()
    assert accidents[0]["id"] == other_accident["id"] and len(accidents) == 2


async def test_the_expiry_job_lifts_exactly_the_listings_whose_3_years_ended_and_running_it_twice_changes_nothing(
    client,
):
    ids = await enterprise_ids()
    regulator = await login(client, "regulator_dinghai")
    today = local_today()
    listings = {}
    # decided 3 years ago today (ends today) and 3 years ago tomorrow (ends tomorrow)
    for name, decided in (("ended", add_months(today, -36)), ("running", add_months(today, -36) + timedelta(days=1))):
        fined = await record(
            client, regulator, ids["E3"], "penalties", penalty(decided - timedelta(days=20), "unlicensed")
        )
        listing = await listing_of(client, regulator, fined["id"])
        await act(client, regulator, listing["id"], "notify", {"on": (decided - timedelta(days=10)).isoformat()})
        listings[name] = await act(client, regulator, listing["id"], "confirm", {"on": decided.isoformat()})
    assert listings["ended"]["expiresOn"] == today.isoformat() and listings["ended"]["listed"] is False
    assert listings["running"]["listed"] is True

    assert await expire_blacklist_listings({}) == {"lifted": 1}
    rows = {row["id"]: row for row in await BlacklistListing.select().run()}
    events = await credit_events()
    assert rows[listings["ended"]["id"]]["status"] == "expired"
    assert rows[listings["ended"]["id"]]["ended_on"] == today
    assert rows[listings["running"]["id"]]["status"] == "confirmed"

    assert await expire_blacklist_listings({}) == {"lifted": 0}
    assert {row["id"]: row for row in await BlacklistListing.select().run()} == rows
    assert await credit_events() == events
    assert (await chain_rows(chain_of(ids["E3"])))[-1]["action"] == "expire"


async def test_computing_candidates_and_grades_twice_changes_nothing(client):
    ids = await enterprise_ids()
    regulator = await login(client, "regulator_dinghai")
    await record(client, regulator, ids["E3"], "penalties", penalty(local_today(), kind="licence_revoked", amount=None))
    first = await compute_blacklist_candidates({})
    assert first == {"created": 0, "updated": 0}  # recording already computed the enterprise's candidates
    listings = await BlacklistListing.select().run()
    events = await credit_events()
    assert await compute_credit_grades({}) == {"graded": len(ids)}
    grades = {
        row["enterprise_id"]: {k: v for k, v in row.items() if k != "computed_at"}
        for row in await CreditGrade.select().run()
    }
    assert grades[ids["E3"]]["points"] == 70 and grades[ids["E3"]]["grade"] == "C"
    assert await compute_blacklist_candidates({}) == first
    assert await compute_credit_grades({}) == {"graded": len(ids)}
    assert await BlacklistListing.select().run() == listings and await credit_events() == events
    assert {
        row["enterprise_id"]: {k: v for k, v in row.items() if k != "computed_at"}
        for row in await CreditGrade.select().run()
    } == grades


async def test_an_earlier_large_accident_recorded_later_adds_the_repeat_ground_to_a_pending_candidate(client):
    ids = await enterprise_ids()
    regulator = await login(client, "regulator_dinghai")
    today = local_today()
    later = await record(
        client,
        regulator,
        ids["E3"],
        "accidents",
        {"occurredOn": (today - timedelta(days=20)).isoformat(), "grade": "large", "concealed": True},
    )
    fined = await record(client, regulator, ids["E3"], "penalties", penalty(today, "accident", accidentId=later["id"]))
    listing = await listing_of(client, regulator, fined["id"])
    assert [g["code"] for g in listing["grounds"]] == ["accident_concealed"] and listing["version"] == 1

    # an accident 11 months before it, recorded now: the pending candidate's basis grows, in place
    earlier = await record(
        client,
        regulator,
        ids["E3"],
        "accidents",
        {"occurredOn": add_months(today - timedelta(days=20), -11).isoformat(), "grade": "large"},
    )
    refreshed = await listing_of(client, regulator, fined["id"])
    assert refreshed["id"] == listing["id"] and refreshed["version"] == 2
    assert [g["code"] for g in refreshed["grounds"]] == ["repeated_large_accidents", "accident_concealed"]
    assert refreshed["accidentIds"] == sorted([earlier["id"], later["id"]])
    actions = [row["action"] for row in await chain_rows(chain_of(ids["E3"]))]
    assert actions[-2:] == ["recordAccident", "computeCandidate"]


# --- authority: the department that imposed the penalty decides ------------------------------------------------------


async def putuo_regulator(client) -> dict[str, str]:
    """A regulator of 普陀区, the sibling district of 定海, made here (the demo's own is a 双随机 officer)."""
    admin = await login(client, "admin")
    body = {
        "username": "regulator_putuo_x",
        "name": "孙监管（普陀区应急管理局）",
        "password": "Putuo2026x",
        "role": "regulator",
        "regionCode": "330903",
    }
    assert (await client.post("/v1/admin/users", json=body, headers=admin)).status_code == 201
    return await login(client, "regulator_putuo_x", "Putuo2026x")


async def listing_row(listing_id: str) -> dict:
    return await BlacklistListing.select().where(BlacklistListing.id == listing_id).first().run()


async def refused(client, headers, listing_id: str, action: str, body: dict, status: int, code: str) -> None:
    """The step is refused with the code and changes neither the listing nor any chain."""
    before, events = await listing_row(listing_id), await credit_events()
    response = await client.post(f"/v1/blacklist/{listing_id}/{action}", json=body, headers=headers)
    assert (response.status_code, response.json()["code"]) == (status, code), (action, response.text)
    assert await listing_row(listing_id) == before and await credit_events() == events


NOT_DECIDING = (403, "CREDIT_NOT_DECIDING_DEPARTMENT")
OUT_OF_SCOPE = (404, "NOT_FOUND")


async def test_each_listing_step_is_the_deciding_districts_alone_the_city_and_a_sibling_district_are_refused(client):
    ids = await enterprise_ids()
    city, dinghai, putuo = (
        await login(client, "regulator_city"),
        await login(client, "regulator_dinghai"),
        await putuo_regulator(client),
    )
    admin = await login(client, "admin")
    today = local_today()
    # the city records 定海's decision: 定海 decides the listing that follows
    fined = await record(
        client,
        city,
        ids["E3"],
        "penalties",
        penalty(add_months(today, -14), execution="refused", authorityRegionCode="330902"),
    )
    assert fined["authorityRegionCode"] == "330902"
    listing = await listing_of(client, city, fined["id"])
    assert listing["authorityRegionCode"] == "330902" and listing["allowedActions"] == []
    assert set((await listing_of(client, dinghai, fined["id"]))["allowedActions"]) == {"notify", "dismiss"}

    steps = (
        ("notify", {"on": add_months(today, -13).isoformat()}),
        ("respond", {"statement": "企业书面陈述：已履行处罚"}),
        ("confirm", {"on": add_months(today, -12).isoformat()}),
        ("remove-early", {"reason": "已履行处罚并完成信用修复"}),
        ("reinstate", {"reason": "申请材料隐瞒了未履行的罚款"}),
    )
    for action, body in steps:
        await refused(client, city, listing["id"], action, body, *NOT_DECIDING)
        await refused(client, putuo, listing["id"], action, body, *OUT_OF_SCOPE)  # reads stay scoped: not theirs
        await refused(client, admin, listing["id"], action, body, 403, "FORBIDDEN")  # an administrator is no department
        await act(client, dinghai, listing["id"], action, body)
    assert (await listing_row(listing["id"]))["status"] == "confirmed"

    dismissed = await record(
        client,
        city,
        ids["E1"],
        "penalties",
        penalty(today, "unlicensed", kind="suspension", amount=None, authorityRegionCode="330902"),
    )
    candidate = await listing_of(client, city, dismissed["id"])
    await refused(client, city, candidate["id"], "dismiss", {"reason": "事实不清"}, *NOT_DECIDING)
    await refused(client, putuo, candidate["id"], "dismiss", {"reason": "事实不清"}, *OUT_OF_SCOPE)
    assert (await act(client, dinghai, candidate["id"], "dismiss", {"reason": "事实不清"}))["status"] == "dismissed"


async def test_a_listing_the_city_decided_is_refused_to_the_district_whose_enterprise_it_is(client):
    ids = await enterprise_ids()
    city, putuo = await login(client, "regulator_city"), await putuo_regulator(client)
    fined = await record(client, city, ids["E2"], "penalties", penalty(local_today(), "serious_violation"))
    assert fined["authorityRegionCode"] == "330900"  # by default, the recording regulator's own department
    listing = await listing_of(client, putuo, fined["id"])
    assert listing["allowedActions"] == []  # 普陀 sees its enterprise's candidate, but the city imposed the penalty
    for action, body in (("notify", {}), ("dismiss", {"reason": "x"})):
        await refused(client, putuo, listing["id"], action, body, *NOT_DECIDING)
    assert (await act(client, city, listing["id"], "notify"))["status"] == "notified"


async def test_the_deciding_department_named_on_a_penalty_holds_the_enterprise_and_lies_within_the_recorder(client):
    ids = await enterprise_ids()
    city, dinghai, admin = (
        await login(client, "regulator_city"),
        await login(client, "regulator_dinghai"),
        await login(client, "admin"),
    )
    today = local_today()
    for headers, code in (
        (dinghai, "330900"),  # the district names the city above it
        (city, "330903"),  # 普陀 does not hold E1
        (dinghai, "330902001"),  # a town of 定海, but not E1's
        (dinghai, "339999"),  # an unknown region answers the same
        (admin, "330903"),
    ):
        before = await credit_events()
        response = await client.post(
            f"/v1/enterprises/{ids['E1']}/penalties", headers=headers, json=penalty(today, authorityRegionCode=code)
        )
        assert (response.status_code, response.json()["code"]) == (422, "CREDIT_AUTHORITY_REGION_INVALID"), code
        assert response.json()["params"] == {"field": "authorityRegionCode", "reason": "not_a_deciding_region"}
        assert await credit_events() == before
    unnamed = await client.post(f"/v1/enterprises/{ids['E1']}/penalties", headers=admin, json=penalty(today))
    assert unnamed.status_code == 422 and unnamed.json()["params"]["reason"] == "required"
    malformed = await client.post(
        f"/v1/enterprises/{ids['E1']}/penalties", headers=city, json=penalty(today, authorityRegionCode="33-09")
    )
    assert malformed.status_code == 400
    by_admin = await record(client, admin, ids["E1"], "penalties", penalty(today, authorityRegionCode="330902007"))
    assert by_admin["authorityRegionCode"] == "330902007"
    assert (await record(client, dinghai, ids["E1"], "penalties", penalty(today)))["authorityRegionCode"] == "330902"
