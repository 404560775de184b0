"""Tasks reach people (issue 13): posts (岗位) named by checklist items, held by enterprise staff, set by their
principal or an administrator; `GET /v1/tasks?mine=true` and the scan card's due task follow them. On both engines."""

from __future__ import annotations

import httpx
import pytest

from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.inspections.services import generate_tasks
from domain.org.tables import Enterprise
from domain.risk.tables import RiskPoint
from mobile_contract.client import ApiError, Client
from seed import zhoushan
from seed.risk_points import RISK_POINTS
from tests.conftest import login


async def enterprise_id(key: str) -> str:
    name = next(name for k, name, *_ in zhoushan.ENTERPRISES if k == key)
    return (await Enterprise.select(Enterprise.id).where(Enterprise.name == name).first().run())["id"]


async def user_id(username: str) -> str:
    return (await AppUser.select(AppUser.id).where(AppUser.username == username).first().run())["id"]


async def set_posts(client: httpx.AsyncClient, headers: dict, enterprise: str, user: str, body) -> httpx.Response:
    return await client.put(f"/v1/enterprises/{enterprise}/users/{user}/posts", headers=headers, json=body)


async def due(client: httpx.AsyncClient, headers: dict, **params) -> httpx.Response:
    return await client.get("/v1/tasks", headers=headers, params={"due": "true", "limit": 1000} | params)


async def test_the_demo_staff_hold_posts_their_enterprise_s_checklists_name(client):
    e1, officer = await enterprise_id("E1"), await login(client, "officer1")
    listed = await client.get(f"/v1/enterprises/{e1}/posts", headers=officer)
    assert listed.status_code == 200, listed.text
    posts = {post["name"]: post for post in listed.json()}
    officer1 = await user_id("officer1")
    for name in zhoushan.DEMO_POSTS["officer1"]:
        assert posts[name]["checklistItems"] >= 1 and officer1 in posts[name]["holderIds"], name
    assert "测爆员" not in posts  # E2's post is not E1's
    held = await client.get(f"/v1/enterprises/{e1}/users/{officer1}/posts", headers=officer)
    assert held.status_code == 200 and held.json() == {
        "userId": officer1,
        "enterpriseId": e1,
        "posts": sorted(zhoushan.DEMO_POSTS["officer1"]),
    }
    # the phone learns its user's posts from /v1/me (null for roles that hold none)
    assert (await client.get("/v1/me", headers=officer)).json()["posts"] == sorted(zhoushan.DEMO_POSTS["officer1"])
    assert (await client.get("/v1/me", headers=await login(client, "inspector1"))).json()["posts"] is None
    # another enterprise's posts and people are not visible, exactly like missing ones
    e2 = await enterprise_id("E2")
    assert (await client.get(f"/v1/enterprises/{e2}/posts", headers=officer)).status_code == 404
    assert (
        await client.get(f"/v1/enterprises/{e1}/users/{await user_id('officer2')}/posts", headers=officer)
    ).status_code == 404


async def test_mine_lists_only_the_tasks_of_the_posts_the_caller_holds(client):
    await generate_tasks(now=utcnow())
    officer = await login(client, "officer1")
    everyone = await due(client, officer)
    mine = await due(client, officer, mine="true")
    assert everyone.status_code == 200 and mine.status_code == 200, mine.text
    held = set(zhoushan.DEMO_POSTS["officer1"])
    assert mine.json()["items"], "the 2-hourly 罐区操作工 patrol is always due"
    assert all(task["responsiblePost"] in held for task in mine.json()["items"])
    theirs = {task["id"] for task in everyone.json()["items"] if task["responsiblePost"] in held}
    assert {task["id"] for task in mine.json()["items"]} == theirs
    assert any(task["responsiblePost"] not in held for task in everyone.json()["items"])  # others' work stays out
    # mine=true without due: every task of the caller's posts, windows past included
    all_mine = await client.get("/v1/tasks", headers=officer, params={"mine": "true", "limit": 1000})
    assert all_mine.status_code == 200 and all(t["responsiblePost"] in held for t in all_mine.json()["items"])

    # the principal gives the officer the pump-room post instead: the officer's tasks follow at once
    e1, officer1 = await enterprise_id("E1"), await user_id("officer1")
    changed = await set_posts(
        client, await login(client, "principal1"), e1, officer1, {"posts": [" 泵房操作工 ", "泵房操作工"]}
    )
    assert changed.status_code == 200 and changed.json()["posts"] == ["泵房操作工"], changed.text
    now_mine = (await due(client, officer, mine="true")).json()["items"]
    assert now_mine and {task["responsiblePost"] for task in now_mine} == {"泵房操作工"}


async def test_mine_is_refused_to_those_who_have_no_tasks_of_their_own(client):
    for username in ("inspector1", "regulator_dinghai", "admin"):
        refused = await due(client, await login(client, username), mine="true")
        assert (refused.status_code, refused.json()["code"]) == (422, "TASKS_MINE_NOT_STAFF"), username
        assert (await due(client, await login(client, username))).status_code == 200  # without mine, as before
    # staff holding no post are told so, not handed an empty list that looks like "nothing due"
    e1, officer1 = await enterprise_id("E1"), await user_id("officer1")
    cleared = await set_posts(client, await login(client, "admin"), e1, officer1, {"posts": []})
    assert cleared.status_code == 200 and cleared.json()["posts"] == []
    refused = await due(client, await login(client, "officer1"), mine="true")
    assert (refused.status_code, refused.json()["code"]) == (422, "TASKS_NO_POST")
    assert (
        await client.get("/v1/tasks", headers=await login(client, "officer1"), params={"mine": "maybe"})
    ).status_code == 400


async def test_setting_posts_refuses_unknown_posts_others_posts_others_people_and_other_roles(client):
    e1, e2 = await enterprise_id("E1"), await enterprise_id("E2")
    officer1, officer2 = await user_id("officer1"), await user_id("officer2")
    principal1, admin = await login(client, "principal1"), await login(client, "admin")
    before = (await client.get(f"/v1/enterprises/{e1}/users/{officer1}/posts", headers=principal1)).json()["posts"]

    for body, code in (
        ({"posts": ["不存在的岗位"]}, "POST_UNKNOWN"),
        ({"posts": ["罐区操作工", "测爆员"]}, "POST_UNKNOWN"),  # 测爆员 is E2's post
        ({"posts": "罐区操作工"}, "REQUEST_MALFORMED"),
        ({"posts": [""]}, "REQUEST_MALFORMED"),
        ({"posts": ["x" * 101]}, "REQUEST_MALFORMED"),
        ({"posts": [f"岗位{i}" for i in range(21)]}, "REQUEST_MALFORMED"),
        ({}, "REQUEST_MALFORMED"),
        ({"posts": ["罐区操作工"], "role": "admin"}, "REQUEST_MALFORMED"),
    ):
        refused = await set_posts(client, principal1, e1, officer1, body)
        assert refused.json()["code"] == code, (body, refused.text)
        assert refused.status_code == (422 if code == "POST_UNKNOWN" else 400)
    unknown = await set_posts(client, principal1, e1, officer1, {"posts": ["罐区操作工", "测爆员", "不存在的岗位"]})
    assert unknown.json()["params"]["posts"] == ["测爆员", "不存在的岗位"]

    # other people and other enterprises answer like missing ones; only a principal or an admin sets posts
    assert (await set_posts(client, principal1, e1, officer2, {"posts": ["罐区操作工"]})).status_code == 404
    assert (await set_posts(client, principal1, e2, officer2, {"posts": ["测爆员"]})).status_code == 404
    assert (
        await set_posts(client, principal1, e1, await user_id("regulator_dinghai"), {"posts": []})
    ).status_code == 404
    assert (await set_posts(client, principal1, e1, "01NOSUCHUSER0000000000000", {"posts": []})).status_code == 404
    for username in ("officer1", "inspector1", "regulator_dinghai"):
        refused = await set_posts(client, await login(client, username), e1, officer1, {"posts": ["罐区操作工"]})
        assert refused.status_code in (403, 404) and refused.json()["code"] in ("FORBIDDEN", "NOT_FOUND"), username
    # nothing half-stored by any of those
    after = (await client.get(f"/v1/enterprises/{e1}/users/{officer1}/posts", headers=principal1)).json()["posts"]
    assert after == before
    # an administrator sets anyone's posts within that person's enterprise
    made = await set_posts(client, admin, e2, officer2, {"posts": ["测爆员", "机修工"]})
    assert made.status_code == 200 and made.json()["posts"] == sorted(["测爆员", "机修工"]), made.text


async def _card(client, headers, point_name: str) -> tuple[dict, dict[str, str]]:
    """The scan card of a demo point of E1, and its checklist's posts by item id."""
    point = await RiskPoint.select(RiskPoint.id).where(RiskPoint.name == point_name).first().run()
    detail = (await client.get(f"/v1/risk-points/{point['id']}", headers=headers)).json()
    card = await client.get(f"/v1/scan/{detail['qr']['token']}", headers=headers)
    assert card.status_code == 200, card.text
    checklist = (await client.get(f"/v1/risk-points/{point['id']}/checklist", headers=headers)).json()
    return card.json(), {item["id"]: item["responsiblePost"] for item in checklist}


async def test_the_scan_card_s_due_task_is_the_caller_s_own_when_they_have_one(client):
    await generate_tasks(now=utcnow())
    officer = await login(client, "officer1")
    held = set(zhoushan.DEMO_POSTS["officer1"])
    tank_point = next(
        p["name"]
        for p in RISK_POINTS["E1"]
        if any(c["responsiblePost"] == "罐区操作工" for c in p.get("checklist", []))
    )
    card, posts = await _card(client, officer, tank_point)
    assert card["dueTask"] and card["dueTask"]["mine"] is True
    assert {posts[item["itemId"]] for item in card["dueTask"]["items"]} <= held
    # a point where none of the due items is the officer's: the point's due items, not marked as theirs
    pump_point = next(
        p["name"]
        for p in RISK_POINTS["E1"]
        if {c["responsiblePost"] for c in p.get("checklist", [])} == {"泵房操作工", "设备技术员", "电仪主管"}
    )
    card, posts = await _card(client, officer, pump_point)
    assert card["dueTask"] and card["dueTask"]["mine"] is False
    assert not {posts[item["itemId"]] for item in card["dueTask"]["items"]} & held
    # an inspector's card has no due task: tasks are the enterprise's duty
    card, _ = await _card(client, await login(client, "inspector1"), tank_point)
    assert card.get("dueTask") is None


async def test_the_reference_client_sets_posts_and_lists_the_callers_own_tasks(app):
    await generate_tasks(now=utcnow())
    transport = httpx.ASGITransport(app=app)
    e1, officer1 = await enterprise_id("E1"), await user_id("officer1")
    async with Client("http://testserver", transport=transport) as principal:
        await principal.login("principal1", "Demo@2026")
        names = {post.name for post in await principal.posts(e1)}
        assert {"罐区操作工", "泵房操作工"} <= names
        assert (await principal.set_user_posts(e1, officer1, ["泵房操作工"])).posts == ["泵房操作工"]
        with pytest.raises(ApiError) as refused:
            await principal.set_user_posts(e1, officer1, ["测爆员"])
        assert (refused.value.status, refused.value.code) == (422, "POST_UNKNOWN")
    async with Client("http://testserver", transport=transport) as officer:
        await officer.login("officer1", "Demo@2026")
        own = await officer.tasks(due=True, mine=True, limit=1000)
        assert own.items and {task.responsible_post for task in own.items} == {"泵房操作工"}
