"""The committed contract files: the OpenAPI document and the error catalogue, generated from the code.

`shuangfang contract --write` regenerates them; `--check` fails when they are stale; `--freeze` keeps the current
OpenAPI document as the snapshot of its contract version, against which later documents must only add
(`tests/contract/test_evolution.py`). The files are pretty-printed JSON with sorted keys, so a regeneration of the
same code gives the same bytes and a diff shows only what changed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar

from mobile_contract import CONTRACT_VERSION
from mobile_contract.catalogue import catalogue_document

CONTRACT_DIR = Path(__file__).resolve().parents[1] / "mobile_contract"
OPENAPI_FILE = CONTRACT_DIR / "openapi.json"
ERRORS_FILE = CONTRACT_DIR / "errors.json"
SNAPSHOT_DIR = CONTRACT_DIR / "snapshots"
REGENERATE = "shuangfang contract --write"


def render(document: Any) -> str:
    """Deterministic text of a JSON document: sorted keys, two-space indent, UTF-8 text kept readable."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@contextmanager
def schema_app() -> Iterator[Litestar]:
    """The real app, built only to be inspected: throwaway settings, never started, the bound engine left as it was."""
    from api.app import create_app
    from domain.config import Settings
    from domain.db import piccolo_conf
    from domain.db.engine import bind_engine

    bound = piccolo_conf.__dict__.get("DB")  # create_app binds its own engine; a test's must survive this
    with tempfile.TemporaryDirectory() as folder:
        # The document is built from the route handlers, not from configuration or data.
        settings = Settings(
            var_dir=Path(folder),
            jwt_secret="contract-generation-only",
            qr_keys={"1": "contract-only"},
            qr_active_key="1",
            run_schedule=False,
        )
        try:
            yield create_app(settings)
        finally:
            if bound is not None:
                bind_engine(bound)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document the app serves at `/schema/openapi.json` (it depends on no setting)."""
    with schema_app() as app:
        return json.loads(msgspec.json.encode(app.openapi_schema.to_schema()))


def errors_document() -> dict[str, Any]:
    """The error catalogue as `GET /v1/errors` serves it."""
    return msgspec.to_builtins(catalogue_document())


def generated() -> dict[Path, str]:
    """Every generated contract file and the text it should hold."""
    return {OPENAPI_FILE: render(openapi_document()), ERRORS_FILE: render(errors_document())}


def stale_files() -> list[Path]:
    """The committed contract files whose text differs from what the code generates now."""
    return [path for path, text in generated().items() if not path.exists() or path.read_text() != text]


def write() -> list[Path]:
    """Regenerate the contract files; returns those that changed."""
    changed = []
    for path, text in generated().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed


def snapshot_file(version: str = CONTRACT_VERSION) -> Path:
    """Where the OpenAPI document of a released contract version is kept."""
    return SNAPSHOT_DIR / f"openapi-{version}.json"


def freeze() -> Path:
    """Keep the committed OpenAPI document as the snapshot of the current contract version (never overwritten)."""
    target = snapshot_file()
    if target.exists():
        raise FileExistsError(f"{target} exists: a released version's snapshot is never changed; bump CONTRACT_VERSION")
    SNAPSHOT_DIR.mkdir(exist_ok=True)
    target.write_text(OPENAPI_FILE.read_text())
    return target


def snapshots() -> dict[str, dict[str, Any]]:
    """The OpenAPI document of every released contract version, by version."""
    return {
        path.stem.removeprefix("openapi-"): json.loads(path.read_text())
        for path in sorted(SNAPSHOT_DIR.glob("openapi-*.json"))
    }


# Constraints that may only loosen from one version to the next: (keyword, True if a larger value is looser).
_BOUNDS = (
    ("maxLength", True),
    ("maxItems", True),
    ("maximum", True),
    ("exclusiveMaximum", True),
    ("minLength", False),
    ("minItems", False),
    ("minimum", False),
    ("exclusiveMinimum", False),
)


def _shape(schema: dict[str, Any]) -> Any:
    """What a value of this schema looks like on the wire, without its text, bounds or allowed values."""
    if "$ref" in schema:
        return ("ref", schema["$ref"])
    for union in ("oneOf", "anyOf"):
        if union in schema:
            return (union, frozenset(_shape(member) for member in schema[union]))
    kind = schema.get("type")
    kind = frozenset(kind) if isinstance(kind, list) else kind
    if kind == "array":
        return ("array", _shape(schema.get("items", {})))
    return (kind, schema.get("format"), schema.get("const"))


def _compare_values(old: dict[str, Any], new: dict[str, Any], where: str, *, answered_only: bool = False) -> list[str]:
    """How the value at `where` broke: retyped, its allowed values or its bounds narrowed. A value only answers carry
    (`answered_only`) may gain an `enum`: naming the values the server sends takes nothing from a phone."""
    if _shape(old) != _shape(new):
        return [f"{where}: type changed from {_describe(old)} to {_describe(new)}"]
    problems = []
    if "enum" in new and not set(old.get("enum", new["enum"])) <= set(new["enum"]):
        problems.append(
            f"{where}: allowed values narrowed ({sorted(set(old.get('enum', [])) - set(new['enum']))} removed)"
        )
    elif "enum" in new and "enum" not in old and not answered_only:
        problems.append(f"{where}: any value was allowed, now only {new['enum']}")
    for keyword, larger_is_looser in _BOUNDS:
        if keyword not in new or new[keyword] == old.get(keyword):
            continue
        if keyword not in old or (new[keyword] > old[keyword]) != larger_is_looser:
            problems.append(f"{where}: {keyword} tightened from {old.get(keyword)} to {new[keyword]}")
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        problems.append(f"{where}: pattern changed from {old.get('pattern')!r} to {new['pattern']!r}")
    for union in ("oneOf", "anyOf"):
        new_members = {_shape(member): member for member in new.get(union, [])}
        for member in old.get(union, []):
            problems += _compare_values(member, new_members[_shape(member)], where, answered_only=answered_only)
    if old.get("type") == "array":
        problems += _compare_values(
            old.get("items", {}), new.get("items", {}), f"{where}[]", answered_only=answered_only
        )
    return problems


def _describe(schema: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in schema.items() if k not in ("description", "examples", "title")}, sort_keys=True
    )


def _compare_object(old: dict[str, Any], new: dict[str, Any], where: str, *, answered_only: bool = False) -> list[str]:
    """Every field of the old object is still there with its type; no field became or arrived required."""
    problems = []
    new_properties = new.get("properties", {})
    for name, schema in old.get("properties", {}).items():
        if name not in new_properties:
            problems.append(f"{where}.{name}: removed or renamed")
        else:
            problems += _compare_values(schema, new_properties[name], f"{where}.{name}", answered_only=answered_only)
    old_required = set(old.get("required", []))
    for name in sorted(set(new.get("required", [])) - old_required):
        known = name in old.get("properties", {})
        problems.append(
            f"{where}.{name}: " + ("became required" if known else "new field is required (give it a default)")
        )
    return problems


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What `new` removes, renames, retypes, narrows or newly requires of `old`: add-only evolution allows none."""
    problems = []
    new_schemas = new.get("components", {}).get("schemas", {})
    sent = request_schemas(old) | request_schemas(new)
    for name, schema in old.get("components", {}).get("schemas", {}).items():
        if name not in new_schemas:
            problems.append(f"schema {name}: removed or renamed")
        elif "properties" in schema or "properties" in new_schemas[name]:
            problems += _compare_object(schema, new_schemas[name], f"schema {name}", answered_only=name not in sent)
        else:
            problems += _compare_values(schema, new_schemas[name], f"schema {name}", answered_only=name not in sent)
    for path, operations in old.get("paths", {}).items():
        for method, operation in operations.items():
            current = new.get("paths", {}).get(path, {}).get(method)
            if current is None:
                problems.append(f"{method.upper()} {path}: removed")
                continue
            problems += _compare_parameters(operation, current, f"{method.upper()} {path}")
    return problems


def request_schemas(document: dict[str, Any]) -> set[str]:
    """The component schemas a phone may send: those request bodies and parameters name, and those they name."""
    schemas = document.get("components", {}).get("schemas", {})
    found: set[str] = set()
    pending = [
        part
        for operations in document.get("paths", {}).values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for part in (operation.get("requestBody", {}), operation.get("parameters", []))
    ]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref", "")
            if ref.startswith("#/components/schemas/") and (name := ref.rsplit("/", 1)[1]) not in found:
                found.add(name)
                pending.append(schemas.get(name, {}))
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found


def _compare_parameters(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    problems = []
    old_parameters = {(p["in"], p["name"]): p for p in old.get("parameters", [])}
    new_parameters = {(p["in"], p["name"]): p for p in new.get("parameters", [])}
    for key, parameter in old_parameters.items():
        if key not in new_parameters:
            problems.append(f"{where} {key[0]} parameter {key[1]}: removed or renamed")
        else:
            problems += _compare_values(
                parameter.get("schema", {}),
                new_parameters[key].get("schema", {}),
                f"{where} {key[0]} parameter {key[1]}",
            )
    for key, parameter in new_parameters.items():
        if parameter.get("required") and not old_parameters.get(key, {}).get("required"):
            problems.append(f"{where} {key[0]} parameter {key[1]}: became required")
    return problems


def evolution_problems() -> list[str]:
    """Breaking changes of the committed OpenAPI document against every released snapshot."""
    current = json.loads(OPENAPI_FILE.read_text())
    return [
        f"against {version}: {problem}"
        for version, old in snapshots().items()
        for problem in breaking_changes(old, current)
    ]
