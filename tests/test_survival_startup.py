"""Start-up work of ``designcalc survival design/power`` (issue #14, item 7).

* the command line builds its rows without pandas: the records equal the
  public DataFrame's ``to_dict("records")`` (values, types, column order);
* the survival commands do not import pandas (checked in a fresh interpreter).
"""

import json
import math
import subprocess
import sys

import pytest

from designcalc.render import plain
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
def test_survival_commands_do_not_import_pandas(args):
    code = ("import sys; from designcalc.cli import main; sys.argv = ['designcalc'] + "
            f"{args!r}\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import json; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('pandas', 'matplotlib'))), file=sys.stderr)")
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
    ("survival design --median0 6 --median1 9 --accrual 24 --followup 12 --test all "
     "--landmark 6", ["logrank", "landmark"]),
    ("survival power --n 50 --median0 6 --median1 9 --accrual 24 --followup 12 --test all "
     "--landmark 6", ["logrank", "landmark"]),
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
    kw = dict(median0=6, median1=9, accrual=24, followup=12, test="all", landmark=6)
    first = design(**kw)
    second = design(**kw)
    assert calls == ["logrank", "landmark"] * 2
    assert first.equals(second)
    null, study = Weibull(6.0), Study(24.0, 12.0)
    hr = null.hr_for_median(9.0)
    row = first.iloc[0]
    assert row["expected_events"] == row["n"] * hr * logrank._integrals(null, hr, study)[0]
    assert row["power"] == logrank.power_wu(int(row["n"]), null, hr, study)
    assert first.iloc[1]["power"] == landmark.power_analytic(int(first.iloc[1]["n"]), null, hr,
                                                              study, 6.0)
