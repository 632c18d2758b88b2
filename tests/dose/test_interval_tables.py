"""Keyboard, mTPI-2 and i3+3 as decision-table generators on the interval engine.

Sources of the rules (each restated cell by cell with scipy.stats.beta in
test_interval_oracle.py, independently of the vectorised generators in
designcalc.dose.interval.rules):

* Keyboard -- Yan F, Mandrekar SJ, Yuan Y (2017), Clin Cancer Res 23:3994;
  R package Keyboard 0.1.3, ``get.boundary.kb`` (keys of the target key's
  width laid out from it, end keys clipped to [0, 1] and their probability
  multiplied by width / own width, the highest key on a tie; elimination
  with Pr(p > target) > 0.95) and ``get.oc.kb`` (elimination needs n >= 3;
  ``n.earlystop`` checked first).
* mTPI-2 -- Guo W, Wang SJ, Yang S, Lynn H, Ji Y (2017), Contemp Clin Trials
  58:23; R package FIND 0.1.1 (Ji's group), ``get_decision_mtpi2``:
  sub-intervals of the EI's width, the end ones cut at 0 and 1, boundaries
  rounded to 3 decimals, unit probability mass = posterior probability /
  width, the first maximum (``which.max``); DU if Pr(p > pT) > 0.95.
* i3+3 -- Liu M, Wang SJ, Ji Y (2020), J Biopharm Stat 30:294; FIND 0.1.1
  ``get_decision_i3plus3``: y/n below the EI escalate, in the (closed) EI
  stay, above it stay if (y - 1)/n is below the EI, else de-escalate; DU if
  Pr(p > pT) > 0.95.

No printed decision table of these papers could be read here; the cells
quoted below are derived by hand from the rules as the papers state them
(the derivation is in each comment).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from designcalc.dose.interval.design import IntervalDesign
from designcalc.dose.interval.rules import (ACTIONS, IntervalTable, i3p3_actions, interval_rule,
                                       keyboard_actions, keyboard_keys, mtpi2_actions,
                                       mtpi2_intervals)
from test_interval_oracle import i3p3_cell, keyboard_cell, mtpi2_cell

CODE = {"E": 0, "S": 1, "D": 2, "DU": 3}


# --- scalar restatements of the peers' rules -----------------------------------------

def _full(rule, target, n_max, ml=0.05, mr=0.05):
    return interval_rule(rule, target, n_max, 1, margin_low=ml, margin_high=mr).action


def _table_cases():
    """Every rule at targets 0.15, 0.25, 0.3 and 1/3; Keyboard's and mTPI-2's scalar
    restatements (a beta integral per key or sub-interval of each cell) take about
    0.8 s a table, so the default run checks them at 0.3 and 1/3 and ``-m slow`` at
    0.15 and 0.25 too."""
    out = []
    for rule, cell in (("keyboard", keyboard_cell), ("mtpi2", mtpi2_cell),
                       ("i3+3", i3p3_cell)):
        for target in (0.15, 0.25, 0.3, 1 / 3):
            slow = rule != "i3+3" and target < 0.3
            out.append(pytest.param(rule, cell, target, id=f"{rule}-{target:.4g}",
                                    marks=pytest.mark.slow if slow else ()))
    return out


@pytest.mark.parametrize("rule,cell,target", _table_cases())
def test_tables_match_the_scalar_restatement(rule, cell, target):
    act = _full(rule, target, 24)
    for n in range(1, 25):
        got = [ACTIONS[a] for a in act[n, :n + 1]]
        want = [ACTIONS[CODE[cell(target, n, y)]] for y in range(n + 1)]
        # below n = 3 the generated table never eliminates (elimination needs 3 patients)
        assert got == want, (rule, target, n)


@pytest.mark.parametrize("ml,mr", [(0.05, 0.05), (0.05, 0.1), (0.03, 0.07)])
def test_asymmetric_margins_match_the_restatement(ml, mr):
    for rule, cell in (("keyboard", keyboard_cell), ("mtpi2", mtpi2_cell),
                       ("i3+3", i3p3_cell)):
        act = _full(rule, 0.3, 18, ml, mr)
        for n in range(3, 19, 3):
            assert [ACTIONS[a] for a in act[n, :n + 1]] == \
                [ACTIONS[CODE[cell(0.3, n, y, ml, mr)]] for y in range(n + 1)], (rule, n)


def test_keys_and_intervals():
    # Keyboard's keys for target 0.3, margins 0.05: [0, .05], [.05, .15], ..., [.95, 1]
    assert np.allclose(keyboard_keys(0.3), [0, .05, .15, .25, .35, .45, .55, .65, .75,
                                            .85, .95, 1])
    # mTPI-2 (Guo et al. 2017): EI [0.2, 0.3] for pT = 0.25 -> LI [0, .1], [.1, .2]
    assert mtpi2_intervals(0.25).tolist() == [0, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1]


def test_i3p3_documented_cells():
    # i3+3 with pT = 0.25, EI = [0.2, 0.3] (FIND's example settings), n = 3:
    # 0/3 = 0 < 0.2 -> E; 1/3 = 0.33 > 0.3 but 0/3 < 0.2 -> S (the i3+3 rule);
    # 2/3 above, 1/3 not below -> D (Pr(p > .25 | 2/3) = 0.949 <= 0.95);
    # 3/3: Pr(p > .25 | Beta(4, 1)) = 1 - .25^4 = 0.996 -> DU
    a = interval_rule("i3+3", 0.25, 4, 3).action
    assert [ACTIONS[v] for v in a[3, :4]] == ["escalate", "stay", "de-escalate", "eliminate"]
    assert beta.sf(0.25, 3, 2) == pytest.approx(1 - (4 * 0.25 ** 3 * 0.75 + 0.25 ** 4))
    # n = 6: 1/6 < .2 E; 2/6 > .3, 1/6 < .2 -> S; 3/6: 2/6 >= .2 -> D
    assert [ACTIONS[v] for v in a[6, :4]] == ["escalate", "escalate", "stay", "de-escalate"]
    # mTPI-2 and Keyboard de-escalate after 1/3 at pT = 0.25: the posterior Beta(2, 3)
    # has its mode 1/3 in [0.3, 0.4], which holds more mass than the EI [0.2, 0.3]
    for rule in ("mtpi2", "keyboard"):
        assert ACTIONS[interval_rule(rule, 0.25, 4, 3).action[3, 1]] == "de-escalate"
    assert beta.cdf(0.4, 2, 3) - beta.cdf(0.3, 2, 3) > beta.cdf(0.3, 2, 3) - beta.cdf(0.2, 2, 3)


@pytest.mark.parametrize("target", [0.15, 0.2, 0.25, 0.3, 0.35, 0.4])
def test_keyboard_equals_mtpi2_with_the_same_interval(target):
    # Keyboard's strongest key and mTPI-2's largest unit probability mass pick the same
    # interval (equal widths; the end intervals scaled the same way) -- the equivalence
    # of the two designs noted by Yan et al. (2017) and Zhou et al. (2018, Clin Cancer
    # Res 24:4357)
    assert np.array_equal(keyboard_actions(target, 36), mtpi2_actions(target, 36))


def test_i3p3_differs_from_mtpi2_only_by_its_stay_rule():
    for target in (0.2, 0.25, 0.3):
        m, i = mtpi2_actions(target, 30), i3p3_actions(target, 30)
        for n in range(3, 31):
            for y in range(n + 1):
                if m[n, y] != i[n, y]:
                    assert (ACTIONS[m[n, y]], ACTIONS[i[n, y]]) in (
                        ("de-escalate", "stay"), ("stay", "escalate"),
                        ("stay", "de-escalate"), ("escalate", "stay"))


# --- the engine --------------------------------------------------------------------------

def test_table_round_trip_and_names():
    for rule, name in (("keyboard", "Keyboard"), ("mtpi2", "mTPI-2"), ("i3+3", "i3+3")):
        d = IntervalDesign(rule=rule, target=0.25, cohorts=6, margin_low=0.05,
                           margin_high=0.05)
        assert d.name == name
        assert IntervalDesign.from_dict(d.to_dict()) == d
        tab = d.decision_table()
        assert IntervalTable.from_dict(tab.to_dict()) == tab


@pytest.mark.parametrize("kw,word", [
    ({"rule": "boin", "margin_low": 0.05}, "margin_low"),
    ({"rule": "mtpi2", "margin_low": 0.01}, "margin_low"),     # < 0.1 x target (FIND)
    ({"rule": "i3+3", "margin_high": 0.8}, "margin_high"),
    ({"rule": "keyboard", "target": 0.04}, "target"),
    ({"rule": "i3+3", "target": 0.05}, "target"),
    ({"rule": "keyboard", "bound_mtd": True}, "bound_mtd"),
])
def test_bad_input_names_the_parameter(kw, word):
    with pytest.raises(ValueError, match=f"^{word}"):
        IntervalDesign(**{"target": 0.3, "cohorts": 4, **kw})


def test_keyboard_next_dose_stops_at_n_earlystop_whatever_the_cell():
    d = IntervalDesign(rule="keyboard", target=0.3, cohorts=10, n_earlystop=9, levels=3)
    out = d.next_dose([3, 9, 0], [0, 0, 0], 2)          # 0/9 would escalate
    assert out["stop"] and out["next"] is None
    b = IntervalDesign(rule="mtpi2", target=0.3, cohorts=10, n_earlystop=9, levels=3)
    assert b.next_dose([3, 9, 0], [0, 0, 0], 2)["next"] == 3


def test_cli_table_and_oc(tmp_path):
    import json

    from click.testing import CliRunner

    from designcalc.cli import cli as main

    r = CliRunner().invoke(main, ["dose", "table", "--design", "i3+3", "--target", "0.25",
                                  "--cohorts", "4", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)["results"]
    assert [(x["n"], x["escalate_if_le"], x["deescalate_if_ge"], x["eliminate_if_ge"])
            for x in rows] == [(3, 0, 2, 3), (6, 1, 3, 4), (9, 1, 3, 5), (12, 2, 4, 6)]
    r = CliRunner().invoke(main, ["dose", "oc", "--design", "keyboard", "--design", "i3+3",
                                  "--target", "0.25", "--cohorts", "6", "--margin-low",
                                  "0.05", "--tox", "0.1,0.25,0.4", "--format", "json"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["dose", "next", "--design", "mtpi2", "--target", "0.3",
                                  "--doses", "3", "--n", "3,3,0", "--dlt", "0,1,0",
                                  "--current", "2", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["results"][0]["next"] == 2
