"""Which failures mean the database is away (503 STORAGE_UNAVAILABLE) and which stay bugs (500): one classification."""

from __future__ import annotations

import errno

import asyncpg
import pytest

from domain.db.outage import is_storage_outage


def raised_from(outer: Exception, inner: Exception) -> Exception:
    """`outer` raised while handling `inner`, as a driver wraps a socket error."""
    try:
        try:
            raise inner
        except Exception:
            raise outer  # noqa: B904 - the implicit context is what is being tested
    except Exception as error:
        return error


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        OSError(errno.EHOSTUNREACH, "No route to host"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.CrashShutdownError("terminating connection because of crash of another server process"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.InterfaceError("connection is closed"),
        raised_from(RuntimeError("the pool gave up"), ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
        ExceptionGroup("dependencies", [ConnectionRefusedError(errno.ECONNREFUSED, "refused")]),
    ],
    ids=repr,
)
def test_a_database_that_cannot_be_reached_is_an_outage(error):
    assert is_storage_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.InterfaceError("cannot perform operation: another operation is in progress"),
        FileNotFoundError(errno.ENOENT, "No such file or directory"),
        OSError(errno.ENOSPC, "No space left on device"),
        ValueError("a bug"),
        ExceptionGroup("dependencies", [ConnectionRefusedError(errno.ECONNREFUSED, "refused"), ValueError("a bug")]),
    ],
    ids=repr,
)
def test_a_wrong_statement_a_full_disk_or_a_bug_is_not_an_outage(error):
    assert not is_storage_outage(error)
