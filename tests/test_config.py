"""Trial config files: every example loads; malformed configs fail in one clear line."""

import os
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from designcalc import config, trials
from designcalc.cli import cli

GOOD = textwrap.dedent("""
    name = "demo"
    title = "A demo trial"
    source = "none"
    assumptions = ["p0 and p1 are made up"]

    [simulation]
    n_sims = 500
    seed = 3

    [[analysis]]
    id = "orr"
    family = "simon"
    endpoint = "response"
    design = { r1 = 3, n1 = 13, r = 12, n = 43 }
    hypotheses = { p0 = 0.2, p1 = 0.4 }
    scenarios = { H0 = 0.2, H1 = 0.4 }
""")


def _write(tmp_path, text, name="demo.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_every_example_loads(name):
    cfg = trials.resolve(name)
    assert cfg.name == name
    assert cfg.source.startswith(("00", "NCT")) or cfg.registry
    assert cfg.all_assumptions, "every seed trial labels its assumptions"
    assert cfg.analyses


def test_examples_are_found_from_the_package():
    assert set(trials.EXAMPLE_NAMES) <= set(trials.example_names())
    assert os.path.isfile(os.path.join(trials.examples_dir(), "nalirifox.toml"))


def test_good_config_parses(tmp_path):
    cfg = config.load(_write(tmp_path, GOOD))
    assert (cfg.n_sims, cfg.seed) == (500, 3)
    a = cfg.analyses[0]
    assert a.design == {"r1": 3, "n1": 13, "r": 12, "n": 43}
    assert a.p_values() == [0.2, 0.4]
    assert cfg.raw["analysis"][0]["id"] == "orr"


def test_grid_points_inclusive():
    cfg = trials.resolve("nalirifox")
    ps = cfg.analyses[0].p_values()
    assert ps[0] == 0.3 and ps[-1] == 0.95 and len(ps) == 14


BAD = [
    # (replace old -> new in GOOD, expected start of the message after "demo.toml: ")
    ('title = "A demo trial"', 'title = "A demo trial"\ncolour = "red"',
     "colour: unknown key"),
    ("n = 43 }", "n = 43, m = 2 }", "analysis[0].design.m: unknown key"),
    ("r1 = 3,", 'r1 = "3",', "analysis[0].design.r1: must be an integer"),
    ("r1 = 3,", "r1 = 3.0,", "analysis[0].design.r1: must be an integer"),
    ('design = { r1 = 3, n1 = 13, r = 12, n = 43 }\n', "",
     "analysis[0].design: missing (required)"),
    ("r1 = 3,", "r1 = 13,", "analysis[0].design: r1 must be < n1"),
    ('family = "simon"', 'family = "bayes"', "analysis[0].family: must be one of"),
    ("H0 = 0.2,", "H0 = 1.2,", "analysis[0].scenarios.H0: must be in [0, 1]"),
    ("n_sims = 500", "n_sims = 1", "simulation.n_sims: must be >= 2"),
    ("n_sims = 500", "n_sims = true", "simulation.n_sims: must be an integer"),
    ('name = "demo"', 'name = "Demo Trial"', "name: must be lower-case"),
    ('name = "demo"\n', "", "name: missing (required)"),
    ("p0 = 0.2,", "p0 = 0,", "analysis[0].hypotheses.p0: must be in (0, 1)"),
    ('id = "orr"', 'id = "orr"\nextra = 1', "analysis[0].extra: unknown key"),
    ("[simulation]", "[simulation]\nworkers = 2", "simulation.workers: unknown key"),
    ('assumptions = ["p0 and p1 are made up"]', "assumptions = [1, 2]",
     "assumptions: must be a list of strings"),
    ("[simulation]", "[simulation", "not valid TOML"),
]


@pytest.mark.parametrize("old, new, message", BAD)
def test_malformed_config_messages(tmp_path, old, new, message):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    text = str(err.value)
    assert text.startswith(f"demo.toml: {message}"), text
    assert "\n" not in text


def test_no_analysis_is_an_error(tmp_path):
    head = GOOD.split("[[analysis]]")[0]
    with pytest.raises(config.ConfigError, match=r"^demo.toml: analysis: missing"):
        config.load(_write(tmp_path, head))


def test_dose_needs_scenarios_and_survival_rejects_them(tmp_path):
    dose = GOOD.split("[[analysis]]")[0] + textwrap.dedent("""
        [[analysis]]
        id = "p1"
        family = "dose"
        endpoint = "TI"
        design = { preset = "msc-deescalation" }
    """)
    with pytest.raises(config.ConfigError, match=r"analysis\[0\].scenarios: missing"):
        config.load(_write(tmp_path, dose))
    surv = GOOD.split("[[analysis]]")[0] + textwrap.dedent("""
        [[analysis]]
        id = "pfs"
        family = "survival"
        endpoint = "PFS"
        design = { test = "logrank", n = 20, median0 = 6.0, median1 = 12.0, accrual = 12.0, followup = 12.0, alpha = 0.05 }
        scenarios = { H0 = 0.5 }
    """)
    with pytest.raises(config.ConfigError, match=r"scenarios: not used by family 'survival'"):
        config.load(_write(tmp_path, surv))


def test_missing_file_and_unknown_name():
    with pytest.raises(config.ConfigError, match=r"^nothere.toml: no such config file"):
        config.load("/nonexistent/nothere.toml")
    with pytest.raises(config.ConfigError, match=r"^trial: unknown trial 'zzz'"):
        trials.resolve("zzz")


@pytest.mark.parametrize("old, new, message", [BAD[0], BAD[2], BAD[4], BAD[-1]])
@pytest.mark.parametrize("command", ["run", "show"])
def test_cli_malformed_config_exit_2_one_line(tmp_path, old, new, message, command):
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    result = CliRunner().invoke(cli, ["trial", command, path])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert f"demo.toml: {message}" in lines[0]


@given(st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True))
def test_any_unknown_top_level_key_is_named(key):
    if key in config._TOP:
        return
    text = GOOD.replace('title = "A demo trial"', f'title = "A demo trial"\n{key} = 1', 1)
    with pytest.raises(config.ConfigError) as err:
        config.parse(text, fname="x.toml")
    assert str(err.value).startswith(f"x.toml: {key}: unknown key")



def test_hypotheses_are_not_silently_ignored_by_calendar(tmp_path):
    text = GOOD.split("[[analysis]]")[0] + textwrap.dedent("""
        [[analysis]]
        id = "cal"
        family = "calendar"
        endpoint = "6-month PFS"
        design = { r1 = 6, n1 = 12, r = 19, n = 28, landmark = 6.0, rate = 1.0 }
        hypotheses = { p0 = 0.5, p1 = 0.8 }
        scenarios = { H0 = 0.5 }
    """)
    with pytest.raises(config.ConfigError, match=r"hypotheses: not used by family 'calendar'"):
        config.load(_write(tmp_path, text))


@pytest.mark.parametrize("text", ["a = " + "[" * 5000 + "]" * 5000,
                                  "a = " + "{b = " * 5000 + "1" + "}" * 5000,
                                  "a = " + "[" * 40 + "]" * 40])
def test_deep_nesting_is_one_config_error(tmp_path, text):
    # issue #21: 5,000 levels gave a RecursionError (exit 1); the shared TOML reader
    # (core.files.parse_toml, also used by sweep specs) refuses more than 32 levels
    path = tmp_path / "deep.toml"
    path.write_text(text + "\n")
    with pytest.raises(config.ConfigError, match=r"^deep.toml: tables or arrays nested more "
                                                 r"than 32 levels deep$"):
        config.load(path)


def test_csv_field_above_the_csv_limit_is_one_input_error(tmp_path):
    # issue #21: a field longer than 131,072 characters raised csv.Error (exit 1)
    from designcalc.core.files import InputFileError, read_csv

    path = tmp_path / "t.csv"
    path.write_text("n,dlt,action\n3,0," + "E" * 140_000 + "\n")
    with pytest.raises(InputFileError, match=r"line 2 of the table file cannot be read "
                                             r"\(field larger than field limit"):
        read_csv(path)
    path.write_text("n,dlt,action\n3,0,E\n")
    assert read_csv(path) == (["n", "dlt", "action"], [{"n": "3", "dlt": "0", "action": "E"}])
