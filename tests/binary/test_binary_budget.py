"""Issue #21: every enumerating binary path estimates its cost before it starts.

Each reproduction of the issue (all ran > 120 s or grew to gigabytes) is refused
with exit code 2 and one line that carries the estimate, or runs within the
budget.  Behaviour only: no timing is asserted (the estimates' accuracy is
measured by tests/benchmarks/budget_binary.py, outside the default run).
"""

import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.core import budget
from designcalc.core.budget import BudgetError

LOOKS_5000 = ",".join(str(i) for i in range(1, 5001))

REFUSED = {
    "pp-design search nmax 3000 every 1":
        "bayes pp-design --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.8 --nmax 3000 --every 1",
    "pp-design search nmax 100 under 5 s":
        "bayes pp-design --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.8 --nmax 100 --every 1 "
        "--max-seconds 5",
    "pp-design given design to 1e5":
        "bayes pp-design --p0 0.2 --looks 50000,100000 --theta-t 0.9 --theta-l 0.05",
    "bop2 calibration grid 3e9 points":
        "bayes bop2 --p0 0.2 --p1 0.4 --looks 10,20,30,40 --alpha 0.1 "
        "--lambda-grid 0.00001:0.99999:0.00001 --gamma-grid 0:3:0.0001",
    "bop2 calibration looks to 1e5":
        "bayes bop2 --p0 0.2 --p1 0.4 --looks 50000,100000 --alpha 0.1",
    "bop2 design looks to 1e5 under 2 s":
        "bayes bop2 --p0 0.2 --looks 50000,100000 --lambda 0.9 --gamma 1 --max-seconds 2",
    "posterior looks to 3e6":
        "bayes posterior --kind toxicity --p0 0.2 --looks 1000000,2000000,3000000 --theta 0.9",
    "predprob nmax 3e8 (memory)":
        "bayes predprob --x 3 --n 10 --nmax 300000000 --p0 0.2 --theta-t 0.9",
    "monitor 5000 looks under 5 s":
        f"monitor toxicity --p0 0.2 --p1 0.35 --looks {LOOKS_5000} --max-seconds 5",
    "monitor niter 1e6":
        "monitor toxicity --p0 0.2 --p1 0.35 --looks 20,40,60,75 --niter 1000000",
    "multistage oc looks to 1e7":
        "multistage oc --looks 5000000,10000000 --futility 1,2 --p 0.3",
    "multistage analyze looks 1e8":
        "multistage analyze --looks 100000000 --futility 5 --look 1 --x 3",
    "multistage analyze two looks to 1e8":
        "multistage analyze --looks 50000000,100000000 --futility 5,10 --look 2 --x 3",
    "sargent nmax 100000":
        "multistage sargent --p0 0.1 --p1 0.3 --alpha 0.05 --power 0.9 --eta 0.8 --pi 0.8 "
        "--nmax 100000",
    "sargent one stage nmax 1e9":
        "multistage sargent --p0 0.1 --p1 0.3 --alpha 0.05 --power 0.9 --eta 0.8 --pi 0.8 "
        "--stages 1 --nmin 1000 --nmax 1000000000",
}


@pytest.mark.parametrize("args", list(REFUSED.values()), ids=list(REFUSED))
def test_issue_reproductions_are_refused_with_the_estimate(args):
    result = CliRunner().invoke(cli, args.split())
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("designcalc: error: ")
    assert "estimated" in lines[0] and "limit" in lines[0], lines[0]


def test_small_inputs_run_under_the_default_budget():
    # the documented examples stay far below the limits
    for args in ("bayes pp-design --p0 0.6 --looks 10,15,20,25,30,35,40 --theta-t 0.9 "
                 "--theta-l 0.05 --prior 0.6,0.4 --p 0.6 --p 0.8",
                 "bayes posterior --kind toxicity --p0 0.2 --looks 10,20,30,40 --theta 0.9 "
                 "--prior 0.5,1.5 --p 0.2 --p 0.4",
                 "monitor futility --p0 0.1 --p1 0.3 --looks 10,20,30,40",
                 "multistage analyze --looks 12,28 --futility 6,19 --look 2 --x 21 --p0 0.5",
                 "bayes predprob --x 16 --n 23 --nmax 40 --p0 0.6 --theta-t 0.9 "
                 "--prior 0.6,0.4"):
        result = CliRunner().invoke(cli, args.split())
        assert result.exit_code == 0, (args, result.output)


def test_engine_cost_grows_with_the_convolution():
    from designcalc.binary.multistage.design import engine_cost

    small = engine_cost((10, 20, 30, 40), 2)
    big = engine_cost((5000, 10000), 2)
    # 2 looks of 5,000 patients: 5,001 x 5,001 terms per p for the second look
    assert "5e+07 convolution terms" in big[2]
    assert big[0] > 100 * small[0] and big[1] > small[1]
    assert engine_cost((10, 20), 2, n_rules=10, pmfs=True)[0] < \
        10 * engine_cost((10, 20), 2)[0]


def test_api_refuses_before_building_anything():
    from designcalc.binary.bayes.posterior import PosteriorDesign
    from designcalc.binary.multistage import MultiStageDesign

    with pytest.raises(BudgetError, match="posterior boundaries at looks to n = 3000000: "
                                          "estimated"):
        PosteriorDesign("toxicity", 0.2, (10 ** 6, 2 * 10 ** 6, 3 * 10 ** 6), 0.9)
    d = MultiStageDesign((5 * 10 ** 6, 10 ** 7), (1, 2))      # the rule itself is cheap
    with pytest.raises(BudgetError, match="exact OC of the 2-look rule to n = 10000000"):
        d.oc([0.3])
    with budget.allow(max_seconds=1e-6):
        with pytest.raises(BudgetError):
            MultiStageDesign((10, 20), (0, 5)).oc([0.3])


def test_bop2_and_pp_search_results_unchanged_by_the_two_passes():
    # the calibration and the search now find every grid point's bounds at once (binary
    # search in the tables' running minimum); the result is the design a scan finds
    from designcalc.binary.bayes.bop2 import BOP2Design, bop2_calibrate, posterior_tail
    from designcalc.binary.bayes.pp import pp_search
    import numpy as np

    cal = bop2_calibrate(0.2, 0.4, (10, 20, 30, 40), 0.1, lambdas=[0.5, 0.7, 0.9],
                         gammas=[0.5, 1.0])
    for row in cal.candidates:       # each grid point's rule, by a direct scan of the tables
        cut = row["lam"] * (np.array([10, 20, 30, 40]) / 40) ** row["gamma"]
        fut = [int(np.nonzero(posterior_tail(np.arange(n + 1), n, 0.2, (0.2, 0.8)) < c)[0]
                   .max(initial=-1)) for n, c in zip((10, 20, 30, 40), cut)]
        rule = BOP2Design(0.2, (10, 20, 30, 40), row["lam"], row["gamma"]).rule()
        assert list(rule.futility) == fut
        assert row["alpha_actual"] == pytest.approx(rule.alpha_actual(0.2), abs=1e-15)
    res = pp_search(0.2, 0.4, 0.1, 0.8, 30, nmin=25, theta_t=[0.85, 0.9],
                    theta_l=[0.05, 0.1])
    for row in res.designs:
        from designcalc.binary.bayes.pp import PPDesign

        d = PPDesign(0.2, tuple(row["looks"]), row["theta_t"], row["theta_l"])
        assert list(d.rule().futility) == row["futility"]
        assert row["alpha_actual"] == pytest.approx(d.rule().alpha_actual(0.2), abs=1e-12)


@pytest.mark.slow
def test_monitor_search_whose_level_underflows_ends():
    # issue #21 ("monitor with many looks" never ended): 30 futility looks at p0 0.1,
    # p1 0.3 halve the nominal level until it underflows; clinfun's loop (and ours) then
    # never ended.  Now ~1,000 halvings, then one ValueError naming the looks.
    from designcalc.binary.monitor.boundaries import futility_boundary

    with pytest.raises(ValueError, match="^looks: no boundary crosses"):
        futility_boundary(0.1, 0.3, tuple(range(10, 301, 10)))
