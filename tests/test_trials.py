"""The seed-trial catalogue and runner: every example runs; key numbers are right."""

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from designcalc import trials
from designcalc.cli import cli
from designcalc.core.simulate import mc_agrees

N_SIMS = 2_000


@pytest.fixture(scope="module")
def runs():
    return {name: trials.run_trial(trials.resolve(name), n_sims=N_SIMS)
            for name in trials.EXAMPLE_NAMES}


@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_every_example_runs_with_all_analyses(runs, name):
    result = runs[name]
    assert result.warnings == []
    assert list(result.tables) == [a.id for a in result.config.analyses]
    assert result.summary
    for df in result.tables.values():
        assert len(df) > 0


def _agreement_cells(result):
    """Every (exact, simulated) pair of every non-analytic analysis, with its z."""
    cells = []
    for res in result.results.values():
        if res.method != "analytic":
            cells += res.compare()
    return cells


@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_simulated_within_4_se_of_exact(runs, name):
    """Wherever an analysis has exact and simulated values, they agree (4 MC SE).

    OCResult.compare floors the SE of a probability at the binomial SE under
    the exact value, sqrt(q (1 - q) / n_sims): a rare event simulated 0 times
    has a sample SE of 0.  Every trial has such cells, calendar analyses
    included (their reject and pet under the pause and overrun policies).
    """
    cells = _agreement_cells(runs[name])
    assert cells
    bad = [c for c in cells if not c["agrees"]]
    assert not bad, bad[:3]
    if name == "nalirifox":
        assert any(c.get("policy") == "overrun" and c["quantity"] == "reject" for c in cells)


def _row(result, analysis, quantity, scenario_start):
    for r in result.summary:
        if r["analysis"] == analysis and r["quantity"] == quantity and \
                r["scenario"].startswith(scenario_start):
            return r
    raise KeyError((analysis, quantity, scenario_start))


def test_novaferon_dcr_numbers(runs):
    # reject H0 if >= 10 of 20: alpha = P(X >= 10 | 0.30), power = P(X >= 10 | 0.55)
    res = runs["novaferon"]
    alpha = _row(res, "dcr", "reject", "H0")["exact"]
    power = _row(res, "dcr", "reject", "H1")["exact"]
    assert alpha == pytest.approx(stats.binom.sf(9, 20, 0.30), rel=1e-10)
    assert power == pytest.approx(stats.binom.sf(9, 20, 0.55), rel=1e-10)
    assert round(alpha, 3) == 0.048 and round(power, 3) == 0.751


def test_leflunomide_orr_numbers(runs):
    # reject H0 (p0 = 0.055) if >= 7 of 50 respond
    res = runs["leflunomide"]
    alpha = _row(res, "orr", "reject", "H0")["exact"]
    assert alpha == pytest.approx(stats.binom.sf(6, 50, 0.055), rel=1e-10)
    assert round(alpha, 3) == 0.019
    # 7 is the smallest critical count with alpha <= 0.05 (>= 6 would give 0.056)
    assert stats.binom.sf(5, 50, 0.055) > 0.05


def test_nalirifox_rule_and_hypotheses(runs):
    res = runs["nalirifox"]
    df = res.tables["pfs6_two_stage"]
    h0 = df[df["scenario"] == "H0"].iloc[0]
    x1 = np.arange(7, 13)
    reject = np.sum(stats.binom.pmf(x1, 12, 0.5) * stats.binom.sf(19 - x1, 16, 0.5))
    assert h0["reject"] == pytest.approx(reject, rel=1e-10)
    assert h0["pet"] == pytest.approx(stats.binom.cdf(6, 12, 0.5), rel=1e-10)
    assert round(float(h0["pet"]), 4) == 0.6128
    cal = res.tables["pfs6_calendar"]
    assert set(cal["policy"]) == {"pause", "overrun", "evaluable"}
    pause = cal[(cal["scenario"] == "H0") & (cal["policy"] == "pause")].iloc[0]
    assert pause["reject"] == pytest.approx(reject, rel=1e-10)
    assert "months" in res.results["pfs6_calendar"].plot().get_ylabel()


def test_surufatinib_designs_meet_their_requirements(runs):
    """The proposed designs satisfy alpha <= 0.05 and power >= 0.80 at 0.19 vs 0.40."""
    res = runs["surufatinib_gefitinib"]
    for a_id in ("orr_simon_optimal", "orr_simon_minimax", "orr_single_stage"):
        assert _row(res, a_id, "reject", "H0")["exact"] <= 0.05
        assert _row(res, a_id, "reject", "H1")["exact"] >= 0.80


def test_surufatinib_designs_are_what_simon_search_finds():
    from designcalc.binary import simon

    found = simon.search(0.19, 0.40, 0.05, 0.80)
    cfg = trials.resolve("surufatinib_gefitinib")
    designs = {a.id: a.design for a in cfg.analyses}
    for which, a_id in (("optimal", "orr_simon_optimal"), ("minimax", "orr_simon_minimax")):
        d = getattr(found, which)
        assert (d.r1, d.n1, d.r, d.n) == tuple(designs[a_id][k] for k in ("r1", "n1", "r", "n"))


def test_surufatinib_single_stage_is_the_smallest():
    from designcalc.binary.single_stage import design as single_stage

    found = single_stage.search(0.19, 0.40, 0.05, 0.80)
    cfg = trials.resolve("surufatinib_gefitinib")
    d = [a for a in cfg.analyses if a.id == "orr_single_stage"][0].design
    assert (found.n, found.r) == (d["n"], d["r"])


def test_msc_first_level_selection_is_exact(runs):
    # the starting dose is kept iff 0 of 3 have TI: (1 - 0.3)^3 in the issue scenario
    df = runs["msc_ifna"].tables["phase1_deescalation"]
    first = df[(df["scenario"] == "hand_check")].iloc[0]
    assert first["select"] == pytest.approx(0.7 ** 3)


def test_runs_are_reproducible_and_worker_invariant():
    import dataclasses

    # small chunks so that 2 workers really share the chunks of each run
    cfg = dataclasses.replace(trials.resolve("nalirifox"), chunk_size=400)
    a = trials.run_trial(cfg, n_sims=1_000, seed=5)
    b = trials.run_trial(cfg, n_sims=1_000, seed=5, workers=2)
    for key in a.tables:
        assert a.tables[key].equals(b.tables[key]), key


def test_write_trial_outputs(tmp_path, runs):
    written = trials.write_trial(runs["nalirifox"], tmp_path)
    folder = tmp_path / "nalirifox"
    names = sorted(os.listdir(folder))
    assert names == ["pfs6_bop2.csv", "pfs6_bop2.png", "pfs6_calendar.csv", "pfs6_calendar.png",
                     "pfs6_two_stage.csv", "pfs6_two_stage.png", "record.json"]
    assert len(written) == 7
    record = json.loads((folder / "record.json").read_text())
    assert list(record)[:6] == ["designcalc_version", "command", "inputs", "seed",
                                "warnings", "results"]
    assert record["seed"] == 20250422
    assert record["inputs"]["n_sims"] == N_SIMS
    assert record["inputs"]["config"]["analysis"][0]["design"]["r1"] == 6
    assert record["assumptions"]
    assert (folder / "pfs6_two_stage.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_list_and_show_json():
    runner = CliRunner()
    listed = runner.invoke(cli, ["trial", "list", "--format", "json"])
    assert listed.exit_code == 0
    names = [r["name"] for r in json.loads(listed.output)["results"]]
    assert names == list(trials.EXAMPLE_NAMES)
    shown = runner.invoke(cli, ["trial", "show", "novaferon", "--format", "json"])
    assert shown.exit_code == 0
    rec = json.loads(shown.output)
    assert rec["config"]["registry"] == "NCT02455596"
    assert [r["analysis"] for r in rec["results"]] == \
        [a.id for a in trials.resolve("novaferon").analyses]
    assert [r["analysis"] for r in rec["results"]][:2] == ["dcr", "pfs"]
    table = runner.invoke(cli, ["trial", "show", "novaferon"])
    assert "assumptions:" in table.output and "r = 9" in table.output


def test_cli_run_all_writes_every_trial(tmp_path):
    result = CliRunner().invoke(cli, ["trial", "run", "--all", "--out", str(tmp_path),
                                      "--n-sims", "500", "--quiet", "--format", "json",
                                      "--no-plots"])
    assert result.exit_code == 0, result.output
    rec = json.loads(result.output)
    assert rec["command"] == "trial run" and rec["inputs"]["n_sims"] == 500
    for name in trials.EXAMPLE_NAMES:
        assert (tmp_path / name / "record.json").is_file()
    assert (tmp_path / "summary.json").is_file()


def test_cli_run_one_table_and_seed(tmp_path):
    result = CliRunner().invoke(cli, ["trial", "run", "novaferon", "--n-sims", "400",
                                      "--seed", "9", "--quiet"])
    assert result.exit_code == 0
    assert "seed: 9" in result.output and "novaferon" in result.output


@pytest.mark.parametrize("args", [
    ["trial", "run"],
    ["trial", "run", "nalirifox", "--all"],
    ["trial", "run", "no_such_trial"],
    ["trial", "run", "nalirifox", "--n-sims", "1"],
    ["trial", "run", "nalirifox", "--workers", "0"],
    ["trial", "run", "nalirifox", "--seed", "-3"],
    ["trial", "show", "no_such_trial"],
])
def test_cli_bad_input_exit_2_one_line(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_trial_plots_take_results_and_return_axes(runs, tmp_path):
    """Each analysis draws with its family's first plot kind (the registry's switch)."""
    import matplotlib.pyplot as plt

    from designcalc.present import plots

    for name, result in runs.items():
        for i, (a_id, res) in enumerate(result.results.items()):
            fig, ax = plt.subplots()
            assert res.plot(ax=ax) is ax
            assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
            plt.close(fig)
            own = res.plot()                      # ax=None: a new figure
            if i == 0:                            # rendering is the slow part: one per trial
                path = plots.save(own, tmp_path / f"{name}_{a_id}.svg")
                assert open(path).read().lstrip().startswith("<?xml")
            else:
                plt.close(own.figure)


@pytest.mark.slow
@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_simulated_within_4_se_of_exact_large(name):
    """The same 4-SE check at 200 000 simulated trials per scenario (-m slow)."""
    result = trials.run_trial(trials.resolve(name), n_sims=200_000)
    bad = [c for c in _agreement_cells(result) if not c["agrees"]]
    assert not bad, bad[:3]


def test_malformed_scheduler_address_is_one_line_at_once():
    """Issue #21: ``--scheduler not-an-address`` printed an "Exception ignored ... Client"
    traceback after 23 s; the form is now checked before anything is contacted."""
    result = CliRunner().invoke(cli, ["trial", "run", "nalirifox", "--scheduler",
                                      "not-an-address"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "not a scheduler address" in result.output


def test_something_that_is_not_a_scheduler_is_one_line(tmp_path):
    """A port that answers with something else (an HTTP server) is refused in one line,
    with no "Exception ignored" traceback from the half-made Dask client at exit."""
    import socket
    import subprocess
    import sys
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer():
        for _ in range(5):
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 8)

    threading.Thread(target=answer, daemon=True).start()
    try:
        run = subprocess.run([sys.executable, "-m", "designcalc", "trial", "run", "nalirifox",
                              "--scheduler", f"tcp://127.0.0.1:{port}"],
                             capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "cannot reach the Dask scheduler" in run.stderr
