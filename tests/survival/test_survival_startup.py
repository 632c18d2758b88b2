"""Start-up work of ``designcalc survival design/power`` (issue #14, item 7).

* the command line builds its rows without pandas: the records equal the
  public DataFrame's ``to_dict("records")`` (values, types, column order);
* the survival commands import neither pandas nor scipy (fresh interpreter);
* each integral is computed once per command or API call, and nothing is
  remembered between calls;
* the numpy tanh-sinh rule equals scipy's quad to 1e-10 relative on a grid of
  settings, and every sample size is the one quad gives.
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from designcalc.present.render import plain
from designcalc.survival import planning
from designcalc.survival.models import PiecewiseExponential

_SETTINGS = [
    dict(n=48, median0=6, median1=9, accrual=24, followup=12),
    dict(n=[20, 35, 50], test="all", median0=6, median1=12, accrual=12, followup=12,
         landmark=6),
    dict(n=[30, 31], test=["binary", "logrank"], median0=6, median1=12, shape=0.8,
         accrual=12, followup=12, landmark=6),
    dict(n=40, test="all", null=PiecewiseExponential((3.0,), (0.2, 0.08)), hr=0.6,
         accrual=18, followup=12, landmark=4),
    dict(n=[25, 60], test="all", median0=6, median1=9, accrual_rate=2.0, followup=12,
         landmark=6, dropout_rate=0.02),
    dict(n=44, test="all", median0=6, s1=0.7, landmark=6, shape=1.5, accrual=24,
         followup=12, max_followup=18),
    dict(n=40, test="all", median0=9, median1=6, direction="shorter", accrual=12,
         followup=12, landmark=6),
    dict(n=[30, 40], test="all", median0=6, median1=12, accrual=12, followup=12, landmark=6,
         n_sims=500, seed=3),
]


@pytest.mark.parametrize("kwargs", _SETTINGS)
def test_records_equal_dataframe_records(kwargs):
    """Same columns in the same order, same values of the same Python types (a
    missing value is pandas' NaN in the DataFrame, None in the records)."""
    df = planning.power(**kwargs)
    records, seed = planning._power_records(**kwargs)
    assert seed == df.attrs["seed"]
    expected = df.to_dict("records")
    assert [list(r) for r in records] == [list(r) for r in expected]
    for got, want in zip(records, expected):
        for key, value in want.items():
            if isinstance(value, float) and math.isnan(value):
                assert got[key] is None, key
            else:
                assert type(plain(got[key])) is type(plain(value)), key
                assert got[key] == value, key


@pytest.mark.parametrize("args", [
    ["survival", "design", "--median0", "6", "--median1", "9", "--accrual", "24",
     "--followup", "12"],
    ["survival", "power", "--n", "40", "--median0", "6", "--median1", "9", "--accrual", "24",
     "--followup", "12", "--test", "all", "--landmark", "6"],
])
def test_survival_commands_import_neither_pandas_nor_scipy(args):
    code = ("import sys; from designcalc.cli import main; sys.argv = ['designcalc'] + "
            f"{args!r}\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import json; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('pandas', 'matplotlib', 'scipy'))), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []


def _count_integrals(monkeypatch):
    from designcalc.survival import landmark, logrank

    calls = []
    lr, v1 = logrank._compute_integrals, landmark._compute_v1
    monkeypatch.setattr(logrank, "_compute_integrals",
                        lambda *a: (calls.append("logrank"), lr(*a))[1])
    monkeypatch.setattr(landmark, "_compute_v1", lambda *a: (calls.append("landmark"), v1(*a))[1])
    return calls


@pytest.mark.parametrize("args,expected", [
    ("survival design --median0 6 --median1 9 --accrual 24 --followup 12", ["logrank"]),
    # follow-up 4 < landmark 6: the landmark power needs its integral (with everyone
    # followed past the landmark it is an exact binomial sum, no integral)
    ("survival design --median0 6 --median1 9 --accrual 24 --followup 4 --test all "
     "--landmark 6", ["logrank", "landmark"]),
    ("survival power --n 50 --median0 6 --median1 9 --accrual 24 --followup 4 --test all "
     "--landmark 6", ["logrank", "landmark"]),
    ("survival power --n 50 --median0 6 --median1 9 --accrual 24 --followup 12 --test all "
     "--landmark 6", ["logrank"]),
])
def test_each_integral_once_per_command(monkeypatch, args, expected):
    """One command computes each integral once (it used to compute the log-rank
    integrals four times: n, events-based n, expected events, power)."""
    from click.testing import CliRunner

    from designcalc.cli import cli

    calls = _count_integrals(monkeypatch)
    res = CliRunner().invoke(cli, args.split())
    assert res.exit_code == 0, res.output
    assert sorted(calls) == sorted(expected)


def test_integral_memo_lives_one_call(monkeypatch):
    """Nothing is remembered between calls (no global cache), and the numbers of a
    call with the memo equal those computed without it."""
    from designcalc.survival import design, landmark, logrank
    from designcalc.survival.models import Study, Weibull

    calls = _count_integrals(monkeypatch)
    kw = dict(median0=6, median1=9, accrual=24, followup=4, test="all", landmark=6)
    first = design(**kw)
    second = design(**kw)
    assert calls == ["logrank", "landmark"] * 2
    assert first.equals(second)
    null, study = Weibull(6.0), Study(24.0, 4.0)
    hr = null.hr_for_median(9.0)
    row = first.iloc[0]
    assert row["expected_events"] == row["n"] * logrank.event_probability(null, hr, study)
    assert row["power"] == logrank.power_wu(int(row["n"]), null, hr, study)
    assert first.iloc[1]["power"] == landmark.power_analytic(int(first.iloc[1]["n"]), null, hr,
                                                              study, 6.0)


# --- the tanh-sinh rule against scipy's quad --------------------------------------------

def _grid(full):
    from designcalc.survival.models import PiecewiseExponential, Study, Weibull

    nulls = [Weibull(6.0, 1.0), Weibull(6.0, 0.5), Weibull(6.0, 0.75), Weibull(9.0, 1.22),
             Weibull(6.0, 1.5), Weibull(6.0, 2.0), Weibull(0.5, 1.3), Weibull(60.0, 0.8),
             PiecewiseExponential((3.0,), (0.2, 0.08)),
             PiecewiseExponential((2.0, 6.0, 20.0), (0.05, 0.3, 0.1, 0.02))]
    studies = [Study(a, f, d, m) for a in (5.0, 24.0) for f in (3.0, 12.0)
               for d in (0.0, 0.02, 0.2) for m in (None, 4.0, 18.0)]
    if not full:   # every null, every accrual, follow-up, dropout and maximum follow-up
        studies = studies[::7]     # value, fewer combinations
    return nulls, studies


@pytest.mark.parametrize("full", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_tanh_sinh_equals_quad_on_a_grid(full):
    """The log-rank integrals and the landmark variance by the numpy tanh-sinh rule
    equal scipy's quad (how they were computed before) to 1e-10 relative on a grid:
    exponential, Weibull shapes 0.5-2, piecewise-exponential nulls, dropout 0 to 0.2,
    per-patient follow-up, hazard ratios 0.3-1.5, landmarks up to just below the end
    of follow-up; and the rule resolves every piece itself (no fall-back to quad).
    The default run takes every seventh study of the grid and one hazard ratio per
    study, 0.3 and 1.5 in turn (both for every null); ``-m slow`` all of it."""
    from designcalc.survival import _quadrature, landmark, logrank

    nulls, studies = _grid(full)
    fallbacks = []
    rule = _quadrature.tanh_sinh

    def counted(*args):
        value = rule(*args)
        if value is None:
            fallbacks.append(args[1:])
        return value

    worst = 0.0
    _quadrature.tanh_sinh = counted
    try:
        for null in nulls:
            for i, study in enumerate(studies):
                for hr in ((0.3, 0.667, 1.5) if full else ((0.3, 1.5)[i % 2],)):
                    new = logrank._compute_integrals(null, hr, study)
                    old = logrank._integrals_quad(null, hr, study)
                    for a, b in zip(new, old):
                        worst = max(worst, abs(a - b) / abs(b))
                    for t0 in (1.0, 6.0, 8.9, 14.0):
                        if t0 >= study.duration or (study.max_followup is not None
                                                    and t0 > study.max_followup):
                            continue
                        a = landmark._compute_v1(null, hr, study, t0)
                        b = landmark._v1_quad(null, hr, study, t0)
                        worst = max(worst, abs(a - b) / abs(b))
    finally:
        _quadrature.tanh_sinh = rule
    assert worst <= 1e-10
    assert fallbacks == []


def test_tanh_sinh_falls_back_when_unresolved():
    """An integrand with a kink the rule was not told about, or a value that is not
    finite, gives None (the callers then use quad)."""
    from designcalc.survival._quadrature import tanh_sinh

    assert tanh_sinh(lambda u: abs(u - 0.3), 0.0, 1.0) is None
    with np.errstate(divide="ignore"):
        assert tanh_sinh(lambda u: 1.0 / (u - 0.5), 0.0, 1.0) is None
    assert tanh_sinh(lambda u: u ** 0.5, 0.0, 1.0) == pytest.approx(2 / 3, rel=1e-14)


_DESIGNS = [
    dict(median0=6, median1=9, accrual=24, followup=12, power=0.8),
    dict(median0=6, median1=9, accrual=24, followup=12, power=0.9),
    dict(median0=9, hr=1 / 1.75, shape=1.22, accrual=5, followup=3, power=0.8),
    dict(median0=9, hr=1 / 1.75, shape=1.22, accrual=5, followup=3, power=0.85),
    dict(median0=9, hr=1 / 1.75, shape=1.22, accrual=5, followup=3, power=0.9),
    dict(median0=1, hr=1 / 1.2, shape=0.1, accrual=3, followup=1, power=0.9),
    dict(test="all", median0=6, median1=9, accrual=24, followup=12, landmark=6),
    dict(test="all", median0=4.6, median1=9.2, accrual=12, followup=12, landmark=12),
    dict(test="all", median0=6, median1=9, shape=0.5, accrual=18, followup=12, landmark=6,
         dropout_rate=0.03),
    dict(test="all", median0=6, median1=9, shape=2.0, accrual=18, followup=12, landmark=6,
         max_followup=15),
    dict(test="all", null=PiecewiseExponential((3.0,), (0.2, 0.08)), hr=0.6, accrual=18,
         followup=12, landmark=4, dropout_rate=0.01),
    dict(test="all", median0=6, median1=9, accrual_rate=3, followup=12, landmark=6),
    dict(test="all", median0=9, median1=6, direction="shorter", accrual=12, followup=12,
         landmark=6),
    dict(test=["logrank", "landmark", "exponential"], median0=8.28, hr=0.9, accrual=24,
         followup=12, landmark=6),
    # docs/survival.md, the seed trials: Leflunomide (landmark = max_followup), NALIRIFOX,
    # surufatinib (Weibull shapes 0.8 and 1.5)
    dict(test="all", median0=6, hr=0.6, accrual=24, followup=8.2793, max_followup=8.2793,
         landmark=8.2793),
    dict(test="all", median0=6, s1=0.7, landmark=6, accrual=24, followup=6),
    dict(median0=15, median1=22.5, shape=0.8, accrual=24, followup=24),
    dict(median0=15, median1=25, shape=1.5, accrual=24, followup=24),
]


@pytest.mark.parametrize("kwargs", _DESIGNS)
def test_designs_same_with_quad(monkeypatch, kwargs):
    """Every sample size is the one quad gives, and every number agrees to 1e-10
    relative (Wu 2015's 88 / 100 / 117, the issue's 48 / 68, the logRank1s
    vignette's 534, docs/survival.md's settings)."""
    from designcalc.survival import design, landmark, logrank

    new = design(**kwargs)
    monkeypatch.setattr(logrank, "_compute_integrals", logrank._integrals_quad)
    monkeypatch.setattr(landmark, "_compute_v1", landmark._v1_quad)
    old = design(**kwargs)
    assert new["n"].tolist() == old["n"].tolist()
    assert new.columns.tolist() == old.columns.tolist()
    for col in new.columns:
        for a, b in zip(new[col], old[col]):
            if isinstance(b, float) and not math.isnan(b):
                assert a == pytest.approx(b, rel=1e-10, abs=0), col
            elif not (isinstance(b, float) and math.isnan(b)):
                assert a == b, col
