"""A general hazard's deadline extension through the API: asked for by the enterprise while rectifying (also when
overdue), decided with a reason by the side that accepts the hazard, applied on approval, one at a time; the bad
inputs (wrong role or side, stale If-Match, a date before the deadline, no reason, no request) change nothing."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import utcnow
from domain.hazards.tables import Hazard
from domain.history.tables import HistoryEvent
from tests.api.test_hazards import act, chain_ok, me, now_text, report
from tests.conftest import login


async def assigned_hazard(client, *, reporter: str = "officer1", **fields) -> tuple[dict, dict, dict]:
    """A general hazard of 舟山港兴石化储运 assigned to officer1 by principal1: (hazard, officer, principal)."""
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    mine = await me(client, officer)
    raised_by = officer if reporter == "officer1" else await login(client, reporter)
    hazard = await report(client, raised_by, enterprise_id=mine["enterpriseId"], **fields)
    assigned = await act(
        client,
        principal,
        hazard,
        {
            "action": "assign",
            "assigneeId": mine["id"],
            "measures": "更换破损接地线",
            "deadline": now_text(timedelta(days=3)),
        },
    )
    assert assigned.status_code == 200, assigned.text
    return assigned.json(), officer, principal


def ask(days: int, reason: str = "接地线备件到货延迟") -> dict:
    return {"action": "extendDeadline", "newDeadline": now_text(timedelta(days=days)), "reason": reason}


async def test_the_assignee_asks_for_a_later_deadline_and_the_principal_approves_it_with_a_reason(client):
    hazard, officer, principal = await assigned_hazard(client)
    mine = (await client.get(f"/v1/hazards/{hazard['id']}", headers=officer)).json()
    assert "extendDeadline" in mine["allowedActions"] and "decideExtension" not in mine["allowedActions"]
    asked = await act(client, officer, hazard, ask(10))
    assert asked.status_code == 200, asked.text
    hazard = asked.json()
    assert hazard["requestedDeadline"] and hazard["deadline"] != hazard["requestedDeadline"]
    assert hazard["extensionRequesterId"] == (await me(client, officer))["id"] and hazard["status"] == "rectifying"
    assert "decideExtension" not in hazard["allowedActions"] and "extendDeadline" not in hazard["allowedActions"]
    theirs = (await client.get(f"/v1/hazards/{hazard['id']}", headers=principal)).json()
    assert "decideExtension" in theirs["allowedActions"]
    approved = await act(
        client, principal, hazard, {"action": "decideExtension", "approved": True, "reason": "到货单已核实"}
    )
    assert approved.status_code == 200, approved.text
    decided = approved.json()
    assert decided["deadline"] == hazard["requestedDeadline"] and decided["requestedDeadline"] is None
    assert decided["extensionRequesterId"] is None and decided["version"] == 4
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    assert [e["name"] for e in history][-2:] == ["HazardExtensionRequested", "HazardExtensionDecided"]
    assert history[-1]["payload"]["reason"] == "到货单已核实" and history[-1]["payload"]["approved"] is True
    assert await chain_ok(hazard["id"])


async def test_an_overdue_hazard_may_ask_and_a_refusal_keeps_the_deadline(client):
    hazard, officer, principal = await assigned_hazard(client)
    # the deadline passed (moved back in the row: the API cannot set a past deadline); asking is still allowed
    async with Hazard._meta.db.transaction():
        await Hazard.update({Hazard.deadline: utcnow() - timedelta(days=1)}).where(Hazard.id == hazard["id"]).run()
    overdue = (await client.get(f"/v1/hazards/{hazard['id']}", headers=officer)).json()
    assert overdue["overdue"] is True and "extendDeadline" in overdue["allowedActions"]
    too_soon = await act(
        client,
        officer,
        overdue,
        {"action": "extendDeadline", "newDeadline": now_text(timedelta(hours=-1)), "reason": "已逾期"},
    )
    assert too_soon.status_code == 422 and too_soon.json()["params"]["guard"] == "new_deadline_extends_current"
    asked = await act(client, officer, overdue, ask(5))
    assert asked.status_code == 200, asked.text
    refused = await act(
        client,
        principal,
        asked.json(),
        {"action": "decideExtension", "approved": False, "reason": "备件可从其他罐区调拨"},
    )
    assert refused.status_code == 200 and refused.json()["requestedDeadline"] is None
    assert refused.json()["overdue"] is True and refused.json()["deadline"] == overdue["deadline"]


async def test_bad_requests_and_decisions_are_refused_and_leave_no_event(client):
    hazard, officer, principal = await assigned_hazard(client)
    events = await HistoryEvent.count().where(HistoryEvent.chain_id == hazard["id"])
    before = await act(
        client,
        officer,
        hazard,
        {"action": "extendDeadline", "newDeadline": now_text(timedelta(days=2)), "reason": "提前"},
    )
    assert before.status_code == 422 and before.json()["params"]["guard"] == "new_deadline_extends_current"
    no_reason = await act(client, officer, hazard, ask(10, reason="  "))
    assert no_reason.status_code == 422 and no_reason.json()["params"]["guard"] == "reason_given"
    missing = await act(
        client, officer, hazard, {"action": "extendDeadline", "newDeadline": now_text(timedelta(days=9))}
    )
    assert missing.status_code == 400
    undated = await act(client, officer, hazard, {"action": "extendDeadline", "newDeadline": "明天", "reason": "r"})
    assert undated.status_code == 400
    nothing_asked = await act(
        client, principal, hazard, {"action": "decideExtension", "approved": True, "reason": "同意"}
    )
    assert nothing_asked.status_code == 422 and nothing_asked.json()["params"]["guard"] == "extension_pending"
    inspector = await login(client, "inspector1")
    not_theirs = await act(client, inspector, hazard, ask(10))
    assert not_theirs.status_code == 403 and not_theirs.json()["code"] == "HAZARD_ROLE_NOT_ALLOWED"
    assert await HistoryEvent.count().where(HistoryEvent.chain_id == hazard["id"]) == events
    asked = (await act(client, officer, hazard, ask(10))).json()
    stale = await act(
        client,
        principal,
        asked,
        {"action": "decideExtension", "approved": True, "reason": "同意"},
        version=hazard["version"],
    )
    assert stale.status_code == 412 and stale.json()["code"] == "HAZARD_VERSION_STALE"
    second = await act(client, principal, asked, ask(20, reason="再延期"))
    assert second.status_code == 422 and second.json()["params"]["guard"] == "no_extension_pending"
    own = await act(client, officer, asked, {"action": "decideExtension", "approved": True, "reason": "同意"})
    assert own.status_code == 422 and own.json()["params"]["guard"] == "decider_is_neither_requester_nor_assignee"
    unexplained = await act(client, principal, asked, {"action": "decideExtension", "approved": True, "note": "同意"})
    assert unexplained.status_code == 422 and unexplained.json()["params"]["guard"] == "reason_given"
    regulator = await login(client, "regulator_dinghai")
    other_side = await act(client, regulator, asked, {"action": "decideExtension", "approved": True, "reason": "同意"})
    assert other_side.status_code == 422 and other_side.json()["params"]["guard"] == "acceptor_is_on_raising_side"
    unchanged = (await client.get(f"/v1/hazards/{hazard['id']}", headers=officer)).json()
    assert (unchanged["version"], unchanged["deadline"]) == (asked["version"], hazard["deadline"])


async def test_an_inspectors_hazard_has_its_extension_decided_by_the_inspector_not_the_principal(client):
    inspector = await login(client, "inspector1")
    hazard, officer, principal = await assigned_hazard(client, reporter="inspector1", source="grid_inspection")
    asked = await act(client, officer, hazard, ask(10))
    assert asked.status_code == 200, asked.text
    by_principal = await act(
        client, principal, asked.json(), {"action": "decideExtension", "approved": True, "reason": "同意"}
    )
    assert by_principal.status_code == 422 and by_principal.json()["params"]["guard"] == "acceptor_is_on_raising_side"
    seen = (await client.get(f"/v1/hazards/{hazard['id']}", headers=inspector)).json()
    assert "decideExtension" in seen["allowedActions"]
    approved = await act(
        client, inspector, asked.json(), {"action": "decideExtension", "approved": True, "reason": "网格员现场核实"}
    )
    assert approved.status_code == 200 and approved.json()["deadline"] == asked.json()["requestedDeadline"]
