"""The shared CLI never names a family (issue #19): ``designcalc/cli/`` reads specs.

Every Python file under ``designcalc/cli/`` is read as a syntax tree; it must
hold no string literal that is a registered family's name or the module path
of a family (``"designcalc.binary.simon..."``), and no import of a family
module, at module level or inside a function.  The registry is the only place
where family names appear; a family's own commands live in its ``cli`` module
and are declared by its spec's ``extras``.
"""

from __future__ import annotations

import ast
import pathlib

import click

from designcalc.cli import cli
from designcalc.core import registry

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "designcalc"
CLI = PACKAGE / "cli"
#: the packages that hold families (tests/core/test_layers.py)
FAMILY_PACKAGES = ("designcalc.binary", "designcalc.dose", "designcalc.survival",
                   "designcalc.coprimary")


def _is_family_module(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in FAMILY_PACKAGES)


def offences(path: pathlib.Path, families, root: pathlib.Path = PACKAGE.parent) -> list:
    """``"file:line: what"`` (file relative to ``root``) for every family name or
    family import in ``path``."""
    where = path.relative_to(root)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            names = []
        for name in names:
            if _is_family_module(name):
                out.append(f"{where}:{node.lineno}: imports the family module {name}")
                break
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text in families:
                out.append(f"{where}:{node.lineno}: names the family {text!r}")
            elif _is_family_module(text.partition(":")[0]):
                out.append(f"{where}:{node.lineno}: names the family module {text!r}")
    return out


def test_the_shared_cli_names_no_family():
    families = set(registry.families())
    found = [o for path in sorted(CLI.rglob("*.py")) for o in offences(path, families)]
    assert found == [], "\n".join(found)


def test_the_check_finds_a_family_name(tmp_path):
    path = tmp_path / "designcalc" / "cli" / "sample.py"
    path.parent.mkdir(parents=True)
    path.write_text('import click\n'
                    'from designcalc.binary.simon import search\n'
                    'def f():\n'
                    '    from designcalc.dose import cli\n'
                    '    return "simon", "designcalc.survival.cli:HELP", "simon oc"\n')
    found = offences(path, {"simon"}, root=tmp_path)
    assert [f.partition(": ")[0] for f in found] == ["designcalc/cli/sample.py:2",
                                                     "designcalc/cli/sample.py:4",
                                                     "designcalc/cli/sample.py:5",
                                                     "designcalc/cli/sample.py:5"]
    assert "the family 'simon'" in found[2]


def test_every_group_is_generated_and_each_extra_is_declared_once():
    ctx = click.Context(cli)
    for group in registry.groups():
        declared = {}
        for spec in registry.group_specs(group):
            for name, target in spec.extras:
                # several families may declare a command of one name (routed by --design,
                # the "cli: several families' extras of one name" hook); the help once
                assert name != "--help" or name not in declared, (group, spec.name)
                declared.setdefault(name, spec.name)
                obj = registry.load(target)
                assert isinstance(obj, str if name == "--help" else click.Command), target
        command = cli.get_command(ctx, group)
        assert set(declared) - {"--help"} <= set(command.list_commands(ctx)), group


def test_group_families_lists_each_group_s_families():
    # GROUP_FAMILIES only speeds up finding a command: it lists the group's families
    # from before the registry's later lines, which are found by reading every spec (a
    # family joining a group costs no line here)
    for group, names in registry.GROUP_FAMILIES.items():
        assert group in registry.GROUPS
        members = [s.name for s in registry.group_specs(group)]
        assert list(names) == members[:len(names)], group
