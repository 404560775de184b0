"""双随机一公开 in a real browser: a regulator makes a plan, approves it (the seed's hash is public at once, the seed
not), draws once, and the public page, opened without an account, shows the revealed seed matching that hash,
the pools and the picks."""

from __future__ import annotations

import hashlib
import re

from tests.browser.conftest import shoot, sign_in


def _cell(page, heading: str) -> str:
    """The text of the table cell beside the row heading that starts with `heading`."""
    return page.locator("tr", has=page.locator(f"th:text-matches('^{heading}')")).locator("td").first.inner_text()


def test_a_draw_is_committed_revealed_and_published(page, live_server):
    sign_in(page, "regulator_dinghai")
    page.goto("/console/random-checks")
    name = f"浏览器测试抽查 {page.evaluate('Date.now()')}"
    form = page.locator("form", has=page.locator("input[name=name]"))
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=period]").fill("十二月")
    for code in "ABCD":
        form.locator(f"input[name=rate_{code}]").fill("1")
    form.locator("input[name=exclusion_months]").fill("0")
    with page.expect_navigation():
        form.get_by_role("button", name="创建草稿").click()
    plan_url = page.url.split("?")[0]
    plan_id = plan_url.rstrip("/").rsplit("/", 1)[-1]

    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^批准")).click()
    shoot(page, "random-check-approved")

    # before the draw, anyone sees the seed's hash and not the seed (the console cookie is not sent to /public)
    public = page
    public.goto(f"/public/random-checks/{plan_id}")
    committed = _cell(public, "种子哈希").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", committed)
    assert "尚未抽取" in _cell(public, "随机种子")

    page.goto(plan_url)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^抽取")).click()
    assert "抽取结果" in page.locator("main").inner_text()
    assert page.get_by_role("button", name=re.compile("^抽取")).count() == 0  # a draw happens once
    shoot(page, "random-check-drawn")

    public.goto(f"/public/random-checks/{plan_id}")
    seed = _cell(public, "随机种子").strip()
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == committed
    shown = public.locator("body").inner_text()
    assert live_server.host in public.url
    assert name in shown and re.search(r"抽取结果与检查结果（[1-9]\d* 家）", shown)
    shoot(public, "random-check-public")
