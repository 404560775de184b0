"""The clock stepped (an NTP correction) backwards and forwards, on the injected clock (domain.clock), on both engines.

What is expected, and decided here:
- Overdue is derived from the clock at each read, never stored: it flips exactly at the deadline (at the deadline
  not yet, a microsecond after it yes) in both directions, in the hazard and in the list filtered by `overdue`.
- A hazard's history is ordered by its sequence and hash links, not by time: a backward step may record an event
  whose time is earlier than its predecessor's. That is the clock's honest reading; `verify` checks the links and
  stays OK, and the history keeps its order. A closed hazard stays closed whatever the clock does later.
- The Zhoushan day of an instant is the same in every area that computes one, on both sides of midnight (UTC+8).
- A sign-in lockout lasts its window on this clock: a step forward past the window's end frees the pair, a step
  back into the window locks it again, and a step back to before the failures keeps it locked (failures that seem
  to lie ahead still count), so a backward step never frees an account early.
Access tokens are not on this clock (see domain/clock.py): a step of it does not move them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.clock import start_clock_at, utcnow
from domain.criteria.model import local_day as criteria_day
from domain.escalation.model import local_day as escalation_day
from domain.hazards.services import verify_hazard_chain
from domain.random_checks.model import local_day as random_check_day
from domain.statutory.model import local_date as statutory_day
from tests.api.test_hazards import act, me, report, upload
from tests.api.test_signin_hardening import ATTACKER, from_address, sign_in
from tests.conftest import DEMO_PASSWORD, login

TICK = timedelta(microseconds=1)


async def assigned_hazard(client, *, deadline: datetime) -> tuple[dict, dict, dict]:
    """A hazard of officer1's enterprise, assigned by the principal to officer1 with this deadline."""
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    who = await me(client, officer)
    hazard = await report(client, officer, enterprise_id=who["enterpriseId"])
    body = {
        "action": "assign",
        "assigneeId": who["id"],
        "measures": "关闭箱门并张贴警示",
        "deadline": deadline.isoformat(),
    }
    assigned = await act(client, principal, hazard, body)
    assert assigned.status_code == 200, assigned.text
    return assigned.json(), officer, principal


async def overdue_now(client, headers: dict, hazard_id: str) -> tuple[bool, bool]:
    """(the hazard's own `overdue`, whether the list of overdue hazards holds it) read at the clock's time now."""
    own = (await client.get(f"/v1/hazards/{hazard_id}", headers=headers)).json()["overdue"]
    listed = await client.get("/v1/hazards", params={"overdue": "true", "limit": 1000}, headers=headers)
    assert listed.status_code == 200, listed.text
    return own, hazard_id in {item["id"] for item in listed.json()["items"]}


async def test_overdue_flips_exactly_at_the_deadline_when_the_clock_steps_either_way(client):
    deadline = (utcnow() + timedelta(hours=2)).replace(microsecond=0)
    hazard, officer, _ = await assigned_hazard(client, deadline=deadline)
    steps = [
        (deadline - TICK, False),
        (deadline, False),  # at the deadline the work is not late yet
        (deadline + TICK, True),
        (deadline + timedelta(days=3), True),  # a step forward of days
        (deadline - timedelta(hours=1), False),  # and back again: overdue is read, never stored
        (deadline + TICK, True),
    ]
    for instant, expected in steps:
        start_clock_at(instant, ticking=False)
        assert await overdue_now(client, officer, hazard["id"]) == (expected, expected), instant


async def test_a_backward_step_mid_workflow_keeps_the_chain_valid_and_a_closed_hazard_closed(client):
    start = utcnow()
    hazard, officer, principal = await assigned_hazard(client, deadline=start + timedelta(days=1))
    start_clock_at(start - timedelta(hours=3))  # NTP steps the clock back three hours
    fixed = await act(
        client, officer, hazard, {"action": "submitRectification", "afterPhotoIds": [await upload(client, officer)]}
    )
    assert fixed.status_code == 200, fixed.text
    accepted = await act(client, principal, fixed.json(), {"action": "accept", "note": "复查合格"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "closed", accepted.text

    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    assert [event["seq"] for event in history] == [1, 2, 3, 4]
    assert [e["prevHash"] for e in history[1:]] == [e["hash"] for e in history[:-1]]
    times = [datetime.fromisoformat(event["at"]) for event in history]
    assert times[2] < times[1]  # recorded as the clock read it: earlier than the assignment before it
    assert await verify_hazard_chain(hazard["id"])

    for instant in (start + timedelta(days=5), start - timedelta(days=5), start):
        start_clock_at(instant, ticking=False)
        now_seen = (await client.get(f"/v1/hazards/{hazard['id']}", headers=officer)).json()
        assert (now_seen["status"], now_seen["overdue"], now_seen["allowedActions"]) == ("closed", False, [])
        assert now_seen["version"] == accepted.json()["version"]  # nothing moved it


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (datetime(2026, 12, 2, 15, 59, 59, 999999, tzinfo=UTC), date(2026, 12, 2)),  # 23:59:59.999999 in Zhoushan
        (datetime(2026, 12, 2, 16, 0, 0, tzinfo=UTC), date(2026, 12, 3)),  # midnight: the next day
        (datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC), date(2027, 1, 1)),  # and the next year
    ],
)
def test_every_area_counts_an_instant_on_the_same_zhoushan_day_on_both_sides_of_midnight(instant, day):
    for local_day in (criteria_day, escalation_day, random_check_day, statutory_day):
        assert local_day(instant) == day, local_day.__module__


async def test_a_lockout_lasts_its_window_on_the_clock_and_a_backward_step_never_frees_it_early(app):
    failed_at = utcnow().replace(microsecond=0)
    start_clock_at(failed_at, ticking=False)
    async with from_address(app, ATTACKER) as attacker:
        for _ in range(5):
            assert (await sign_in(attacker, "admin", "Guess-2026x")).status_code == 401
        steps = [
            (failed_at + timedelta(minutes=14), 423),  # within the 15 minutes
            (failed_at - timedelta(hours=3), 423),  # back before the failures: they still count
            (failed_at + timedelta(minutes=1), 423),
        ]
        for instant, expected in steps:
            start_clock_at(instant, ticking=False)
            answered = await sign_in(attacker, "admin", DEMO_PASSWORD)
            assert answered.status_code == expected, (instant, answered.text)
        start_clock_at(failed_at + timedelta(minutes=15, seconds=1), ticking=False)  # forward past the window
        assert (await sign_in(attacker, "admin", DEMO_PASSWORD)).status_code == 200
