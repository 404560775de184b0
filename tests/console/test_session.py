"""The console's sign-in, sign-out, role gate, CSRF and error pages, on both engines."""

from __future__ import annotations

import re

from tests.conftest import DEMO_PASSWORD
from tests.console.conftest import csrf_token_of


async def test_signed_out_pages_go_to_sign_in_and_back(console_browser):
    browser = console_browser()
    answer = await browser.get("/console/enterprises?colour=red")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/enterprises"
    signed = await browser.submit(
        answer.headers["location"],
        "/console/login",
        {"username": "regulator_dinghai", "password": DEMO_PASSWORD, "next": "/console/map"},
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/console/map"


async def test_the_root_opens_the_console(client):
    answer = await client.get("/")
    assert answer.status_code == 302 and answer.headers["location"] == "/console/"


async def test_session_cookie_is_httponly_samesite_and_scoped(console_browser):
    answer = await console_browser().sign_in("regulator_dinghai")
    cookie = next(
        value for key, value in answer.headers.multi_items() if key == "set-cookie" and "sf_console=" in value
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP here; https public URLs get Secure (the last test)


async def test_regulator_lands_on_the_overview_in_chinese(console_as):
    browser = await console_as("regulator_dinghai")
    answer = await browser.get("/console/")
    assert answer.status_code == 200
    assert "总览" in answer.text and "赵监管" in answer.text
    assert "default-src 'self'" in answer.headers["content-security-policy"]


async def test_an_enterprise_officer_is_refused(console_as):
    browser = await console_as("officer1")
    answer = await browser.get("/console/")
    assert answer.status_code == 403
    assert "无权访问" in answer.text
    assert "/console/hazards" not in answer.text  # no menu of pages the role cannot open


async def test_wrong_password_is_refused_and_counts_toward_the_same_lockout(console_browser, client):
    browser = console_browser()
    for _ in range(5):
        refused = await browser.sign_in("inspector1", "wrong-password")
        assert refused.status_code == 401 and "alert" in refused.text
    locked = await browser.sign_in("inspector1")
    assert locked.status_code == 423
    # the API's sign-in shares the count: the account is locked there too
    api = await client.post("/v1/auth/login", json={"username": "inspector1", "password": DEMO_PASSWORD})
    assert api.status_code == 423 and api.json()["code"] == "AUTH_ACCOUNT_LOCKED"


async def test_a_form_without_its_csrf_token_is_refused(console_as):
    browser = await console_as("regulator_dinghai")
    answer = await browser.http.post("/console/logout", data={})
    assert answer.status_code == 403
    still = await browser.get("/console/")
    assert still.status_code == 200  # the forged sign-out did nothing


async def test_sign_out_ends_the_session_for_a_copied_cookie_too(console_as, console_browser):
    browser = await console_as("regulator_dinghai")
    token = browser.http.cookies.get("sf_console")
    copy = console_browser()
    copy.http.cookies.set("sf_console", token, domain="testserver.local", path="/console")
    page = await browser.get("/console/")
    answer = await browser.http.post("/console/logout", data={"_csrf_token": csrf_token_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    copy.http.cookies.set("sf_console", token)
    assert (await copy.get("/console/")).status_code == 303


async def test_unknown_pages_answer_the_console_404(console_as):
    browser = await console_as("regulator_dinghai")
    answer = await browser.get("/console/no-such-page/at/all")
    assert answer.status_code == 404 and "未找到" in answer.text


async def test_next_never_leaves_the_console(console_browser):
    browser = console_browser()
    for target in ("https://evil.example/", "//evil.example/", "/v1/enterprises", "/console//evil.example"):
        answer = await browser.submit(
            "/console/login",
            "/console/login",
            {"username": "regulator_dinghai", "password": DEMO_PASSWORD, "next": target},
        )
        assert answer.headers["location"] == "/console/", target


async def test_static_assets_are_served_locally(client):
    for path, kind in (("/console/static/console.css", "text/css"), ("/console/static/console.js", "javascript")):
        answer = await client.get(path)
        assert answer.status_code == 200 and kind in answer.headers["content-type"]


def test_no_template_loads_anything_from_another_host():
    from api.console import TEMPLATES

    for template in TEMPLATES.rglob("*.html"):
        assert not re.search(r"(src|href)=\"(https?:)?//", template.read_text()), template


def test_cookies_are_secure_when_served_over_tls():
    from api.console.session import cookie_is_secure
    from domain.config import Settings

    assert cookie_is_secure(Settings(public_base_url="https://sf.example.cn"))
    assert not cookie_is_secure(Settings(public_base_url="http://127.0.0.1:8000"))


async def test_expired_sessions_are_purged_with_the_refresh_tokens(console_as, db):
    from datetime import timedelta

    from domain.accounts.services import purge_expired_refresh_tokens
    from domain.clock import utcnow
    from domain.config import Settings

    browser = await console_as("regulator_city")
    later = utcnow() + timedelta(seconds=Settings().console_session_ttl_s) + timedelta(days=1, minutes=1)
    assert await purge_expired_refresh_tokens(now=later) >= 1
    assert (await browser.get("/console/")).status_code == 303  # its row is gone: signed out
