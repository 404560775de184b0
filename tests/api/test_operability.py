"""Health, readiness and the browsable OpenAPI document."""


async def test_health_and_readiness_answer_without_a_token(client):
    assert (await client.get("/health")).json() == {"status": "ok", "database": None, "redis": None}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_the_openapi_ui_loads_its_assets_locally_not_from_a_cdn(client):
    page = (await client.get("/schema/swagger")).text
    assert "/schema/assets/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "unpkg" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert (await client.get(f"/schema/assets/{asset}")).status_code == 200


async def test_the_openapi_document_lists_the_contract_paths(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/v1/auth/login", "/v1/auth/refresh", "/v1/me", "/v1/enterprises", "/v1/enterprises/{enterprise_id}",
                 "/v1/admin/regions", "/v1/admin/grids", "/v1/admin/enterprises", "/v1/admin/users", "/v1/admin/users/{user_id}"):
        assert path in paths, path
