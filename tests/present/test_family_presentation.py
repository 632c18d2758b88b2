"""Families own their presentation: shared modules name no family, labels never conflict.

The shared presentation modules (``designcalc/present/**``) and the sweep
runner read the registry's specs and never name a family: no family name as
a string literal, no import of a family module, no lazy ``"module:attr"``
reference into a family package.  The report modules
(``designcalc/present/report/``, ``designcalc/present/bibliography.py``) are
another step of the same issue, with tests of their own
(``tests/present/test_report_families.py``), and are not checked here: the
bibliography's keys are citation keys (authors), one of which is ``"simon"``.
"""

import ast
import pathlib

import pytest

from designcalc.core import registry
from designcalc.present import labels

ROOT = pathlib.Path(__file__).resolve().parents[2] / "designcalc"
FAMILY_PACKAGES = ("designcalc.binary", "designcalc.dose", "designcalc.survival",
                   "designcalc.coprimary")
#: checked by the report step's own tests
EXCLUDED = (ROOT / "present" / "report", ROOT / "present" / "bibliography.py")


def _shared_files():
    files = [p for p in sorted((ROOT / "present").rglob("*.py"))
             if not any(p == x or p.is_relative_to(x) for x in EXCLUDED)]
    return files + [ROOT / "sweep.py"]


def _family_module(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FAMILY_PACKAGES)


def _findings(path: pathlib.Path, root: pathlib.Path = ROOT):
    """Family names, family imports and family references in the file at ``path``."""
    names = set(registry.families())
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root.parent)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in names:
                yield f"{where}:{node.lineno}: family name {node.value!r}"
            elif _family_module(node.value.partition(":")[0]):
                yield f"{where}:{node.lineno}: reference to a family module {node.value!r}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _family_module(alias.name):
                    yield f"{where}:{node.lineno}: imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            full = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(_family_module(m) for m in full):
                yield f"{where}:{node.lineno}: imports from {node.module}"


def test_the_check_sees_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('import designcalc.survival.models\nfrom designcalc import dose\n'
                   'KIND = "simon"\nPLOT = "designcalc.binary.simon.present:simon_oc"\n')
    found = list(_findings(bad, root=tmp_path / "designcalc"))
    assert len(found) == 4, found


@pytest.mark.parametrize("path", _shared_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shared_presentation_names_no_family(path):
    assert list(_findings(path)) == []


def test_every_label_table_and_plot_lives_in_a_presentation_module():
    for spec in registry.specs():
        if spec.labels is not None:
            module, _, attr = spec.labels.partition(":")
            assert module.endswith(".present") and attr == "LABELS", spec.name
            assert registry.load(spec.labels), spec.name
        for kind, target in spec.plots:
            module = target.partition(":")[0]
            assert module.endswith(".present") or module == "designcalc.present.plots", \
                (spec.name, kind)
            assert callable(registry.load(target)), (spec.name, kind)


def test_no_family_redefines_a_shared_column_differently():
    for spec in registry.specs():
        if spec.labels is None:
            continue
        for name, lab in registry.load(spec.labels).items():
            if name in labels.LABELS:
                assert lab == labels.LABELS[name], (spec.name, name)


def test_two_families_never_give_one_column_two_captions():
    seen = {}
    for spec in registry.specs():
        if spec.labels is None:
            continue
        for name, lab in registry.load(spec.labels).items():
            if name in seen:
                assert lab == seen[name][0], (name, spec.name, seen[name][1])
            seen.setdefault(name, (lab, spec.name))
    assert set(labels.family_labels()) == set(seen)


def test_label_reads_the_shared_table_then_the_families():
    assert labels.label("reject") is labels.LABELS["reject"]
    assert labels.label("pcs").caption == "P(select the true MTD)"         # a dose column
    assert labels.label("duration").axis == "expected duration (months)"   # calendar
    assert labels.label("skeleton_sim_se").caption == \
        "Monte-Carlo SE of prior DLT probability (skeleton)"
    assert labels.label("no_such_column").caption == "no_such_column"
    assert labels.report_value("dose", 3e6) == "3e+06"                     # the dose kind


def test_the_registered_families_labels_agree(monkeypatch):
    # two families defining one column differently stop every command that shows it
    monkeypatch.setattr(labels, "_FAMILY", None)
    table = labels.family_labels()
    assert "trial_duration" not in table and labels.label("trial_duration").unit == "time units"


def test_a_conflict_is_an_error_naming_both(monkeypatch):
    from types import SimpleNamespace

    from designcalc.present.labels import Label

    tables = {"a:LABELS": {"x": Label("one")}, "b:LABELS": {"x": Label("two")},
              "c:LABELS": {"reject": Label("another caption")}}
    monkeypatch.setattr(labels, "_FAMILY", None)
    monkeypatch.setattr(registry, "load", tables.__getitem__)
    monkeypatch.setattr(registry, "specs", lambda: [SimpleNamespace(name="fa", labels="a:LABELS"),
                                                    SimpleNamespace(name="fb", labels="b:LABELS")])
    with pytest.raises(ValueError, match="'x' has two labels.*fa family.*fb family"):
        labels.family_labels()
    monkeypatch.setattr(registry, "specs", lambda: [SimpleNamespace(name="fc", labels="c:LABELS")])
    with pytest.raises(ValueError, match="fc family redefines the shared column 'reject'"):
        labels.family_labels()


def test_moved_functions_keep_their_old_names():
    from designcalc import sweep
    from designcalc.dose.scenarios import random_curve
    from designcalc.present import plots
    from designcalc.survival import present

    assert plots.survival_curves is present.survival_curves
    assert sweep.random_curve is random_curve
    for gone in ("plot_dose_selection", "interval_selection", "no_such_plot"):
        with pytest.raises(AttributeError, match=gone):
            getattr(plots, gone)
