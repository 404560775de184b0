"""Add-only evolution: the committed OpenAPI document keeps everything every released version had.

A released version's document is kept in `mobile_contract/snapshots/openapi-<version>.json` (`shuangfang contract
--freeze` at a release). Against each, nothing may be removed or renamed (schemas, fields, paths, parameters),
retyped, narrowed (allowed values, bounds, patterns) or newly required: new fields come with defaults. A field only
answers carry may gain an `enum` that names the values the server sends.
"""

import copy
import json

import pytest

from api import contract


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(contract.OPENAPI_FILE.read_text())


def test_there_is_a_released_snapshot_to_hold_the_document_to():
    assert "1.0.0" in contract.snapshots()


@pytest.mark.parametrize("version", sorted(contract.snapshots()))
def test_the_committed_document_only_adds_to_a_released_version(version, committed):
    problems = contract.breaking_changes(contract.snapshots()[version], committed)
    assert not problems, f"breaking changes against contract {version}:\n" + "\n".join(problems)


def _edited(document: dict, edit) -> dict:
    changed = copy.deepcopy(document)
    edit(changed)
    return changed


def _schemas(document: dict) -> dict:
    return document["components"]["schemas"]


BREAKING = {
    "a field removed": lambda d: _schemas(d)["Hazard"]["properties"].pop("title"),
    "a field renamed": lambda d: _schemas(d)["HazardCreate"]["properties"].__setitem__(
        "heading", _schemas(d)["HazardCreate"]["properties"].pop("title")
    ),
    "a field retyped": lambda d: _schemas(d)["Hazard"]["properties"].__setitem__("version", {"type": "string"}),
    "a nullable field made non-null": lambda d: _schemas(d)["Hazard"]["properties"].__setitem__(
        "deadline", {"format": "date-time", "type": "string"}
    ),
    "a new required field": lambda d: (
        _schemas(d)["HazardCreate"]["properties"].__setitem__("shift", {"type": "string"}),
        _schemas(d)["HazardCreate"]["required"].append("shift"),
    ),
    "an optional field made required": lambda d: _schemas(d)["HazardCreate"]["required"].append("description"),
    "an allowed value removed": lambda d: _schemas(d)["HazardCreate"]["properties"]["category"]["enum"].remove(
        "unsafe_act"
    ),
    "a bound tightened": lambda d: _schemas(d)["HazardCreate"]["properties"]["title"].__setitem__("maxLength", 50),
    "a field phones send given allowed values": lambda d: _schemas(d)["HazardCreate"]["properties"][
        "professionalType"
    ].__setitem__("enum", ["safety"]),
    "a schema removed": lambda d: _schemas(d).pop("HazardPhoto"),
    "a path removed": lambda d: d["paths"].pop("/v1/scan/{token}"),
    "a query parameter made required": lambda d: next(
        p for p in d["paths"]["/v1/hazards"]["get"]["parameters"] if p["name"] == "level"
    ).__setitem__("required", True),
}


@pytest.mark.parametrize("change", sorted(BREAKING))
def test_a_breaking_change_is_reported(change, committed):
    problems = contract.breaking_changes(committed, _edited(committed, BREAKING[change]))
    assert len(problems) == 1, problems


ADDITIVE = {
    "an optional field added": lambda d: _schemas(d)["HazardCreate"]["properties"].__setitem__(
        "shift", {"type": "string", "default": ""}
    ),
    "a response field added with a default": lambda d: _schemas(d)["Hazard"]["properties"].__setitem__(
        "neverServedAdded", {"oneOf": [{"type": "string"}, {"type": "null"}]}
    ),
    "an allowed value added": lambda d: _schemas(d)["HazardCreate"]["properties"]["category"]["enum"].append(
        "environment"
    ),
    "a bound loosened": lambda d: _schemas(d)["HazardCreate"]["properties"]["title"].__setitem__("maxLength", 400),
    "a schema added": lambda d: _schemas(d).__setitem__("NeverServedAdded", {"type": "object", "properties": {}}),
    "a path added": lambda d: d["paths"].__setitem__("/v1/never-served/added", {"get": {"responses": {}}}),
    "a description changed": lambda d: _schemas(d)["Hazard"].__setitem__("description", "another text"),
    # only answers carry a Hazard: naming the values the server sends takes nothing from a phone
    "an answered field given its closed values": lambda d: _schemas(d)["Hazard"]["properties"][
        "professionalType"
    ].__setitem__("enum", ["safety"]),
}


@pytest.mark.parametrize("change", sorted(ADDITIVE))
def test_an_additive_change_is_allowed(change, committed):
    assert contract.breaking_changes(committed, _edited(committed, ADDITIVE[change])) == []
