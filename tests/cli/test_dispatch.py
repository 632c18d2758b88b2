"""Several families of one CLI group declare a command of the same name (``dose next``).

A throwaway family registered with one line declares its own ``next`` in the
``dose`` group: ``designcalc dose next --design toy ...`` must reach it, with
options the interval designs' command does not know, while every existing design
and the bare command keep the existing ``dose next``.
"""

import re
import sys
import textwrap

import pytest
from click.testing import CliRunner

from designcalc.core import registry

PACKAGE = "toynext_family"

SPEC = '''
from designcalc.core.registry import FamilySpec, Param

SPEC = FamilySpec(
    name="toynext",
    title="A toy design with its own next-dose command",
    design="toynext_family.spec:SPEC",
    params=(Param("target", "float", "Target DLT probability."),),
    scenario=None,
    cli_group="dose",
    designs=(("toy", {}), ("toy-late", {})),
    extras=(("next", "toynext_family.cli:next_cmd"),),
)
'''

CLI = '''
import click

@click.command("next")
@click.option("--design", type=click.Choice(["toy", "toy-late"]), required=True)
@click.option("--pending", type=int, required=True, help="Patients still in follow-up.")
def next_cmd(design, pending):
    """The toy's own next dose."""
    click.echo(f"toy next: design {design}, {pending} pending")
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    pkg = tmp_path / PACKAGE
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "spec.py").write_text(textwrap.dedent(SPEC))
    (pkg / "cli.py").write_text(textwrap.dedent(CLI))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.register("toynext", f"{PACKAGE}.spec:SPEC")
    try:
        yield
    finally:
        registry.unregister("toynext")
        for mod in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[mod]


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


BOIN = ["dose", "next", "--design", "boin", "--target", 0.3, "--doses", 5, "--n", "3,6,18,3,0",
        "--dlt", "0,1,5,3,0", "--current", 3]


@pytest.mark.parametrize("form", [["--design", "toy"], ["--design=toy-late"]])
def test_a_design_of_another_family_reaches_its_own_command(toy, form):
    run = invoke(["dose", "next", *form, "--pending", 4])
    assert run.exit_code == 0, run.output
    assert run.output.startswith("toy next: design toy") and "4 pending" in run.output


def test_the_existing_designs_keep_the_existing_command(toy):
    with_toy = invoke(BOIN)
    assert with_toy.exit_code == 0, with_toy.output
    registry.unregister("toynext")
    try:
        without = invoke(BOIN)
    finally:
        registry.register("toynext", f"{PACKAGE}.spec:SPEC")
    assert with_toy.output == without.output and "toy" not in with_toy.output


def test_the_bare_help_names_the_other_designs(toy):
    run = invoke(["dose", "next", "--help"])
    assert run.exit_code == 0
    assert "--last-dlt" in run.output            # the existing command's help
    # registered families with their own `next` (e.g. boin12) are listed too
    # other families' designs may come first; click wraps the help at hyphens
    text = " ".join(run.output.split()).replace("- ", "-")
    assert "Also for --design " in text and "toy, toy-late: see" in text
    own = invoke(["dose", "next", "--design", "toy", "--help"])
    assert "--pending" in own.output and "--last-dlt" not in own.output
    assert "--max-seconds" in own.output        # equipped like every command


def test_an_unknown_design_is_the_existing_commands_error(toy):
    run = invoke(["dose", "next", "--design", "nope", "--target", 0.3])
    assert run.exit_code == 2 and "'nope' is not one of" in run.output
