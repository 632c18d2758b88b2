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
