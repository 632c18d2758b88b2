"""The platform pieces every family shares: result type, protocol, registry,
labels and rendering, and the layering rule (no import of the CLI from below)."""

import ast
import json
import math
import os
import pathlib

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import designcalc
from designcalc.core import registry
from designcalc.cli import cli
from designcalc.present.labels import base_name, format_value, label
from designcalc.core.protocol import named
from designcalc.present.render import OutputError, render_table, write_text
from designcalc.core.result import OCResult
from designcalc.binary.simon import SimonDesign
from test_layers import _statements

PACKAGE = pathlib.Path(designcalc.__file__).parent


# --- layering --------------------------------------------------------------------------

def _imports(path):
    for node, _ in _statements(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_module_outside_the_cli_imports_the_cli():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if "cli" in parts or parts[0] == "web" or path.name in (
                "testing.py", "__main__.py", "cli.py"):     # cli.py: a family's commands;
            continue                                        # web/ runs the CLI (layer table)
        if any(m == "designcalc.cli" or m.startswith("designcalc.cli.") for m in _imports(path)):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


# --- registry ---------------------------------------------------------------------------

def test_registry_lists_every_family_from_python_and_cli():
    names = designcalc.families()
    assert names == registry.families()
    assert {"simon", "single_stage", "binomial_power", "survival", "dose", "calendar"} <= set(names)
    res = CliRunner().invoke(cli, ["families", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["results"]
    assert [r["family"] for r in rows] == names
    for row in rows:
        assert set(row) == {"family", "title", "commands", "exact", "simulate", "search",
                            "examples"}
        assert row["examples"] >= 1 and row["commands"]


def test_registry_unknown_family_names_the_parameter():
    with pytest.raises(ValueError, match="^family must be one of"):
        registry.get("bayes")


def test_every_example_uses_declared_parameters_and_every_spec_has_a_doc_page():
    for spec in registry.specs():
        declared = {p.name for p in spec.params}
        for example in spec.examples:
            assert set(example["design"]) <= declared, spec.name
            assert set(example.get("options", {})) <= {p.name for p in spec.options}
        assert spec.doc and (PACKAGE.parent / spec.doc).is_file(), spec.name


# --- protocol ---------------------------------------------------------------------------

def test_from_dict_refuses_unknown_parameters():
    with pytest.raises(ValueError, match="^nn: unknown parameter of a simon design"):
        SimonDesign.from_dict({"r1": 6, "n1": 12, "r": 19, "nn": 28})
    with pytest.raises(TypeError, match="^design must be a mapping"):
        SimonDesign.from_dict([6, 12, 19, 28])


@given(st.lists(st.floats(0.01, 0.99), min_size=1, max_size=6))
def test_named_keeps_order_and_values(values):
    assert [v for _, v in named(values)] == values
    assert [v for _, v in named(dict(zip(map(str, range(len(values))), values)))] == values
    assert named(values, scalar=False) == [("", values)]


# --- result -----------------------------------------------------------------------------

def test_result_merge_compare_and_json():
    d = SimonDesign(r1=6, n1=12, r=19, n=28)
    exact = d.oc({"H0": 0.5, "H1": 0.8}, p0=0.5, p1=0.8)
    sim = d.simulate({"H0": 0.5, "H1": 0.8}, 5000, seed=3, p0=0.5, p1=0.8)
    both = exact.with_simulation(sim)
    assert both.n_sims == 5000 and both.seed == 3 and both.method == "exact"
    cells = exact.compare(sim)
    assert {c["quantity"] for c in cells} == {"pet", "en", "reject"}
    for c in cells:
        assert c["z"] == pytest.approx((c["simulated"] - c["value"]) / c["se"])
    assert both.agrees()
    record = json.loads(json.dumps(both.to_dict()))
    assert record["family"] == "simon" and record["design"] == d.to_dict()
    assert record["results"][0]["reject_sim_se"] > 0
    assert "Stage 1: enrol 12" in both.summary()


def test_result_refuses_an_unknown_method_and_a_mismatched_merge():
    d = SimonDesign(r1=6, n1=12, r=19, n=28)
    with pytest.raises(ValueError, match="^method"):
        OCResult(design=d, method="bootstrap", rows=())
    with pytest.raises(ValueError, match="no simulated results row"):
        d.oc([0.5]).with_simulation(d.simulate([0.6], 100, seed=1))


# --- labels and rendering -----------------------------------------------------------------

def test_labels_derive_simulated_columns():
    assert label("pet_sim").caption == "P(early termination) (simulated)"
    assert label("en_sim_se").caption.startswith("Monte-Carlo SE of")
    assert label("duration").axis == "expected duration (months)"
    assert base_name("reject_sim_se") == "reject"
    assert label("no_such_column").caption == "no_such_column"


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.text(max_size=5)),
       st.sampled_from(["p", "pet", "en", "n", "dose", "reject_sim_se", "zzz"]))
def test_format_value_never_fails(value, column):
    text = format_value(column, value)
    assert isinstance(text, str) and (text or value == "")
    if isinstance(value, float) and math.isnan(value):
        assert text == "-"


def test_table_lines_up_typed_values():
    text = render_table([{"p": 0.3, "n": 12}, {"p": 0.35, "n": 28}])
    assert text.splitlines()[2].startswith("0.30")


def test_write_text_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    write_text(target, "old")
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        write_text(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]   # no temp file left


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_every_subpackage_is_installed_by_setup_cfg():
    """setup.cfg finds its packages itself (``packages = find:``): every folder of
    modules under designcalc/ must be a package, or `pip install .` (the Quick
    start) would leave it out although it works in a checkout."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(PACKAGE.parent / "setup.cfg")
    assert cfg["options"]["packages"].strip() == "find:"
    folders = {p.parent for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    assert all((folder / "__init__.py").exists() for folder in folders)
    assert (PACKAGE / "examples" / "nalirifox.toml").exists()   # the link to examples/
