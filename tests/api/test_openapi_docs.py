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


# --- field descriptions and closed values (the phone team's reading of the wire types) -----------------------------


def _described_structs() -> list[type]:
    """The main wire types of the phone: every field of each must say what it means."""
    from mobile_contract import auth, errors, hazards, inspections, photos, risk, sync

    return [
        auth.LoginRequest,
        auth.RefreshRequest,
        auth.User,
        auth.TokenResponse,
        hazards.HazardCreate,
        hazards.Hazard,
        hazards.HazardPage,
        hazards.HazardPhoto,
        hazards.HazardDocument,
        hazards.HistoryEvent,
        *hazards.TransitionRequest.__args__,
        risk.RiskPoint,
        risk.RiskPointPage,
        risk.QrCode,
        risk.ChecklistItem,
        risk.ScanCard,
        risk.ScanRiskPoint,
        risk.ScanEnterprise,
        risk.OpenHazard,
        risk.DueTask,
        risk.DueTaskItem,
        inspections.InspectionCreate,
        inspections.ResultCreate,
        inspections.Inspection,
        inspections.InspectionResult,
        inspections.Task,
        inspections.TaskPage,
        photos.PhotoUploadFields,
        photos.Photo,
        sync.SyncBatch,
        sync.SyncOp,
        sync.ScanPayload,
        sync.HazardCreatePayload,
        sync.HazardTransitionPayload,
        sync.InspectionCreatePayload,
        sync.SyncBatchResult,
        sync.SyncOpResult,
        sync.SyncOpError,
        sync.ChangesPage,
        sync.Change,
        sync.RiskPointCard,
        errors.Problem,
    ]


def _fields(struct: type) -> list[str]:
    """The struct's fields as sent, without a tagged union's tag (its value is the schema's own `const`)."""
    import msgspec

    info = msgspec.inspect.type_info(struct)
    return [field.encode_name for field in info.fields]


def _described(schema: dict[str, Any]) -> bool:
    # msgspec puts the description of `Annotated[T, Meta(...)] | None` on the `T` member of its `anyOf`
    return bool(schema.get("description")) or any(member.get("description") for member in schema.get("anyOf", []))


def test_every_field_of_the_main_wire_types_has_a_description(document):
    import msgspec

    structs = _described_structs()
    # msgspec's own schema of every type (the sync payloads travel inside `SyncOp.payload`, not as served schemas)
    _, own = msgspec.json.schema_components(structs, ref_template="#/$defs/{name}")
    served = document["components"]["schemas"]
    missing = []
    for struct in structs:
        for field in _fields(struct):
            if not _described(own[struct.__name__]["properties"][field]):
                missing.append(f"{struct.__name__}.{field}")
            if struct.__name__ in served and not served[struct.__name__]["properties"][field].get("description"):
                missing.append(f"served {struct.__name__}.{field}")
    assert not missing, f"describe these fields with Annotated[T, Meta(description=...)]: {missing}"
    assert {"Hazard", "HazardCreate", "HistoryEvent", "Inspection", "ScanCard", "SyncBatch", "Problem"} <= set(served)


def test_a_described_field_keeps_its_limits_and_its_reference(document):
    schemas = document["components"]["schemas"]
    risk_point = schemas["HazardCreate"]["properties"]["riskPointId"]
    assert (risk_point["maxLength"], risk_point["pattern"]) == (40, "^[0-9A-Za-z_-]+$"), risk_point
    assert {"type": "null"} in risk_point["oneOf"]
    assert schemas["HazardCreate"]["properties"]["title"]["maxLength"] == 200
    assert schemas["SyncBatch"]["properties"]["ops"]["minItems"] == 1
    user = schemas["TokenResponse"]["properties"]["user"]
    assert user == {"$ref": "#/components/schemas/User", "description": user["description"]}, user


def _enum(document: dict[str, Any], struct: type, field: str) -> set[str]:
    """The allowed values the served document gives a field (of its string, its non-null member or its items)."""
    schema = document["components"]["schemas"][struct.__name__]["properties"][field]
    for member in [schema, *schema.get("oneOf", []), schema.get("items", {})]:
        if "enum" in member:
            return set(member["enum"])
    raise AssertionError(f"{struct.__name__}.{field} has no enum: {schema}")


def test_closed_response_fields_list_every_value_the_server_sends(document):
    from api.openapi_docs import CLOSED_VALUES
    from domain.access.model import Role
    from domain.hazards import model as hazard_rules
    from domain.public_reports import model as report_rules
    from domain.public_reports.services import PUBLIC, RECEIVE_ACTION
    from mobile_contract.auth import User
    from mobile_contract.hazards import Hazard, HazardDocument, HazardPhoto, HistoryEvent
    from mobile_contract.inspections import Inspection

    table = hazard_rules.TRANSITIONS
    statuses = {hazard_rules.Status.REPORTED} | {row.to_status for row in table if row.to_status}
    statuses |= {status for row in table for status in row.from_statuses}
    actions = {row.action for row in table}
    sides = {hazard_rules.side_of_source(source) for source in hazard_rules.Source}
    sides |= {side for role in Role if (side := hazard_rules.side_of_role(role))}
    report_actions = {action for _, action in report_rules.TRANSITIONS}
    sent = {
        (Hazard, "status"): statuses,
        (Hazard, "allowedActions"): actions,
        (Hazard, "side"): sides,
        (Hazard, "reporterRole"): set(Role),
        (HazardPhoto, "stage"): {hazard_rules.REPORTED_PHOTO_STAGE, *hazard_rules.PHOTO_FIELDS.values()},
        (HazardDocument, "action"): actions,
        (HistoryEvent, "action"): {hazard_rules.REPORT_ACTION, *actions, RECEIVE_ACTION, *report_actions},
        (HistoryEvent, "role"): {*Role, PUBLIC.role},
        (Inspection, "inspectorRole"): set(Role),
    }
    for (struct, field), values in sent.items():
        assert (struct, field) in CLOSED_VALUES, (struct.__name__, field)
        assert values <= _enum(document, struct, field), (
            struct.__name__,
            field,
            values - _enum(document, struct, field),
        )
    for (struct, field), values in CLOSED_VALUES.items():
        assert _enum(document, struct, field) == set(values), (struct.__name__, field)
    assert _enum(document, User, "role") == set(Role)  # a Literal of the wire type, held to the domain's roles


def test_kept_examples_hold_only_documented_values():
    """The real bodies the phone team decodes against: each closed field's value is one the document lists."""
    from api.openapi_docs import CLOSED_VALUES, _examples_by_type
    from mobile_contract.hazards import Hazard, HazardPage, HistoryEvent

    bodies = []
    for wire_type, name, value in _examples_by_type():
        if wire_type == list[HistoryEvent]:
            bodies += [(HistoryEvent, name, event) for event in value]
        elif wire_type is HazardPage:
            bodies += [(Hazard, name, hazard) for hazard in value["items"]]
        else:
            bodies.append((wire_type, name, value))
    checked = 0
    for (struct, field), values in CLOSED_VALUES.items():
        for wire_type, name, body in bodies:
            if wire_type is struct and body.get(field) is not None:
                found = body[field] if isinstance(body[field], list) else [body[field]]
                assert set(found) <= set(values), (name, field, found)
                checked += 1
    assert checked >= 10
