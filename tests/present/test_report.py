"""Protocol text and reports (designcalc.present.report, issue #10).

Every number expected in a protocol text is recomputed here from the API and
rounded as the label registry says (3 decimals for probabilities, 1 for
expected counts and months); none is typed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from designcalc import trials
from designcalc.binary import binomial
from designcalc.cli import cli
from designcalc.present.labels import report_value
from designcalc.present.report import protocol_text
from designcalc.present.report.documents import FORMATS, parse_formats

NUM = re.compile(r"(?<![A-Za-z\d.])\d+(?:,\d{3})*(?:\.\d+)?")
# numbers that are wording, not results: method years, the 95% level
CONSTANTS = {"1989", "2001", "1982", "2015", "2003", "1975", "95"}


def numbers_of(text):
    body = text.split("References:")[0]
    return set(NUM.findall(body))


def p3(x):
    return f"{float(x):.3f}"


def test_report_value_uses_report_decimals():
    assert report_value("reject", 0.01732549) == "0.017"
    assert report_value("en", 18.19) == "18.2"
    assert report_value("n", 28) == "28"
    assert report_value("p0", 0.5) == "0.50" and report_value("p0", 0.055) == "0.055"
    assert report_value("reject_sim_se", 0.00324) == "0.003"
    assert report_value("pet", None) == "-"


# --- snapshots, one per family -------------------------------------------------------

def test_simon_text_snapshot():
    from designcalc.binary.simon import SimonDesign

    d = SimonDesign(r1=6, n1=12, r=19, n=28)
    res = d.oc({"H0": 0.5, "H1": 0.8}, p0=0.5, p1=0.8)
    text = protocol_text(res)
    design = (f"Design: Simon two-stage design (Simon 1989), r1/n1 = {d.r1}/{d.n1}, r/n = "
              f"{d.r}/{d.n}: {d.n1} patients are enrolled in stage 1; if {d.r1} or fewer of them "
              f"respond the trial stops for futility, otherwise {d.n2} further patients are "
              f"enrolled, {d.n} in total, and the treatment is declared promising (H0 rejected) "
              f"if more than {d.r} of the {d.n} respond, that is {d.r + 1} or more.")
    assert design in text.split("\n\n")
    hw0 = p3(binomial.expected_halfwidth(d.n, 0.5))
    hw1 = p3(binomial.expected_halfwidth(d.n, 0.8))
    oc = (f"The design has an attained one-sided type I error of {p3(d.alpha_actual(0.5))} at "
          f"p0 = 0.50 and an attained power of {p3(d.power_actual(0.8))} at p1 = 0.80; under H0 "
          f"(p = 0.50) the probability of early termination (PET) is {p3(d.pet(0.5))} and the "
          f"expected sample size is {float(d.en(0.5)):.1f} patients. Under H1 (p = 0.80) the "
          f"probability of early termination is {p3(d.pet(0.8))} and the expected sample size "
          f"{float(d.en(0.8)):.1f} patients. Exact binomial calculation.")
    assert oc in text.split("\n\n")
    precision = (f"Precision: at the planned sample size of {d.n} patients, the exact "
                 f"(Clopper-Pearson) 95% confidence interval for the rate has an expected "
                 f"half-width of {hw0} if the true rate is p0 = 0.50 and {hw1} if the true rate "
                 f"is p1 = 0.80 (computed as for a single-stage sample of {d.n}, ignoring the "
                 f"interim).")
    assert precision in text.split("\n\n")
    assert p3(d.alpha_actual(0.5)) == "0.017" and p3(d.power_actual(0.8)) == "0.904"
    assert "Simon R (1989)" in text and "Controlled Clinical Trials" in text


def test_single_stage_text_snapshot():
    from designcalc.binary.single_stage.design import SingleStageDesign

    d = SingleStageDesign(n=20, r=9)
    res = d.evaluate({"H0": 0.3, "H1": 0.55}, n_sims=500, seed=3, p0=0.3, p1=0.55)
    text = protocol_text(res)
    rows = {r["scenario"]: r for r in res.rows}
    allowed = {str(d.n), str(d.r), str(d.r + 1), "0.30", "0.55", p3(d.alpha_actual(0.3)),
               p3(d.power_actual(0.55)),
               p3(binomial.expected_halfwidth(20, 0.3)), p3(binomial.expected_halfwidth(20, 0.55))}
    assert rows["H0"]["reject_sim"] is not None    # simulated, but only in the appendix
    assert numbers_of(text) <= allowed | CONSTANTS, numbers_of(text) - allowed - CONSTANTS
    assert f"more than {d.r} of the {d.n} respond, that is {d.r + 1} or more" in text
    assert (f"an attained one-sided type I error of {p3(d.alpha_actual(0.3))} at p0 = 0.30 and "
            f"an attained power of {p3(d.power_actual(0.55))} at p1 = 0.55") in text


def test_binomial_power_text_snapshot():
    from designcalc.binary.single_stage.design import BinomialPowerRange, critical_values

    d = BinomialPowerRange(n_min=10, n_max=30, p0=0.1, p1=0.3, alpha=0.05)
    res = d.oc()
    text = protocol_text(res)
    r, a = critical_values([10, 30], 0.1, 0.05)
    for n, ri, ai in zip((10, 30), r, a):
        row = next(x for x in res.rows if x["n"] == n)
        assert (f"At n = {n} the test rejects H0 if more than {int(ri)} respond ({int(ri) + 1} "
                f"or more, r/n = {int(ri)}/{n}): attained alpha {p3(ai)}, power "
                f"{p3(row['power'])}, expected half-width "
                f"{p3(binomial.expected_halfwidth(n, 0.3))}.") in text


def test_survival_text_snapshot():
    from designcalc.survival import SurvivalDesign, planning

    d = SurvivalDesign(test="logrank", n=20, median0=6, median1=12, accrual=12, followup=12)
    res = d.oc()
    text = protocol_text(res)
    ref = planning.power(20, test="logrank", **d.model_kwargs()).iloc[0]
    assert (f"{float(ref['expected_events']):.1f} events are expected by the analysis "
            "under H1.") in text
    assert (f"The design has a one-sided type I error of 0.05 (attained "
            f"{p3(ref['alpha_actual'])}) and an attained power of {p3(ref['power'])}.") in text
    assert (f"{d.n} patients are enrolled uniformly over {d.accrual:.1f} months and followed "
            f"for {d.followup:.1f} months after the last entry, so the analysis takes place "
            f"{d.accrual + d.followup:.1f} months after the first entry.") in text
    assert "No dropout is assumed" in text and "Wu J (2015)" in text


def test_dose_text_snapshot():
    from designcalc.dose.rulebased import DoseDesign

    d = DoseDesign.from_dict({"preset": "msc-deescalation", "start_dose": 2e6, "factor": 0.3,
                              "levels": 3})
    res = d.oc({"hand_check": [0.30, 0.15, 0.05]})
    text = protocol_text(res)
    sel = [p3(r["select"]) for r in res.rows]
    m = res.metrics[0]
    assert (f"the probability of selecting each dose is {sel[0]} for 2e6 cells/kg, {sel[1]} for "
            f"6e5 cells/kg, {sel[2]} for 1.8e5 cells/kg and of selecting no dose {sel[3]}; "
            f"{m['en']:.1f} patients and {m['e_dlt']:.1f} DLTs are expected.") in text
    for row in d.table.rows():
        assert f"{row['dlt']}/{row['n']} DLTs: {row['meaning']}" in text
    assert "No target DLT probability is set for this design" in text
    assert "(option" not in text
    assert "decision" in text and "P(select 2e6 cells/kg)" in text


def test_calendar_text_snapshot():
    from designcalc.binary.calendar.design import CalendarDesign

    d = CalendarDesign(r1=6, n1=12, r=19, n=28, landmark=6.0, rate=1.0)
    res = d.simulate({"H0": 0.5}, 400, seed=1)
    text = protocol_text(res)
    for row in res.rows:
        assert (f"with '{row['policy']}' the trial lasts {row['duration_sim']:.1f} months on "
                f"average, enrols {row['enrolled_sim']:.1f} patients (the interim decision "
                f"comes at {row['time_to_interim_sim']:.1f} months, {row['overrun_sim']:.1f} "
                f"patients enrolled while waiting for it) and declares the treatment promising "
                f"with probability {p3(row['reject_sim'])}") in text


def test_unknown_family_falls_back_to_the_design_text():
    from dataclasses import replace

    from designcalc.binary.simon import SimonDesign
    from designcalc.present.report.text import facts

    res = SimonDesign(r1=1, n1=5, r=3, n=10).oc([0.2, 0.4])

    class Other:
        family = "other"

        def protocol_text(self):
            return "Another family's own sentence."

        def __str__(self):
            return "other design"

    other = replace(res, design=Other())
    f = facts(other)
    assert not f["known"] and f["oc"]["rows"]
    assert "Another family's own sentence." in protocol_text(other)


# --- reports -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    runs = {}
    for name in ("nalirifox", "msc_ifna"):
        runs[name] = trials.run_trial(trials.resolve(name), n_sims=400)
        trials.write_trial(runs[name], out, reports=FORMATS, command="designcalc trial run x")
    return out, runs


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.images = [], []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("src", "href"):
                self.urls.append(value)
        if tag == "img":
            self.images.append(dict(attrs)["src"])


def test_html_is_self_contained_and_embeds_every_figure(reports):
    out, runs = reports
    for name, run in runs.items():
        parser = _Links()
        parser.feed((out / name / "report.html").read_text(encoding="utf-8"))
        parser.close()
        assert not [u for u in parser.urls if not u.startswith("data:")]
        assert len(parser.images) == len(run.results)
        assert all(u.startswith("data:image/png;base64,") for u in parser.images)


def test_docx_reopens_with_tables_and_pictures(reports):
    import docx

    from designcalc.present.report import text as textmod

    out, runs = reports
    for name, run in runs.items():
        doc = docx.Document(str(out / name / "report.docx"))
        # one main OC table per analysis plus its builder's tables (a dose-finding
        # analysis: its decision table and its metrics or P(select) tables), and the
        # appendix tables: the full grid and the simulation check when there are any
        from designcalc.present.report import trial_context

        ctx = trial_context(run)
        expected = sum(len(a["tables"]) + len(a["appendix"]["tables"]) for a in ctx["analyses"])
        assert sum(len(a["tables"]) for a in ctx["analyses"]) == \
            sum(1 + len(textmod.facts(res)["tables"]) for res in run.results.values())
        assert len(doc.tables) == expected
        assert len(doc.inline_shapes) == len(run.results)
        styles = {p.style.name for p in doc.paragraphs}
        assert {"Title", "Heading 1", "Caption"} <= styles
        captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
        assert captions[0].startswith("Table 1. ")
        assert any(c.startswith(f"Figure {len(run.results)}. ") for c in captions)
        assert "SEQ Figure" in doc.element.xml


def test_nalirifox_acceptance(reports):
    out, runs = reports
    md = (out / "nalirifox" / "report.md").read_text(encoding="utf-8")
    res = runs["nalirifox"].results["pfs6_two_stage"]
    assert "if 6 or fewer of them are successes the trial stops for futility" in md
    assert "more than 19 of the 28 are successes, that is 20 or more" in md
    assert "r/n = 19/28" in md and "response rate" not in md
    alpha = report_value("alpha_actual", res.extra["alpha_actual"])
    power = report_value("power_actual", res.extra["power_actual"])
    assert (alpha, power) == ("0.017", "0.904")
    assert (f"The design has a one-sided type I error of 0.05 (attained {alpha} at p0 = 0.50) "
            f"and a power of 0.80 (attained {power} at p1 = 0.80)") in md
    assert "**ASSUMED:**" in md and "Both rates are ASSUMED" in md
    cal = runs["nalirifox"].results["pfs6_calendar"]
    for row in cal.rows:
        assert f"with '{row['policy']}' the trial lasts " \
               f"{report_value('duration_sim', row['duration_sim'])} months" in md
    assert "![Figure 1](pfs6_two_stage.png)" in md
    assert f"designcalc trial run x --seed {runs['nalirifox'].seed} --n-sims 400" in md
    # the OC table's H0 row, rounded by the registry, the spec's summary quantities first
    h0 = next(r for r in res.rows if r["scenario"] == "H0")
    cells = [report_value(c, h0[c]) for c in ("p", "reject", "pet", "en")]
    assert "| H0 | " + " | ".join(cells) in md


def test_msc_acceptance(reports):
    out, runs = reports
    md = (out / "msc_ifna" / "report.md").read_text(encoding="utf-8")
    res = runs["msc_ifna"].results["phase1_deescalation"]
    assert "| patients at the current dose | DLTs | decision |" in md
    assert "| 3 | 0 | stop: select this dose |" in md
    assert "P(select 2e6 cells/kg) | P(select 6e5 cells/kg) | P(select 1.8e5 cells/kg)" in md
    sel = [report_value("select", r["select"]) for r in res.rows if r["scenario"] == "toxic"]
    assert "| toxic | 0.500, 0.350, 0.200 | " + " | ".join(sel) + " |" in md


def test_trial_run_cli_reports_and_formats(tmp_path):
    runner = CliRunner()
    out = tmp_path / "res"
    r = runner.invoke(cli, ["trial", "run", "novaferon", "--out", str(out), "--n-sims", "200",
                            "--report", "md,html", "--quiet"])
    assert r.exit_code == 0, r.output
    names = sorted(os.listdir(out / "novaferon"))
    assert "report.md" in names and "report.html" in names and "report.docx" not in names
    manifest = json.loads((out / "manifest.json").read_text())
    paths = {e["path"] for e in manifest["files"]}
    assert "novaferon/report.md" in paths and "--report md,html" in manifest["command"]
    assert manifest["command"] + " --seed 2455596" in (out / "novaferon" / "report.md").read_text()
    r = runner.invoke(cli, ["trial", "run", "novaferon", "--out", str(out), "--n-sims", "200",
                            "--report", "md", "--no-plots", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "![" not in (out / "novaferon" / "report.md").read_text()
    bad = runner.invoke(cli, ["trial", "run", "novaferon", "--report", "pdf"])
    assert bad.exit_code == 2
    with pytest.raises(ValueError):
        parse_formats("md,pdf")


def test_single_command_reports(tmp_path):
    import docx

    runner = CliRunner()
    path = tmp_path / "oc.docx"
    r = runner.invoke(cli, ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28",
                            "--scenario", "H0=0.5", "--scenario", "H1=0.8", "--p0", "0.5",
                            "--p1", "0.8", "--report", str(path)])
    assert r.exit_code == 0, r.output
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1 and len(doc.inline_shapes) == 1
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "0.017" in text and "0.904" in text
    assert "designcalc simon oc --r1 6 --n1 12 --r 19 --n 28" in text
    md = tmp_path / "design.md"
    r = runner.invoke(cli, ["simon", "design", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05",
                            "--power", "0.8", "--report", str(md)])
    assert r.exit_code == 0, r.output
    body = md.read_text()
    assert "(`minimax`)" in body and "(`optimal`)" in body
    assert (tmp_path / "design_minimax.png").exists()
    bad = runner.invoke(cli, ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28",
                              "--p", "0.5", "--report", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2 and not (tmp_path / "x.txt").exists()


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
def test_html_renders_in_headless_chromium(reports, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    out, _ = reports
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={shot}", "--window-size=1000,1400",
                    (out / "nalirifox" / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    import matplotlib.image as mpimg

    img = mpimg.imread(str(shot))
    assert img.std() > 0.01          # not a blank page
