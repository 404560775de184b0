"""Example payloads of every contract version still decode into today's wire types, and lose nothing doing so.

`mobile_contract/examples/<version>/index.json` names the type of every example file (`module.Type`, or
`list[module.Type]`); a request must decode strictly, and a response must keep every field it had, because a
phone of that version sends and reads exactly these. Folders are never edited: a new version adds a folder.
"""

import importlib
import json
import typing
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from api import contract

EXAMPLES = contract.CONTRACT_DIR / "examples"
VERSIONS = sorted(path.name for path in EXAMPLES.iterdir() if path.is_dir())


def _cases() -> list[tuple[str, str, str]]:
    return [
        (version, name, type_name)
        for version in VERSIONS
        for name, type_name in json.loads((EXAMPLES / version / "index.json").read_text()).items()
    ]


def wire_type(name: str):
    """`hazards.Hazard` → mobile_contract.hazards.Hazard; `list[X]` → list[X]."""
    if name.startswith("list[") and name.endswith("]"):
        return list[wire_type(name[5:-1])]
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(f"mobile_contract.{module}"), attribute)


def lost_fields(example, decoded, where: str = "") -> list[str]:
    """Where the example holds something the decoded value does not give back (a field ignored or changed)."""
    if isinstance(example, dict):
        if not isinstance(decoded, dict):
            return [f"{where}: no longer an object"]
        return [
            problem
            for key, value in example.items()
            for problem in (
                [f"{where}/{key}: not in the type any more"]
                if key not in decoded
                else lost_fields(value, decoded[key], f"{where}/{key}")
            )
        ]
    if isinstance(example, list):
        if not isinstance(decoded, list) or len(decoded) != len(example):
            return [f"{where}: list changed"]
        return [
            problem
            for i, (a, b) in enumerate(zip(example, decoded, strict=False))
            for problem in lost_fields(a, b, f"{where}/{i}")
        ]
    return [] if example == decoded else [f"{where}: {example!r} came back as {decoded!r}"]


def test_there_are_examples_of_an_earlier_version_and_of_the_current_one():
    from mobile_contract import CONTRACT_VERSION

    current = ".".join(CONTRACT_VERSION.split(".")[:2])
    assert current in VERSIONS and len(VERSIONS) >= 2, VERSIONS
    assert len(_cases()) >= 30


@pytest.mark.parametrize("version", VERSIONS)
def test_every_example_file_is_indexed_and_every_index_entry_exists(version):
    folder = EXAMPLES / version
    indexed = set(json.loads((folder / "index.json").read_text()))
    on_disk = {path.name for path in folder.glob("*.json")} - {"index.json"}
    assert indexed == on_disk, f"not indexed: {on_disk - indexed}; missing files: {indexed - on_disk}"


@pytest.mark.parametrize(("version", "name", "type_name"), _cases(), ids=lambda v: str(v))
def test_an_example_decodes_into_its_wire_type_and_keeps_every_field(version, name, type_name):
    raw = (EXAMPLES / version / name).read_bytes()
    try:
        decoded = msgspec.json.decode(raw, type=wire_type(type_name))
    except msgspec.ValidationError as error:
        pytest.fail(f"{version}/{name} no longer decodes as {type_name}: {error}")
    # Decimals stay numbers, so `"l": 3` compares with Decimal("3"); times and enums come back as the same text.
    back = msgspec.to_builtins(decoded, builtin_types=(Decimal,))
    lost = lost_fields(json.loads(raw), back)
    assert not lost, f"{version}/{name} as {type_name} loses: {lost[:10]}"


def _type_names(annotation) -> set[str]:
    """The struct names an example type stands for (a union's members too)."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return {annotation.__name__}
    return {name for argument in typing.get_args(annotation) for name in _type_names(argument)}


@pytest.mark.parametrize("version", [v for v in VERSIONS if (contract.snapshot_file(f"{v}.0")).exists()])
def test_the_examples_of_a_released_version_use_only_types_that_version_had(version):
    released = json.loads(contract.snapshot_file(f"{version}.0").read_text())["components"]["schemas"]
    used = {
        name for folder, _, type_name in _cases() if folder == version for name in _type_names(wire_type(type_name))
    }
    # The problem body was described by CONTRACT.md only; it became an OpenAPI component in 1.1 (wire unchanged).
    used.discard("Problem")
    assert used and used <= set(released), used - set(released)
    # And every top-level field of such an example was in that version's schema, so it is no later payload.
    for folder, name, type_name in _cases():
        annotation = wire_type(type_name)
        if folder == version and isinstance(annotation, type) and annotation.__name__ in released:
            example = json.loads((EXAMPLES / version / name).read_text())
            assert set(example) <= set(released[annotation.__name__].get("properties", {})), name


def test_a_removed_or_retyped_field_is_caught():
    # The check itself can fail: a response example with a field the type no longer has, or of another type.
    hazard = json.loads((EXAMPLES / "1.0" / "hazards.hazard-reported.response.json").read_text())
    back = msgspec.to_builtins(msgspec.convert(dict(hazard, legacyField="x"), wire_type("hazards.Hazard")))
    assert lost_fields(dict(hazard, legacyField="x"), back) == ["/legacyField: not in the type any more"]
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(json.dumps(dict(hazard, version="3")), type=wire_type("hazards.Hazard"))
    with pytest.raises(msgspec.ValidationError):
        request = json.loads((EXAMPLES / "1.0" / "hazards.create.request.json").read_text())
        msgspec.json.decode(json.dumps(dict(request, legacyField=1)), type=wire_type("hazards.HazardCreate"))


def test_example_files_are_utf8_json_objects_or_lists():
    for path in EXAMPLES.rglob("*.json"):
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), (dict, list)), path
    assert Path(EXAMPLES / "README.md").exists()


def test_the_operations_of_a_sync_batch_example_decode_as_their_kind():
    # A batch carries its payloads as plain objects; the server decodes each by its kind, strictly, as here.
    from mobile_contract.sync import PAYLOADS

    batches = [(version, name) for version, name, type_name in _cases() if type_name == "sync.SyncBatch"]
    assert batches
    for version, name in batches:
        for op in json.loads((EXAMPLES / version / name).read_text())["ops"]:
            decoded = msgspec.convert(op["payload"], PAYLOADS[op["kind"]], strict=True)
            assert not lost_fields(op["payload"], msgspec.to_builtins(decoded)), (name, op["opId"])
