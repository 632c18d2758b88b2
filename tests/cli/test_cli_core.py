"""The command-line contract shared by every command (exit codes, output formats)."""

import json

from click.testing import CliRunner

from designcalc import __version__
from designcalc.cli import cli
from designcalc.cli._common import envelope, parse_grid, render_csv, render_table


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_families():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for family in ("simon", "binomial", "survival", "dose", "trial"):
        assert family in result.output


def test_unknown_command_is_one_line_exit_2():
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_envelope_fields_and_nan_to_null():
    rec = envelope("x y", {"a": 1}, [{"v": float("nan"), "w": 0.5}], warnings=["careful"])
    assert list(rec) == ["designcalc_version", "command", "inputs", "seed", "warnings", "results"]
    assert rec["results"][0]["v"] is None
    json.dumps(rec)  # serialisable


def test_parse_grid_inclusive():
    assert parse_grid("0.3:0.9:0.05")[-1] == 0.9
    assert len(parse_grid("0.3:0.9:0.05")) == 13


def test_render_table_and_csv():
    rows = [{"p": 0.3, "n": 12}, {"p": 0.5, "n": 28}]
    table = render_table(rows)
    # formats come from the label registry: p is shown as given, n as an integer
    assert "0.3" in table and "0.3000" not in table and "28" in table
    assert render_csv(rows).splitlines()[0] == "p,n"


def test_unwritable_out_is_bad_input_one_line(tmp_path):
    target = tmp_path / "no-such-dir" / "x.csv"
    result = CliRunner().invoke(cli, ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19",
                                      "--n", "28", "--p", "0.5", "--out", str(target)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "--out" in result.output
