"""The API docs page (`/schema/swagger`): a 3.1-capable renderer served from the repository, and a useful document."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from api.app import SWAGGER_UI_ASSETS
from api.contract import openapi_document, schema_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The OpenAPI document as served (it depends on no setting and no data)."""
    return openapi_document()


@pytest.fixture
async def docs() -> AsyncIterator[httpx.AsyncClient]:
    """The app, never started: the docs page and its assets touch no database."""
    with schema_app() as app:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            yield http


class _AssetLinks(HTMLParser):
    """Every URL the page makes the browser load: script sources, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(found[name] or "")


async def test_the_docs_page_loads_only_local_assets_and_each_answers_with_its_type(docs):
    page = await docs.get("/schema/swagger")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = _AssetLinks()
    links.feed(page.text)
    assert len(links.urls) >= 4, links.urls  # the bundle, the preset, the stylesheet, the icon
    expected_types = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for url in links.urls:
        assert url.startswith("/schema/assets/"), f"{url}: every asset is served by the app itself (offline, no CDN)"
        asset = await docs.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert asset.headers["content-type"].startswith(expected_types[suffix]), (url, asset.headers["content-type"])
        assert asset.content == (SWAGGER_UI_ASSETS / url.removeprefix("/schema/assets/")).read_bytes()


def test_the_vendored_renderer_is_swagger_ui_5_or_later_with_its_licence():
    bundle = (SWAGGER_UI_ASSETS / "swagger-ui-bundle.js").read_text()
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version, "the bundle names its version"
    assert int(version.group(1)) >= 5, "Swagger UI renders OpenAPI 3.1 from version 5 on"
    assert "Apache License" in (SWAGGER_UI_ASSETS / "LICENSE").read_text()
    assert ".".join(version.groups()) in (SWAGGER_UI_ASSETS / "README.md").read_text(), "the README names the version"


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]


def _operations(document: dict[str, Any]):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def _headers(operation: dict[str, Any]) -> set[str]:
    return {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate

    validate(document)  # raises with the first violation


def test_every_operation_has_a_summary_and_a_description(document):
    missing = [f"{m} {p}" for m, p, op in _operations(document) if not (op.get("summary") and op.get("description"))]
    assert not missing, f"give these handlers a docstring (their operation's description): {missing}"


def _handlers():
    """(method, OpenAPI path, handler) of every documented operation of the served app."""
    from litestar.routes import HTTPRoute

    with schema_app() as app:
        for route in app.routes:
            if isinstance(route, HTTPRoute):
                for handler in route.route_handlers:
                    if handler.resolve_include_in_schema():
                        for method in handler.http_methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                            yield method, route.path_format, handler


def test_every_operation_that_reads_a_header_documents_it(document):
    import inspect

    from api.auth import PUBLIC_PATHS

    operations = {(m, p): op for m, p, op in _operations(document)}
    handlers = list(_handlers())
    assert len(handlers) == len(operations)
    for method, path, handler in handlers:
        operation = operations[(method, path)]
        headers = _headers(operation)
        assert "accept-language" in headers, (method, path)  # every answer may be a localised problem
        reads_if_match = "expected_version(" in inspect.getsource(inspect.unwrap(handler.fn))
        assert ("if-match" in headers) == reads_if_match, (method, path)
        if reads_if_match:
            assert {"412", "428"} <= set(operation["responses"]), (method, path)
        # api/idempotency.py covers exactly the mutating requests of a signed-in caller
        public = any(re.search(pattern, path) for pattern in PUBLIC_PATHS)
        assert ("idempotency-key" in headers) == (method in ("POST", "PUT", "PATCH", "DELETE") and not public), (
            method,
            path,
        )
    assert ("POST", "/v1/hazards/{hazard_id}/transitions") in operations


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The object schemas a body schema stands for (through $ref and oneOf)."""
    if "$ref" in schema:
        return _resolve(document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "oneOf" in schema:
        return [resolved for member in schema["oneOf"] for resolved in _resolve(document, member)]
    return [schema]


def test_bodies_that_refuse_unknown_fields_say_so(document):
    import msgspec

    import mobile_contract

    schemas = document["components"]["schemas"]
    structs = {}
    for module in pkgutil.iter_modules(mobile_contract.__path__):
        for value in vars(importlib.import_module(f"mobile_contract.{module.name}")).values():
            if isinstance(value, type) and issubclass(value, msgspec.Struct) and value.__name__ in schemas:
                structs[value.__name__] = value
    strict = [name for name, struct in structs.items() if struct.__struct_config__.forbid_unknown_fields]
    assert "HazardCreate" in strict and "SyncBatch" in strict
    for name in strict:
        assert schemas[name].get("additionalProperties") is False, name
    for name, struct in structs.items():
        if not struct.__struct_config__.forbid_unknown_fields:
            assert "additionalProperties" not in schemas[name], f"{name}: responses may grow"
    bodies = 0
    for method, path, operation in _operations(document):
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media:
            bodies += 1
            for schema in _resolve(document, media["schema"]):
                if schema.get("type") == "object":
                    assert schema.get("additionalProperties") is False, (method, path, schema.get("title"))
    assert bodies > 30


def test_binary_answers_declare_their_media_type_and_errors_are_problem_json(document):
    binary = {}
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if status.startswith("2"):
                assert "application/octet-stream" not in content, (method, path, "name the real type")
                for media_type, media in content.items():
                    if media_type != "application/json":
                        binary.setdefault((method, path), set()).add(media_type)
                        assert media["schema"] == {"type": "string", "contentMediaType": media_type}
            else:
                assert set(content) <= {"application/problem+json"}, (method, path, status)
    assert binary[("GET", "/v1/photos/{photo_id}")] == {"image/jpeg", "image/png", "image/webp"}
    assert binary[("GET", "/v1/risk-points/{risk_point_id}/card.pdf")] == {"application/pdf"}
    assert binary[("GET", "/v1/enterprises/{enterprise_id}/code.png")] == {"image/png"}
    assert binary[("GET", "/v1/risk-points/{risk_point_id}/qr.svg")] == {"image/svg+xml"}
    site_plan = document["paths"]["/v1/enterprises/{enterprise_id}/site-plan"]["put"]["requestBody"]["content"]
    assert set(site_plan) == {"image/jpeg", "image/png", "image/webp"}


def test_closed_values_are_enums(document):
    schemas = document["components"]["schemas"]
    for schema, field in [("HazardCreate", "level"), ("HazardCreate", "source"), ("HazardCreate", "category")]:
        assert schemas[schema]["properties"][field].get("enum"), (schema, field)


def test_kept_examples_are_attached_where_their_type_is_sent(document):
    paths = document["paths"]
    create = paths["/v1/hazards"]["post"]
    assert {"hazards.create.request (1.0)", "hazards.create-minimal.request (1.0)"} <= set(
        create["requestBody"]["content"]["application/json"]["examples"]
    )
    assert create["responses"]["201"]["content"]["application/json"]["examples"]
    assert paths["/v1/sync/batch"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    malformed = create["responses"]["400"]["content"]["application/problem+json"]["examples"]
    assert all(example["value"]["status"] == 400 for example in malformed.values())


def test_schemas_carry_their_struct_docstring(document):
    schemas = document["components"]["schemas"]
    assert schemas["HazardCreate"]["description"].startswith("`POST /v1/hazards`")
