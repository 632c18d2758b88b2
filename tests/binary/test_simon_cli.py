"""``designcalc simon`` commands through click's CliRunner (and one real process).

Expected designs: Simon (1989) Table 1, p0 = .2, p1 = .4, alpha = .05,
beta = .20: optimal 3/13, 12/43 (EN0 20.6), minimax 4/18, 10/33 (EN0 22.3).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from designcalc.cli import cli

DESIGN = ["simon", "design", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8"]
NALIRIFOX = ["--r1", "6", "--n1", "12", "--r", "19", "--n", "28"]


def run(args):
    return CliRunner().invoke(cli, args)


def test_design_table_has_rows_and_protocol_sentence():
    res = run(DESIGN)
    assert res.exit_code == 0, res.output
    out = res.output
    assert "minimax" in out and "optimal" in out
    assert ("optimal: Stage 1: enrol 13; stop if 3 or fewer responses. Stage 2: enrol 30 more "
            "(43 in total); declare promising if 13 or more responses.") in out
    assert "warning" not in out


def test_design_json_envelope():
    res = run(DESIGN + ["--format", "json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec["command"] == "simon design"
    assert rec["inputs"] == {"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8, "nmax": None}
    assert rec["seed"] is None and rec["warnings"] == []
    rows = rec["results"]
    assert [r["design"] for r in rows] == ["minimax", "admissible", "optimal"]
    assert [(r["r1"], r["n1"], r["r"], r["n"]) for r in rows if r["design"] != "admissible"] == \
        [(4, 18, 10, 33), (3, 13, 12, 43)]
    assert list(rows[0]) == ["design", "r1", "n1", "r", "n", "en0", "pet0", "alpha_actual",
                             "power_actual", "q_min", "q_max"]
    assert round(rows[-1]["en0"], 1) == 20.6 and round(rows[0]["en0"], 1) == 22.3


def test_design_csv():
    res = run(DESIGN + ["--format", "csv"])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert rows[0]["design"] == "minimax" and rows[-1]["n"] == "43"


def test_design_binding_nmax_warns_in_table_and_json(tmp_path):
    res = run(DESIGN + ["--nmax", "40"])
    assert res.exit_code == 0
    assert "warning: nmax=40 binds" in res.output
    out = tmp_path / "d.json"
    res = run(DESIGN + ["--nmax", "40", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0
    rec = json.loads(out.read_text())
    assert rec["inputs"]["nmax"] == 40 and len(rec["warnings"]) == 1


def test_design_infeasible_nmax_warns_with_no_rows(tmp_path):
    # Issue #2: when the user's nmax binds because no design is feasible, say so
    # (warning line in table output, field in JSON) instead of failing.
    res = run(DESIGN + ["--nmax", "20"])
    assert res.exit_code == 0
    assert "(no rows)" in res.output
    assert "warning: nmax=20 is too small" in res.output
    out = tmp_path / "none.json"
    res = run(DESIGN + ["--nmax", "20", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0
    rec = json.loads(out.read_text())
    assert rec["results"] == [] and rec["proven"] is False
    assert len(rec["warnings"]) == 1 and "nmax=20" in rec["warnings"][0]

def test_oc_rows_and_attained_values():
    res = run(["simon", "oc"] + NALIRIFOX + ["--p", "0.3", "--p", "0.5", "--p0", "0.5",
                                             "--p1", "0.8", "--format", "json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert [r["p"] for r in rec["results"]] == [0.3, 0.5]
    assert list(rec["results"][0]) == ["p", "pet", "en", "reject"]
    # PET at p = .5 is P(Bin(12, .5) <= 6) = 2510/4096
    assert rec["results"][1]["pet"] == pytest.approx(2510 / 4096, abs=1e-12)
    assert rec["inputs"]["p"] == [0.3, 0.5] and rec["inputs"]["p_grid"] is None
    assert 0 < rec["alpha_actual"] < rec["power_actual"] < 1


def test_oc_grid_and_plot(tmp_path):
    for ext in ("png", "svg"):
        path = tmp_path / f"oc.{ext}"
        res = run(["simon", "oc"] + NALIRIFOX + ["--p-grid", "0.3:0.9:0.05", "--p0", "0.5",
                                                 "--p1", "0.8", "--plot", str(path)])
        assert res.exit_code == 0, res.output
        assert path.stat().st_size > 1000
    assert sum(line.startswith("0.") for line in res.output.splitlines()) == 13


def test_oc_with_simulation_reports_seed():
    res = run(["simon", "oc"] + NALIRIFOX + ["--p", "0.5", "--sims", "20000", "--seed", "5",
                                             "--format", "json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec["seed"] == 5 and "reject_sim" in rec["results"][0]


def test_audit_lists_nalirifox_minimax():
    res = run(["simon", "audit"] + NALIRIFOX + ["--p0", "0.5", "--p1", "0.8", "--format", "json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    hits = [r for r in rec["results"] if (r["p0"], r["p1"], r["alpha"], r["power"]) ==
            (0.51, 0.8, 0.025, 0.9)]
    assert [r["role"] for r in hits] == ["minimax"]
    assert rec["attained"]["p0"] == 0.5 and 0 < rec["attained"]["alpha_actual"] < 0.025
    table = run(["simon", "audit"] + NALIRIFOX)
    assert table.exit_code == 0 and "minimax" in table.output


@pytest.mark.parametrize("args", [
    DESIGN[:3] + ["0.5"] + DESIGN[4:],                                        # p0 >= p1
    ["simon", "design", "--p0", "0.4", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8"],
    ["simon", "design", "--p0", "1.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8"],
    ["simon", "design", "--p0", "0.2", "--p1", "0.4", "--alpha", "0", "--power", "0.8"],
    ["simon", "design", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "1.5"],
    ["simon", "design", "--p0", "abc", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8"],
    ["simon", "design", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8",
     "--nmax", "many"],
    ["simon", "oc", "--r1", "12", "--n1", "12", "--r", "19", "--n", "28", "--p", "0.5"],  # r1 >= n1
    ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "28", "--n", "28", "--p", "0.5"],   # r >= n
    ["simon", "oc", "--r1", "x", "--n1", "12", "--r", "19", "--n", "28", "--p", "0.5"],
    ["simon", "oc"] + NALIRIFOX + ["--p", "1.5"],
    ["simon", "oc"] + NALIRIFOX + ["--p", "nan"],
    ["simon", "oc"] + NALIRIFOX,                                                # no p at all
    ["simon", "oc"] + NALIRIFOX + ["--p-grid", "0.3:0.9"],
    ["simon", "oc"] + NALIRIFOX + ["--p", "0.5", "--plot", "oc.txt"],
    ["simon", "oc"] + NALIRIFOX + ["--p", "0.5", "--p0", "0.8", "--p1", "0.5"],
    ["simon", "audit", "--r1", "6", "--n1", "12", "--r", "5", "--n", "28"],        # r < r1
    ["simon", "audit"] + NALIRIFOX + ["--alphas", "0.05,x"],
    ["simon", "audit"] + NALIRIFOX + ["--p0-grid", "0.5:1.5:0.1"],
    ["simon", "audit"] + NALIRIFOX + ["--p0", "2"],
])
def test_bad_input_is_one_line_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run(args)
    assert res.exit_code == 2, (args, res.output)
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1, res.output


def test_help_teaches_with_example():
    for cmd in ("design", "oc", "audit"):
        res = run(["simon", cmd, "--help"])
        assert res.exit_code == 0
        assert f"designcalc simon {cmd} --" in res.output


def test_design_process_does_not_import_heavy_modules():
    code = ("import sys; from designcalc.cli import cli; "
            "cli.main(args=%r, standalone_mode=False); "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'scipy.stats') if m in sys.modules))"
            % (DESIGN,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
