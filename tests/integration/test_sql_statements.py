"""Declared statements (domain/db/sql.py): one text for both engines, run without piccolo's query building."""

from __future__ import annotations

import pytest

from domain.accounts.tables import AppUser
from domain.db.sql import Statement, compile_for
from domain.db.statements import counting
from domain.db.transactions import is_sqlite, transaction

_BY_USERNAME = Statement("SELECT id, username, disabled FROM app_user WHERE username = {}", short=True)
_NAME_OF = Statement("SELECT name FROM app_user WHERE id = {} AND name <> {}")


def test_arguments_are_numbered_for_postgresql_and_marked_for_sqlite():
    template = "SELECT a FROM t WHERE b = {} AND c IN ({}, {})"
    assert compile_for(template, sqlite=True) == "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
    assert compile_for(template, sqlite=False) == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"


async def test_a_statement_reads_the_same_row_as_piccolo_on_either_engine(db):
    expected = await AppUser.select(AppUser.id, AppUser.disabled).where(AppUser.username == "officer1").first().run()
    with counting() as count:
        row = await _BY_USERNAME.one("officer1")
        missing = await _BY_USERNAME.one("nobody")
    assert (row["id"], row["username"], row["disabled"]) == (expected["id"], "officer1", False)
    assert missing is None
    assert count.value == 2


async def test_inside_a_transaction_a_statement_sees_the_transactions_own_writes(db):
    officer = await _BY_USERNAME.one("officer1")
    with pytest.raises(RuntimeError):
        async with transaction():
            await AppUser.update({AppUser.name: "renamed"}).where(AppUser.id == officer["id"]).run()
            assert (await _NAME_OF.one(officer["id"], "x"))["name"] == "renamed"
            raise RuntimeError("roll back")
    assert (await _NAME_OF.one(officer["id"], "x"))["name"] != "renamed"


async def test_a_short_read_on_sqlite_runs_in_the_event_loops_thread(db, monkeypatch):
    if not is_sqlite():
        pytest.skip("the loop's own reader is SQLite's")
    _, engine = db

    async def no_thread(*_args, **_kwargs):
        raise AssertionError("a short read went to the threaded reader")

    monkeypatch.setattr(engine, "reader_connection", no_thread)
    assert (await _BY_USERNAME.one("officer1"))["username"] == "officer1"
