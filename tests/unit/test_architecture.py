"""The domain's rules stay pure: no web framework, ORM or queue in its model modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("litestar", "piccolo", "arq", "redis", "httpx", "msgspec")
MODEL_MODULES = sorted(
    path for path in (ROOT / "domain").rglob("*.py") if path.name == "model.py" or path.parent.name == "model"
)


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_are_model_modules_to_check():
    assert len(MODEL_MODULES) >= 2


@pytest.mark.parametrize("path", MODEL_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_domain_model_module_imports_no_framework(path):
    assert not imported_roots(path) & set(FORBIDDEN)


def test_the_contract_imports_nothing_from_the_rest_of_the_project():
    for path in (ROOT / "mobile_contract").rglob("*.py"):
        assert not imported_roots(path) & {"api", "domain", "workers", "seed"}, path


PROJECT_PACKAGES = {"api", "domain", "workers", "seed", "bench", "tests"}


def test_the_contract_imports_no_project_package_at_all():
    # The phone team may vendor `mobile_contract/` alone: nothing outside it (not even tests or bench) may be needed.
    paths = sorted((ROOT / "mobile_contract").rglob("*.py"))
    assert len(paths) >= 10
    for path in paths:
        assert not imported_roots(path) & PROJECT_PACKAGES, path


def _structs_in(annotation) -> set[type]:
    import typing

    import msgspec

    found = set()
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        found.add(annotation)
    for argument in typing.get_args(annotation):
        found |= _structs_in(argument)
    return found


def _handler_types() -> tuple[set[type], set[type]]:
    """The structs the real app's handlers take as bodies and give as answers."""
    from api.contract import schema_app

    bodies, answers = set(), set()
    with schema_app() as app:
        for route in app.routes:
            for handler in getattr(route, "route_handlers", []):
                signature = handler.parsed_fn_signature
                answers |= _structs_in(signature.return_type.annotation)
                if "data" in signature.parameters:
                    bodies |= _structs_in(signature.parameters["data"].annotation)
    return bodies, answers


def test_every_body_and_answer_of_the_api_is_a_contract_type():
    bodies, answers = _handler_types()
    assert len(bodies) >= 20 and len(answers) >= 40
    outside = {
        f"{t.__module__}.{t.__qualname__}" for t in bodies | answers if not t.__module__.startswith("mobile_contract.")
    }
    assert not outside, f"wire types must live in mobile_contract/, found: {sorted(outside)}"


def test_request_bodies_refuse_unknown_fields():
    bodies, _ = _handler_types()
    lax = sorted(t.__qualname__ for t in bodies if not t.__struct_config__.forbid_unknown_fields)
    assert not lax, f"request types must refuse unknown fields (derive from mobile_contract.base.Wire): {lax}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def test_every_contract_struct_is_camel_case_on_the_wire():
    import importlib
    import inspect
    import pkgutil

    import msgspec

    import mobile_contract

    structs = {
        cls
        for module in pkgutil.iter_modules(mobile_contract.__path__, "mobile_contract.")
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass)
        if issubclass(cls, msgspec.Struct) and cls.__module__.startswith("mobile_contract")
    }
    assert len(structs) >= 60
    wrong = [
        f"{cls.__qualname__}.{field.name} → {field.encode_name}"
        for cls in structs
        for field in msgspec.structs.fields(cls)
        if field.encode_name != _camel(field.name)
    ]
    assert not wrong, wrong
