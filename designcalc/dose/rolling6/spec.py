"""Registry entry of the ``rolling6`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

SPEC = FamilySpec(
    name="rolling6",
    title="Rolling-6 (Skolnik et al. 2008): up to six patients enrolled concurrently",
    design="designcalc.dose.rolling6.design:Rolling6Design",
    params=(
        Param("levels", "int", "Number of dose levels.", default=5, domain="1..20",
              unit="levels"),
        Param("start_level", "int", "Level of the first patient, 1 = lowest.", default=1,
              domain="1 <= start_level <= levels"),
        Param("window", "float", "DLT observation window.", default=28.0, domain="> 0",
              unit="time (e.g. days)"),
        Param("gap", "float", "Time between two patients ready to enrol (fixed; Poisson: "
              "its mean).", default=7.0, domain="> 0", unit="time (e.g. days)"),
        Param("accrual", ("fixed", "poisson"), "Fixed gaps (exact OC) or Poisson accrual "
              "(simulated).", default="fixed"),
        Param("dlt_timing", ("fixed", "uniform"), "A DLT is known dlt_time x window after "
              "entry (exact OC), or at a time uniform in the window (simulated).",
              default="fixed"),
        Param("dlt_time", "float", "With dlt_timing fixed: when a DLT is known, as a "
              "fraction of the window (1: at its end).", default=1.0, domain="(0, 1]"),
        Param("target", "float", "Toxicity threshold of P(select a level above it) (not "
              "part of the rule).", default=0.33, domain="[0, 1]"),
    ),
    scenario=ScenarioSpec("curve", "tox", "True DLT probability per dose level, lowest first.",
                          required=True),
    options=(
        Param("state_budget", "int", "Largest number of states of the exact enumeration "
              "before it falls back to simulation.", default=None, domain=">= 1"),
    ),
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.rolling6.present:LABELS",
    report="designcalc.dose.rolling6.report:facts",
    report_template="designcalc/dose/rolling6/report.j2",
    random_scenarios="designcalc.dose.scenarios:RandomScenarios",
    commands=("dose oc --design rolling6", "dose simulate --design rolling6",
              "dose table --design rolling6", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),
    summary=("select", "en", "trial_duration"),
    doc="docs/rolling6.md",
    references=("skolnik2008",),
    bibliography=(
        ("skolnik2008", "Skolnik JM, Barrett JS, Jayaraman B, Patel D, Adamson PC (2008). "
         "Shortening the timeline of pediatric phase I trials: the rolling six design. "
         "J Clin Oncol 26:190-195."),
    ),
    keywords=("rolling", "rolling six", "rolling-6", "pending"),
    designs=(("rolling6", {}),),
    extras=(("table", "designcalc.dose.rolling6.cli:table_cmd"),),
    examples=(
        # 3 levels, a 28-day window and a patient a week: exact paths (a few hundred states)
        {"design": {"levels": 3, "window": 28.0, "gap": 7.0},
         "scenarios": {"rising": [0.05, 0.2, 0.5]},
         "n_sims": 2000,
         "cli": ["dose", "oc", "--design", "rolling6", "--levels", "3", "--window", "28",
                 "--gap", "7", "--scenario", "rising=0.05,0.2,0.5", "--n-sims", "2000",
                 "--seed", "20261201"]},
        # DLTs known half-way through the window, starting at level 2
        {"design": {"levels": 3, "start_level": 2, "window": 21.0, "gap": 7.0,
                    "dlt_time": 0.5},
         "scenarios": {"toxic": [0.2, 0.4, 0.6]},
         "n_sims": 2000,
         "cli": ["dose", "oc", "--design", "rolling6", "--levels", "3", "--start-level", "2",
                 "--window", "21", "--gap", "7", "--dlt-time", "0.5",
                 "--scenario", "toxic=0.2,0.4,0.6", "--n-sims", "2000",
                 "--seed", "20261201"]},
    ),
)
