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


# --- drug combinations (BOIN for combinations) and phase I/II designs (issue #23) -----------

def comb(**kw):
    return registry.get("combination").build({"target": 0.3, "rows": 2, "cols": 3,
                                              "cohorts": 10, **kw})


def replay_grid(path, rows, cols):
    """Counts per combination after the cohorts of ``path`` ("1.1NNN 1.2NNT")."""
    n = [[0] * cols for _ in range(rows)]
    y = [[0] * cols for _ in range(rows)]
    for cohort in path.split():
        m = re.match(r"(\d+)\.(\d+)([NT]+)$", cohort)
        a, b, letters = int(m.group(1)), int(m.group(2)), m.group(3)
        n[a - 1][b - 1] += len(letters)
        y[a - 1][b - 1] += letters.count("T")
    return n, y


def _grid(text):
    """"(a,b)|(c,d)" -> [(a, b), (c, d)]."""
    return [tuple(int(v) for v in re.findall(r"\d+", part)) for part in text.split("|")]


@pytest.mark.parametrize("variant", ["boin", "keyboard"])
def test_combination_nodes_are_next_comb_and_ties_branch(variant):
    """Every node replayed from its path through BoinCombDesign.next_dose (next.comb,
    next.comb.kb); a tie (BOIN draws one of two combinations) continues along both.
    From (1,1), 0/3 escalates to (2,1) or (1,2) with tied scores (Lin & Yin 2017: both
    moves have the same posterior probability of the target interval)."""
    d = comb(variant=variant)
    res = pathways(d, ahead=2)
    assert res.start_level == (1, 1)
    for r in res.rows:
        n, y = replay_grid(r["path"], 2, 3)
        a, b = _grid(r["level"])[0]
        want = d.next_dose(n, y, (a, b))
        got = None if r["next"] is None else _grid(r["next"])
        assert (got, r["stop"]) == (want["next"], want["stop"])
        assert (r["n_level"], r["dlt_level"]) == (n[a - 1][b - 1], y[a - 1][b - 1])
        kids = [k for k in res.rows if k["parent"] == r["node"]]
        if not r["stop"] and r["cohort"] < 2:      # c + 1 outcomes per next combination
            assert sorted({k["level"] for k in kids}) == sorted(
                f"({p},{q})" for p, q in got)
            assert len(kids) == 4 * len(got)
    first = res.rows[0]
    assert (first["path"], first["next"]) == ("1.1NNN", "(2,1)|(1,2)")


def test_waterfall_nodes_are_its_own_conduct():
    """The waterfall (BOIN within a subtrial, next.subtrial between them): every node
    replayed through its next_dose; subtrial 1 of a 2 x 3 grid is the ladder A1B1, A2B1,
    A2B2, A2B3, so 0/3 at A1B1 escalates to (2,1) (Zhang & Yuan 2016)."""
    d = comb(variant="waterfall", cohorts=9)
    res = pathways(d, ahead=2)
    for r in res.rows:
        n, y = replay_grid(r["path"], 2, 3)
        a, b = _grid(r["level"])[0]
        want = d.next_dose(n, y, (a, b))
        got = None if r["next"] is None else _grid(r["next"])
        assert (got, r["stop"]) == (want["next"], want["stop"])
    assert (res.rows[0]["path"], res.rows[0]["next"]) == ("1.1NNN", "(2,1)")
    assert "stay at A1B1" in next(r for r in res.rows if r["path"] == "1.1NNT")["reason"]


def test_combination_from_data_and_errors():
    d = comb()
    res = pathways(d, [[3, 3, 0], [0, 0, 0]], [[0, 1, 0], [0, 0, 0]], next_level=(1, 2),
                   ahead=1)
    assert [r["path"] for r in res.rows] == [f"1.2{'N' * (3 - y)}{'T' * y}"
                                            for y in range(4)]
    assert res.rows[0]["n_level"] == 6 and res.rows[0]["dlt_level"] == 1
    with pytest.raises(ValueError, match="^next_level"):
        pathways(d, [[3, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="^next_level"):
        pathways(d, next_level=(3, 1))
    with pytest.raises(ValueError, match="^n"):
        pathways(d, [[3, 0], [0, 0]], [[0, 0], [0, 0]], next_level=(1, 1))


def test_combination_cli_refuses_an_option_the_design_does_not_take():
    """Keyboard's margins do not apply to BOIN-comb nor to the waterfall; the pathways
    command used to fail on the family's int_list parameter (subtrial_cohorts) before
    any design was chosen."""
    from designcalc.cli import cli

    base = ["dose", "pathways", "--target", "0.3", "--rows", "2", "--cols", "3", "--cohorts",
            "10"]
    r = CliRunner().invoke(cli, base + ["--design", "boin-comb", "--margin-low", "0.1"])
    assert r.exit_code == 2 and "--margin-low" in r.output and "boin-comb" in r.output
    r = CliRunner().invoke(cli, base + ["--design", "waterfall", "--margin-low", "0.1"])
    assert r.exit_code == 2 and "--margin-low" in r.output


def phase12(name, **kw):
    if name == "boin12":
        return registry.get("phase12").build({"n_doses": 3, **kw})
    return registry.get("keyboard_obd").build(kw)


@pytest.mark.parametrize("name", ["boin12", "keyboard-obd"])
def test_phase12_nodes_are_the_designs_decision(name):
    """Every node is the design's next_dose on its own path (a history string); a cohort
    of 2 has C(5, 3) = 10 outcome compositions (E, N, B, T counts)."""
    from designcalc.dose.pathways import outcome_pathways

    d = phase12(name, cohort_size=2)
    res = outcome_pathways(d, "1NN", levels=3, ahead=2)
    first = [r for r in res.rows if r["cohort"] == 1]
    assert len(first) == 10 and len({r["outcome"] for r in first}) == 10
    rows = {r["node"]: r for r in res.rows}
    for r in res.rows:
        want = d.next_dose(r["path"], 3)
        assert (r["next"], r["stop"], r["mtd"]) == (want["next"], want["stop"], want["mtd"])
        last = r["path"].split()[-1]
        assert int(last[0]) == r["level"]
        counts = {o: last[1:].count(o) for o in "ENBT"}
        assert r["outcome"] == " ".join(f"{o}{m}" for o, m in counts.items() if m)
        parent = rows.get(r["parent"])
        assert r["level"] == (parent["next"] if parent else res.start_level)
        kids = sum(1 for k in res.rows if k["parent"] == r["node"])
        assert kids == (10 if r["cohort"] == 1 and not r["stop"] else 0)


def test_phase12_budget_names_the_count():
    from designcalc.dose.pathways import outcome_pathways

    with pytest.raises(BudgetError, match="168,420 outcomes"):
        outcome_pathways(phase12("boin12"), "", levels=3, ahead=4)


@pytest.mark.parametrize("args", [
    ["--design", "boin-comb", "--target", "0.3", "--rows", "2", "--cols", "3", "--cohorts",
     "10", "--ahead", "2"],
    ["--design", "keyboard-comb", "--target", "0.3", "--rows", "2", "--cols", "3",
     "--cohorts", "10", "--margin-low", "0.05", "--ahead", "1"],
    ["--design", "boin12", "--doses", "3", "--ahead", "1"],
    ["--design", "keyboard-obd", "--doses", "3", "--history", "1NNE", "--ahead", "1"],
])
def test_cli_grid_and_phase12_pathways(tmp_path, args):
    from designcalc.cli import cli

    plot = tmp_path / "dtp.png"
    draw = ["--plot", str(plot)] if "boin-comb" in args else []     # one figure: fast
    r = CliRunner().invoke(cli, ["dose", "pathways", *args, "--format", "json", *draw])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[:r.output.rindex("}") + 1])
    assert not draw or plot.stat().st_size > 0
    first = out["results"][0]
    if "-comb" in args[1]:
        assert (first["path"], first["level"], first["next"]) == ("1.1NNN", "(1,1)",
                                                                  "(2,1)|(1,2)")
    else:
        assert first["outcome"] == "E3" and len(
            [x for x in out["results"] if x["cohort"] == 1]) == 20
