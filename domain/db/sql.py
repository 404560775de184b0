"""Statements declared once, as module constants, and run on either engine without piccolo's query building.

    USER_BY_ID = Statement("SELECT id, name FROM app_user WHERE id = {}", short=True)
    row = await USER_BY_ID.one(user_id)

Arguments are marked `{}`, in order (the convention of the stores' SQL fragments and of `Table.raw`); the text is
compiled for both engines when declared (`?` for SQLite, `$1, $2, …` for PostgreSQL). Both drivers keep prepared
statements by their text (sqlite3's per-connection statement cache, asyncpg's), so a constant statement is parsed
and planned once per connection. `short=True` declares a read bounded by an index lookup: on SQLite, outside a
transaction, it runs synchronously on the event loop's own connection, without a hop to aiosqlite's thread (see
`EmbeddedSQLiteEngine.loop_reader`). Rows are mappings (`row["column"]`, `row.get("column")`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.db.transactions import current_engine


def compile_for(template: str, *, sqlite: bool) -> str:
    """The statement text for an engine: each `{}` becomes `?` (SQLite) or `$n` (PostgreSQL)."""
    parts = template.split("{}")
    if sqlite:
        return "?".join(parts)
    return parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], 1))


class Statement:
    """One SQL statement, compiled for both engines once; `short`: a read bounded by an index lookup."""

    __slots__ = ("postgres", "short", "sqlite", "template")

    def __init__(self, template: str, *, short: bool = False) -> None:
        self.template = template
        self.short = short
        self.sqlite = compile_for(template, sqlite=True)
        self.postgres = compile_for(template, sqlite=False)

    async def rows(self, *args: Any) -> list[Mapping[str, Any]]:
        """Every row the statement returns."""
        engine = current_engine()
        text = self.sqlite if engine.engine_type == "sqlite" else self.postgres
        return await engine.fetch_sql(text, args, short=self.short)

    async def one(self, *args: Any) -> Mapping[str, Any] | None:
        """The first row, or None."""
        rows = await self.rows(*args)
        return rows[0] if rows else None

    def __repr__(self) -> str:
        return f"Statement({self.template!r})"
