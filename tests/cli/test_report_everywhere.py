"""``--report FILE`` on every command that prints results (issue #20 item 6).

The test walks the whole ``designcalc`` command tree: every command with
``--format``/``--out`` takes ``--report FILE``, and a small valid invocation
of each (the fuzz suite's ``BASE``) writes it.  The default run writes one
format per command (md, html and docx in turn); ``-m slow`` writes all three.
"""

import os
import shlex
import zipfile

import click
import pytest
from click.testing import CliRunner
from test_cli_fuzz import BASE

from designcalc.cli import cli

#: commands that print no result (listings, the schema, a validation run), or write a
#: folder: ``trial run`` (its own ``--report FORMATS``), ``sweep`` (its folder's summary)
NOT_RESULTS = {"families", "trial list", "trial show", "sweep", "schema", "validate"}
FOLDERS = {"trial run"}
#: where the fuzz suite's base invocation is not the one to run here
ARGS = {**BASE,
        "survival oc": BASE["survival oc"] + " --test logrank",
        "survival simulate": BASE["survival simulate"] + " --test logrank"}
#: a design search of ~30 s: written with -m slow only
SLOW = {"survival two-stage"}


def _leaves():
    out = {}

    def walk(cmd, path, ctx):
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                walk(sub, path + [name], click.Context(sub, parent=ctx, info_name=name))
        else:
            out[" ".join(path)] = {p.name: p for p in cmd.get_params(ctx)}

    walk(cli, [], click.Context(cli, info_name="designcalc"))
    return out


LEAVES = _leaves()
RESULTS = sorted(set(LEAVES) - NOT_RESULTS - FOLDERS)


def test_every_results_command_takes_report():
    assert len(RESULTS) >= 35 and set(BASE) >= set(LEAVES)
    for path, params in LEAVES.items():
        has = "report" in params
        assert has == (path not in NOT_RESULTS), path
        if path not in FOLDERS and has:
            assert params["report"].metavar == "FILE", path


def _write(path, ext, tmp_path):
    target = tmp_path / f"r.{ext}"
    run = CliRunner().invoke(cli, path.split() + shlex.split(ARGS[path])
                             + ["--report", str(target)])
    assert run.exit_code == 0, (path, run.output)
    assert f"report written to {target}" in run.output
    if ext == "docx":
        with zipfile.ZipFile(target) as zf:
            body = zf.read("word/document.xml").decode()
        assert "Appendix" in body and "designcalc " + path in body
    else:
        text = target.read_text()
        assert "Appendix" in text and "designcalc " + path in text
    return target


def _cases(slow):
    return [path for path in RESULTS if slow or path not in SLOW]


@pytest.mark.parametrize("path", _cases(slow=False))
def test_report_is_written(path, tmp_path):
    _write(path, ("md", "html", "docx")[RESULTS.index(path) % 3], tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("ext", ["md", "html", "docx"])
@pytest.mark.parametrize("path", _cases(slow=True))
def test_report_is_written_in_every_format(path, ext, tmp_path):
    _write(path, ext, tmp_path)


def test_generic_report_has_the_text_table_inputs_and_command(tmp_path):
    """A result that is not an OCResult (here ``dose table``): title, protocol
    sentence, the table, the inputs and the command that reproduces it."""
    target = _write("dose table", "md", tmp_path)
    text = target.read_text()
    run = CliRunner().invoke(cli, ["dose", "table"])
    title = run.output.splitlines()[0]
    assert text.startswith(f"# {title}\n")
    assert "| n |" in text or "| n_patients |" in text or "**Table 1.**" in text
    assert "designcalc dose table" in text and '"design"' in text
    assert os.listdir(tmp_path) == ["r.md"]          # no figure for a table


def test_a_bad_report_file_is_refused_before_anything_runs(tmp_path):
    run = CliRunner().invoke(cli, ["binomial", "ci", "--x", "3", "--n", "10", "--report",
                                   str(tmp_path / "r.txt")])
    assert run.exit_code == 2 and "--report" in run.output and "must end in" in run.output
    out = CliRunner().invoke(cli, ["binomial", "ci", "--x", "3", "--n", "10", "--report",
                                   str(tmp_path / "no" / "r.md")])
    assert out.exit_code == 2 and "does not exist" in out.output
    assert os.listdir(tmp_path) == []
