"""Health, readiness, the browsable OpenAPI document and the structured logs."""

import json
import os
import subprocess
import sys
from pathlib import Path


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
    for path in (
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/me",
        "/v1/enterprises",
        "/v1/enterprises/{enterprise_id}",
        "/v1/admin/regions",
        "/v1/admin/grids",
        "/v1/admin/enterprises",
        "/v1/admin/users",
        "/v1/admin/users/{user_id}",
    ):
        assert path in paths, path


def test_an_error_logged_with_its_exception_keeps_the_traceback_in_the_json_log(tmp_path):
    # A subprocess: the app configures the process's logging, and its queue handler flushes when the process ends.
    script = (
        "import logging\n"
        "from api.app import create_app\n"
        "from domain.config import load_settings\n"
        "create_app(load_settings())\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError as error:\n"
        "    logging.getLogger('shuangfang.api').error('unhandled error', exc_info=error)\n"
    )
    env = {**os.environ, "SF_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert "Logging error" not in done.stderr, done.stderr
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    [record] = [r for r in logged if r.get("event") == "unhandled error"]
    assert record["level"] == "error" and "ZeroDivisionError: division by zero" in record["exception"]
