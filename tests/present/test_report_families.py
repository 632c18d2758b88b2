"""Families own their report text (issue #19): the shared report code names no family.

* ``designcalc/present/report/**`` holds no registered family name as a quoted
  literal and imports no family module;
* every reference key of a spec is in the one bibliography;
* every family with a report builder renders each of its registered examples
  (text, figure caption, tables, a Markdown report); a builder's own facts
  are written by the family's template, which the package data ships.
"""

from __future__ import annotations

import ast
import configparser
import glob
import os
import pathlib
import re

import dataclasses

import pytest

from designcalc.core import registry
from designcalc.present.bibliography import BIBLIOGRAPHY, citations, entries
from designcalc.present.report import protocol_text
from designcalc.present.report import text as textmod
from designcalc.present.report.documents import environment, render, single_context

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "designcalc"
REPORT = PACKAGE / "present" / "report"
FAMILY_PACKAGES = ("designcalc.binary", "designcalc.dose", "designcalc.survival",
                   "designcalc.coprimary")


def _report_files():
    return sorted(p for p in REPORT.rglob("*") if p.is_file() and p.suffix in (".py", ".j2"))


def test_shared_report_code_names_no_family():
    found = []
    for path in _report_files():
        text = path.read_text(encoding="utf-8")
        for name in registry.families():
            for m in re.finditer(r"[\"']" + re.escape(name) + r"[\"']", text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0)}")
    assert found == []


def test_shared_report_code_imports_no_family():
    found = []
    for path in _report_files():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                      if n.startswith(FAMILY_PACKAGES) or n in ("designcalc.binary",
                                                                "designcalc.dose")]
    assert found == []


@pytest.mark.parametrize("family", registry.families())
def test_reference_keys_are_in_the_bibliography(family):
    spec = registry.get(family)
    assert isinstance(spec.references, tuple)
    assert [k for k in spec.references if k not in entries()] == []
    assert all(isinstance(w, str) and w == w.lower() for w in spec.keywords)


def test_citations_name_an_unknown_key():
    assert citations(["clopper", "simon", "clopper"]) == [BIBLIOGRAPHY["clopper"],
                                                          BIBLIOGRAPHY["simon"]]
    with pytest.raises(ValueError, match="references must be keys of BIBLIOGRAPHY or of a "
                                         "family's bibliography, got nope"):
        citations(["simon", "nope"])


def test_a_family_key_may_not_rename_a_citation(monkeypatch):
    from designcalc.core import registry

    spec = registry.get("simon")
    clash = dataclasses.replace(spec, bibliography=(("clopper", "Someone else (2020)."),))
    monkeypatch.setitem(registry._CACHE, "simon", clash)
    with pytest.raises(ValueError, match="^bibliography: the key 'clopper' of family 'simon'"):
        entries()


def _package_data_globs():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    value = cfg["options.package_data"]["designcalc"]
    return [g.strip() for g in value.replace("\n", ",").split(",") if g.strip()]


@pytest.mark.parametrize("family", [s.name for s in registry.specs() if s.report_template])
def test_report_template_ships_and_has_the_macros(family):
    spec = registry.get(family)
    assert spec.report and spec.report_template.endswith(".j2")
    path = ROOT / spec.report_template
    assert path.is_file(), spec.report_template
    shipped = {os.path.normpath(p) for g in _package_data_globs()
               for p in glob.glob(os.path.join(PACKAGE, g))}
    assert os.path.normpath(path) in shipped, "setup.cfg package_data misses the template"
    module = environment().get_template(spec.report_template).module
    assert callable(module.text) and callable(module.caption)
    assert callable(registry.load(spec.report))


def _result(spec, example):
    design = spec.build(example["design"])
    scenarios, options = example.get("scenarios"), dict(example.get("options", {}))
    if spec.exact:
        return design.oc(scenarios, **options)
    return design.evaluate(scenarios, n_sims=200, seed=3, **options)


@pytest.mark.parametrize("family, index, example",
                         [(f, i, ex) for f, i, ex in registry.examples()
                          if registry.get(f).report])
def test_family_builder_renders(family, index, example):
    spec = registry.get(family)
    res = _result(spec, example)
    f = textmod.facts(res)
    assert f["family"] == family
    assert f["references"][:len(spec.references)] == citations(spec.references)
    paragraphs = textmod.paragraphs(f)
    assert paragraphs and all(p.strip() for p in paragraphs)
    if f["known"]:     # the builder's own facts, written by its template
        assert "own_text" not in f and spec.report_template
    assert textmod.caption(f)
    assert all(t["caption"] for t in f["tables"] + [f["oc"]])
    text = protocol_text(res)
    assert paragraphs[0] in text
    for ref in f["references"]:
        assert ref in text
    md = render(single_context(res, command="test", inputs={}), "md")
    assert paragraphs[0] in md


def test_generic_family_lists_its_spec_references():
    spec = next(s for s in registry.specs() if not s.report and s.examples)
    _, _, example = next(e for e in registry.examples() if e[0] == spec.name)
    f = textmod.facts(_result(spec, example))
    assert not f["known"] and f["references"] == citations(spec.references)
