"""The layer rule of the package tree (docs/architecture.md), checked on the source.

Every ``import`` of a designcalc module, at module level or inside a function,
is read from the syntax tree of every file under ``designcalc/``:

* ``designcalc.core`` imports the core only;
* ``designcalc.present`` imports the core and itself;
* a family (``designcalc.binary``, ``designcalc.dose``, ``designcalc.survival``,
  ``designcalc.coprimary``) imports the core and families; only its
  presentation modules (``present.py``: labels, plots), report modules
  (``report.py``: the report-facts builder its spec names) and command
  modules (``cli.py``: the hand-written commands its spec's ``extras`` name)
  import ``designcalc.present``, and only its command modules import the CLI
  (``designcalc.cli``: option blocks, ``emit``, parsers);
* ``designcalc.sweep``, ``designcalc.trials`` and ``designcalc.config`` import
  anything but the CLI;
* nothing else outside ``designcalc.cli`` imports the CLI;
* ``designcalc.web`` (the local web interface) imports anything, like the CLI,
  and nothing imports it (``designcalc serve`` names it in a string, loaded
  when the command runs).

Two core modules delegate to the layers above, inside functions only (never at
import time): ``OCResult``'s presentation methods (``table``, ``summary``,
``plot``: lifelines' ``print_summary``/``plot(ax=)``) and the conformance
checks, which run a family through the whole stack (CLI, plots, reports).
``DELEGATES`` lists them; everything else is the rule.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "designcalc"
FAMILIES = ("binary", "dose", "survival", "coprimary")
RUNNER = ("sweep", "trials", "config")
#: core module -> layers it may import inside a function (delegation upwards)
DELEGATES = {"designcalc.core.result": ("present",),
             "designcalc.core.testing": ("present", "family", "runner", "cli")}


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: pathlib.Path):
    """``(module, line, inside a function)`` for every import in ``path``."""
    for node, lazy in _statements(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module in ("designcalc", "designcalc.core", "designcalc.present",
                               "designcalc.binary", "designcalc.dose"):
                # from designcalc.core import registry -> designcalc.core.registry
                names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            yield name, node.lineno, lazy


#: the nodes that hold statements (an import is a statement: expressions are not searched)
_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def _statements(tree: ast.Module, skip=None):
    """``(statement, inside a function)`` for every statement of ``tree``, at any depth
    (but none of a statement ``skip(statement)`` is true for, nor any inside it)."""
    stack = [(tree, False)]
    while stack:
        node, lazy = stack.pop()
        inner = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _BLOCKS) and not (skip and skip(child)):
                if isinstance(child, ast.stmt):
                    yield child, inner
                stack.append((child, inner))


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return "root"
    head = parts[1]
    if head in ("core", "present", "cli", "web"):
        return head
    if head in FAMILIES:
        return "family"
    if head in RUNNER:
        return "runner"
    return "other"


def _allowed(src: str, dst: str, lazy: bool = False) -> bool:
    a, b = _layer(src), _layer(dst)
    if lazy and b in DELEGATES.get(src, ()):
        return True
    if b == "web":
        return a == "web"
    if b in ("root", "other") or dst.startswith("designcalc.core.moved"):
        return True
    if a == "core":
        return b == "core"
    if a == "present":
        return b in ("core", "present")
    if a == "family":
        if b == "present":
            return src.split(".")[-1] in ("present", "report", "cli")
        if b == "cli":
            return src.split(".")[-1] == "cli"
        return b in ("core", "family")
    if a == "runner":
        return b != "cli"
    return True                      # the CLI, the web interface and the root import anything


def violations():
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if "examples" in path.relative_to(ROOT).parts:
            continue
        src = _module_name(path)
        for dst, line, lazy in _imports(path):
            if dst.startswith("designcalc.") and not _allowed(src, dst, lazy):
                out.append(f"{path.relative_to(ROOT.parent)}:{line}: {src} imports {dst}")
    return out


def test_layer_rule():
    assert violations() == []


@pytest.mark.parametrize("src, dst, ok", [
    ("designcalc.core.result", "designcalc.present.labels", False),
    ("designcalc.core.result", "designcalc.core.protocol", True),
    ("designcalc.present.plots", "designcalc.survival.planning", False),
    ("designcalc.binary.simon.design", "designcalc.present.labels", False),
    ("designcalc.binary.simon.present", "designcalc.present.labels", True),
    ("designcalc.binary.simon.report", "designcalc.present.report.text", True),
    ("designcalc.present.report.text", "designcalc.binary.simon.report", False),
    ("designcalc.dose.crm.engine", "designcalc.dose.interval.sim", True),
    ("designcalc.trials", "designcalc.cli.trial", False),
    ("designcalc.cli.generic", "designcalc.dose.interval.design", True),
    ("designcalc.binary.simon.cli", "designcalc.cli._common", True),
    ("designcalc.binary.simon.cli", "designcalc.present.report", True),
    ("designcalc.binary.simon.design", "designcalc.cli._common", False),
    ("designcalc.binary.simon.present", "designcalc.cli.options", False),
    ("designcalc.web.app", "designcalc.cli.generic", True),
    ("designcalc.web.forms", "designcalc.binary.simon.spec", True),
    ("designcalc.cli", "designcalc.web.app", False),
    ("designcalc.trials", "designcalc.web.jobs", False),
])
def test_rule_itself(src, dst, ok):
    assert _allowed(src, dst) is ok


def test_delegation_is_lazy_only():
    assert _allowed("designcalc.core.result", "designcalc.present.render", lazy=True)
    assert not _allowed("designcalc.core.result", "designcalc.present.render", lazy=False)
    assert not _allowed("designcalc.core.protocol", "designcalc.present.render", lazy=True)
