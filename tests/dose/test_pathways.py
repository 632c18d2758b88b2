"""Dose-transition pathways (``designcalc.dose.pathways``, ``designcalc dose pathways``).

The enumeration must be the design's own rule: every node is replayed here from
its path string alone (independent bookkeeping) and compared with the design's
``next_dose`` on those data; the BOIN cells are checked against the published
boundaries (Liu & Yuan 2015, Table 1, target 0.3: escalate if y/n <= 0.236,
de-escalate if y/n >= 0.358, eliminate 3/3 and 4/6).
"""

import json
import re

import pytest
from click.testing import CliRunner

from designcalc.core import registry
from designcalc.core.budget import BudgetError
from designcalc.dose.interval.design import IntervalDesign
from designcalc.dose.pathways import pathways

BOIN = IntervalDesign(target=0.3, cohorts=10, cohort_size=3, levels=5)


def crm():
    return registry.get("crm").build({"target": 0.25, "skeleton": [0.05, 0.1, 0.25, 0.4, 0.6],
                                      "max_n": 30})


def replay(path, k, n0=None, y0=None):
    """Counts per level after the cohorts of ``path`` ("1NNN 2NNT"), from the string alone."""
    n = list(n0 or [0] * k)
    y = list(y0 or [0] * k)
    for cohort in path.split():
        level, letters = int(re.match(r"\d+", cohort).group()), re.sub(r"^\d+", "", cohort)
        n[level - 1] += len(letters)
        y[level - 1] += letters.count("T")
    return n, y


@pytest.mark.parametrize("make,kw", [(lambda: BOIN, {}),
                                     (lambda: BOIN, {"n": [3, 3, 0, 0, 0],
                                                     "dlt": [0, 1, 0, 0, 0], "next_level": 2}),
                                     (crm, {})])
def test_every_node_is_the_designs_own_decision(make, kw):
    d = make()
    res = pathways(d, ahead=3 if "interval" in type(d).__module__ else 2, **kw)
    rows = {r["node"]: r for r in res.rows}
    for r in res.rows:
        n, y = replay(r["path"], 5, kw.get("n"), kw.get("dlt"))
        extra = {"last_dlt": r["dlt"]} if "crm" in type(d).__module__ else {}
        want = d.next_dose(n, y, r["level"], **extra)
        assert (r["next"], r["stop"], r["mtd"]) == (want["next"], want["stop"], want["mtd"])
        assert (r["n_level"], r["dlt_level"]) == (n[r["level"] - 1], y[r["level"] - 1])
        parent = rows.get(r["parent"])
        # a cohort is treated where the previous decision sent it
        assert r["level"] == (parent["next"] if parent else res.start_level)
        assert parent is None or not parent["stop"]


def test_the_tree_is_complete():
    res = pathways(BOIN, ahead=3)
    c = 3
    for r in [None] + [r["node"] for r in res.rows if not r["stop"] and r["cohort"] < 3]:
        kids = [x["dlt"] for x in res.rows if x["parent"] == r]
        assert kids == list(range(c + 1))
    stops = [r for r in res.rows if r["stop"]]
    assert all(not any(x["parent"] == s["node"] for x in res.rows) for s in stops)
    # leaves: complete 3-cohort paths and stops before
    assert len(res.leaves()) == sum(1 for r in res.rows if r["cohort"] == 3) + \
        sum(1 for r in stops if r["cohort"] < 3)


def test_boin_cells_match_the_published_boundaries():
    res = pathways(BOIN, ahead=2)
    nxt = {r["path"]: (r["next"], r["stop"]) for r in res.rows}
    assert nxt["1NNN"] == (2, False)                # 0/3 <= 0.236: escalate
    assert nxt["1NNT"] == (1, False)                # 1/3 in (0.236, 0.358): stay
    assert nxt["1NTT"] == (1, False)                # 2/3: de-escalate, lowest dose: stay
    assert nxt["1TTT"] == (None, True)              # 3/3: eliminate the lowest dose
    assert nxt["1NNT 1NNN"] == (2, False)           # 1/6 <= 0.236: escalate
    assert nxt["1NNT 1NNT"] == (1, False)           # 2/6 = 0.333: stay
    assert nxt["1NTT 1NNT"] == (1, False)           # 3/6 >= 0.358: de-escalate; lowest: stay
    assert nxt["1NTT 1NTT"] == (None, True)         # 4/6: Pr(p > .3) = 0.971 > .95, eliminate
    assert "1NNN 2TTT" in nxt and nxt["1NNN 2TTT"] == (1, False)   # 3/3 at 2: eliminate 2-5


def test_crm_coherence_after_a_dlt():
    res = pathways(crm(), ahead=2)
    for r in res.rows:
        if not r["stop"] and r["dlt"] / 3 >= 0.25:
            assert r["next"] <= r["level"]          # dfcrm: no escalation after a DLT


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="^ahead"):
        pathways(BOIN, ahead=0)
    with pytest.raises(ValueError, match="^next_level"):
        pathways(BOIN, n=[3, 0, 0, 0, 0], dlt=[0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="^n: give one count per level"):
        pathways(BOIN, n=[3, 0], dlt=[0, 0], next_level=1)
    with pytest.raises(ValueError, match="^design"):
        pathways(object())
    with pytest.raises(BudgetError, match="dose-transition pathways"):
        pathways(BOIN, ahead=30)
    with pytest.raises(ValueError, match="^ahead: .* too many to draw"):
        pathways(BOIN, ahead=4).plot()


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cli_prints_the_api_rows_and_draws(tmp_path):
    run = invoke(["dose", "pathways", "--design", "boin", "--target", 0.3, "--doses", 5,
                  "--n", "3,3,0,0,0", "--dlt", "0,1,0,0,0", "--next-level", 2, "--ahead", 2,
                  "--format", "json", "--plot", tmp_path / "t.png",
                  "--report", tmp_path / "t.md"])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)["results"]
    api = pathways(BOIN, [3, 3, 0, 0, 0], [0, 1, 0, 0, 0], next_level=2, ahead=2).rows
    assert [(g["path"], g["next"], g["stop"]) for g in got] == \
        [(r["path"], r["next"], r["stop"]) for r in api]
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    md = (tmp_path / "t.md").read_text()
    assert md.startswith("# Dose-transition pathways") and "| 2NNN 3NNN |" in md


def test_cli_crm_and_errors():
    run = invoke(["dose", "pathways", "--design", "crm", "--target", 0.25, "--skeleton",
                  "0.05,0.1,0.25,0.4,0.6", "--ahead", 1, "--format", "csv"])
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines()[1].startswith("1NNN,1,1,0,3,0,2,")
    for args, hint in ((["--ahead", 0], "ahead"), (["--n", "3,0,0,0,0"], "--n"),
                       (["--n", "3,0,0,0,0", "--dlt", "0,0,0,0,0"], "--next-level")):
        run = invoke(["dose", "pathways", "--design", "boin", "--target", 0.3, "--doses", 5,
                      *args])
        assert run.exit_code == 2 and hint in run.output and "Traceback" not in run.output
