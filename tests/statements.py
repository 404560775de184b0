"""Reading the statement count of a request: mark the test `@pytest.mark.count_statements`, then `statements(response)`.

The app then answers each request with `X-Statements: <n>`, the SQL statements (piccolo queries, raw SQL, prepared
statements; not BEGIN/COMMIT) the request ran, authentication included (see domain/db/statements.py). Code called
directly, without HTTP, is counted with `domain.db.statements.counting()`. A refusal by authentication (401) is sent
by Litestar's exception handling outside the route's middleware and carries no count.
"""

from __future__ import annotations

import httpx

HEADER = "X-Statements"


def statements(response: httpx.Response) -> int:
    """The statements the request behind this response ran; fails when the app does not count them."""
    value = response.headers.get(HEADER)
    assert value is not None, "no X-Statements header: mark the test @pytest.mark.count_statements"
    return int(value)
