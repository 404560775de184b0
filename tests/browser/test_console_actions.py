"""In a real browser, as regulator_dinghai: 督办 a major hazard and see its timeline grow, accept a public report, and
look at the 黑名单 and 标准化 pages; a screenshot of each page is kept.

The live server is shared by the worker's browser tests, so each test acts on a hazard or report of its own.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import httpx
import pytest

from api.console.render import LOCAL_TIME
from domain.clock import utcnow
from tests.browser.conftest import shoot, sign_in


@pytest.fixture(autouse=True)
def favicon_may_be_cut_short(page_errors):
    """Chromium asks for the favicon after a page loads; going on at once (as sign_in does) aborts that request,
    which is no fault of the page. Every other failed request still fails the test."""
    page_errors.allow("favicon.svg: net::ERR_ABORTED")


def settled(page) -> None:
    """Wait until the page has fetched everything (its favicon too) before leaving it: a request cut short by the
    next navigation would count as a failed request."""
    page.wait_for_load_state("networkidle")


def _now_text(offset: timedelta = timedelta(0)) -> str:
    return (utcnow() + offset).isoformat().replace("+00:00", "Z")


def major_hazard_reported_to_regulator(live_server) -> dict:
    """A major hazard of E1 that officer1 reported to the regulator: the state where 督办 is offered."""
    officer = live_server.api_as("officer1")
    enterprise_id = officer.get("/v1/me").json()["enterpriseId"]
    title = f"储罐区紧急切断阀失效（浏览器测试{secrets.token_hex(3)}）"
    made = officer.post(
        "/v1/hazards",
        json={
            "clientId": f"browser-{secrets.token_hex(6)}",
            "enterpriseId": enterprise_id,
            "source": "daily",
            "category": "unsafe_condition",
            "title": title,
            "description": "3号储罐紧急切断阀无法联锁关闭",
            "level": "major",
            "expertReason": "专家论证判定为重大事故隐患",
            "foundAt": _now_text(-timedelta(hours=2)),
        },
    )
    assert made.status_code == 201, made.text
    hazard = made.json()
    reported = officer.post(
        f"/v1/hazards/{hazard['id']}/transitions",
        json={
            "action": "reportToRegulator",
            "currentStateAndCause": "切断阀执行机构故障",
            "harmAndDifficulty": "泄漏后无法快速隔离，需停用储罐",
            "governancePlanSummary": "更换执行机构并恢复联锁",
            "workersAssemblyNotifiedAt": _now_text(-timedelta(hours=1)),
        },
        headers={"If-Match": f'"{hazard["version"]}"'},
    )
    assert reported.status_code == 200, reported.text
    return reported.json()


def test_a_regulator_supervises_a_major_hazard_and_sees_its_timeline_grow(page, live_server):
    hazard = major_hazard_reported_to_regulator(live_server)
    sign_in(page, "regulator_dinghai")
    page.goto("/console/hazards?level=major&status=reported_to_regulator")
    assert "隐患" in page.locator("h1").inner_text()
    shoot(page, "console-hazards")
    settled(page)
    page.get_by_role("link", name=hazard["title"]).click()
    page.wait_for_url(f"**/console/hazards/{hazard['id']}")
    events = page.locator("#timeline > li")
    before = events.count()
    assert before == 2  # reported, then reported to the regulator
    settled(page)
    form = page.locator('form[data-action="supervise"]')
    deadline = (utcnow() + timedelta(days=45)).astimezone(LOCAL_TIME).date().isoformat()
    form.locator("input[name=deadline]").fill(deadline)
    form.locator("textarea[name=note]").fill("挂牌督办，限期完成治理")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert events.count() == before + 1
    assert "挂牌督办" in events.last.inner_text() and "限期完成治理" in events.last.inner_text()
    assert "挂牌督办" in page.locator("h1").inner_text()  # the badge
    assert page.locator('form[data-action="supervise"]').count() == 0
    shoot(page, "console-hazard-supervised")
    regulator = live_server.api_as("regulator_dinghai")
    history = regulator.get(f"/v1/hazards/{hazard['id']}/history").json()
    assert len(history) == before + 1 and history[-1]["action"] == "supervise"


def test_a_regulator_accepts_a_public_report_with_their_own_words(page, live_server):
    officer = live_server.api_as("officer1")
    enterprise = officer.get(f"/v1/enterprises/{officer.get('/v1/me').json()['enterpriseId']}").json()
    mark = secrets.token_hex(3)
    reporter_words = f"码头夜间违规动火，没人看火（{mark}）"
    sent = httpx.post(
        f"{live_server.base}/v1/public/reports",
        json={
            "clientId": "browser-report",
            "deviceId": f"browser-phone-{secrets.token_hex(6)}",
            "title": f"违规动火{mark}",
            "description": reporter_words,
            "enterpriseCreditCode": enterprise["creditCode"],
        },
        timeout=30,
    )
    assert sent.status_code == 201, sent.text
    sign_in(page, "regulator_dinghai")
    page.goto("/console/reports?status=received")
    shoot(page, "console-reports")
    settled(page)
    page.get_by_role("link", name=f"违规动火{mark}").click()
    assert reporter_words in page.locator(".reporter-text").inner_text()
    settled(page)
    form = page.locator('form[data-action="accept"]')
    form.locator("input[name=title]").fill("动火作业管理不到位（监管核实）")
    form.locator("textarea[name=description]").fill("经核实存在动火作业未落实监护的问题，请立即整改并完善动火审批。")
    form.locator("select[name=category]").select_option("management_defect")
    form.locator("textarea[name=reply]").fill("已立案，转企业整改")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已立案" in page.locator("#report-status").inner_text()
    assert "已完成：立案" in page.locator("main").inner_text()
    shoot(page, "console-report-accepted")
    settled(page)
    page.get_by_role("link", name="查看隐患").click()
    assert "动火作业管理不到位（监管核实）" in page.locator("h1").inner_text()
    assert reporter_words not in page.locator("main").inner_text()


def test_the_blacklist_and_standardisation_pages(page, live_server):
    sign_in(page, "regulator_dinghai")
    page.goto("/console/credit")
    assert "严重失信主体名单" in page.locator("h1").inner_text()
    assert page.locator("article.listing").count() >= 2  # E5's notified candidate and E4's listing
    assert page.locator('article.listing form[data-action="confirm"]').count() >= 1
    shoot(page, "console-credit")
    page.goto("/console/standardisation")
    assert "达标率" in page.locator("main").inner_text()
    shoot(page, "console-standardisation")
    settled(page)
    page.locator("table.scope-list a").first.click()
    assert page.locator("table.member-list tbody tr").count() >= 1
    shoot(page, "console-standardisation-scope")
