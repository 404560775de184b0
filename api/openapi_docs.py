"""What the OpenAPI document tells the phone team beyond Litestar's defaults, added in one place for every operation.

- The request headers the API reads, as parameters: `Accept-Language` on every operation (problem details are
  localised by it), `Idempotency-Key` on every mutating operation that needs a token (api/idempotency.py covers
  exactly those), `If-Match` on the operations whose handler calls `expected_version` (its one reader), with the
  428 and 412 answers that go with it.
- Binary answers with their real media type (`opt={"response_media_types": (...)}` on a handler whose file's type
  varies) as `contentMediaType` strings, and raw-body uploads (`opt={"request_media_types": (...)}`) as a body.
- Request and response examples: the real bodies kept in `mobile_contract/examples/<version>/`, attached to every
  operation whose body or answer is of the type their `index.json` names.
- Every msgspec struct's schema carries its docstring as the description, and a body that refuses unknown fields
  (`forbid_unknown_fields=True`, every `Wire` type) says so with `additionalProperties: false`. A field's
  description (`Annotated[T, Meta(description=...)]` in `mobile_contract/`) stays beside a `$ref` to another struct.
- Response fields typed `str` whose values are closed carry an `enum` of the domain's own vocabulary
  (`CLOSED_VALUES`): the wire type stays `str`, so a phone built today still decodes a value a later server adds.

The operation's own description is its handler's docstring (`use_handler_docstrings` in api/app.py).
"""

from __future__ import annotations

import importlib
import inspect
import json
from dataclasses import dataclass
from functools import cache
from inspect import cleandoc
from pathlib import Path
from typing import Any

import msgspec

# Litestar's own plugin for msgspec structs, which this one extends; it is not exported under a public name.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.enums import ParamType
from litestar.openapi.spec import (
    Example,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.typing import FieldDefinition

from domain.access.model import Role
from domain.hazards.model import (
    PHOTO_STAGES,
    REPORT_ACTION,
    Action,
    Category,
    GovernanceType,
    HazardLevel,
    Side,
    Source,
    Status,
)
from domain.org.model import EnterpriseStatus
from domain.public_reports.model import ReportAction
from domain.public_reports.services import PUBLIC_ROLE, RECEIVE_ACTION
from mobile_contract.errors import Problem
from mobile_contract.hazards import Hazard, HazardDocument, HazardPhoto, HistoryEvent
from mobile_contract.inspections import Inspection
from mobile_contract.risk import OpenHazard, ScanEnterprise

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "mobile_contract" / "examples"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The one function that reads If-Match (api/routes/hazards.py); a handler calling it documents the header.
IF_MATCH_READER = "expected_version"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


def _values(*vocabularies: Any) -> tuple[str, ...]:
    """The values of these enums and value lists, each once, in order."""
    return tuple(dict.fromkeys(str(value) for vocabulary in vocabularies for value in vocabulary))


# (wire type, field as sent) → every value the server sends there, taken from the domain's own definitions. A
# hazard's chain opens with `report` and a public report's with `receive`; both chains answer as `HistoryEvent`.
CLOSED_VALUES: dict[tuple[type, str], tuple[str, ...]] = {
    (Hazard, "status"): _values(Status),
    (Hazard, "side"): _values(Side),
    (Hazard, "reporterRole"): _values(Role),
    (Hazard, "level"): _values(HazardLevel),
    (Hazard, "source"): _values(Source),
    (Hazard, "category"): _values(Category),
    (Hazard, "governanceType"): _values(GovernanceType),
    (Hazard, "allowedActions"): _values(Action),
    (HazardPhoto, "stage"): PHOTO_STAGES,
    (HazardDocument, "action"): _values(Action),
    (HistoryEvent, "action"): _values([REPORT_ACTION], Action, [RECEIVE_ACTION], ReportAction),
    (HistoryEvent, "role"): _values(Role, [PUBLIC_ROLE]),
    (Inspection, "inspectorRole"): _values(Role),
    (OpenHazard, "level"): _values(HazardLevel),
    (OpenHazard, "status"): _values(Status),
    (ScanEnterprise, "status"): _values(EnterpriseStatus),
}

HEADER_PARAMETERS: dict[str, Parameter] = {
    "AcceptLanguage": Parameter(
        name="Accept-Language",
        param_in=ParamType.HEADER,
        required=False,
        # No maxLength: the server reads a header of any length (what it cannot use it ignores), so none is enforced.
        schema=Schema(type=OpenAPIType.STRING, examples=["zh-CN", "en"]),
        description="The language of problem details' `title` and `detail` (`zh…` or `en…`, q-values honoured; "
        "Chinese otherwise), as their `Content-Language` says.",
    ),
    "IdempotencyKey": Parameter(
        name="Idempotency-Key",
        param_in=ParamType.HEADER,
        required=False,
        schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=255, pattern=r"^[\x20-\x7E]+$"),
        description="Makes a retry safe: the same key with the same request within 24 h answers with the first "
        "response, byte for byte, plus `Idempotent-Replayed: true`; with a different request 422 "
        "`IDEMPOTENCY_KEY_REUSED`; while the first still runs 409 `IDEMPOTENCY_REQUEST_IN_FLIGHT`. Use a new key "
        "(for example a UUID) for each new operation. Without the header the request runs as usual.",
    ),
    "IfMatch": Parameter(
        name="If-Match",
        param_in=ParamType.HEADER,
        # Required in fact (428 without it), but marked optional: the released 1.0 document did not list it, and
        # add-only evolution (api/contract.py) refuses a parameter that becomes required.
        required=False,
        schema=Schema(type=OpenAPIType.STRING, max_length=20, pattern=r'^(W/)?"?[0-9]{1,9}"?$', examples=['"3"']),
        description="Required. The version of the record you decided on, as its `ETag` (or its `version` field) showed it: "
        '`"3"`, `W/"3"` or `3`. Missing → 428 `IF_MATCH_REQUIRED`; not the current version → 412 (reload, decide '
        "again).",
    ),
}


def _problem(description: str) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref=f"#/components/schemas/{Problem.__name__}"))},
    )


IF_MATCH_RESPONSES = {
    "412": _problem("The record changed since the version in If-Match (`…_VERSION_STALE`): reload it, decide again"),
    "428": _problem("IF_MATCH_REQUIRED: the If-Match header is missing"),
}


def _with_problem_examples(response: OpenAPIResponse, status: int) -> OpenAPIResponse:
    """The response, with the kept problem bodies of its status (a copy: such responses are shared)."""
    problem = (response.content or {}).get(PROBLEM_JSON)
    if problem is None or not (examples := examples_of(Problem, status)):
        return response
    media = OpenAPIMediaType(schema=problem.schema, examples=examples)
    return OpenAPIResponse(description=response.description, headers=response.headers, content={PROBLEM_JSON: media})


def _header(name: str) -> Parameter:
    # Inline, not a $ref to components: tools and tests read every parameter's `in` and `name` where it stands.
    return HEADER_PARAMETERS[name]


def _is_public(operation: Operation) -> bool:
    # PublicOperations (api/auth.py) marks the operations callable without a token with OpenAPI's empty requirement.
    return operation.security is not None and all(not requirement for requirement in operation.security)


def _binary(media_type: str) -> OpenAPIMediaType:
    return OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, content_media_type=media_type))


def _is_json(media_type: str) -> bool:
    return media_type == JSON or media_type.endswith("+json")


@cache
def _examples_by_type() -> tuple[tuple[Any, str, Any], ...]:
    """Every kept example as (its wire type, its name, its body), oldest version first."""
    found = []
    folders = [path for path in EXAMPLES_DIR.iterdir() if (path / "index.json").is_file()]
    for folder in sorted(folders, key=lambda path: tuple(int(part) for part in path.name.split("."))):
        for filename, type_name in sorted(json.loads((folder / "index.json").read_text()).items()):
            name = f"{filename.removesuffix('.json')} ({folder.name})"
            found.append((_wire_type(type_name), name, json.loads((folder / filename).read_text())))
    return tuple(found)


def _wire_type(type_name: str) -> Any:
    """`module.Type` or `list[module.Type]` of `mobile_contract`, as the index names them."""
    if type_name.startswith("list[") and type_name.endswith("]"):
        return list[_wire_type(type_name[5:-1])]  # type: ignore[misc]
    module, _, name = type_name.rpartition(".")
    return getattr(importlib.import_module(f"mobile_contract.{module}"), name)


def examples_of(annotation: Any, status: int | None = None) -> dict[str, Example]:
    """The kept examples whose type is this annotation (problems: of this status), by name."""
    if annotation is None:
        return {}
    return {
        name: Example(summary=f"kept example of contract {name}", value=value)
        for wire_type, name, value in _examples_by_type()
        if wire_type == annotation and (status is None or value.get("status") == status)
    }


def _answer_type(field: FieldDefinition) -> Any:
    """The body type of a handler's answer: `X` for `X` and for `Response[X]`."""
    if field.args and field.origin is not None and getattr(field.origin, "__name__", "") == "Response":
        return field.args[0]
    return field.annotation


# One class per (operation class, handler function, methods): each test builds a fresh app with the same handlers, and
# making ~150 dataclasses per app doubled the cost of building one.
_DOCUMENTED: dict[tuple[Any, ...], type[Operation]] = {}


def _documented(base: type[Operation], handler: Any) -> type[Operation]:
    """The handler's operation class, extended by what this module adds (made once per handler function)."""
    key = (
        base,
        getattr(handler.fn, "__func__", handler.fn),  # a controller's handler is bound to a fresh instance per app
        frozenset(str(method) for method in handler.http_methods),
        tuple(handler.opt.get("response_media_types", ())),
        tuple(handler.opt.get("request_media_types", ())),
    )
    if (made := _DOCUMENTED.get(key)) is None:
        made = _DOCUMENTED[key] = _make_documented(base, handler)
    return made


def _make_documented(base: type[Operation], handler: Any) -> type[Operation]:
    methods = {str(method) for method in handler.http_methods}
    code = getattr(inspect.unwrap(handler.fn), "__code__", None)
    reads_if_match = code is not None and IF_MATCH_READER in code.co_names
    signature = handler.parsed_fn_signature
    body_type = signature.parameters["data"].annotation if "data" in signature.parameters else None
    answer_type = _answer_type(signature.return_type)
    response_types: tuple[str, ...] = tuple(handler.opt.get("response_media_types", ()))
    request_types: tuple[str, ...] = tuple(handler.opt.get("request_media_types", ()))

    @dataclass
    class DocumentedOperation(base):  # type: ignore[valid-type,misc]
        def __post_init__(self) -> None:
            if hasattr(base, "__post_init__"):
                base.__post_init__(self)  # type: ignore[attr-defined]
            headers = [_header("AcceptLanguage")]
            if methods & MUTATING and not _is_public(self):
                headers.append(_header("IdempotencyKey"))
            if reads_if_match:
                headers.append(_header("IfMatch"))
                self.responses = {**(self.responses or {}), **IF_MATCH_RESPONSES}
            self.parameters = [*(self.parameters or []), *headers]
            if request_types and self.request_body is None:
                self.request_body = RequestBody(
                    content={media_type: _binary(media_type) for media_type in request_types},
                    required=True,
                    description="The file itself as the raw body; its bytes decide its type",
                )
            if self.request_body is not None and (examples := examples_of(body_type)):
                for media_type, content in (self.request_body.content or {}).items():
                    if _is_json(media_type):
                        content.examples = examples
            for status, response in (self.responses or {}).items():
                if isinstance(response, OpenAPIResponse) and status.startswith("2"):
                    self._document_answer(response)
                elif isinstance(response, OpenAPIResponse) and status.isdigit():
                    self.responses[status] = _with_problem_examples(response, int(status))

        def _document_answer(self, response: OpenAPIResponse) -> None:
            content = response.content or {}
            binary = [media_type for media_type in content if not _is_json(media_type)]
            if binary and response_types:
                response.content = {media_type: _binary(media_type) for media_type in response_types}
                return
            for media_type in binary:
                content[media_type] = _binary(media_type)
            if examples := examples_of(answer_type):
                for media_type, media in content.items():
                    if _is_json(media_type) and media.examples is None:
                        media.examples = examples

    DocumentedOperation.__name__ = DocumentedOperation.__qualname__ = f"Documented{base.__name__}"
    return DocumentedOperation


class DocumentedOperations(ReceiveRoutePlugin):
    """Gives every operation in the document its headers, real media types and examples (see the module's text)."""

    def receive_route(self, route: BaseRoute) -> None:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.resolve_include_in_schema():
                    handler.operation_class = _documented(handler.operation_class, handler)


class DocumentedStructs(StructSchemaPlugin):
    """Litestar's msgspec schemas plus the struct's docstring, and `additionalProperties: false` when it refuses
    unknown fields (placed before Litestar's own plugin, which it replaces)."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        if struct.__doc__ and struct.__doc__ != msgspec.Struct.__doc__:
            schema.description = schema.description or cleandoc(struct.__doc__)
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        for name, prop in (schema.properties or {}).items():
            schema.properties[name] = _described_reference(prop)  # type: ignore[index]
            if values := CLOSED_VALUES.get((struct, name)):
                _add_enum(schema.properties[name], values)  # type: ignore[index]
        return schema


def _described_reference(prop: Schema | Reference) -> Schema | Reference:
    """A described field of another struct's type: `$ref` with the description beside it (OpenAPI 3.1 allows it),
    not Litestar's `allOf: [$ref]`, so the field keeps the shape it had before it was described."""
    if isinstance(prop, Schema) and prop.all_of and len(prop.all_of) == 1 and isinstance(prop.all_of[0], Reference):
        rest = {key: value for key, value in prop.to_schema().items() if key not in ("allOf", "description")}
        if not rest:
            # the same object: Litestar rewrites the path of the references it handed out once it names components
            reference = prop.all_of[0]
            reference.description = prop.description
            return reference
    return prop


def _add_enum(prop: Schema | Reference, values: tuple[str, ...]) -> None:
    """The values on the string a field holds: itself, its non-null member, or its items."""
    if not isinstance(prop, Schema):
        raise TypeError(f"a field of closed values is a string, not {prop}")
    if prop.one_of:
        strings = [member for member in prop.one_of if isinstance(member, Schema) and member.type == OpenAPIType.STRING]
        assert len(strings) == 1, prop
        strings[0].enum = list(values)
    elif prop.type == OpenAPIType.ARRAY and isinstance(prop.items, Schema):
        prop.items.enum = list(values)
    elif prop.type == OpenAPIType.STRING:
        prop.enum = list(values)
    else:
        raise TypeError(f"a field of closed values is a string or strings, not {prop}")
