"""Real-browser fixtures: Debian's headless Chromium, driven by Playwright's sync API, against a real server.

`live_server` is `shuangfang serve` on a copy of the suite's seeded SQLite template, started once per pytest-xdist
worker on the suite's clock; tests share it, so a test that writes acts on objects of its own or reads the state
it starts from, never relying on another test having run first. `page` is a fresh browser context per test (zh-CN,
Asia/Shanghai) whose console errors, page errors, failed requests and any request to another host (aborted: pages
work offline) fail the test at teardown; a test that provokes an error on purpose says so with
`page_errors.allow("...")` (a 4xx page is one: Chromium logs "...status of 403..."). confirm() dialogs (console.js's
`data-confirm`) are accepted, their messages kept in `page_errors.dialogs`. Browser tests are plain `def` tests (the
sync API cannot run inside pytest-asyncio's loop); a coroutine they need runs through tests.conftest.run_blocking.
Without Chromium the tests skip with a message, unless `REQUIRE_SERVICES=1` (CI), where they fail.

    from tests.browser.conftest import shoot, sign_in

    def test_hazard_page(page, live_server):
        sign_in(page, "regulator_dinghai")                    # through the console's form
        page.goto("/console/hazards")                          # relative to live_server.base
        page.get_by_role("link", name="挂牌督办").first.click()
        assert "督办" in page.locator("main").inner_text()   # visible text, not markup
        api = live_server.api_as("regulator_dinghai")          # an httpx client with a bearer token
        assert api.get("/v1/hazards").status_code == 200
        shoot(page, "hazard-supervised")                       # artefacts/screenshots/hazard-supervised.png
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from domain.clock import utcnow
from tests.conftest import DEMO_PASSWORD, REQUIRE_SERVICES
from tests.integration.test_demo_command import free_port, stop

BIN = Path(sys.executable).parent / "shuangfang"
REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("SF_ARTEFACTS_DIR", REPO / "artefacts" / "screenshots"))
STARTUP_S = 120
# Headless, and none of Chromium's own traffic (component updates, sync, safe browsing, QUIC probes): this machine's
# network is closed, and a page must need nothing but the server under test.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's `chromium` (`apt-get install chromium`), never a browser Playwright downloads."""
    return shutil.which("chromium") or next(
        (path for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(path).exists()), None
    )


@pytest.fixture(scope="session")
def fontconfig_with_cjk(tmp_path_factory) -> Path:
    """A fontconfig file (its cache kept for the session): the system's fonts plus the CJK font the app already
    depends on (Noto Sans SC, pip package pylopdf-fonts-zh-cn), so screenshots show Chinese, not empty boxes, on a
    machine with no CJK font installed (like CI's). Users' own browsers bring their fonts; the test browser needs this."""
    import pylopdf_fonts_zh_cn

    folder = tmp_path_factory.mktemp("fontconfig")
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{pylopdf_fonts_zh_cn.sans_path().parent}</dir>\n"
        f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n"
    )
    return config


def _no_browser(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is a failure, not a skip)")
    pytest.skip(f"{reason}; install Debian's chromium (apt-get install chromium) to run the browser tests")


@dataclass
class LiveServer:
    """A running `shuangfang serve`: its base URL, its log, and API clients for cross-checking what pages show."""

    base: str
    log: Path
    process: subprocess.Popen
    env: dict[str, str]
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc

    def api_as(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
        """An httpx client on the server's API, signed in with a bearer token (closed at the end of the session)."""
        token = httpx.post(f"{self.base}/v1/auth/login", json={"username": username, "password": password}, timeout=30)
        assert token.status_code == 200, token.text
        client = httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {token.json()['accessToken']}"}, timeout=30
        )
        self._clients.append(client)
        return client

    def command(self, *args: str) -> str:
        """Run `shuangfang <args>` on the server's database and settings (e.g. `rollups`); its output."""
        done = subprocess.run(
            [str(BIN), *args], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=120, check=True
        )
        return done.stdout

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, sqlite_template, seeded_photos) -> Iterator[LiveServer]:
    """`shuangfang serve` on its own copy of the seeded database and photos, once per xdist worker."""
    folder = tmp_path_factory.mktemp("live")
    shutil.copy(sqlite_template, folder / "live.sqlite3")
    shutil.copytree(seeded_photos, folder / "photos")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SF_", "DATABASE_URL", "REDIS_URL"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "SF_VAR_DIR": str(folder / "var"),
        "SF_PHOTO_DIR": str(folder / "photos"),
        "SF_JWT_SECRET": "test-jwt-secret-that-is-long-enough-for-hs256",
        "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
        "SF_PASSWORD_HASH_COST": "fast",
        "SF_PUBLIC_BASE_URL": base,
        # Cron jobs firing mid-test would change what a page shows under a test's feet.
        "SF_RUN_SCHEDULE": "0",
        # The suite's day: the seed was taken at the session's instant, and pages show dates relative to it.
        "SF_TEST_CLOCK": utcnow().isoformat(),
        "PYTHONUNBUFFERED": "1",
    }
    log = folder / "server.log"
    process = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    server = LiveServer(base=base, log=log, process=process, env=env)
    deadline = time.monotonic() + STARTUP_S
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail("the live server did not start:\n" + server.log_tail())
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    try:
        yield server
    finally:
        for client in server._clients:
            client.close()
        stop(process)


@pytest.fixture(scope="package")
def browser(fontconfig_with_cjk):
    """Headless Debian Chromium under Playwright's sync API, for the tests of this package only.

    The sync API keeps its event loop marked as running in this thread while Playwright is open, so an asyncio test
    (pytest-asyncio) run meanwhile would fail with "cannot be called from a running event loop". Package scope closes
    Playwright as soon as a worker moves on to a test outside tests/browser (and opens it again, ~1.5 s, if it comes
    back). For the same reason a browser test that needs a coroutine runs it with tests.conftest.run_blocking.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright for Python is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        _no_browser("Chromium is not installed")
    env = os.environ | {"FONTCONFIG_FILE": str(fontconfig_with_cjk)}
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, env=env)
        try:
            yield launched
        finally:
            launched.close()


class PageErrors:
    """What went wrong in a page during a test; anything not allowed fails the test at teardown."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.allowed: list[str] = []
        # The messages of the confirm() dialogs the page asked (console.js's data-confirm), all accepted.
        self.dialogs: list[str] = []

    def allow(self, text: str) -> None:
        """Tolerate errors containing `text` (e.g. "403" when a test is refused on purpose)."""
        self.allowed.append(text)

    def add(self, problem: str) -> None:
        self.found.append(problem)

    def unexpected(self) -> list[str]:
        return [problem for problem in self.found if not any(text in problem for text in self.allowed)]


@pytest.fixture
def page_errors() -> PageErrors:
    """The error log of this test's page; `page_errors.allow("...")` for errors a test provokes on purpose."""
    return PageErrors()


@pytest.fixture
def page(browser, live_server, page_errors):
    """A fresh page (own cookies) on the live server, zh-CN and Asia/Shanghai, that must see no error at all."""
    context = browser.new_context(
        base_url=live_server.base, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(15_000)

    def only_the_server(route) -> None:
        # Everything a page needs is served by the app: a request elsewhere (a CDN, a font site) is a bug.
        if urlsplit(route.request.url).netloc == live_server.host:
            route.continue_()
        else:
            page_errors.add(f"request outside the server: {route.request.url}")
            route.abort("blockedbyclient")

    context.route("**/*", only_the_server)
    opened = context.new_page()
    opened.on("console", lambda m: m.type == "error" and page_errors.add(f"console error: {m.text} ({m.location})"))
    opened.on("dialog", lambda dialog: (page_errors.dialogs.append(dialog.message), dialog.accept()))
    opened.on("pageerror", lambda error: page_errors.add(f"page error: {error}"))
    # A server that fails answers with a status (logged as a console error above) or drops the connection
    # (ERR_EMPTY_RESPONSE, ERR_CONNECTION_*); ERR_ABORTED is the browser itself cancelling a request it no longer
    # needs, such as the icon of a page that a click navigated away from.
    opened.on(
        "requestfailed",
        lambda request: (
            urlsplit(request.url).netloc == live_server.host
            and request.failure != "net::ERR_ABORTED"
            and page_errors.add(f"request failed: {request.method} {request.url}: {request.failure}")
        ),
    )
    try:
        yield opened
    finally:
        context.close()
    unexpected = page_errors.unexpected()
    assert not unexpected, "the page had errors:\n" + "\n".join(unexpected)


def sign_in(page, username: str, password: str = DEMO_PASSWORD):
    """Sign in through the console's form at /console/login; the response of the page it lands on."""
    page.goto("/console/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation() as landed:
        page.locator("form [type=submit]").click()
    return landed.value


def shoot(page, name: str) -> Path:
    """A full-page screenshot kept as a test artefact (`$SF_ARTEFACTS_DIR`, default artefacts/screenshots/)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
