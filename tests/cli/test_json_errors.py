"""Errors a program can act on (issue #25): with ``--format json`` an error is one JSON
object on stderr (``designcalc schema``'s ``$defs/error``) and exit code 2; a design
designcalc does not implement is said to be out of scope.

The bad invocations are the CLI fuzz suite's own (``tests/cli/test_cli_fuzz.py``: one
per command and kind of fault, so commands added later are covered), run again with
``--format json``; the text mode is tested by the fuzz suite itself.
"""

from __future__ import annotations

import json
import shlex

import jsonschema
import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.cli.schema import error_schema
from test_cli_fuzz import CASES

pytestmark = pytest.mark.requirement("FR-14")

VALIDATOR = jsonschema.Draft202012Validator(error_schema())


def _json_error(argv) -> dict:
    res = CliRunner().invoke(cli, list(argv) + ["--format", "json"])
    assert res.exit_code == 2, (argv, res.output)
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    obj = json.loads(lines[0])
    assert [e.message for e in VALIDATOR.iter_errors(obj)] == []
    assert res.stdout == ""
    return obj


def _sample():
    """The first generated fuzz case (a bad option value) of each command, not one about
    --format: about 50."""
    seen, out = set(), []
    for case_id, argv in CASES:
        if "--format" in argv or any(a.startswith("--format=") for a in argv) \
                or " --" not in case_id:
            continue
        key = case_id.split(" --")[0]
        if key not in seen:
            seen.add(key)
            out.append(pytest.param(argv, id=case_id[:100]))
    return out


@pytest.mark.parametrize("argv", _sample())
def test_fuzz_cases_give_a_json_error(argv):
    obj = _json_error(argv)
    assert obj["exit_code"] == 2 and obj["message"]


def test_bad_value_names_option_value_and_allowed_range():
    obj = _json_error(shlex.split("simon oc --r1 16 --n1 12 --r 19 --n 28 --p 0.3"))
    assert obj["code"] == "bad_value" and obj["option"] == "--r1" and obj["value"] == "16"
    assert obj["command"] == "simon oc"
    assert obj["allowed"]["type"] == "integer"
    assert obj["allowed"]["x-designcalc"]["domain"] == "0 <= r1 < n1"
    rng = _json_error(shlex.split("validate --level bogus"))
    assert rng["option"] == "--level" and rng["allowed"]["enum"] == ["quick", "full"]


def test_out_of_scope_design_is_said_so():
    obj = _json_error(shlex.split("dose oc --design ewoc --tox 0.1,0.2,0.3"))
    assert obj["code"] == "out_of_scope" and obj["value"] == "ewoc"
    assert "out of scope" in obj["message"] and "boin" in obj["message"]
    assert "boin" in obj["allowed"]["items"]["enum"]
    text = CliRunner().invoke(cli, shlex.split("dose oc --design ewoc --tox 0.1,0.2,0.3"))
    assert text.exit_code == 2
    assert text.stderr.startswith("designcalc: error: Invalid value for '--design': 'ewoc' "
                                  "is not one of ")
    assert text.stderr.rstrip().endswith("(out of scope: designcalc does not implement the "
                                         "design 'ewoc')")
    assert _json_error(["rpact", "oc"])["code"] == "out_of_scope"


def test_budget_missing_and_usage_codes():
    base = "simon oc --r1 6 --n1 12 --r 19 --n 28 --p 0.3"
    assert _json_error(shlex.split(base + " --n-sims 1e12"))["code"] == "budget"
    assert _json_error(shlex.split(base + " --bogus 1"))["code"] == "usage"
    missing = _json_error(shlex.split("binomial ci --x 5"))
    assert missing["code"] == "missing" and missing["option"] == "--n"


def test_text_mode_is_unchanged():
    res = CliRunner().invoke(cli, shlex.split("simon oc --r1 16 --n1 12 --r 19 --n 28 "
                                              "--p 0.3"))
    assert res.exit_code == 2
    assert res.stderr == ("designcalc: error: --r1 must be < n1 (else stage 1 always stops), "
                          "got r1=16, n1=12\n")
