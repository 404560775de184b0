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
