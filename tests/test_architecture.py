"""The house rule, checked on the code's own imports (docs/architecture.md draws it).

Each room may import only the rooms below it; nothing imports `cli`; no two modules import each
other, however far round; and no import of our own code hides inside a function to dodge that.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Room -> the rooms it may import (besides itself). Read bottom up: a room lower in this table
# never reaches a room above it.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "i18n": frozenset(),
    "models": frozenset({"i18n"}),
    "settings": frozenset({"models", "i18n"}),
    "store": frozenset({"models", "i18n", "settings"}),
    "sheets": frozenset({"models", "i18n", "settings", "store"}),
    "hearing": frozenset({"models", "i18n", "settings", "store"}),
    "crm": frozenset({"models", "i18n", "settings", "store"}),
    "ops": frozenset({"models", "i18n", "settings", "store"}),
    "importing": frozenset({"models", "i18n", "settings", "store", "sheets", "ops"}),
    "bot": frozenset({"models", "i18n", "settings", "store", "sheets", "ops", "hearing", "crm"}),
    "jobs": frozenset({"models", "i18n", "settings", "store", "sheets", "ops", "hearing", "crm", "bot"}),
    "app": frozenset(
        {"models", "i18n", "settings", "store", "sheets", "ops", "hearing", "crm", "bot", "jobs", "importing"}
    ),
    "cli": frozenset(
        {"models", "i18n", "settings", "store", "sheets", "ops", "hearing", "crm", "bot", "jobs", "importing", "app"}
    ),
}
OURS = frozenset(MAY_IMPORT)


def room_of(module: str) -> str:
    return module.split(".")[0]


def source_files() -> Iterator[tuple[str, Path]]:
    """(module name, path) of every file of the program: not tests, fakes, bench or migrations."""
    for room in sorted(OURS):
        single = ROOT / f"{room}.py"
        if single.exists():
            yield room, single
            continue
        for path in sorted((ROOT / room).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports_of(module: str, path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported module of ours, line, inside a function?) for each import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[str, int, bool]]:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if room_of(alias.name) in OURS:
                        yield alias.name, child.lineno, inside
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    target = child.module or ""
                if room_of(target) in OURS:
                    yield target, child.lineno, inside
            yield from walk(child, inside)

    yield from walk(tree, False)


GRAPH = {module: list(imports_of(module, path)) for module, path in source_files()}


def test_the_rooms_are_all_here() -> None:
    assert {room_of(module) for module in GRAPH} == OURS


@pytest.mark.parametrize("room", sorted(OURS))
def test_a_room_imports_only_the_rooms_below_it(room: str) -> None:
    wrong = [
        f"{module}:{line} imports {target}"
        for module, imports in GRAPH.items()
        if room_of(module) == room
        for target, line, _ in imports
        if room_of(target) != room and room_of(target) not in MAY_IMPORT[room]
    ]
    assert wrong == []


def test_nothing_imports_the_command_line() -> None:
    assert [
        f"{m}:{line}"
        for m, imports in GRAPH.items()
        if room_of(m) != "cli"
        for target, line, _ in imports
        if room_of(target) == "cli"
    ] == []


def test_no_import_of_our_own_code_hides_in_a_function() -> None:
    hidden = [
        f"{module}:{line} imports {target}"
        for module, imports in GRAPH.items()
        for target, line, inside in imports
        if inside
    ]
    assert hidden == []


def _resolve(target: str) -> str | None:
    """The module an import names, or its package when it names something inside one."""
    while target and target not in GRAPH:
        target = target.rpartition(".")[0]
    return target or None


def test_no_circle_between_modules() -> None:
    edges = {m: sorted({r for t, _, _ in imports if (r := _resolve(t)) and r != m}) for m, imports in GRAPH.items()}
    # A package's __init__ re-exporting its own modules is not a circle of the house.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt.startswith(node + "."):
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert circles == []
