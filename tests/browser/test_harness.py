"""The browser harness itself: pages load from the live server, and a request to any other host is stopped."""

from __future__ import annotations

from tests.browser.conftest import shoot


def test_a_page_of_the_live_server_loads(page, live_server):
    response = page.goto("/health")
    assert response is not None and response.status == 200
    assert shoot(page, "harness-health").stat().st_size > 0


def test_a_request_to_another_host_is_aborted_and_counted(page, page_errors):
    page.goto("/health")
    reached = page.evaluate("fetch('http://cdn.example.com/x.js').then(() => true, () => false)")
    assert reached is False
    assert any("outside the server: http://cdn.example.com/x.js" in problem for problem in page_errors.found)
    page_errors.allow("cdn.example.com")  # provoked on purpose: the console error of the refused fetch too
