"""The shape of the domain, enforced: each area owns its tables, statements live in its store, areas form no loop.

An area is a package `domain/<area>/`. Its `tables.py` is read and written only by its own `store.py` or
`queries.py` (and its `tables.py`); every other module, in the area or outside it, calls the store's functions
and gets typed records back. `domain/db` is the plumbing every area may use (engine, one transaction helper, the
list of all tables for migrations). Imports inside functions count: a loop hidden in a function is still a loop.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "domain"
STORE_MODULES = {"store.py", "queries.py", "tables.py"}
# Plumbing, not an area: it may list every area's tables (migrations, binding tables to an engine).
PLUMBING = {"db"}


def _imports(path: Path) -> list[str]:
    """Every module this file imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "domain" and (DOMAIN / parts[1]).is_dir() else None


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py") if ".venv" not in path.parts)


def _tables_module_of(module: str) -> str | None:
    """The area whose tables the module names (`domain.<area>.tables[.<Name>]`), else None."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "domain" and parts[2] == "tables":
        return parts[1]
    return None


def test_only_an_areas_store_touches_its_tables() -> None:
    breaches = []
    for path in _python_files("domain", "api", "workers"):
        relative = path.relative_to(ROOT)
        own_area = relative.parts[1] if relative.parts[0] == "domain" and len(relative.parts) > 2 else None
        if own_area in PLUMBING or "piccolo_migrations" in relative.parts:
            continue
        for module in set(_imports(path)):
            area = _tables_module_of(module)
            if area is None or (area == own_area and path.name in STORE_MODULES):
                continue
            breaches.append(f"{relative} imports {module}")
    assert not breaches, "tables are reached only through their area's store:\n" + "\n".join(sorted(set(breaches)))


def _area_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in _python_files("domain"):
        relative = path.relative_to(ROOT)
        if len(relative.parts) < 3:
            continue  # domain/clock.py and friends: shared leaves, not areas
        area = relative.parts[1]
        if area in PLUMBING:
            continue
        for module in _imports(path):
            other = _area_of(module)
            if other and other != area and other not in PLUMBING:
                graph[area].add(other)
    return graph


def _find_loop(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == 1:
                return [*stack[stack.index(successor) :], successor]
            if successor not in state and (loop := visit(successor)):
                return loop
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (loop := visit(node)):
            return loop
    return None


def test_the_areas_import_each_other_without_a_loop() -> None:
    loop = _find_loop(_area_graph())
    assert loop is None, "areas import each other in a loop: " + " -> ".join(loop or [])


def test_one_transaction_helper() -> None:
    breaches = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files("domain", "api", "workers")
        if "db" not in path.relative_to(ROOT).parts[1:2]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "_meta.db.transaction(" in line
    ]
    assert not breaches, "transactions open through domain.db's helper only:\n" + "\n".join(breaches)


def test_the_rules_see_a_breach() -> None:
    """The checker itself: a loop and a foreign tables import are found."""
    assert _find_loop({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_loop({"a": {"b"}, "b": {"c"}}) is None
    assert _tables_module_of("domain.hazards.tables.Hazard") == "hazards"
    assert _tables_module_of("domain.hazards.store") is None
