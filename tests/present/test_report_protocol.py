"""Protocol-grade reports (issue #20): layout, references, no internal text, snapshots.

* every seed trial's report and a single-command report per family: each
  method cited in the text (author-year) has its entry in References, from the
  one bibliography; none holds project-internal text ("issue", "docs/",
  "(option") or a patient number above the design's own maximum;
* the layout: per analysis a main OC table of at most six columns and the
  scenario rows, the full grid and the simulation check in the appendix, with
  the command that reproduces this trial alone and its seed;
* a snapshot per family of the target-vs-attained sentence: every number is
  recomputed here from the design's own methods, none typed.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from designcalc import trials
from designcalc.cli import cli
from designcalc.core import registry
from designcalc.present.labels import report_value
from designcalc.present.report import protocol_text
from designcalc.present.report.documents import render, single_context, trial_context
from designcalc.present.report.text import MAX_COLUMNS

# An author-year citation: surnames joined by commas, "&" or "and" (or "et al."), then the
# year, e.g. "Simon 1989", "Liu & Yuan 2015", "O'Quigley, Pepe & Fisher 1990".
_NAME = r"[A-Z][A-Za-z'\u2019-]+"
CITATION = re.compile(rf"\b({_NAME})((?:,? (?:&|and) {_NAME}|, {_NAME}| et al\.)*),? \(?"
                      r"((?:19|20)\d\d)\b(?![-/]\d)")


def p3(x):
    return f"{float(x):.3f}"


@pytest.fixture(scope="module")
def seed_reports():
    """``{trial: (TrialResult, report.md text)}`` of the five seed trials (200 simulations)."""
    out = {}
    for name in trials.example_names():
        run = trials.run_trial(trials.resolve(name), n_sims=200)
        figures = {a: {"file": f"{a}.png", "png": b""} for a in run.results}   # md links them
        out[name] = (run, render(trial_context(run, figures=figures), "md"))
    return out


def _family_result(family):
    spec = registry.get(family)
    _, _, example = next(e for e in registry.examples() if e[0] == family)
    design = spec.build(example["design"])
    options = dict(example.get("options", {}))
    return design.evaluate(example.get("scenarios"), n_sims=200 if spec.simulate else 0,
                           seed=3, **options)


def _family_report(family):
    res = _family_result(family)
    return res, render(single_context(res, command=f"designcalc {family} oc", inputs={}), "md")


def cited(md):
    """``(first author, year)`` of every author-year citation outside References."""
    body = md.split("\n## References")[0]
    return {(m.group(1), m.group(3)) for m in CITATION.finditer(body)}


def listed(md):
    """The entries of the report's References section."""
    if "\n## References" not in md:
        return []
    section = md.split("\n## References", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


def missing_references(md):
    entries = listed(md)
    return sorted((name, year) for name, year in cited(md)
                  if not any(e.startswith(name) and f"({year})" in e for e in entries))


def test_citation_pattern():
    text = ("BOIN (Liu & Yuan 2015); CRM (O'Quigley, Pepe & Fisher 1990; as dfcrm); "
            "Ivanova, Qaqish & Schell 2005; A'Hern 2001; registered 2025-04-22; Simon (1989)")
    assert cited(text) == {("Liu", "2015"), ("O'Quigley", "1990"), ("Ivanova", "2005"),
                           ("A'Hern", "2001"), ("Simon", "1989")}


# --- references --------------------------------------------------------------------

@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_seed_report_lists_every_cited_method(seed_reports, name):
    _, md = seed_reports[name]
    assert cited(md), "the report cites no method"
    assert missing_references(md) == []


@pytest.mark.parametrize("family", registry.families())
def test_single_command_report_lists_every_cited_method(family):
    _, md = _family_report(family)
    assert missing_references(md) == []


def test_multistage_simulate_report_has_references(tmp_path):
    path = tmp_path / "x.md"
    r = CliRunner().invoke(cli, ["multistage", "simulate", "--looks", "12,28",
                                 "--futility", "6,19", "--p", "0.5", "--p", "0.8",
                                 "--n-sims", "200", "--seed", "1", "--report", str(path)])
    assert r.exit_code == 0, r.output
    md = path.read_text(encoding="utf-8")
    assert "## References" in md and "Fleming TR (1982)" in md
    assert missing_references(md) == []


# --- no internal text ----------------------------------------------------------------

INTERNAL = re.compile(r"issue|docs/|\(option|(?-i:= None\b|= nan\b)", re.IGNORECASE)


def _max_patients(design):
    """The design's largest possible number of patients, ``None`` when it has none."""
    for attr in ("max_n", "n", "n_max"):
        value = getattr(design, attr, None)
        if isinstance(value, int):
            return value
    if getattr(design, "looks", None):
        return max(design.looks)
    if getattr(design, "cohorts", None) and getattr(design, "cohort_size", None):
        return design.cohorts * design.cohort_size
    return None


def internal_text(md, results):
    """Project-internal strings of a report and patient numbers above a design's maximum
    (an option default the design does not use, such as a stop at 100 patients)."""
    found = [m.group(0) for m in INTERNAL.finditer(md)]
    sections = re.split(r"\n## \d+\. ", md.split("\n## Warnings")[0])[1:]
    for section, res in zip(sections, results):
        top = _max_patients(res.design)
        if top is None:
            continue
        for m in re.finditer(r"\b(\d+) (?:patients|subjects)\b", section):
            if int(m.group(1)) > top:
                found.append(f"{m.group(0)} (at most {top})")
    return found


@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_seed_report_has_no_internal_text(seed_reports, name):
    run, md = seed_reports[name]
    assert internal_text(md, list(run.results.values())) == []


@pytest.mark.parametrize("family", registry.families())
def test_single_command_report_has_no_internal_text(family):
    res, md = _family_report(family)
    assert internal_text(md, [res]) == []


def test_internal_text_is_caught():
    from designcalc.binary.simon import SimonDesign

    res = SimonDesign(r1=1, n1=5, r=3, n=9).oc([0.2])
    md = "# t\n\n## 1. x\n\nStop when the current dose has 100 patients (option cap).\n"
    assert internal_text(md, [res]) == ["(option", "100 patients (at most 9)"]


def test_a_report_without_hypotheses_says_so():
    """``simon oc`` without --p0/--p1 used to print "H0: p <= p0 = None"."""
    from designcalc.binary.simon import SimonDesign

    for kw, says in (({}, "none were given"), ({"p0": 0.1}, "no stated alternative"),
                     ({"p0": 0.1, "p1": 0.3}, "H1: p ≥ p1 = 0.30")):
        res = SimonDesign(r1=1, n1=10, r=5, n=29).oc([0.1, 0.3], **kw)
        md = render(single_context(res, command="designcalc simon oc", inputs={}), "md")
        assert internal_text(md, [res]) == [] and says in md, kw


# --- layout --------------------------------------------------------------------------

def test_seed_reports_protocol_layout(seed_reports):
    for name, (run, md) in seed_reports.items():
        ctx = trial_context(run)
        for a in ctx["analyses"]:
            main = a["tables"][-1]
            assert 0 < len(main["header"]) <= MAX_COLUMNS, (name, a["id"], main["header"])
            res = run.results[a["id"]]
            named = [r for r in res.rows if r.get("scenario")]
            if named and "p" in res.keys:      # a grid: the named scenarios and a few p
                assert len(main["rows"]) <= len(named) + 3
            both = any(r.get(k) is not None and r.get(f"{k}_sim") is not None
                       for r in res.rows for k in r)
            kinds = [t["kind"] for t in a["appendix"]["tables"]]
            assert ("check" in kinds) == both, (name, a["id"])
            if res.method == "exact":          # simulation is only a check
                assert not any(h.endswith("(simulated)") for h in main["header"]), a["id"]
        appendix = md.split("## Appendix")[1]
        command = f"designcalc trial run {name} --seed {run.seed} --n-sims 200"
        assert command in appendix and "--all" not in appendix
        for i, a_id in enumerate(run.results):
            assert f"(`{a_id}`)" in appendix
            if run.results[a_id].simulated:
                assert f"seed {run.seed + 1000 * i}." in appendix


def test_report_shows_the_warnings_a_result_carries():
    from dataclasses import replace

    res = _family_result("simon")
    res = replace(res, warnings=["analytic 0.693 and simulated 0.750 differ by 19 SE"])
    md = render(single_context(res, command="designcalc simon oc", inputs={}), "md")
    section = md.split("## Warnings")[0]
    assert "**Warning.** analytic 0.693 and simulated 0.750 differ by 19 SE" in section


# --- mislabels -------------------------------------------------------------------------

def test_nalirifox_mislabels(seed_reports):
    run, md = seed_reports["nalirifox"]
    bop2 = run.results["pfs6_bop2"].design.rule()
    final = bop2.efficacy_bounds()[-1]          # promising if this many or more respond
    assert f"at least {final} of {bop2.n} are successes" in md
    assert f"{final} or more successes" in md and " responses" not in md.split("## Warnings")[0]
    assert f"{final - 1}/{bop2.n}" not in md.split("## Appendix")[0]
    assert "P(stop after stage 1)" not in md and "P(early termination)" in md
    assert "response rate" not in md and "response probability" not in md
    assert "if 6 or fewer of them are successes" in md


def test_landmark_caption_and_coprimary_method(seed_reports):
    run, md = seed_reports["novaferon"]
    assert "Landmark Kaplan-Meier test: the survival curves" in md
    assert "landmark 6 vs 12" not in md and "landmark test, median 6 vs 12 months" in md
    for a_id in ("coprimary_r03", "coprimary_r06"):
        section = md.split(f"(`{a_id}`)")[1].split("\n## ")[0]
        assert "analytic calculation" not in section
        assert "Operating characteristics under the scenarios: simulation" in section


# --- snapshots: the target-vs-attained sentence, numbers from the API -------------------

def test_simon_target_and_attained_in_one_sentence(seed_reports):
    run, md = seed_reports["surufatinib_gefitinib"]
    for a_id in ("orr_simon_optimal", "orr_simon_minimax"):
        d = run.results[a_id].design
        assert (f"The design has a one-sided type I error of 0.05 (attained "
                f"{p3(d.alpha_actual(0.19))} at p0 = 0.19) and a power of 0.80 (attained "
                f"{p3(d.power_actual(0.40))} at p1 = 0.40); under H0 (p = 0.19) the "
                f"probability of early termination (PET) is {p3(d.pet(0.19))} and the "
                f"expected sample size is {float(d.en(0.19)):.1f} patients.") in md


def _generic_numbers(text):
    return set(re.findall(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?", text))


@pytest.mark.parametrize("family", ["multistage", "bop2", "pp"])
def test_k_look_snapshot(family):
    res = _family_result(family)
    d = res.design
    rule = d.rule() if hasattr(d, "rule") else d
    p0, p1 = res.extra["hypotheses"]["p0"], res.extra["hypotheses"]["p1"]
    sentence = (f"The design has an attained one-sided type I error of "
                f"{p3(rule.alpha_actual(p0))} at p0 = {p0:.2f} and an attained power of "
                f"{p3(rule.power_actual(p1))} at p1 = {p1:.2f}; under H0 (p = {p0:.2f}) the "
                f"probability of early termination (PET) is {p3(rule.pet(p0))} and the "
                f"expected sample size is {float(rule.en(p0)):.1f} patients.")
    text = protocol_text(res)
    assert sentence in text and d.protocol_text() in text
    body = text.split("References:")[0]
    assert _generic_numbers(body) <= _generic_numbers(d.protocol_text() + sentence)


def test_monitoring_snapshot():
    res = _family_result("monitoring")
    d = res.design
    again = d.oc([d.p0, d.p1]).rows
    sentence = (f"The design has a probability of crossing the boundary of {d.size:g} (attained "
                f"{p3(again[0]['pcross'])} at p0 = {d.p0:.2f}) and a probability of crossing "
                f"the boundary of {d.power:g} (attained {p3(again[1]['pcross'])} at "
                f"p1 = {d.p1:.2f}).")
    text = protocol_text(res)
    assert sentence in text
    assert _generic_numbers(text.split("References:")[0]) <= \
        _generic_numbers(d.protocol_text() + sentence)


def test_coprimary_snapshot():
    res = _family_result("coprimary")
    d = res.design
    rows = {r["scenario"]: r for r in d.oc().rows}
    worst = max((r for r in rows.values() if r.get("fwer") is not None),
                key=lambda r: r["fwer"])
    sentence = (f"The design has a family-wise one-sided type I error of {d.alpha:g} (attained "
                f"{p3(worst['fwer'])} at the {worst['scenario']} scenario) and an attained "
                f"power of {p3(rows['H1']['success'])} at H1.")
    text = protocol_text(res)
    assert sentence in text and d.protocol_text() in text
    refs = text.split("References:")[1]
    assert "Wu J (2015)" in refs and "A'Hern RP (2001)" in refs


def test_survival_two_stage_snapshot():
    res = _family_result("survival_two_stage")
    row = res.design.oc().rows[0]
    sentence = (f"The design has an attained one-sided type I error of "
                f"{report_value('alpha_actual', row['alpha_actual'])} and an attained power of "
                f"{report_value('power_actual', row['power_actual'])}.")
    assert sentence in protocol_text(res)


def test_survival_target_and_attained(seed_reports):
    run, md = seed_reports["leflunomide"]
    row = run.results["pfs"].design.oc().rows[0]
    assert (f"The design has a one-sided type I error of 0.05 (attained "
            f"{p3(row['alpha_actual'])}) and an attained power of {p3(row['power'])}.") in md
