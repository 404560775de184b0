"""Counting the SQL statements a request (or any block of code) runs, on either engine.

Every statement reaches the database through the engine's run methods (piccolo queries, `Table.raw`, `run_ddl`
and the prepared statements of `domain.db.sql`); each calls `count_statement()`. A count is a mutable box held in
a context variable, so tasks spawned inside the block (which copy the context) add to the same box. Transaction
control (BEGIN, COMMIT, SAVEPOINT) is not counted: the count is of the statements the code itself asks for.

With `Settings.count_statements` (`SF_COUNT_STATEMENTS=1`; tests only), api/statements.py answers every routed
request with an `X-Statements: <n>` header: the statements run from the request's arrival to its response's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_count: ContextVar[list[int] | None] = ContextVar("sf_statement_count", default=None)


def count_statement() -> None:
    """Add one statement to the count of the enclosing `counting()` block, if any."""
    box = _count.get()
    if box is not None:
        box[0] += 1


class StatementCount:
    """The statements run so far inside a `counting()` block."""

    __slots__ = ("_box",)

    def __init__(self, box: list[int]) -> None:
        self._box = box

    @property
    def value(self) -> int:
        """How many statements ran so far."""
        return self._box[0]


@contextmanager
def counting() -> Iterator[StatementCount]:
    """Count the statements the block runs (its own count: an enclosing block does not see them)."""
    box = [0]
    token = _count.set(box)
    try:
        yield StatementCount(box)
    finally:
        _count.reset(token)
