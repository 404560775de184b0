"""The statement counter: each statement through the engine is counted, per request and per block, on both engines."""

from __future__ import annotations

import pytest

from domain.accounts.tables import AppUser
from domain.db.statements import counting
from domain.db.transactions import transaction
from tests.conftest import login
from tests.statements import HEADER, statements


async def test_counting_counts_piccolo_queries_raw_sql_and_statements_in_transactions(db):
    with counting() as count:
        await AppUser.select(AppUser.id).limit(1).run()
        await AppUser.raw("SELECT 1 AS one").run()
        async with transaction():
            await AppUser.count().run()
    assert count.value == 3


async def test_a_nested_block_counts_its_own_statements_only(db):
    with counting() as outer:
        await AppUser.count().run()
        with counting() as inner:
            await AppUser.count().run()
            await AppUser.count().run()
    assert (outer.value, inner.value) == (1, 2)


@pytest.mark.count_statements
async def test_each_response_says_how_many_statements_its_request_ran(client):
    headers = await login(client, "officer1")
    first = await client.get("/v1/me", headers=headers)
    second = await client.get("/v1/me", headers=headers)
    assert first.status_code == 200
    assert statements(first) == statements(second) > 0  # the count is per request, not cumulative


async def test_without_the_mark_no_response_carries_the_count(client):
    headers = await login(client, "officer1")
    assert HEADER not in (await client.get("/v1/me", headers=headers)).headers
