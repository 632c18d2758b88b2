"""Dose-finding report sections (issue #20): every dose section shows the design's
decision table, the BOIN-template metrics per scenario and one dose numbering (lowest
dose = level 1, with the dose) in every table; no project-internal text.

Sources: the metrics are ``dose compare``'s (:func:`scenario_metrics`, recomputed here
through :func:`compare_designs`); the BOIN boundaries are ``IntervalDesign.boundary_rows``
(pinned against BOIN::get.boundary in tests/dose/test_interval_tables.py); the CRM
transitions are ``CRMDesign.next_dose`` (pinned against dfcrm and R escalation's
``get_dfcrm`` examples in tests/dose/test_crm.py): R escalation's documented example
'1NNN 2NTN' (skeleton 0.05, 0.1, 0.25, 0.4, 0.6, target 0.25) goes to dose 2, then
stays at dose 2.
"""

from __future__ import annotations

import re

import pytest

from designcalc import trials
from designcalc.core import registry
from designcalc.dose.crm.design import CRMDesign
from designcalc.dose.interval.compare import compare_designs
from designcalc.dose.interval.design import IntervalDesign
from designcalc.present.report import text as textmod

INTERNAL = ("issue", "docs/", "(option", "100 patients")


@pytest.fixture(scope="module")
def msc():
    """The dose analyses of the seed trial msc_ifna, exact (no simulation), and their
    report facts as ``trial run`` writes them."""
    config = trials.resolve("msc_ifna")
    out = {}
    for a in config.analyses:
        if a.family not in ("dose", "interval", "crm"):
            continue
        res = registry.get(a.family).build(a.design).oc(a.scenario_pairs(), **a.options)
        out[a.id] = (a, res, textmod.facts(res, a, assumptions=config.all_assumptions))
    return config, out


def test_every_dose_section_has_a_decision_table(msc):
    _, analyses = msc
    assert set(analyses) == {"phase1_deescalation", "phase1_boin_comparison",
                             "phase1_crm_comparison"}
    for _, res, f in analyses.values():
        assert [t["kind"] for t in f["tables"]].count("decision") == 1
    boin = analyses["phase1_boin_comparison"]
    table = next(t for t in boin[2]["tables"] if t["kind"] == "decision")
    rows = boin[1].design.boundary_records()
    assert table["header"][1:] == [str(r["n"]) for r in rows]
    assert table["rows"][0][1:] == [str(r["escalate_if_le"]) for r in rows]


@pytest.mark.parametrize("aid", ["phase1_boin_comparison", "phase1_crm_comparison"])
def test_metrics_are_dose_compares(msc, aid):
    """P(correct selection) and P(no MTD) of the report table are those `dose compare`
    prints for the same design and scenarios (the report does not recompute them)."""
    _, analyses = msc
    a, res, f = analyses[aid]
    table = next(t for t in f["tables"] if t["kind"] == "metrics")
    target = res.design.target
    cmp = compare_designs([res.design], a.scenario_pairs(), target)["rows"]
    assert [r[0] for r in table["rows"]] == [r["scenario"] for r in cmp]
    for line, row in zip(table["rows"], cmp):
        assert line[2] == f"{row['p_correct']:.3f}" and line[5] == f"{row['p_none']:.3f}"
        assert float(line[3]) == pytest.approx(100 * row["n_at_target"] / row["en"], abs=0.05)


def _dose_of_level(f):
    """{report level number: dose text} read from every table of the facts."""
    seen = {}
    oc = f["oc"]
    head = oc["header"]
    lv = next(i for i, h in enumerate(head) if h.startswith("dose level"))
    for row in oc["rows"]:
        if row[lv] == "none":
            continue
        m = re.fullmatch(r"(\d+)(?: \((.+)\))?", row[lv])
        dose = m.group(2) or row[head.index("dose (cells/kg)")]
        seen.setdefault(int(m.group(1)), set()).add(dose.replace(" cells/kg", ""))
    for t in f["tables"]:
        for row in t["rows"]:
            for cell in row:
                for num, dose in re.findall(r"level (\d+) \(([^)]+)\)", str(cell)):
                    seen.setdefault(int(num), set()).add(dose.replace(" cells/kg", ""))
    return seen


def test_one_dose_numbering_with_the_dose_throughout(msc):
    """msc_ifna: level 1 = 1.8e5, level 2 = 6e5, level 3 = 2e6 cells/kg in every table
    of the three dose sections (the de-escalation ladder is numbered lowest first)."""
    _, analyses = msc
    want = {1: {"1.8e5"}, 2: {"6e5"}, 3: {"2e6"}}
    for aid, (_, _, f) in analyses.items():
        assert _dose_of_level(f) == want, aid


def test_no_internal_text_in_the_dose_sections(msc):
    config, analyses = msc
    for aid, (a, res, f) in analyses.items():
        text = textmod.protocol_text(res, a, assumptions=config.all_assumptions)
        for word in INTERNAL:
            assert word not in text, (aid, word)
    assert not any(w in s for s in config.all_assumptions for w in INTERNAL)


def test_earlystop_is_stated_only_when_it_can_apply():
    """n_earlystop = 100 (BOIN's default, off) in a 9-patient trial is not a rule of
    the design; 6 < 9 is."""
    assert "Stop when the current dose has" not in IntervalDesign(
        target=0.3, cohorts=3).protocol_text()
    assert "Stop when the current dose has 6 patients" in IntervalDesign(
        target=0.3, cohorts=3, n_earlystop=6).protocol_text()


def test_crm_dose_paths_follow_next_dose():
    d = CRMDesign(target=0.25, skeleton=(0.05, 0.1, 0.25, 0.4, 0.6), max_n=12)
    paths = d.dose_paths(2)
    assert len(paths) == 4 + 4 * 4            # every outcome of two cohorts of 3
    by = {p["outcomes"]: p for p in paths}
    assert by[((1, 0),)]["next"] == 2 and by[((1, 0), (2, 1))]["next"] == 2
    for p in paths:
        n, y = [0] * 5, [0] * 5
        for lv, dlt in p["outcomes"]:
            n[lv - 1] += 3
            y[lv - 1] += dlt
        assert p["next"] == d.next_dose(n, y, p["outcomes"][-1][0],
                                        last_dlt=p["outcomes"][-1][1])["next"]
    with pytest.raises(ValueError, match="^cohorts"):
        d.dose_paths(5)


_TRIAL = """name = "t"
title = "t"
source = "s"
[[analysis]]
id = "a"
family = "{family}"
endpoint = "DLT"
design = {design}
{extra}
scenarios = {{ s = [0.1, 0.2, 0.3] }}
"""


@pytest.mark.parametrize("family, design, extra, error", [
    ("interval", '{ rule = "boin", target = 0.3, cohorts = 3 }', "doses = [1, 2]",
     "doses: one dose per level (3), got 2"),
    ("dose", '{ preset = "3+3", levels = 3 }', "doses = [1, 2, 3]",
     "takes its doses in design.doses"),
    ("interval", '{ rule = "boin", target = 0.3, cohorts = 3 }', 'doses = ["a", 2, 3]',
     "doses"),
])
def test_config_doses_are_checked(family, design, extra, error):
    from designcalc.config import ConfigError, parse

    with pytest.raises(ConfigError, match=re.escape(error)):
        parse(_TRIAL.format(family=family, design=design, extra=extra))
    ok = parse(_TRIAL.format(family="crm", design='{ target = 0.3, skeleton = [0.1, 0.2, '
                             '0.3], max_n = 6 }', extra='doses = [10, 20, 40]\n'
                             'dose_unit = "mg"'))
    assert ok.analyses[0].doses == (10.0, 20.0, 40.0) and ok.analyses[0].dose_unit == "mg"
