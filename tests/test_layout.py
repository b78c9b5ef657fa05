"""The shape of the tree (issue 13): the engine depends on neither its screen nor its
examiner, no modules import each other in a circle, and `rag/` keeps a short top level.

The import graph is read with the standard library's `ast` from the source files, so it
counts imports inside functions too (a lazy import still ties two modules together).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rag", "ui", "eval")


def _modules() -> dict[str, Path]:
    mods: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            mods[name] = path
    return mods


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports. `from pkg import name` counts as an import
    of `pkg.name` when that is a module, else of `pkg`."""
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    mod = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    mod = node.module or ""
                for a in node.names:
                    deps.add(f"{mod}.{a.name}" if f"{mod}.{a.name}" in mods else mod)
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_import_cycles_in_rag_ui_eval() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_engine_imports_neither_ui_nor_eval() -> None:
    # the same as `grep -rE "^(from|import) (ui|eval)" rag/`, and imports inside functions
    graph = import_graph()
    leaks = {m: sorted(d for d in deps if d.split(".")[0] in ("ui", "eval"))
             for m, deps in graph.items() if m.split(".")[0] == "rag"}
    assert {m: d for m, d in leaks.items() if d} == {}
    pattern = re.compile(r"^\s*(from|import) (ui|eval)\b", re.M)
    assert [p for p in (ROOT / "rag").rglob("*.py") if pattern.search(p.read_text())] == []


def test_rag_top_level_is_short_and_every_package_says_what_it_holds() -> None:
    top = sorted(p.name for p in (ROOT / "rag").glob("*.py"))
    assert len(top) <= 8, top
    for init in (ROOT / "rag").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and re.search(r"\bnot\b", doc), f"{init.relative_to(ROOT)}: no docstring " \
            "saying what the package holds and what it does not"
