"""Preset ``3+3-escalation`` against R escalation's 3+3 with ``allow_deescalate = TRUE``.

The rule below restates, decision by decision, ``escalation::three_plus_three``
(brockk/escalation, R/three_plus_three.R) with ``allow_deescalate = TRUE``
(bcrm's ``threep3(threep3.esc.only = FALSE)`` is the same rule), from dose 1:

* after 0/3 (or <= 1/6) at dose d: stop and select d if d is the top dose or
  dose d+1 already has >= 6 patients or >= 2 DLTs; else escalate;
* after 1/3: 3 more at d;
* after >= 2/3 or >= 2/6: at dose 1 stop with no MTD; else if dose d-1 has
  fewer than 6 patients, treat the next cohort there; else stop and select the
  highest dose with >= 6 patients and <= 1 DLT (Korn et al. 1994), none if none.

The exact OC are enumerated here path by path from that restatement and
compared with the rule engine (``confirm_on="deescalation"``), and with the
Korn variant ``3+3-korn`` where they must differ (the top dose at 0/3).
"""

from __future__ import annotations

import pytest
from scipy import stats

from designcalc.dose.rulebased import preset


def _escalation_rule(n, t, d, k):
    """(next dose or selected dose or None, continue?) -- 0-based doses."""
    def cleared():
        if d == k - 1 or n[d + 1] >= 6 or t[d + 1] >= 2:
            return d, False
        return d + 1, True

    def too_toxic():
        if d == 0:
            return None, False
        if n[d - 1] < 6:
            return d - 1, True
        korn = [i for i in range(k) if n[i] >= 6 and t[i] <= 1]
        return (korn[-1] if korn else None), False

    if n[d] == 3:
        if t[d] == 0:
            return cleared()
        if t[d] == 1:
            return d, True
        return too_toxic()
    assert n[d] == 6, "more than 6 patients at a dose"
    return cleared() if t[d] <= 1 else too_toxic()


def _enumerate(tox, k):
    select = [0.0] * (k + 1)
    n_tr = [0.0] * k

    def walk(n, t, d, prob):
        n_tr[d] += 3 * prob
        for j in range(4):
            pj = prob * stats.binom.pmf(j, 3, tox[d])
            if pj == 0:
                continue
            n2, t2 = list(n), list(t)
            n2[d] += 3
            t2[d] += j
            nxt, go = _escalation_rule(n2, t2, d, k)
            if go:
                walk(n2, t2, nxt, pj)
            else:
                select[k if nxt is None else nxt] += pj

    walk([0] * k, [0] * k, 0, 1.0)
    return select, n_tr


CURVES = [[0.3], [0.05, 0.5], [0.05, 0.15, 0.30, 0.50], [0.2, 0.2, 0.2, 0.2, 0.2],
          [0.10, 0.25, 0.40, 0.55, 0.70], [0.5, 0.6, 0.7], [0.0, 0.0, 0.6]]


@pytest.mark.parametrize("tox", CURVES)
def test_top3_equals_escalation_path_by_path(tox):
    k = len(tox)
    res = preset("3+3-escalation", n_levels=k).oc({"s": tox})
    select, n_tr = _enumerate(tox, k)
    assert [r["select"] for r in res.rows] == pytest.approx(select, abs=1e-12)
    assert [r["n_treated"] for r in res.rows[:-1]] == pytest.approx(n_tr, abs=1e-12)


def test_top3_differs_from_korn_only_where_documented():
    # top dose at 0/3: selected at once (top3) or 3 more first (Korn) -- E[N] differs
    top3 = preset("3+3-escalation", n_levels=2).oc({"s": [0.0, 0.0]})
    korn = preset("3+3-korn", n_levels=2).oc({"s": [0.0, 0.0]})
    assert top3.metrics[0]["en"] == pytest.approx(6.0)
    assert korn.metrics[0]["en"] == pytest.approx(9.0)
    assert top3.rows[1]["select"] == korn.rows[1]["select"] == pytest.approx(1.0)


def test_top3_round_trip_and_simulation():
    d = preset("3+3-escalation", n_levels=4)
    assert type(d).from_dict(d.to_dict()) == d
    assert d.to_dict()["confirm_on"] == "deescalation"
    assert "confirm_on" not in preset("3+3-korn", n_levels=4).to_dict()
    tox = [0.05, 0.15, 0.30, 0.50]
    res = d.evaluate({"s": tox}, n_sims=20000, seed=5)
    assert res.agrees(4.0)
