"""The imports among the core and the families form a DAG (issue #19 item 4).

Every ``import`` of a designcalc module -- at module level or inside a
function, absolute or relative -- is read from the syntax tree of every file
under ``designcalc/`` (imports under ``if TYPE_CHECKING:`` never run and are
skipped).  A name imported from a package that is itself a module
(``from designcalc.survival import planning``) is an edge to that module;
otherwise the edge goes to the module or package named.  Among the modules
of the core and the families (``binary``, ``dose``, ``survival``,
``coprimary``) there must be no cycle: a function-level import must not
close one either.  ``designcalc/cli/`` and ``designcalc/present/report/`` are
left out (they are being rewritten).
"""

import ast
import pathlib

import pytest
from test_layers import _statements

ROOT = pathlib.Path(__file__).resolve().parents[2] / "designcalc"
LAYERS = ("core", "binary", "dose", "survival", "coprimary")
EXCLUDED = ("designcalc.cli", "designcalc.present.report")


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _resolve(name: str):
    """The module ``name`` is, or is inside (None outside designcalc)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, path: pathlib.Path):
    """``(imported module, line)`` for every designcalc import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node, _ in _statements(tree, skip=_type_checking):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.startswith("designcalc") else None
            if target and target != module:
                yield target, node.lineno


def _type_checking(node) -> bool:
    """An ``if TYPE_CHECKING:`` block (never run)."""
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)


def _in_scope(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and parts[1] in LAYERS


def import_graph() -> dict:
    """``{module: {imported module: first line}}`` among the core and family modules."""
    graph = {}
    for module, path in MODULES.items():
        if module.startswith(EXCLUDED) or not _in_scope(module):
            continue
        edges = graph.setdefault(module, {})
        for target, line in _imported(module, path):
            if _in_scope(target) and not target.startswith(EXCLUDED):
                edges[target] = min(line, edges.get(target, line))
    return graph


def find_cycle(graph: dict):
    """One cycle as a list of modules (first == last), or None."""
    state = {}            # module -> 1 on the current path, 2 done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


@pytest.fixture(scope="module")
def graph():
    """The import graph, read once for the module's tests."""
    return import_graph()


def test_graph_sees_function_level_and_relative_imports(graph):
    assert "designcalc.core.validate" in graph["designcalc.binary.simon.design"]
    assert "designcalc.binary.simon.design" in graph["designcalc.binary.simon"]   # package
    # a function-level import: the rule-based design runs its engines lazily
    assert "designcalc.dose.rulebased.exact" in graph["designcalc.dose.rulebased.rules"]


def test_find_cycle_reports_one():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}}) is None


def test_no_import_cycle_among_core_and_family_modules(graph):
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} -> {b} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
        raise AssertionError("import cycle:\n  " + "\n  ".join(steps))
