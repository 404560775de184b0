"""Which failures mean "the database is away for now" rather than a bug: the one classification of them."""

from __future__ import annotations

import errno

import asyncpg

# Seconds a client is told to wait (Retry-After) before trying again: about a PostgreSQL restart's length.
STORAGE_RETRY_AFTER_S = 5

# Socket failures of a connect or an open connection: the server is down, restarting or unreachable.
_UNREACHABLE_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.EHOSTUNREACH, errno.ENETUNREACH}
)
# The server said it is shutting down, starting up or crashed (SQLSTATE 57P01-57P03), or a connection broke (08xxx).
# Not the whole of 57 (operator intervention): 57014 is a cancelled statement, which is not an outage.
_SERVER_GOING_AWAY = (
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.PostgresConnectionError,
)


def is_storage_outage(error: BaseException) -> bool:
    """True when `error` (or what caused it) says the database cannot be reached, not that a statement is wrong."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, BaseExceptionGroup):
            return all(is_storage_outage(inner) for inner in current.exceptions)
        if _says_unreachable(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _says_unreachable(error: BaseException) -> bool:
    if isinstance(error, (*_SERVER_GOING_AWAY, ConnectionError)):
        return True
    if isinstance(error, asyncpg.exceptions.InterfaceError):
        # A connection the server closed under us ("connection is closed"), or a pool shut while in use.
        return "closed" in str(error) or "closing" in str(error)
    if isinstance(error, OSError):
        # asyncio joins the failures of each address it tried ("Multiple exceptions: [Errno 111] ...") with no errno.
        return error.errno in _UNREACHABLE_ERRNOS or (error.errno is None and "Connect call failed" in str(error))
    return False
