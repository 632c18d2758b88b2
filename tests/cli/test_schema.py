"""``designcalc schema`` (issue #25): derived from the live command tree, versioned, and
satisfied by real outputs.

* every ``--format json`` output of the CLI fuzz suite's valid base invocations
  (``tests/cli/test_cli_fuzz.py``'s ``BASE``, so commands added later are covered)
  validates against its command's output schema (``jsonschema``, draft 2020-12);
* the version is pinned to the SHA-256 of ``schema_baseline.json`` (the contract of
  the released schema): an incompatible change (an option, command, choice or key
  removed, a type changed, an option newly required) fails
  :func:`test_schema_is_compatible_with_its_baseline`; regenerate the baseline
  (docs/agents.md) and then this pin fails until ``SCHEMA_VERSION`` is bumped (and a
  CHANGELOG line says what changed).
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import shlex

import jsonschema
import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.cli.schema import SCHEMA_VERSION, contract, document, incompatibilities
from test_cli_fuzz import BASE

pytestmark = pytest.mark.requirement("FR-15")

BASELINE = pathlib.Path(__file__).with_name("schema_baseline.json")
#: schema version -> SHA-256 of schema_baseline.json (the contract it promises)
PINNED = {"1.0": "44797af9819dc4788977ec138d279211274ca1b5c3333d69fbab43261e57c833"}

#: base invocations that take more than about a second (searches): run with -m slow
SLOW = {"survival two-stage", "coprimary design", "multistage sargent", "binomial power",
        "bayes bop2", "validate"}
#: base invocations of the fuzz suite that are not valid as they stand (they seed the
#: fuzzer; test_report_everywhere.py completes them the same way)
COMPLETE = {"survival oc": " --test logrank", "survival simulate": " --test logrank"}


@pytest.fixture(scope="module")
def doc():
    return document()


def _validator(doc, schema):
    return jsonschema.Draft202012Validator({**schema, "$defs": doc["$defs"]})


def _json_bases():
    out = []
    for path in sorted(BASE):
        marks = [pytest.mark.slow] if path in SLOW else []
        out.append(pytest.param(path, marks=marks, id=path))
    return out


def test_schema_covers_every_command(doc):
    from designcalc.cli.schema import commands

    assert sorted(doc["commands"]) == sorted(p for p, _ in commands())
    jsonschema.Draft202012Validator.check_schema(doc)
    first = next(iter(doc["commands"].values()))
    jsonschema.Draft202012Validator.check_schema(first["inputs"])   # (all: 3 s; same code)
    for path, entry in doc["commands"].items():
        assert entry["inputs"]["type"] == "object" and entry["inputs"]["properties"], path
        assert entry["output"] is not None or "json" not in entry["formats"], path


@pytest.mark.parametrize("path", _json_bases())
def test_base_invocation_json_validates(doc, path):
    entry = doc["commands"][path]
    if "json" not in entry["formats"]:
        pytest.skip("no --format json")
    argv = path.split() + shlex.split(BASE[path] + COMPLETE.get(path, "")) + ["--format", "json"]
    res = CliRunner().invoke(cli, argv)
    assert res.exit_code == 0, res.output
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
              for e in _validator(doc, entry["output"]).iter_errors(json.loads(res.stdout))]
    assert errors == []


def test_inputs_carry_units_domains_and_designs(doc):
    r1 = doc["commands"]["simon oc"]["inputs"]["properties"]["--r1"]
    assert r1["type"] == "integer" and r1["x-designcalc"]["unit"] == "responses"
    assert r1["x-designcalc"]["domain"] == "0 <= r1 < n1"
    design = doc["commands"]["dose oc"]["inputs"]["x-designcalc"]["designs"]
    cohorts = doc["commands"]["dose oc"]["inputs"]["properties"]["--cohorts"]["x-designcalc"]
    assert set(cohorts["designs"]) < set(design)          # only the designs that take it
    level = doc["commands"]["validate"]["inputs"]["properties"]["--level"]
    assert level["enum"] == ["quick", "full"] and level["default"] == "quick"
    cols = doc["$defs"]["columns"]["properties"]
    assert cols["pet"]["title"] and "x-unit" in cols["en"]


def test_schema_command_prints_one_command():
    res = CliRunner().invoke(cli, ["schema", "simon", "oc"])
    assert res.exit_code == 0, res.output
    assert list(json.loads(res.stdout)["commands"]) == ["simon oc"]
    bad = CliRunner().invoke(cli, ["schema", "nosuch"])
    assert bad.exit_code == 2 and bad.stderr.startswith("designcalc: error: ")


def test_schema_is_compatible_with_its_baseline(doc):
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert incompatibilities(baseline, contract(doc)) == [], (
        "an incompatible schema change: bump SCHEMA_VERSION (major), regenerate "
        "tests/cli/schema_baseline.json (docs/agents.md) and add a CHANGELOG line")


def test_schema_version_is_pinned_to_its_baseline():
    digest = hashlib.sha256(BASELINE.read_bytes()).hexdigest()
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert baseline["version"] == SCHEMA_VERSION
    assert PINNED.get(SCHEMA_VERSION) == digest, (
        f"schema_baseline.json changed: bump SCHEMA_VERSION and pin {digest}")


def test_incompatibilities_are_found():
    base = {"envelope": ["results"], "error": ["code"], "error_codes": ["bad_value"],
            "commands": {"x": {"formats": ["json"], "options": {
                "--a": {"type": "number", "enum": None, "required": False},
                "--b": {"type": "string", "enum": ["u", "v"], "required": False}}}}}
    same = json.loads(json.dumps(base))
    same["commands"]["x"]["options"]["--c"] = {"type": "number", "enum": None,
                                               "required": False}
    same["commands"]["y"] = {"formats": [], "options": {}}
    assert incompatibilities(base, same) == []              # additions are compatible
    worse = json.loads(json.dumps(base))
    worse["commands"]["x"]["options"]["--a"] = {"type": "integer", "enum": None,
                                                "required": True}
    worse["commands"]["x"]["options"]["--b"]["enum"] = ["u"]
    worse["envelope"] = []
    assert incompatibilities(base, worse) == [
        "envelope: 'results' removed", "x --a: type number -> integer", "x --a: now required",
        "x --b: choice 'v' removed"]


def test_routed_commands_have_their_own_schema(monkeypatch, tmp_path):
    """A family's own command of a shared name (``dose next --design toy``) is described
    under ``routed`` (tests/cli/test_dispatch.py's throwaway family)."""
    import test_dispatch

    gen = test_dispatch.toy.__wrapped__(tmp_path, monkeypatch)
    next(gen)
    try:
        entry = document("dose next")["commands"]["dose next"]
        toy = entry["routed"]["toy, toy-late"]["inputs"]
        assert toy["properties"]["--pending"]["type"] == "integer"
        assert "--pending" in toy["required"]
    finally:
        next(gen, None)
