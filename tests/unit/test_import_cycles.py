"""No package of ours imports itself in a circle: a cycle makes the import order decide
whether a module works, and hides that two modules belong together (or apart).

Every package is read (not imported): libs/kit, libs/devstack and each service found under
services/*/src. A module's imports count when they run at import time: top-level statements,
also inside a top-level ``try`` or ``if``, but not ``if TYPE_CHECKING:`` and not imports
inside a function (those run later, when the function does). Importing ``a.b.c`` also runs
the packages ``a`` and ``a.b``, so those count as imported too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def package_roots() -> dict[str, Path]:
    """Top-level package name -> its folder, for every package of the repository."""
    sources = [ROOT / "libs/kit/src", ROOT / "libs/devstack/src", *sorted(ROOT.glob("services/*/src"))]
    return {
        folder.name: folder
        for source in sources
        for folder in sorted(source.iterdir())
        if (folder / "__init__.py").is_file()
    }


def modules(roots: dict[str, Path]) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the packages (migration scripts aside:
    Alembic loads them by path, never by import)."""
    found: dict[str, Path] = {}
    for name, folder in roots.items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            if "versions" in relative.parts:
                continue
            parts = [name, *relative.parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for statement in body:
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _import_time_statements(statement.body)
            yield from _import_time_statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _import_time_statements(block)
            for handler in statement.handlers:
                yield from _import_time_statements(handler.body)
        elif isinstance(statement, ast.With):
            yield from _import_time_statements(statement.body)
        else:
            yield statement


def imported_names(module: str, path: Path) -> Iterator[str]:
    """The dotted names ``module`` imports at import time (absolute, possibly not ours)."""
    is_package = path.name == "__init__.py"
    for statement in _import_time_statements(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(statement, ast.Import):
            yield from (alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom):
            if statement.level:
                base = module.split(".")
                base = base[: len(base) - statement.level + (1 if is_package else 0)]
                source = ".".join([*base, statement.module] if statement.module else base)
            else:
                source = statement.module or ""
            yield source
            # ``from package import submodule`` imports the submodule too.
            yield from (f"{source}.{alias.name}" for alias in statement.names)


def import_graph() -> dict[str, set[str]]:
    ours = modules(package_roots())
    graph: dict[str, set[str]] = {name: set() for name in ours}
    for name, path in ours.items():
        for imported in imported_names(name, path):
            parts = imported.split(".")
            # The module itself and every package above it run at import time.
            for length in range(1, len(parts) + 1):
                target = ".".join(parts[:length])
                if target in ours and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a
    readable path ``a -> b -> … -> a``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(_path_through(sorted(component), graph))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _path_through(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One cycle inside a component, from its first module back to it."""
    members = set(component)
    start = component[0]
    path = [start]
    seen = {start}
    while True:
        following = sorted(graph[path[-1]] & members)
        if start in following and len(path) > 1:
            return [*path, start]
        step = next((module for module in following if module not in seen), start)
        if step == start:
            return [*path, start]
        path.append(step)
        seen.add(step)


def test_every_package_is_read() -> None:
    roots = package_roots()
    assert {"zorgpost_kit", "zorgpost_devstack", "identity", "messaging", "gateway"} <= set(roots)


def test_no_module_imports_itself_in_a_circle() -> None:
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


# --- the check itself ---------------------------------------------------------------------------


def test_a_cycle_is_found_and_shown_as_a_path() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}

    assert cycles(graph) == [["a.x", "a.y", "a.z", "a.x"]]


def test_imports_that_run_later_do_not_count(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import pkg.first\n"
        "if TYPE_CHECKING:\n    import pkg.typing_only\n"
        "try:\n    from pkg import second\nexcept ImportError:\n    pass\n"
        "def later():\n    import pkg.inside_a_function\n"
    )

    names = set(imported_names("pkg.m", module))

    assert {"pkg.first", "pkg.second"} <= names
    assert not names & {"pkg.typing_only", "pkg.inside_a_function"}
