"""The scan's statement budget (issue 14): its card is read in at most two statements and its record written in a
third, on both engines, whatever the card shows (a staff member's point card with its checklist, open hazards and
tasks due; an enterprise card with its safety code).

A request's `X-Statements` also counts authentication, which is not the scan's to spend: it is measured on a forged
code of the right shape, which the scan refuses before reading anything (its HMAC fails)."""

from __future__ import annotations

import pytest

from domain.clock import utcnow
from domain.inspections.services import generate_tasks
from tests.conftest import login
from tests.statements import statements

SCAN_BUDGET = 3
FORGED = "A" * 60


async def _authentication(client, headers) -> int:
    refused = await client.get(f"/v1/scan/{FORGED}", headers=headers)
    assert refused.status_code == 404 and refused.json()["code"] == "QR_INVALID"
    return statements(refused)


@pytest.mark.count_statements
async def test_a_staff_members_point_scan_reads_its_card_in_two_statements_and_records_it_in_a_third(client):
    await generate_tasks(now=utcnow())
    officer = await login(client, "officer1")
    enterprise_id = (await client.get("/v1/enterprises", headers=officer)).json()["items"][0]["id"]
    points = (await client.get(f"/v1/enterprises/{enterprise_id}/risk-points?limit=100", headers=officer)).json()
    cards = []
    for point in points["items"]:
        scanned = await client.get(f"/v1/scan/{point['qr']['token']}?lat=30.05&lng=121.95", headers=officer)
        assert scanned.status_code == 200, scanned.text
        cards.append((scanned.json(), statements(scanned)))
    # the seed gives some points a checklist with tasks due now: the fullest card costs what the emptiest does
    assert any(card["checklist"] and card.get("dueTask") for card, _ in cards)
    spent = {count for _, count in cards}
    assert max(spent) - await _authentication(client, officer) <= SCAN_BUDGET, spent


@pytest.mark.count_statements
async def test_an_enterprise_scan_reads_its_card_with_the_safety_code_in_two_statements(client):
    inspector = await login(client, "inspector1")
    enterprise_id = (await client.get("/v1/enterprises", headers=inspector)).json()["items"][0]["id"]
    enterprise = (await client.get(f"/v1/enterprises/{enterprise_id}", headers=inspector)).json()
    scanned = await client.get(f"/v1/scan/{enterprise['safetyCode']['token']}", headers=inspector)
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["enterprise"]["safetyCodeColor"] == enterprise["safetyCode"]["color"]
    assert statements(scanned) - await _authentication(client, inspector) <= SCAN_BUDGET
