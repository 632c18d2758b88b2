"""Registry entry of the ``tite`` family (light: no numpy at import).

Dose finding in calendar time with pending patients (TITE-BOIN, TITE-keyboard,
TITE-mTPI-2, TITE-i3+3) and backfill (BF-BOIN), simulated (``designcalc dose
simulate --design tite-boin``); the decision table by (n, DLTs, pending) and the
next dose of a running trial are ``dose table`` and ``dose next``
(:mod:`designcalc.dose.tite.cli`).  See ``docs/tite.md``.

The commands are in the ``dose`` group, :data:`GROUP`: ``dose simulate``, ``dose
table`` and ``dose next`` reach this family's commands for its designs (extras of one
name are routed by ``--design``).
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

#: the CLI group of the family's commands (``designcalc dose simulate|table|next --design tite-boin``)
GROUP = "dose"

#: the parameters a running trial's decision needs (``table`` / ``next``)
DECISION_PARAMS = ("target", "cohorts", "cohort_size", "n_earlystop", "p_saf", "p_tox",
                   "cutoff_eli", "max_pending", "min_followup", "margin_low", "margin_high")
#: the rules and their --design names; BOIN takes no margins
RULES = ("boin", "keyboard", "mtpi2", "i3+3")
_BACKFILL = ("backfill", "response", "n_cap", "stay_1_of_3")

PARAMS = (
    Param("rule", RULES, "boin: TITE-BOIN (Yuan et al. 2018); keyboard, mtpi2, i3+3: the "
          "interval family's tables with pending patients through the effective sample "
          "size (Lin & Yuan 2020).", default="boin"),
    Param("target", "float", "Target DLT probability phi.", domain="[0.05, 0.6]"),
    Param("cohorts", "int", "Maximum number of cohorts.", domain=">= 1", unit="cohorts"),
    Param("window", "float", "DLT assessment window (the time unit of the accrual rate).",
          domain="> 0", unit="time units"),
    Param("accrual_rate", "float", "Patients per time unit.", domain="> 0",
          unit="patients per time unit"),
    Param("cohort_size", "int", "Patients per cohort.", default=3, domain=">= 1",
          unit="patients"),
    Param("start_level", "int", "Dose level of the first cohort (1 = lowest).", default=1,
          domain=">= 1"),
    Param("n_earlystop", "int", "Stop when the current dose has this many patients and the "
          "rule stays there (BOIN n.earlystop).", default=100, domain=">= 1",
          unit="patients"),
    Param("p_saf", "float", "phi1 (BOIN p.saf); default 0.6 x target.", default=None,
          domain="<= 0.9 x target"),
    Param("p_tox", "float", "phi2 (BOIN p.tox); default 1.4 x target.", default=None,
          domain=">= 1.1 x target"),
    Param("cutoff_eli", "float", "Eliminate a dose if Pr(p > target | data) > this "
          "(>= 3 patients).", default=0.95, domain="[0.5, 1)"),
    Param("levels", "int", "Number of dose levels (default: from the toxicity curve).",
          default=None, domain=">= 1", unit="levels"),
    Param("accrual", ("poisson", "fixed", "uniform"), "Poisson arrivals, evenly spaced ones, "
          "or gaps uniform on (0, 2/rate) (bfboin's 'uniform').", default="poisson"),
    Param("dlt_time", ("uniform", "weibull", "piecewise"), "DLT time within the window, "
          "given a DLT: uniform, Weibull or piecewise uniform with --late-fraction late.",
          default="uniform"),
    Param("late_fraction", "float", "weibull/piecewise: fraction of the DLTs in the second "
          "half of the window.", default=0.5, domain="(0, 1)"),
    Param("max_pending", "float", "Suspend accrual when more than this fraction of the "
          "current dose's patients is pending (TITE-BOIN: 0.5; Chen et al. 2025: 0.49).",
          default=0.5, domain="[0, 1]"),
    Param("min_followup", "float", "Escalate only when every pending patient has been "
          "followed for this fraction of the window, accrual suspended until then (0: off; "
          "Chen et al. 2025 recommend 0.25).", default=0.0, domain="[0, 1]"),
    Param("backfill", "bool", "BF-BOIN: backfill patients who arrive while the escalation "
          "waits to open doses below the current one (fixed by --design bf-boin).",
          default=False),
    Param("response", "float_list", "BF-BOIN: true response probability per dose level "
          "(the same for every scenario); a dose opens for backfill once a response is "
          "seen there.", default=None, domain="in [0, 1], one per level"),
    Param("n_cap", "int", "BF-BOIN: a dose closes for backfill once it has more than "
          "this many patients (bfboin's n.cap: open while at most n_cap).", default=12, domain=">= 1", unit="patients"),
    Param("stay_1_of_3", "bool", "BF-BOIN: 1 DLT of 3 patients stays (bfboin "
          "three.plus.three).", default=False),
    Param("margin_low", "float", "Keyboard/mTPI-2/i3+3: target key / EI starts at target - "
          "margin_low; default 0.05.", default=None, domain="(0, target)"),
    Param("margin_high", "float", "Keyboard/mTPI-2/i3+3: target key / EI ends at target + "
          "margin_high; default 0.05.", default=None, domain="(0, 1 - target)"),
)

SPEC = FamilySpec(
    name="tite",
    title="Dose finding in calendar time: pending patients (TITE-BOIN, TITE-keyboard, "
          "TITE-mTPI-2, TITE-i3+3) and backfill (BF-BOIN), simulated",
    design="designcalc.dose.tite.design:TiteDesign",
    params=PARAMS,
    scenario=ScenarioSpec("curve", "tox", "True DLT probability within the window per dose "
                          "level, lowest first.", required=True),
    exact=False,
    simulate=True,
    plots=(("calendar", "designcalc.dose.tite.present:calendar_plot"),
           ("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.tite.present:LABELS",
    commands=(f"{GROUP} simulate --design tite-boin|tite-keyboard|tite-mtpi2|tite-i3+3|bf-boin",
              f"{GROUP} table --design tite-boin|tite-keyboard|tite-mtpi2|tite-i3+3",
              f"{GROUP} next --design tite-boin|tite-keyboard|tite-mtpi2|tite-i3+3",
              "trial run"),
    cli_group=GROUP,
    generic=("simulate",),
    summary=("select", "en", "trial_duration"),
    doc="docs/tite.md",
    # per design in the report builder (designcalc.dose.tite.report.RULE_REFERENCES)
    references=(),
    bibliography=(
        ("yuan_tite_boin", "Yuan Y, Lin R, Li D, Nie L, Warren KE (2018). Time-to-event "
                           "Bayesian optimal interval design to accelerate phase I trials. "
                           "Clin Cancer Res 24:4921-4930."),
        ("zhao_bf_boin", "Zhao Y, Yuan Y, Korn EL, Freidlin B (2024). Backfilling patients "
                         "in phase I dose-escalation trials using Bayesian optimal interval "
                         "design (BOIN). Clin Cancer Res 30:673-679."),
        ("lin_yuan_tite", "Lin R, Yuan Y (2020). Time-to-event model-assisted designs for "
                          "dose-finding trials with delayed toxicity. Biostatistics "
                          "21:807-824."),
    ),
    report="designcalc.dose.tite.report:facts",
    report_template="designcalc/dose/tite/report.j2",
    keywords=("late-onset", "window", "pending", "accrual"),
    designs=tuple((f"tite-{rule}", {"rule": rule, "backfill": False},
                   (("margin_low", "margin_high") if rule == "boin" else ()) + _BACKFILL)
                  for rule in RULES) + (
        ("bf-boin", {"rule": "boin", "backfill": True},
         ("margin_low", "margin_high", "max_pending", "min_followup")),),
    examples=(
        # TITE-BOIN with fast accrual (2 patients per window): suspensions and pending data
        {"design": {"target": 0.3, "cohorts": 6, "window": 3.0, "accrual_rate": 1.0},
         "scenarios": {"rising": [0.05, 0.15, 0.30, 0.45]},
         "n_sims": 1000,
         "cli": [GROUP, "simulate", "--design", "tite-boin", "--target", "0.3", "--cohorts",
                 "6", "--window", "3", "--accrual-rate", "1", "--scenario",
                 "rising=0.05,0.15,0.30,0.45", "--n-sims", "1000", "--seed", "20261201"]},
        # late-onset Weibull DLTs, fixed accrual, n_earlystop, target 0.2
        {"design": {"target": 0.2, "cohorts": 6, "window": 2.0, "accrual_rate": 2.0,
                    "accrual": "fixed", "dlt_time": "weibull", "late_fraction": 0.7,
                    "n_earlystop": 9},
         "scenarios": {"low_mtd": [0.2, 0.35, 0.5]},
         "n_sims": 1000,
         "cli": [GROUP, "simulate", "--design", "tite-boin", "--target", "0.2", "--cohorts",
                 "6", "--window", "2", "--accrual-rate", "2", "--accrual", "fixed",
                 "--dlt-time", "weibull", "--late-fraction", "0.7", "--n-earlystop", "9",
                 "--scenario", "low_mtd=0.2,0.35,0.5", "--n-sims", "1000", "--seed",
                 "20261201"]},
        # TITE-keyboard through the effective sample size, piecewise late DLTs
        {"design": {"rule": "keyboard", "target": 0.25, "cohorts": 5, "window": 2.0,
                    "accrual_rate": 1.5, "dlt_time": "piecewise", "late_fraction": 0.8},
         "scenarios": {"rising": [0.1, 0.25, 0.45]},
         "n_sims": 1000,
         "cli": [GROUP, "simulate", "--design", "tite-keyboard", "--target", "0.25",
                 "--cohorts", "5", "--window", "2", "--accrual-rate", "1.5", "--dlt-time",
                 "piecewise", "--late-fraction", "0.8", "--scenario", "rising=0.1,0.25,0.45",
                 "--n-sims", "1000", "--seed", "20261201"]},
        # BF-BOIN: backfill below the current dose once a response is seen
        {"design": {"backfill": True, "target": 0.25, "cohorts": 4, "window": 1.0,
                    "accrual_rate": 3.0, "response": [0.3, 0.4, 0.5], "n_cap": 6,
                    "stay_1_of_3": True},
         "scenarios": {"rising": [0.05, 0.15, 0.35]},
         "n_sims": 1000,
         "cli": [GROUP, "simulate", "--design", "bf-boin", "--target", "0.25", "--cohorts",
                 "4", "--window", "1", "--accrual-rate", "3", "--response", "0.3,0.4,0.5",
                 "--n-cap", "6", "--stay-1-of-3", "--scenario", "rising=0.05,0.15,0.35",
                 "--n-sims", "1000", "--seed", "20261201"]},
    ),
    extras=(("table", "designcalc.dose.tite.cli:table_cmd"),
            ("next", "designcalc.dose.tite.cli:next_cmd")),
)
