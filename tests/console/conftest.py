"""Console fixtures: a browser-like client (cookies, CSRF tokens from the forms) over the real app, on both engines.

async def test_x(console_as):
    browser = await console_as("regulator_dinghai")   # signed in through the real form
    page = await browser.get("/console/enterprises")
    await browser.submit("/console/hazards/ID", "/console/hazards/ID/supervise", {"version": "3"})
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class ConsoleBrowser:
    """An httpx client that behaves like a browser on the console: keeps cookies, posts forms with their token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def submit(self, page_path: str, action: str, fields: dict[str, str]) -> httpx.Response:
        """Load `page_path` (as a browser shows a form), then post `fields` with its CSRF token to `action`."""
        shown = await self.http.get(page_path)
        assert shown.status_code == 200, shown.text[:500]
        return await self.http.post(action, data={**fields, "_csrf_token": csrf_token_of(shown.text)})

    async def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        return await self.submit("/console/login", "/console/login", {"username": username, "password": password})


@pytest.fixture
async def console_browser(app) -> AsyncIterator[Callable[[], ConsoleBrowser]]:
    """Signed-out browsers over the app (several may be open at once, each with its own cookies)."""
    opened: list[httpx.AsyncClient] = []

    def new() -> ConsoleBrowser:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        opened.append(http)
        return ConsoleBrowser(http)

    yield new
    for http in opened:
        await http.aclose()


@pytest.fixture
async def console_as(console_browser) -> Callable[[str], Awaitable[ConsoleBrowser]]:
    """A browser signed in to the console as a demo user, through the real sign-in form."""

    async def sign_in(username: str) -> ConsoleBrowser:
        browser = console_browser()
        answer = await browser.sign_in(username)
        assert answer.status_code == 303, answer.text[:500]
        return browser

    return sign_in
