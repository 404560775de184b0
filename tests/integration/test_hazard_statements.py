"""Statement budgets of the hazard paths, on both engines: a read is one statement, a page one, a transition few.

Counted at the service (`domain.db.statements.counting`), so the caller's actor lookup (the request's, counted by
the `X-Statements` header) is not part of these budgets.
"""

from __future__ import annotations

from datetime import timedelta

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
from tests.integration.test_history_tamper import actor_named

# What a transition without attachments writes: the row (version-checked, with its chain head), the event, its
# anchor (SQLite: read the ledger's tail, then insert), the outbox entry and the feed row (SQLite: insert, then seq).
# Before issue 14 the same assignment ran 17 statements on SQLite.
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
