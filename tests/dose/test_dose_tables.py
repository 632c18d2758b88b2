"""The pieces the dose families share (designcalc.dose.tables): one cell parser and CSV
reader for the rule-based and the interval decision tables, one OC row layout."""

import pytest

from designcalc.dose.interval.rules import IntervalTable
from designcalc.dose.rulebased.rules import DecisionTable
from designcalc.dose.tables import level_rows, parse_cells


def test_parse_cells_accepts_every_cell_form():
    forms = [{(3, 0): "E"}, [(3, 0, "e")], [((3, 0), "E")], [{"n": 3, "dlt": 0, "action": "E"}]]
    for cells in forms:
        got = parse_cells(cells, 3, "t", lambda t: {"e": "escalate"}.get(t), ("escalate",))
        assert got == {(3, 0): "escalate"}


@pytest.mark.parametrize("cells, match", [
    ([(3, 0, "jump")], r"t, cell n=3, dlt=0: unknown action 'jump'"),
    ([(3, 0, "e"), (3, 0, "s")], "contradiction, both 'escalate' and 'stay'"),
    ([(4, 0, "e")], "multiple of the cohort size 3"),
    ([(3, 4, "e")], "dlt cannot exceed n"),
    ([(3, 0)], r"t: each cell must be \(n, dlt, action\)"),
    ([], "t is empty"),
])
def test_parse_cells_errors_name_the_cell(cells, match):
    with pytest.raises(ValueError, match=match):
        parse_cells(cells, 3, "t", {"e": "escalate", "s": "stay"}.get, ("escalate", "stay"))


def test_both_tables_use_it():
    with pytest.raises(ValueError, match="decision table 'x', cell n=3, dlt=1: contradiction"):
        DecisionTable([(3, 1, "expand"), (3, 1, "escalate")], 3, "x")
    with pytest.raises(ValueError, match="table 'y', cell n=3, dlt=1: contradiction"):
        IntervalTable(((3, 1, "stay"), (3, 1, "e")), 3, "y")


def test_table_csv_round_trip(tmp_path):
    t = IntervalTable(tuple((3, d, "escalate" if d == 0 else "stay") for d in range(4)), 3, "t")
    path = t.to_csv(tmp_path / "t.csv")
    assert IntervalTable.from_csv(path).cells == t.cells


def test_level_rows_layout():
    rows = level_rows("s", [0.1, 0.2], {"select": [0.3, 0.6]}, {"select": 0.1},
                      per_level={"dose": [5.0, 10.0]})
    assert rows == [{"scenario": "s", "level": 1, "dose": 5.0, "tox": 0.1, "select": 0.3},
                    {"scenario": "s", "level": 2, "dose": 10.0, "tox": 0.2, "select": 0.6},
                    {"scenario": "s", "level": "none", "dose": None, "tox": None,
                     "select": 0.1}]


# --- issue #21: BOIN's extra safe stopping row ----------------------------------------

@pytest.mark.parametrize("target, cohorts, size", [(0.3, 6, 3), (0.25, 8, 3), (0.5, 6, 1),
                                                   (0.2, 5, 4)])
def test_extrasafe_row_is_get_boundary_row_where_get_oc_applies_it(target, cohorts, size):
    """R package BOIN 2.7.2, ``get.boundary(target, ncohort, cohortsize, extrasafe = TRUE)``
    prints "Stop the trial if # of DLT >=" for the lowest dose: the smallest ntox in 1..n
    with ``1 - pbeta(target, ntox + 1, n - ntox + 1) > cutoff.eli - offset`` (n >= 3),
    recomputed here with scipy's beta.  ``get.oc`` applies it only where the
    elimination boundary exists (else the row is None).  For target 0.3 the counts at
    n = 3, 6, ..., 18 are 2, 4, 5, 6, 7, 8."""
    from scipy import stats

    from designcalc.dose.interval.design import IntervalDesign

    d = IntervalDesign(target=target, cohorts=cohorts, cohort_size=size, extrasafe=True)
    rows = d.boundary_records()
    assert [r["n"] for r in rows] == list(range(size, cohorts * size + 1, size))
    for r in rows:
        n = r["n"]
        r_row = next((y for y in range(1, n + 1) if n >= 3 and
                      stats.beta.sf(target, y + 1, n - y + 1) > 0.95 - 0.05), None)
        assert r["stop_lowest_if_ge"] == (r_row if r["eliminate_if_ge"] is not None
                                          else None), n
        if r["stop_lowest_if_ge"] is not None:     # the engine stops there, not one below
            n_lv, y = [n, 0, 0], r["stop_lowest_if_ge"]
            at, below = (d.next_dose(n_lv, [v, 0, 0], 1) for v in (y, y - 1))
            assert at["stop"] is True and at["mtd"] is None
            assert "extra safe" in at["reason"] or y >= r["eliminate_if_ge"]
            assert "extra safe" not in below["reason"] and "lowest dose is" not in below["reason"]
    if target == 0.3:
        assert [r["stop_lowest_if_ge"] for r in rows] == [2, 4, 5, 6, 7, 8]
    assert "stop_lowest_if_ge" not in IntervalDesign(
        target=target, cohorts=cohorts, cohort_size=size).boundary_rows().columns


def test_cli_table_prints_the_extrasafe_row():
    import json

    from click.testing import CliRunner

    from designcalc.cli import cli

    args = ["dose", "table", "--design", "boin", "--extrasafe", "--target", "0.3",
            "--cohorts", "6"]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    line = next(t for t in run.stdout.splitlines() if t.startswith("Stop the trial"))
    assert line.split()[-6:] == ["2", "4", "5", "6", "7", "8"]
    rows = json.loads(CliRunner().invoke(cli, args + ["--format", "json"]).stdout)["results"]
    assert [r["stop_lowest_if_ge"] for r in rows] == [2, 4, 5, 6, 7, 8]
