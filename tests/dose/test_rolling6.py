"""Rolling-6 (family ``rolling6``, issue #22 item 5).

* The decision table is checked cell by cell against Skolnik et al. (2008),
  "Shortening the timeline of pediatric phase I trials: the rolling six
  design", J Clin Oncol 26:190-195, Table 1 (rows as published: patients
  enrolled, with DLT, without DLT, with data pending -> decision).
* Invariant: when every result is known before the next patient is ready
  (window < gap), Rolling-6 is the 3+3 with six patients at the MTD, one
  patient at a time: its selection probabilities equal designcalc's exact
  ``3+3-korn`` (an independent cohort engine, :mod:`designcalc.dose.rulebased`),
  and its patients per level equal a patient-by-patient derivation written
  here.
* The exact paths agree with the simulation (conformance, and a slow check).
"""

import json
from functools import lru_cache

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.dose.rolling6.design import Rolling6Design
from designcalc.dose.rolling6.rules import ACTIONS, TABLE, cells
from designcalc.dose.rulebased.rules import preset

# Skolnik et al. 2008, Table 1: (enrolled, DLT, without DLT, pending, decision)
PUBLISHED = [
    (2, (0, 1), (0, 1, 2), (0, 1, 2), "stay"),
    (2, (2,), (0,), (0,), "de-escalate"),
    (3, (0,), (0, 1, 2), (1, 2, 3), "stay"),
    (3, (1,), (0, 1, 2), (0, 1, 2), "stay"),
    (3, (0,), (3,), (0,), "escalate"),
    (3, (2, 3), (0, 1), (0, 1), "de-escalate"),
    (4, (0,), (0, 1, 2), (2, 3, 4), "stay"),
    (4, (1,), (0, 1, 2, 3), (0, 1, 2, 3), "stay"),
    (4, (0,), (3, 4), (0, 1), "escalate"),
    (4, (2, 3, 4), (0, 1, 2), (0, 1, 2), "de-escalate"),
    (5, (0,), (0, 1, 2), (3, 4, 5), "stay"),
    (5, (1,), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4), "stay"),
    (5, (0,), (3, 4, 5), (0, 1, 2), "escalate"),
    (5, (2, 3, 4, 5), (0, 1, 2, 3), (0, 1, 2, 3), "de-escalate"),
    (6, (0,), (0, 1, 2), (4, 5, 6), "suspend"),
    (6, (1,), (0, 1, 2, 3, 4), (1, 2, 3, 4, 5), "suspend"),
    (6, (0,), (3, 4, 5, 6), (0, 1, 2, 3), "escalate"),
    (6, (1,), (5,), (0,), "escalate"),
    (6, (2, 3, 4, 5, 6), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4), "de-escalate"),
]


def test_published_table_cell_by_cell():
    seen = {}
    for e, dlts, oks, pends, decision in PUBLISHED:
        for d in dlts:
            for c in oks:
                for q in pends:
                    if d + c + q == e:
                        assert (e, d, q) not in seen, (e, d, q)
                        seen[(e, d, q)] = decision
    listed = {(e, d, q): a for e, d, c, q, a in cells()}
    assert set(listed) == set(seen)                  # every cell of 2..6 enrolled, once
    for key, decision in seen.items():
        assert listed[key] == decision == ACTIONS[TABLE[key]], key


def test_table_cli_csv():
    out = CliRunner().invoke(cli, ["dose", "table", "--design", "rolling6", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["results"]
    assert len(rows) == len(cells()) == sum(
        1 for e in range(2, 7) for d in range(e + 1) for q in range(e - d + 1))
    assert {"enrolled_at_level": 3, "dlt": 0, "without_dlt": 3, "pending": 0,
            "decision": "escalate"} in rows


def _sequential(p):
    """Rolling-6 when each result is known before the next patient: one patient at a
    time, escalate at 0 DLT in 3, leave at 2 DLTs, the MTD with 6 patients and <= 1 DLT
    below a level with 2 DLTs (or the top level).  Returns (select, patients per level)."""
    k = len(p)

    @lru_cache(maxsize=None)
    def walk(level, counts, toxic_above):
        n, d = counts[level]
        sel, pts = np.zeros(k + 1), np.zeros(k)
        if d >= 2:                                           # too toxic: down
            if level == 0:
                sel[k] = 1.0
                return sel, pts
            return walk(level - 1, counts, True)
        top = level == k - 1 or toxic_above
        if (d == 0 and n >= 3 and not top) or (d == 1 and n == 6 and not top):
            return walk(level + 1, counts, False)
        if n == 6:                                           # <= 1 DLT in 6 at the top
            sel[level] = 1.0
            return sel, pts
        for dlt, pr in ((1, p[level]), (0, 1 - p[level])):
            if pr == 0:
                continue
            c2 = list(counts)
            c2[level] = (n + 1, d + dlt)
            s2, n2 = walk(level, tuple(c2), toxic_above)
            sel = sel + pr * s2
            pts = pts + pr * n2
        pts[level] += 1.0
        return sel, pts

    return walk(0, tuple((0, 0) for _ in range(k)), False)


@pytest.mark.parametrize("tox", [(0.05, 0.1, 0.2, 0.3, 0.45), (0.3, 0.5, 0.6),
                                 (0.0, 0.1, 0.6, 1.0)])
def test_all_results_known_equals_3p3_six_at_mtd(tox):
    d = Rolling6Design(levels=len(tox), window=1.0, gap=2.0)
    res = d.oc({"s": list(tox)})
    sel = [r["select"] for r in res.rows]
    korn = preset("3+3-korn", n_levels=len(tox)).oc({"s": list(tox)}, target=0.3)
    assert sel == pytest.approx([r["select"] for r in korn.rows], abs=1e-12)
    ref_sel, ref_n = _sequential(tuple(tox))
    assert sel == pytest.approx(list(ref_sel), abs=1e-12)
    assert [r["n_treated"] for r in res.rows[:-1]] == pytest.approx(list(ref_n), abs=1e-12)
    assert res.metrics[0]["suspended_time"] == 0.0


def test_slow_results_fill_levels_and_suspend():
    """Window 4 x gap, results at the window's end, no DLT: by hand, level 1 gets
    patients on days 0, 7, ..., 35 (results from day 28 on: 1 and 2 completed by days 28
    and 35, still < 3), the 3rd result (day 42) escalates; level 2 the same from day 42
    to 84; the top level's 6 patients enter on days 84..119, and with 6 enrolled and 3
    results on day 126 accrual is suspended until the 6th result on day 147."""
    d = Rolling6Design(levels=3, window=28.0, gap=7.0)
    res = d.oc({"safe": [0.0, 0.0, 0.0]})
    assert [r["n_treated"] for r in res.rows[:-1]] == pytest.approx([6, 6, 6])
    assert res.rows[2]["select"] == pytest.approx(1.0)
    m = res.metrics[0]
    assert m["en"] == 18
    assert m["trial_duration"] == pytest.approx(147.0)
    assert m["suspended_time"] == pytest.approx(147.0 - 126.0)


def test_poisson_falls_back_to_simulation_with_warning(monkeypatch):
    monkeypatch.setattr(Rolling6Design, "_fallback_sims", 500)
    d = Rolling6Design(levels=3, accrual="poisson")
    res = d.oc({"s": [0.05, 0.2, 0.5]})
    assert any("no exact paths" in w for w in res.warnings)
    assert "select_sim" in res.rows[0]


def test_state_budget_fallback(monkeypatch):
    monkeypatch.setattr(Rolling6Design, "_fallback_sims", 500)
    res = Rolling6Design(levels=3).oc({"s": [0.05, 0.2, 0.5]}, state_budget=10)
    assert any("state budget" in w for w in res.warnings)


@pytest.mark.parametrize("kw, word", [({"levels": 0}, "levels"), ({"window": 0}, "window"),
                                      ({"gap": -1}, "gap"), ({"accrual": "x"}, "accrual"),
                                      ({"dlt_time": 0}, "dlt_time"),
                                      ({"start_level": 9}, "start_level")])
def test_bad_input(kw, word):
    with pytest.raises(ValueError, match=f"^{word}"):
        Rolling6Design(**kw)


@pytest.mark.slow
@pytest.mark.parametrize("kw", [dict(window=28.0, gap=7.0, dlt_time=0.5),
                                dict(window=30.0, gap=5.0, start_level=2)])
def test_exact_equals_simulation(kw):
    d = Rolling6Design(levels=4, **kw)
    res = d.evaluate({"s": [0.05, 0.15, 0.3, 0.5]}, n_sims=100_000, seed=7)
    for row in res.rows:
        assert abs(row["select"] - row["select_sim"]) <= 4 * max(row["select_sim_se"], 1e-9)
    m = res.metrics[0]
    for key in ("en", "trial_duration", "suspended_time"):
        assert abs(m[key] - m[key + "_sim"]) <= 4 * m[key + "_sim_se"], key
