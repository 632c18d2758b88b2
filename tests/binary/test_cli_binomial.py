"""CLI: ``designcalc binomial design|power|ci`` and ``designcalc simon analyze``.

Numbers are cross-checked against the Python API (the CLI must print what the
API computes) and against the seed values of issue #3.
"""

import json

import click
import pytest
from click.testing import CliRunner

from designcalc.binary.single_stage import design as single_stage
from designcalc.cli import DesigncalcGroup, cli
from designcalc.binary.simon.cli import analyze as analyze_cmd


def run(args, root=cli):
    return CliRunner().invoke(root, args)


def run_json(args, root=cli):
    result = run(args + ["--format", "json"], root)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    return result.output


# --- binomial design --------------------------------------------------------------------

def test_design_json_envelope_and_seed_novaferon():
    rec = run_json(["binomial", "design", "--p0", "0.30", "--p1", "0.55", "--alpha", "0.05",
                    "--power", "0.75"])
    assert rec["command"] == "binomial design"
    assert rec["seed"] is None
    assert rec["inputs"] == {"p0": 0.3, "p1": 0.55, "alpha": 0.05, "power": 0.75,
                             "n_rule": "smallest", "nmax": None}
    row = rec["results"][0]
    assert list(row) == ["n", "r", "alpha_actual", "power_actual", "n_rule"]
    assert (row["n"], row["r"]) == (20, 9)
    assert round(row["alpha_actual"], 3) == 0.048 and round(row["power_actual"], 3) == 0.751
    assert rec["warnings"]          # power zig-zags right after n = 20


def test_design_stable_matches_api():
    rec = run_json(["binomial", "design", "--p0", "0.05", "--p1", "0.25", "--n-rule", "stable"])
    api = single_stage.search(0.05, 0.25, 0.05, 0.8, n_rule="stable")
    assert rec["results"][0] == pytest.approx(api.row())
    assert rec["search_nmax"] == api.nmax


def test_design_table_has_protocol_sentence():
    out = run(["binomial", "design", "--p0", "0.3", "--p1", "0.55", "--power", "0.75"]).output
    assert "Reject H0 (p \u2264 0.30) if \u2265 10 of 20 respond: alpha = 0.048, power = 0.751 at p = 0.55" in out


# --- binomial power ----------------------------------------------------------------------

def test_power_leflunomide_rows():
    rec = run_json(["binomial", "power", "--n", "50", "--p0", "0.055", "--p1", "0.15",
                    "--p1", "0.20", "--alpha", "0.05"])
    assert [list(r) for r in rec["results"]] == [["p1", "r", "alpha_actual", "power"]] * 2
    assert [r["r"] for r in rec["results"]] == [6, 6]          # reject if >= 7 of 50
    api = single_stage.power(50, 0.055, [0.15, 0.20], 0.05)
    assert [r["power"] for r in rec["results"]] == pytest.approx(list(api["power"]))
    assert rec["inputs"]["p1"] == [0.15, 0.2] and rec["inputs"]["n_range"] is None


def test_power_csv():
    out = run(["binomial", "power", "--n", "20", "--p0", "0.3", "--p1", "0.55", "--format", "csv"])
    assert out.exit_code == 0
    assert out.stdout.splitlines()[0] == "p1,r,alpha_actual,power"


def test_power_range_with_plot(tmp_path):
    path = tmp_path / "saw.png"
    rec = run_json(["binomial", "power", "--n-range", "10:80", "--p0", "0.055", "--p1", "0.2",
                    "--plot", str(path)])
    assert len(rec["results"]) == 71 and rec["results"][0]["n"] == 10
    assert path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_power_plot_svg(tmp_path):
    path = tmp_path / "saw.svg"
    res = run(["binomial", "power", "--n-range", "5:30:5", "--p0", "0.2", "--p1", "0.4",
               "--p1", "0.5", "--plot", str(path)])
    assert res.exit_code == 0 and "<svg" in path.read_text()


# --- binomial ci -------------------------------------------------------------------------

def test_ci_default_clopper_pearson():
    rec = run_json(["binomial", "ci", "--x", "10", "--n", "20"])
    row = rec["results"][0]
    assert row["method"] == "clopper-pearson"
    assert (round(row["lower"], 4), round(row["upper"], 4)) == (0.272, 0.728)
    assert rec["inputs"] == {"x": 10, "n": 20, "method": "clopper-pearson", "level": 0.95,
                             "sided": "two"}


def test_ci_all_methods_and_one_sided():
    rec = run_json(["binomial", "ci", "--x", "0", "--n", "20", "--method", "all", "--sided", "upper"])
    assert [r["method"] for r in rec["results"]] == ["clopper-pearson", "wilson", "jeffreys", "wald"]
    assert all(r["lower"] == 0.0 for r in rec["results"])
    assert rec["results"][0]["upper"] == pytest.approx(1 - 0.05 ** (1 / 20))


# --- help -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", ["design", "power", "ci"])
def test_help_has_example(cmd):
    out = run(["binomial", cmd, "--help"]).output
    assert f"designcalc binomial {cmd} --" in out


# --- bad input: one line, exit 2 ----------------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["binomial", "design", "--p0", "1.3", "--p1", "0.5"], "p0"),
    (["binomial", "design", "--p0", "0.5", "--p1", "0.3"], "p1"),
    (["binomial", "design", "--p0", "0.1", "--p1", "0.3", "--alpha", "0"], "alpha"),
    (["binomial", "design", "--p0", "0.1", "--p1", "0.2", "--nmax", "20"], "nmax"),
    (["binomial", "design", "--p0", "0.1", "--p1", "0.3", "--n-rule", "big"], "n-rule"),
    (["binomial", "power", "--p0", "0.1", "--p1", "0.3"], "--n"),
    (["binomial", "power", "--n", "5", "--n-range", "5:9", "--p0", "0.1", "--p1", "0.3"], "--n"),
    (["binomial", "power", "--n", "20", "--p0", "0.1", "--p1", "0.3", "--plot", "x.png"], "--plot"),
    (["binomial", "power", "--n-range", "9:5", "--p0", "0.1", "--p1", "0.3"], "--n-range"),
    (["binomial", "power", "--n-range", "5:9", "--p0", "0.1", "--p1", "0.3", "--plot", "x.gif"], "plot"),
    (["binomial", "power", "--n", "0", "--p0", "0.1", "--p1", "0.3"], "n"),
    (["binomial", "power", "--n", "20", "--p0", "0.1", "--p1", "1.3"], "p1"),
    (["binomial", "ci", "--x", "21", "--n", "20"], "x must be <= n"),
    (["binomial", "ci", "--x", "2", "--n", "20", "--level", "1.2"], "level"),
    (["binomial", "ci", "--x", "2", "--n", "0"], "n"),
    (["binomial", "ci", "--x", "two", "--n", "20"], "--x"),
])
def test_bad_input_one_line_exit_2(args, needle):
    assert needle in one_line_error(run(args))


# --- simon analyze ---------------------------------------------------------------------------

@click.group(cls=DesigncalcGroup)
def _root():
    """Stand-in root until the integrator registers ``analyze`` under ``simon``."""


_simon = click.Group("simon")
_simon.add_command(analyze_cmd)
_root.add_command(_simon)


def _roots():
    roots = [_root]
    simon = cli.get_command(click.Context(cli), "simon")
    if simon is not None and "analyze" in getattr(simon, "commands", {}):
        roots.append(cli)            # registered by the integrator: test the real thing too
    return roots


ANALYZE = ["simon", "analyze", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28", "--p0", "0.5"]


@pytest.mark.parametrize("root", _roots(), ids=lambda r: r.name or "root")
def test_analyze_json_matches_api(root):
    from designcalc.binary.simon import SimonDesign
    from designcalc.binary.simon.inference import analyze

    rec = run_json(ANALYZE + ["--x", "15", "--x1", "8"], root)
    assert rec["command"] == "simon analyze"
    assert rec["inputs"] == {"r1": 6, "n1": 12, "r": 19, "n": 28, "x": 15, "x1": 8, "p0": 0.5,
                             "level": 0.9, "n1_actual": None, "n_actual": None}
    api = analyze(SimonDesign(6, 12, 19, 28), 15, x1=8, p0=0.5)
    assert rec["results"][0] == pytest.approx(api.row())
    for key in ("umvue", "p_value", "ci_lower", "ci_upper"):
        assert key in rec["results"][0]


@pytest.mark.parametrize("root", _roots(), ids=lambda r: r.name or "root")
def test_analyze_table_sentence_and_stopped_trial(root):
    out = run(ANALYZE + ["--x", "4"], root).output
    assert "stopped after stage 1 with 4 of 12 responses" in out


@pytest.mark.parametrize("root", _roots(), ids=lambda r: r.name or "root")
@pytest.mark.parametrize("extra, needle", [
    (["--x", "5", "--x1", "4"], "x must equal x1"),
    (["--x", "29"], "x must be <= n"),
    (["--x", "10", "--level", "1.5"], "level"),
    (["--x", "10", "--n-actual", "10"], "--n-actual"),
    (["--x", "10", "--x1", "13"], "x1"),
])
def test_analyze_bad_input(root, extra, needle):
    assert needle in one_line_error(run(ANALYZE + extra, root))


def test_analyze_bad_design_one_line():
    args = ["simon", "analyze", "--r1", "12", "--n1", "12", "--r", "19", "--n", "28", "--x", "3"]
    assert "r1" in one_line_error(run(args, _root))


def test_analyze_module_is_light():
    import subprocess
    import sys

    code = ("import sys, designcalc.binary.simon.cli; "
            "print(any(m.split('.')[0] in ('scipy', 'pandas', 'matplotlib') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
