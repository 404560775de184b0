"""Who gets into the console, in a real browser: a regulator signs in and lands on the overview, an enterprise
officer is refused, a signed-out visitor is sent to the sign-in page, and signing out ends the session."""

from __future__ import annotations

import re

from tests.browser.conftest import shoot, sign_in

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_a_district_regulator_signs_in_and_lands_on_the_overview(page):
    landed = sign_in(page, "regulator_dinghai")
    assert landed is not None and landed.status == 200
    assert re.search(r"/console/$", page.url)
    heading = page.get_by_role("heading", level=1).first.inner_text()
    assert "总览" in heading and "定海" in heading
    assert page.get_by_role("navigation", name="主导航").get_by_role("link", name="风险图").is_visible()
    assert len(CHINESE.findall(page.locator("main").inner_text())) > 20
    shoot(page, "console-overview-regulator_dinghai")


def test_an_enterprise_officer_is_refused(page, page_errors):
    page_errors.allow("status of 403")  # the refusal itself: Chromium logs every 4xx document as a console error
    landed = sign_in(page, "officer1")
    assert landed is not None and landed.status == 403
    assert "无权访问" in page.get_by_role("heading", level=1).inner_text()
    assert "手机应用" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="换个账号登录").is_visible()
    shoot(page, "console-refused-officer1")


def test_signed_out_the_console_sends_to_the_sign_in_page(page):
    page.goto("/console/")
    assert "/console/login" in page.url
    assert page.get_by_role("button", name="登录").is_visible()
    assert page.get_by_label("用户名").is_visible() and page.get_by_label("密码").is_visible()
    shoot(page, "console-sign-in")


def test_signing_out_ends_the_session_and_its_cookie(page):
    sign_in(page, "regulator_dinghai")
    kept = page.context.cookies()
    assert any(cookie["httpOnly"] for cookie in kept if cookie["path"] == "/console")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/console/login"))
    assert page.get_by_role("button", name="登录").is_visible()

    page.context.add_cookies(kept)  # the cookie the browser held before signing out, as a copy would be
    page.goto("/console/")
    assert "/console/login" in page.url, "a signed-out session still opens the console"
