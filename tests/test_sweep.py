"""designcalc sweep: spec validation, seeds per point, resuming, outputs, bad input."""

import glob
import json
import os

import pytest
from click.testing import CliRunner

from designcalc import sweep
from designcalc.cli import cli
from designcalc.dose.scenarios import random_curve

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples", "sweeps")

BINARY = """
[sweep]
name = "dcr"
family = "single_stage"
seed = 11
n_sims = 400
quantities = ["reject"]
[fixed]
n = 20
r = 9
[axes]
p = {P}
"""

SURVIVAL = """
[sweep]
family = "survival"
seed = 3
quantities = ["power"]
[fixed]
test = "logrank"
n = 20
median0 = 6.0
accrual = 12.0
followup = 12.0
[axes]
median1 = {M1}
"""


def _spec(text, **kw):
    return sweep.parse_spec(text.format(**kw), fname="t.toml")


def _by_coords(result):
    return {json.dumps(p.coords, sort_keys=True): result.payloads[p.key] for p in result.points}


def test_exact_family_gives_exact_values():
    res = sweep.run_sweep(_spec(SURVIVAL, M1="[9.0, 12.0]"), progress=False)
    from designcalc.survival.onesample import SurvivalDesign

    want = SurvivalDesign(test="logrank", n=20, median0=6.0, median1=12.0, accrual=12.0,
                          followup=12.0).oc().rows[0]["power"]
    assert [r["median1"] for r in res.rows] == [9.0, 12.0]
    assert res.rows[1]["power"] == want and "power_sim" not in res.rows[1]


def test_adding_points_never_changes_existing_ones():
    small = sweep.run_sweep(_spec(BINARY, P="[0.3, 0.55]"), progress=False)
    big = sweep.run_sweep(_spec(BINARY, P="[0.2, 0.3, 0.4, 0.55]"), progress=False)
    a, b = _by_coords(small), _by_coords(big)
    assert set(a) < set(b)
    for k in a:
        assert a[k] == b[k]
    # the point's seed is a function of the root seed and its coordinates only
    p = small.points[0]
    assert p.seed == sweep.point_seed(11, p.coords)
    assert p.seed != sweep.point_seed(12, p.coords)


def test_sample_is_seeded_and_nested():
    text = BINARY.format(P="{ start = 0.05, stop = 0.95, step = 0.05 }")
    five = sweep.points(sweep.parse_spec(text.replace("[fixed]", "sample = 5\n[fixed]")))[0]
    nine = sweep.points(sweep.parse_spec(text.replace("[fixed]", "sample = 9\n[fixed]")))[0]
    assert len(five) == 5 and len(nine) == 9
    assert {p.key for p in five} < {p.key for p in nine}


def test_random_curves_put_the_mtd_where_asked():
    for mtd in (1, 3, 5):
        for rep in range(1, 40):
            c = random_curve(5, 0.25, mtd, seed=9, replicate=rep)
            assert all(0 < a < b < 1 for a, b in zip(c, c[1:]))
            dist = [abs(v - 0.25) for v in c]
            assert dist.index(min(dist)) == mtd - 1
    assert random_curve(4, 0.3, 2, seed=1) == random_curve(4, 0.3, 2, seed=1)
    assert random_curve(4, 0.3, 2, seed=1) != random_curve(4, 0.3, 2, seed=2)


def test_pcs_is_select_at_the_true_mtd_in_the_designs_own_order():
    """The MSC ladder is visited highest dose first: its curve is reversed and the true
    MTD (counted from the lowest dose) is looked up at the mirrored level."""
    spec = sweep.load_spec(os.path.join(EXAMPLES, "msc_ifna_vs_boin.toml"))
    pts = [p for p in sweep.points(spec)[0] if p.coords["replicate"] == 1]
    msc = next(p for p in pts if p.design == "msc_rule" and p.coords["mtd"] == 1)
    boin = next(p for p in pts if p.design == "boin" and p.coords["mtd"] == 1)
    assert msc.scenarios[0][1] == list(reversed(msc.curve)) and msc.mtd_level == 3
    assert boin.scenarios[0][1] == list(boin.curve) and boin.mtd_level == 1
    payload = sweep.evaluate_point(msc.task())
    row = sweep._point_rows(spec, msc, payload, True)[0]
    sel = next(r for r in payload["rows"] if r["level"] == 3)["select"]
    assert row["pcs"] == sel and row["mtd"] == 1 and row["design"] == "msc_rule"


def test_resume_reads_points_and_recomputes_tampered_ones(tmp_path, monkeypatch):
    spec = _spec(BINARY, P="[0.3, 0.4, 0.55]")
    out = tmp_path / "run"
    first = sweep.run_sweep(spec, out, progress=False, plots=False)
    assert (first.computed, first.reused) == (3, 0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"sweep.csv", "sweep.json", "spec.toml"} <= {f["path"] for f in manifest["files"]}
    # tamper with one stored point: its checksum no longer matches -> recomputed
    stored = sorted((out / "points").glob("*.json"))
    assert len(stored) == 3
    rec = json.loads(stored[0].read_text())
    rec["payload"]["rows"][0]["reject_sim"] = 0.123
    stored[0].write_text(json.dumps(rec))
    calls = []
    real = sweep.evaluate_point
    monkeypatch.setattr(sweep, "evaluate_point", lambda t, **kw: calls.append(1) or real(t, **kw))
    again = sweep.run_sweep(spec, out, progress=False, plots=False)
    assert (again.computed, again.reused, len(calls)) == (1, 2, 1)
    assert again.rows == first.rows


def test_interrupted_sweep_continues_where_it_stopped(tmp_path, monkeypatch):
    spec = _spec(BINARY, P="[0.2, 0.3, 0.4, 0.5, 0.6]")
    whole = sweep.run_sweep(spec, progress=False)
    out = tmp_path / "run"
    real = sweep.evaluate_point
    calls = []

    def dies_on_the_third(task, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(task, **kw)

    monkeypatch.setattr(sweep, "evaluate_point", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(spec, out, progress=False, plots=False)
    assert len(list((out / "points").glob("*.json"))) == 2
    assert not (out / "sweep.csv").exists()
    monkeypatch.setattr(sweep, "evaluate_point", real)
    resumed = sweep.run_sweep(spec, out, progress=False, plots=False)
    assert (resumed.computed, resumed.reused) == (3, 2)
    assert resumed.rows == whole.rows


def test_two_local_workers_bit_identical():
    spec = _spec(BINARY, P="[0.2, 0.3, 0.4, 0.5]")
    one = sweep.run_sweep(spec, progress=False)
    two = sweep.run_sweep(spec, workers=2, progress=False)
    assert one.rows == two.rows


def test_outputs_table_plots_and_json(tmp_path):
    text = SURVIVAL.format(M1="[9.0, 12.0]") + "median0 = [5.0, 6.0]\n"
    text = text.replace("median0 = 6.0\n", "", 1)
    out = tmp_path / "run"
    res = sweep.run_sweep(sweep.parse_spec(text), out, progress=False)
    names = set(os.listdir(out))
    assert {"sweep.csv", "sweep.json", "manifest.json", "points", "plots"} <= names
    header = (out / "sweep.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["median1", "median0", "test"] and "power" in header  # spec order
    plots = sorted(os.listdir(out / "plots"))
    assert plots == ["power_by_median1.png", "power_median1_x_median0.png"]
    record = json.loads((out / "sweep.json").read_text())
    assert record["command"] == "sweep" and record["points"] == 4 == len(res.rows)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]


def test_invalid_combinations_are_skipped_with_a_warning():
    text = SURVIVAL.format(M1="[5.0, 9.0]")
    res = sweep.run_sweep(sweep.parse_spec(text), progress=False)
    assert len(res.rows) == 1 and "1 invalid combinations skipped" in res.warnings[0]
    with pytest.raises(ValueError, match="median1"):
        sweep.run_sweep(sweep.parse_spec(text.replace("quantities", "skip_invalid = false\n"
                                                      "quantities")), progress=False)


def test_unknown_quantity_is_named():
    text = BINARY.format(P="[0.3]").replace('["reject"]', '["power"]')
    with pytest.raises(ValueError, match="'power' is not a result"):
        sweep.run_sweep(sweep.parse_spec(text), progress=False)


def test_refuses_a_folder_that_is_not_a_result_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a designcalc result folder"):
        sweep.run_sweep(_spec(BINARY, P="[0.3]"), tmp_path, progress=False)
    assert os.listdir(tmp_path) == ["notes.txt"]


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(EXAMPLES, "*.toml"))))
def test_shipped_sweep_specs_are_valid_and_within_budget(path):
    spec = sweep.load_spec(path)
    pts, skipped = sweep.points(spec)
    assert 0 < len(pts) <= spec.budget


# --- the command line: bad input is one line and exit 2 ------------------------------------

@pytest.mark.parametrize("text, message", [
    (SURVIVAL.format(M1="[9.0]").replace("median1 =", "medain1 ="), "axes.medain1: unknown axis"),
    (SURVIVAL.format(M1="[]"), "axes.median1: empty axis"),
    (SURVIVAL.format(M1="{ start = 9.0, stop = 8.0, step = 1.0 }"), "axes.median1: empty axis"),
    (SURVIVAL.format(M1="[9.0]").replace("n = 20", "n = 20\nbogus = 1"), "sweep.bogus: unknown"),
    (SURVIVAL.format(M1="[9.0]").replace("seed = 3\n", ""), "sweep.seed: missing"),
    (SURVIVAL.format(M1="[9.0]").replace('family = "survival"', 'family = "nope"'),
     "sweep.family: must be one of"),
])
def test_bad_specs_one_line_exit_2(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    res = CliRunner().invoke(cli, ["sweep", str(path)])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1 and message in res.output, res.output


def test_budget_refused_with_the_count_unless_forced(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(BINARY.format(P="[0.2, 0.3, 0.4]").replace("n_sims = 400", "n_sims = 0"))
    res = CliRunner().invoke(cli, ["sweep", str(path), "--budget", "2"])
    assert res.exit_code == 2 and "3 points, more than its budget of 2" in res.output
    assert res.output.count("\n") == 1
    res = CliRunner().invoke(cli, ["sweep", str(path), "--budget", "2", "--force", "--quiet",
                                   "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.output)["points"] == 3


def test_unreachable_scheduler_one_line_exit_2(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(BINARY.format(P="[0.3]"))
    res = CliRunner().invoke(cli, ["sweep", str(path), "--scheduler", "tcp://127.0.0.1:1",
                                   "--connect-timeout", "0.5"])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1 and "cannot reach the Dask scheduler" in res.output


def test_cli_resumes_and_reports_counts(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(BINARY.format(P="[0.3, 0.55]"))
    out = str(tmp_path / "run")
    args = ["sweep", str(path), "--out", out, "--no-plots", "--format", "json"]
    first = CliRunner().invoke(cli, args + ["--quiet"])
    assert first.exit_code == 0, first.output
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", out, "--dry-run"])
    assert "2 points (2 already in" in res.output
    second = json.loads(CliRunner().invoke(cli, args + ["--quiet"]).output)
    assert (second["computed"], second["reused"]) == (0, 2)
    assert second["results"] == json.loads(first.output)["results"]


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_failed_rerun_leaves_a_finished_folder_as_it_was(tmp_path, monkeypatch):
    # issue #21: a rerun that fails (here a file-size limit, EFBIG, on the first new
    # point) must leave DIR as it was (docs/sweeps.md), not half-updated
    import errno

    from designcalc.core import outputs

    out = tmp_path / "run"
    sweep.run_sweep(_spec(BINARY, P="[0.3, 0.4]"), out, progress=False, plots=False)
    before = _snapshot(out)
    bigger = _spec(BINARY, P="[0.3, 0.4, 0.5]")
    real = outputs.write_text

    def too_large(path, text):
        raise OSError(errno.EFBIG, "File too large", path)

    monkeypatch.setattr(outputs, "write_text", too_large)
    with pytest.raises(OSError):
        sweep.run_sweep(bigger, out, progress=False, plots=False)
    assert _snapshot(out) == before
    assert os.listdir(tmp_path) == ["run"]            # no staging folder left behind
    monkeypatch.setattr(outputs, "write_text", real)
    again = sweep.run_sweep(bigger, out, progress=False, plots=False)
    assert (again.computed, again.reused) == (1, 2)
    listed = {f["path"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert sum(f.startswith("points/") for f in listed) == 3
    assert "status" not in json.loads((out / "manifest.json").read_text())
    assert os.listdir(tmp_path) == ["run"]


def test_huge_axis_range_is_refused_before_it_is_built():
    # issue #21: a range of 1e12 values used to be built (forever) before any check
    with pytest.raises(ValueError, match=r"axes\.p: the range has 1e\+12 values, more than "
                                         r"100,000"):
        sweep.parse_spec(BINARY.replace("{P}", "{start = 0.0, stop = 1.0, step = 1e-12}"))


def test_points_are_counted_before_they_are_built():
    # three axes of 1,000 values: 1e9 points, refused by the estimate before any is built
    from designcalc.core.budget import BudgetError

    text = BINARY.replace("{P}", "{start = 0.01, stop = 0.99, num = 1000}") + \
        "n = {start = 20, stop = 1019, step = 1}\nr = {start = 0, stop = 999, step = 1}\n"
    text = text.replace("n = 20\nr = 9\n", "")
    spec = sweep.parse_spec(text)
    assert sweep.combinations(spec) == 10 ** 9
    with pytest.raises(BudgetError, match="building the sweep's 1e\\+09 points"):
        sweep.points(spec)
    with pytest.raises(ValueError, match="1e\\+09 points"):
        sweep.run_sweep(spec, progress=False)
    strict = sweep.parse_spec(text.replace("[fixed]", "skip_invalid = false\n[fixed]"))
    with pytest.raises(ValueError, match="budget: the sweep has 1000000000 points, more "
                                         "than its budget of 1000"):
        sweep.run_sweep(strict, progress=False)


@pytest.mark.parametrize("kind", ["fifo", "device", "deep", "too large"])
def test_spec_files_are_checked_like_configs(tmp_path, kind):
    # issue #21: a FIFO hung, /dev/zero read until MemoryError, deep nesting gave a
    # RecursionError (exit 1); each is now one line and exit 2
    path = tmp_path / "spec.toml"
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(path)
    elif kind == "device":
        path = "/dev/zero"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    elif kind == "deep":
        path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    else:
        path.write_text("# " + "x" * (16 * 2 ** 20) + "\n")
    result = CliRunner().invoke(cli, ["sweep", str(path), "--dry-run"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("designcalc: error: spec"), lines
