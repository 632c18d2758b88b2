"""Registry entry of the ``interval`` family (light: no numpy at import).

BOIN (and decision-table designs) with exact operating characteristics by
dynamic programming; see ``docs/dose.md``.  The CLI is ``designcalc dose ...
--design boin`` (the group's commands: :mod:`designcalc.dose.cli`).
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

RULE_NAMES = ("boin", "keyboard", "mtpi2", "i3+3", "table")

#: options a design does not take (the generated tables take margins, not --table)
_NOT_FOR = {"boin": ("margin_low", "margin_high", "table"),
            "table": ("margin_low", "margin_high")}

SPEC = FamilySpec(
    name="interval",
    title="Interval dose finding (BOIN, Keyboard, mTPI-2, i3+3; decision tables) with exact OC",
    design="designcalc.dose.interval.design:IntervalDesign",
    params=(
        Param("rule", RULE_NAMES, "boin: BOIN boundaries (Liu & Yuan 2015); keyboard "
              "(Yan et al. 2017), mtpi2 (Guo et al. 2017), i3+3 (Liu et al. 2020): their "
              "decision tables; table: a decision table.", default="boin"),
        Param("target", "float", "Target DLT probability phi.", domain="[0.05, 0.6] (BOIN)"),
        Param("cohorts", "int", "Maximum number of cohorts (BOIN ncohort).", domain=">= 1",
              unit="cohorts"),
        Param("cohort_size", "int", "Patients per cohort.", default=3, domain=">= 1",
              unit="patients"),
        Param("start_level", "int", "Dose level of the first cohort (1 = lowest).",
              default=1, domain=">= 1"),
        Param("n_earlystop", "int", "Stop when the current dose has this many patients and "
              "the rule stays there (BOIN n.earlystop).", default=100, domain=">= 1",
              unit="patients"),
        Param("p_saf", "float", "phi1 (BOIN p.saf); default 0.6 x target.", default=None,
              domain="<= 0.9 x target"),
        Param("p_tox", "float", "phi2 (BOIN p.tox); default 1.4 x target.", default=None,
              domain=">= 1.1 x target"),
        Param("cutoff_eli", "float", "Eliminate a dose if Pr(p > target | data) > this "
              "(>= 3 patients).", default=0.95, domain="[0.5, 1)"),
        Param("extrasafe", "bool", "Stricter stop at the lowest dose (BOIN extrasafe).",
              default=False),
        Param("offset", "float", "extrasafe: stop if Pr(p1 > target) > cutoff_eli - offset.",
              default=0.05, domain="(0, 0.5)"),
        Param("bound_mtd", "bool", "Select only doses with isotonic estimate <= lambda_d "
              "(BOIN boundMTD).", default=False),
        Param("levels", "int", "Number of dose levels (default: from the toxicity curve).",
              default=None, domain=">= 1", unit="levels"),
        Param("margin_low", "float", "Keyboard/mTPI-2/i3+3: target key / EI starts at "
              "target - margin_low (marginL; EI[1] = target - it); default 0.05.",
              default=None, domain="(0, target)"),
        Param("margin_high", "float", "Keyboard/mTPI-2/i3+3: target key / EI ends at "
              "target + margin_high (marginR); default 0.05.", default=None,
              domain="(0, 1 - target)"),
    ),
    scenario=ScenarioSpec("curve", "tox", "True DLT probability per dose level, lowest first.",
                          required=True),
    options=(
        Param("state_budget", "int", "Largest number of live states of the exact program "
              "before it falls back to simulation.", default=None, domain=">= 1"),
    ),
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.interval.present:LABELS",
    random_scenarios="designcalc.dose.scenarios:RandomScenarios",
    commands=("dose oc --design boin|keyboard|mtpi2|i3+3|table",
              "dose simulate --design boin|keyboard|mtpi2|i3+3|table",
              "dose table --design boin|keyboard|mtpi2|i3+3",
              "dose next --design boin|keyboard|mtpi2|i3+3",
              "dose compare --design boin|keyboard|mtpi2|i3+3|table", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),
    summary=("select", "en"),
    doc="docs/dose.md",
    report="designcalc.dose.interval.report:facts",
    report_template="designcalc/dose/interval/report.j2",
    # BOIN and --design table take no margins; only --design table reads --table
    designs=tuple((name, {"rule": name}, _NOT_FOR.get(name, ("table",)))
                  for name in RULE_NAMES),
    design_commands=("table", "next", "compare", "pathways"),
    cli_params=("target", "cohorts", "cohort_size", "start_level", "n_earlystop", "p_saf",
                "p_tox", "cutoff_eli", "extrasafe", "offset", "bound_mtd", "margin_low",
                "margin_high",
                Param("table", "str", "--design table: the interval decision table CSV "
                      "(n,dlt,action, or the boundary layout of `designcalc dose table`).",
                      default=None)),
    cli_build="designcalc.dose.interval.cli:build",
    examples=(
        # the published boundary table's design (target 0.3, 10 cohorts of 3)
        {"design": {"rule": "boin", "target": 0.3, "cohorts": 10, "cohort_size": 3},
         "scenarios": {"rising": [0.05, 0.10, 0.20, 0.30, 0.50],
                       "toxic": [0.35, 0.45, 0.55, 0.65, 0.75]},
         "n_sims": 4000,
         # the conformance seed (designcalc.core.testing) is part of the command
         "cli": ["dose", "oc", "--design", "boin", "--target", "0.3", "--cohorts", "10",
                 "--cohort-size", "3", "--scenario", "rising=0.05,0.10,0.20,0.30,0.50",
                 "--scenario", "toxic=0.35,0.45,0.55,0.65,0.75", "--n-sims", "4000",
                 "--seed", "20261201"]},
        # extra safe, early stopping at 12 patients, start at level 2, boundMTD
        {"design": {"rule": "boin", "target": 0.25, "cohorts": 8, "cohort_size": 3,
                    "start_level": 2, "n_earlystop": 12, "extrasafe": True,
                    "bound_mtd": True},
         "scenarios": {"low_mtd": [0.25, 0.40, 0.55, 0.70]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "boin", "--target", "0.25", "--cohorts", "8",
                 "--start-level", "2", "--n-earlystop", "12", "--extrasafe", "--bound-mtd",
                 "--scenario", "low_mtd=0.25,0.40,0.55,0.70", "--n-sims", "4000",
                 "--seed", "20261201"]},
        # Keyboard (n.earlystop checked first, as get.oc.kb) and i3+3 (its stay rule
        # matters at target 0.25), asymmetric margins
        {"design": {"rule": "keyboard", "target": 0.3, "cohorts": 8, "cohort_size": 3,
                    "n_earlystop": 9},
         "scenarios": {"rising": [0.10, 0.25, 0.40, 0.55]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "keyboard", "--target", "0.3", "--cohorts", "8",
                 "--n-earlystop", "9", "--scenario", "rising=0.10,0.25,0.40,0.55",
                 "--n-sims", "4000", "--seed", "20261201"]},
        {"design": {"rule": "i3+3", "target": 0.25, "cohorts": 8, "cohort_size": 3,
                    "margin_low": 0.05, "margin_high": 0.1, "start_level": 2},
         "scenarios": {"flat": [0.15, 0.25, 0.30, 0.45]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "i3+3", "--target", "0.25", "--cohorts", "8",
                 "--margin-low", "0.05", "--margin-high", "0.1", "--start-level", "2",
                 "--scenario", "flat=0.15,0.25,0.30,0.45", "--n-sims", "4000",
                 "--seed", "20261201"]},
    ),
    extras=(("next", "designcalc.dose.cli:next_cmd"),
            ("pathways", "designcalc.dose.cli:pathways_cmd")),
)
