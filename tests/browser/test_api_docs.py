"""The API docs page in a real browser: Swagger UI 5, served by the app, renders the OpenAPI 3.1 document."""

from __future__ import annotations

from tests.browser.conftest import shoot


def test_the_swagger_page_renders_every_operation_without_errors(page, live_server):
    document = live_server.api_as("admin").get("/schema/openapi.json").json()
    operations = sum(
        method in ("get", "post", "put", "patch", "delete") for item in document["paths"].values() for method in item
    )
    page.goto("/schema/swagger")
    page.locator(".opblock").first.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() == operations
    assert "Shuangfang" in page.locator(".info .title").inner_text()
    assert "OAS 3.1" in page.locator(".info").inner_text()  # rendered as 3.1, not refused as unknown
    # an operation opens with its description and the headers it reads
    page.locator("#operations-hazards-V1HazardsHazardIdTransitionsTransition .opblock-summary").click()
    opened = page.locator("#operations-hazards-V1HazardsHazardIdTransitionsTransition").inner_text()
    assert "If-Match" in opened and "Idempotency-Key" in opened and "Accept-Language" in opened
    shoot(page, "api-docs")
