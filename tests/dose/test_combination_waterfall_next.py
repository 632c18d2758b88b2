"""The conduct of the waterfall design (``dose next --design waterfall``, issue #23):
BOIN within a subtrial, BOIN 2.7.2's ``next.subtrial`` between subtrials.

Reference numbers: ``next.subtrial``'s documentation example; 300 random cases run
through BOIN 2.7.2 itself (``tests/data/make_waterfall_next.R``, seed 20261206 ->
``waterfall_next_cases.csv``); hand-derived BOIN decisions (target 0.3: b_e(3) = 0,
b_d(3) = 2, b_elim(3) = 3, Liu & Yuan 2015 Table / ``get.boundary``).
"""

import csv
import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.dose.combination.design import BoinCombDesign
from designcalc.dose.combination.waterfall import default_subtrial_cohorts, next_subtrial

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")


def design(rows=3, cols=4, split=(6, 3, 3), **kw):
    return BoinCombDesign(target=kw.pop("target", 0.3), rows=rows, cols=cols,
                          cohorts=sum(split), subtrial_cohorts=split, variant="waterfall",
                          **kw)


def test_next_subtrial_documentation_example():
    """?next.subtrial: n = 6 0 0 0 / 6 10 12 0 / 9 12 0 0, y = 0 0 0 0 / 1 1 4 0 /
    2 3 0 0 -> the subtrial on row 2 picks (2, 3) (PAVA estimates 0.104, 0.335; 0.335 is
    closer to 0.3), next subtrial (1, 2), (1, 3), (1, 4) from (1, 4) (R 4.2 prints it)."""
    n = np.array([[6, 0, 0, 0], [6, 10, 12, 0], [9, 12, 0, 0]])
    y = np.array([[0, 0, 0, 0], [1, 1, 4, 0], [2, 3, 0, 0]])
    d = design()
    st = next_subtrial(d.rule(), n, y)
    assert st["pick"] == 1 and st["ladder"] == [(1, 1), (1, 2), (1, 3)]
    assert st["next"] == ((0, 3), [(0, 1), (0, 2), (0, 3)])


def test_next_subtrial_agrees_with_boin_on_random_cases():
    """300 random grids (2 x 2 .. 3 x 5, targets 0.2-0.33, extrasafe in 30 %), the
    current subtrial and those before it filled with random data: the starting dose of
    the next subtrial (or none) equals BOIN 2.7.2's next.subtrial in every case."""
    with open(os.path.join(DATA, "waterfall_next_cases.csv")) as fh:
        cases = list(csv.DictReader(fh))
    assert len(cases) == 300
    some = 0
    for r in cases:
        J, K = int(r["rows"]), int(r["cols"])
        d = BoinCombDesign(target=float(r["target"]), rows=J, cols=K,
                           cohorts=sum(default_subtrial_cohorts(J, K, 3)),
                           variant="waterfall", extrasafe=r["extrasafe"] == "1")
        n = np.array([[int(v) for v in row.split()] for row in r["n"].split(";")])
        y = np.array([[int(v) for v in row.split()] for row in r["dlt"].split(";")])
        st = next_subtrial(d.rule(), n, y)
        got = None if st["next"] is None else (st["next"][0][0] + 1, st["next"][0][1] + 1)
        want = None if r["next_a"] == "NA" else (int(r["next_a"]), int(r["next_b"]))
        assert got == want, r
        some += want is not None
    assert some > 150


Z = [[0] * 4] * 3


def test_within_subtrial_moves():
    """Subtrial 1's ladder A1B1, A2B1, A3B1, A3B2, A3B3, A3B4; target 0.3: 0/3 escalates,
    1/3 stays, 2/3 de-escalates, 3/3 eliminates the rung and those after it."""
    d = design()
    r = d.next_dose([[3, 0, 0, 0], [0] * 4, [0] * 4], Z, (1, 1))
    assert r["next"] == [(2, 1)] and r["action"] == "escalate"
    assert r["subtrial"][:4] == [(1, 1), (2, 1), (3, 1), (3, 2)]
    n = [[3, 0, 0, 0], [3, 0, 0, 0], [3, 3, 0, 0]]
    r = d.next_dose(n, [[0] * 4, [0] * 4, [0, 1, 0, 0]], (3, 2))
    assert r["next"] == [(3, 2)] and r["action"] == "stay"
    r = d.next_dose(n, [[0] * 4, [0] * 4, [0, 2, 0, 0]], (3, 2))
    assert r["next"] == [(3, 1)] and r["action"] == "de-escalate"
    r = d.next_dose(n, [[0] * 4, [0] * 4, [0, 3, 0, 0]], (3, 2))
    assert r["next"] == [(3, 1)]
    assert r["eliminated"] == [(3, 2), (3, 3), (3, 4)]
    # 0/3 at A3B1 with A3B2 eliminated: no escalation into it (stay)
    n = [[3, 0, 0, 0], [3, 0, 0, 0], [6, 3, 0, 0]]
    r = d.next_dose(n, [[0] * 4, [0] * 4, [0, 3, 0, 0]], (3, 1))
    assert r["next"] == [(3, 1)] and r["action"] == "stay"


def test_first_rung_too_toxic_stops():
    r = design().next_dose([[3, 0, 0, 0], [0] * 4, [0] * 4], [[3, 0, 0, 0], [0] * 4, [0] * 4],
                           (1, 1))
    assert r["stop"] and r["next"] is None and r["contour"] == []


def test_hand_over_to_the_next_subtrial_and_the_end():
    """Subtrial 1 uses its 4 cohorts (A1B1, A2B1, A3B1 at 0/3, A3B2 at 2/3): estimates
    0.05 / 3.1 = 0.016 (three rungs) and 2.05 / 3.1 = 0.66; 1e-10 x rank makes A3B1 the
    closest to 0.3, so next.subtrial starts row max(1, 3 - 1) = 2 at column 1 + 1 = 2.
    Row 1's subtrial is the last: when it has used its 3 cohorts the trial is over."""
    d = design(split=(4, 3, 3))
    n = [[3, 0, 0, 0], [3, 0, 0, 0], [3, 3, 0, 0]]
    y = [[0] * 4, [0] * 4, [0, 2, 0, 0]]
    r = d.next_dose(n, y, (3, 2))
    assert r["action"] == "next subtrial" and r["next"] == [(2, 2)]
    assert r["subtrial"] == [(2, 2), (2, 3), (2, 4)]
    # row 1's subtrial done: the trial is over, the contour from all data
    n = [[3, 3, 3, 3], [3, 9, 0, 0], [3, 3, 0, 0]]
    y = [[0, 0, 0, 1], [0, 2, 0, 0], [0, 2, 0, 0]]
    r = d.next_dose(n, y, (1, 4))
    assert r["stop"] and r["action"] == "stop"
    assert r["contour"] == design(split=(4, 3, 3)).select(n, y)["contour"]


def test_n_earlystop_ends_the_subtrial():
    d = design(n_earlystop=6)
    n = [[6, 0, 0, 0], [0] * 4, [0] * 4]
    r = d.next_dose(n, [[1, 0, 0, 0], [0] * 4, [0] * 4], (1, 1))
    # 1/6 stays at A1B1 (b_e(6) = 1 escalates: 1 <= 1): escalate to A2B1 (0 patients)
    assert r["next"] == [(2, 1)]
    r = d.next_dose(n, [[2, 0, 0, 0], [0] * 4, [0] * 4], (1, 1))
    # 2/6 stays (b_e(6) = 1 < 2 < b_d(6) = 3) at A1B1, which has 6 >= n_earlystop
    assert r["action"] == "next subtrial" and r["next"] == [(1, 2)]


def test_current_must_be_on_the_current_ladder():
    with pytest.raises(ValueError, match="current: A1B1 is not on the current subtrial"):
        design().next_dose([[3, 0, 0, 0], [0, 3, 0, 0], [3, 0, 0, 0]], Z, (1, 1))


def test_cli_next_and_final():
    from designcalc.cli import cli

    run = CliRunner().invoke(cli, [
        "dose", "next", "--design", "waterfall", "--target", "0.3", "--subtrial-cohorts",
        "4,3,3", "--n", "3,0,0,0;3,0,0,0;3,3,0,0", "--dlt", "0,0,0,0;0,0,0,0;0,2,0,0",
        "--current", "3,2", "--format", "json"])
    assert run.exit_code == 0, run.output
    row = json.loads(run.output)["results"][0]
    assert row["next"] == "A2B2" and row["subtrial"] == "A2B2, A2B3, A2B4"
    assert json.loads(run.output)["inputs"]["cohorts"] == 10
    run = CliRunner().invoke(cli, [
        "dose", "next", "--design", "waterfall", "--target", "0.3", "--final",
        "--n", "6,9,24,0;6,24,9,0;12,18,0,0", "--dlt", "0,1,5,0;1,5,4,0;1,5,0,0",
        "--format", "json"])
    assert run.exit_code == 0, run.output
    # select.mtd.comb(mtd.contour = TRUE) documentation example: (1, 3), (2, 2), (3, 2)
    assert json.loads(run.output)["results"][0]["mtd"] == "A1B3, A2B2, A3B2"
