"""Statement budgets of the hazard paths, on both engines: a read is one statement, a page one, a transition few.

Counted at the service (`domain.db.statements.counting`), so the caller's actor lookup (the request's, counted by
the `X-Statements` header) is not part of these budgets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.access.model import Actor, Role
from domain.clock import utcnow
from domain.db.statements import counting
from domain.hazards import model
from domain.hazards.services import (
    HazardFilter,
    NewHazard,
    create_hazard,
    demo_reports,
    get_hazard,
    list_hazards,
    transition,
)
from tests.conftest import login
from tests.integration.test_history_tamper import actor_named
from tests.statements import statements

# What a transition without attachments writes: the row (version-checked, with its chain head), the event, its
# anchor (SQLite: read the ledger's tail, then insert), the outbox entry and the feed row (SQLite: insert, then seq).
# Measured: 9 on SQLite, 7 on PostgreSQL (the old code ran 17 and 15: a re-read of four statements, the head read,
# the binding UPDATE, the attached photos' read and the places lookup are gone).
TRANSITION_BUDGET = 9


async def _admin() -> Actor:
    admin = await actor_named("admin")
    assert admin.role is Role.ADMIN
    return admin


async def test_reading_a_hazard_with_its_photos_and_documents_is_one_statement(db):
    admin = await _admin()
    hazard_id = (await demo_reports())[0].hazard_id
    with counting() as count:
        record = await get_hazard(actor=admin, hazard_id=hazard_id)
    assert count.value == 1
    assert record.documents and record.photos and record.enterprise_name


async def test_a_page_of_twenty_hazards_is_one_statement_whatever_the_filters(db):
    admin = await _admin()
    with counting() as count:
        page = await list_hazards(actor=admin, filters=HazardFilter(), limit=20)
    assert count.value == 1
    assert len(page.items) == 20 and page.next_cursor
    assert any(item.photos for item in page.items)
    filters = HazardFilter(statuses=("reported", "rectifying"), overdue=False, open_only=True)
    with counting() as count:
        await list_hazards(actor=admin, filters=filters, cursor=page.next_cursor, limit=20)
    assert count.value == 1


async def test_an_officers_read_is_one_statement_and_out_of_scope_reads_as_missing(db):
    officer = await actor_named("officer1")
    mine = (await list_hazards(actor=officer, filters=HazardFilter(), limit=1)).items[0]
    with counting() as count:
        assert (await get_hazard(actor=officer, hazard_id=mine.id)).id == mine.id
    assert count.value == 1


async def test_a_transition_stays_within_its_budget_and_answers_what_a_read_then_shows(db):
    officer, principal = await actor_named("officer1"), await actor_named("principal1")
    hazard, _ = await create_hazard(
        actor=officer,
        new=NewHazard(
            client_id="budget-1",
            enterprise_id=officer.enterprise_id,
            source="daily",
            category="unsafe_condition",
            title="预算",
            description="",
        ),
    )
    assign = model.Assign(officer.user_id, "整改", utcnow() + timedelta(days=2))
    with counting() as count:
        answered = await transition(actor=principal, hazard_id=hazard.id, expected_version=1, command=assign)
    assert count.value <= TRANSITION_BUDGET, count.value
    assert answered == await get_hazard(actor=principal, hazard_id=hazard.id)


ACTOR = 1  # the caller's actor, one indexed statement per request (tests/api/test_actor_budget.py)


@pytest.mark.count_statements
@pytest.mark.parametrize("username", ["officer1", "inspector1", "regulator_dinghai", "admin"])
async def test_over_http_a_hazard_and_a_page_of_twenty_cost_one_statement_beside_the_actor(client, username):
    headers = await login(client, username)
    page = await client.get("/v1/hazards", params={"limit": 20}, headers=headers)
    assert page.status_code == 200 and page.json()["items"]
    assert statements(page) == ACTOR + 1
    one = await client.get(f"/v1/hazards/{page.json()['items'][0]['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == page.json()["items"][0]
    assert statements(one) == ACTOR + 1
