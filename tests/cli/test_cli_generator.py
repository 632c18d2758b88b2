"""The CLI generator (issue #19): groups and generic commands from the registry,
``--design`` choosing a family's options, one dose trial-size vocabulary, errors
naming options as typed, the shared option blocks."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.core import registry

TOX = "0.05,0.10,0.20,0.30,0.50"


def _run(args):
    return CliRunner().invoke(cli, args)


def _json(args):
    result = _run([*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_groups_come_from_the_registry():
    # a family with a group of its own needs no GROUPS line (its one registry line suffices)
    assert {spec.cli_group for spec in registry.specs()} <= set(registry.groups())
    listed = _run(["--help"]).output
    for group, text in registry.groups().items():
        assert group in listed and text.split()[0] in listed


def test_every_family_has_a_generic_command():
    ctx = click.Context(cli)
    for spec in registry.specs():
        assert spec.generic, spec.name
        group = cli.get_command(ctx, spec.cli_group)
        for name in spec.generic:
            cmd = group.get_command(ctx, name)
            assert cmd is not None, (spec.name, name)
            options = {o for p in cmd.params for o in getattr(p, "opts", ())}
            assert {"--format", "--out", "--report"} <= options, (spec.name, name)
            if spec.simulate:
                assert {"--backend", "--scheduler", "--n-sims"} <= options
            if spec.plots:
                assert "--plot" in options


def test_help_without_design_lists_designs_and_shared_options():
    text = _run(["dose", "oc", "--help"]).output
    for name in ("3+3", "msc-deescalation", "boin", "keyboard", "i3+3", "crm"):
        assert name in text
    options = text.split("Options:")[1]
    assert "--tox" in options and "--n-sims" in options and "--report" in options
    assert "--cohorts" not in options and "--skeleton" not in options
    boin = _run(["dose", "oc", "--design", "boin", "--help"]).output.split("Options:")[1]
    assert "--cohorts" in boin and "--p-saf" in boin and "--skeleton" not in boin
    assert "--margin-low" not in boin          # BOIN takes no margins
    crm = _run(["dose", "oc", "--design", "crm", "--help"]).output.split("Options:")[1]
    assert "--skeleton" in crm and "--cohorts" in crm and "--max-n" in crm


def test_an_option_of_another_design_is_refused_with_its_users():
    result = _run(["dose", "oc", "--design", "3+3", "--tox", TOX, "--cohorts", "5"])
    assert result.exit_code == 2
    assert "does not apply to --design 3+3" in result.output and "boin" in result.output


def test_table_and_next_offer_only_designs_with_a_table_or_rule():
    assert _run(["dose", "table", "--design", "crm"]).exit_code == 2
    assert _run(["dose", "next", "--design", "3+3", "--target", "0.3", "--n", "3",
                 "--dlt", "0"]).exit_code == 2


def test_crm_trial_size_is_cohorts_times_cohort_size():
    base = ["dose", "oc", "--design", "crm", "--target", "0.3", "--skeleton",
            "0.05,0.1,0.2,0.3,0.5", "--tox", TOX]
    by_cohorts = _json(base + ["--cohorts", "4", "--cohort-size", "3"])
    by_max_n = _json(base + ["--max-n", "12"])
    assert by_cohorts["results"] == by_max_n["results"]
    assert by_cohorts["summary"] == by_max_n["summary"]
    both = _run(base + ["--cohorts", "4", "--max-n", "10"])
    assert both.exit_code == 2 and "--max-n" in both.output and "--cohorts" in both.output
    nothing = _run(base)
    assert nothing.exit_code == 2 and "--cohorts" in nothing.output


def test_library_errors_name_the_option_as_typed():
    result = _run(["dose", "next", "--design", "crm", "--target", "0.25", "--skeleton",
                   "0.05,0.1,0.25,0.4,0.6", "--n", "3,6,0,0,0", "--dlt", "0,1,0,0,0",
                   "--current", "2"])
    assert result.exit_code == 2
    assert result.output.startswith("designcalc: error: --last-dlt")
    assert "last_dlt" not in result.output


@pytest.mark.parametrize("args", [
    ["survival", "power", "--n", "50", "--median0", "6", "--median1", "9", "--accrual", "24",
     "--followup", "12", "--backend", "dask"],
    ["dose", "simulate", "--tox", TOX, "--scheduler", "tcp://127.0.0.1:1"],
])
def test_backend_is_refused_when_nothing_is_simulated_or_unreachable(args, monkeypatch):
    from designcalc.core import cluster

    monkeypatch.setattr(cluster, "DEFAULT_TIMEOUT", 0.5)      # port 1 never answers
    result = _run(args)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_several_families_one_generic_command():
    rec = _json(["bayes", "oc", "--design", "pp", "--p0", "0.6", "--looks", "10,20,30,40",
                 "--theta-t", "0.9", "--theta-l", "0.05", "--p", "0.6", "--p", "0.8"])
    assert rec["inputs"]["design"] == "pp" and len(rec["results"]) == 2
    default = _json(["binomial", "oc", "--n", "20", "--r", "5", "--p", "0.3"])
    assert default["inputs"]["design"] == "single_stage"


def test_report_of_a_hand_written_simulating_command(tmp_path):
    path = tmp_path / "r.md"
    result = _run(["multistage", "oc", "--looks", "10,20", "--futility", "0,4", "--p", "0.3",
                   "--report", str(path)])
    assert result.exit_code == 0, result.output
    assert path.exists() and "report written to" in result.output


def test_every_simulating_command_takes_backend_and_scheduler():
    ctx = click.Context(cli)
    missing = []

    def walk(group, path):
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if isinstance(cmd, click.Group):
                walk(cmd, path + [name])
            elif cmd is not None:
                options = {o for p in cmd.params for o in getattr(p, "opts", ())}
                if "--n-sims" in options and not {"--backend", "--scheduler"} <= options:
                    missing.append(" ".join(path + [name]))

    walk(cli, [])
    assert missing == []
