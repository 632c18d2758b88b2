"""Registry entry of the ``phase12`` family (light: no numpy at import).

BOIN12, phase I/II dose finding for the optimal biological dose, with exact
operating characteristics by dynamic programming where the state count allows;
see ``docs/phase12.md``.  The CLI is ``designcalc dose oc|simulate --design boin12``.

``KEYBOARD_SPEC`` is the family ``keyboard_obd``: Keyboard phase I/II for the OBD
(``Keyboard::get.oc.obd.kb``), with the same exact program and simulation; CLI
``designcalc dose oc|simulate|next|table --design keyboard-obd``.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

#: one scenario: the K toxicity then the K efficacy probabilities (the dose group's
#: shared --tox / --scenario)
_SCENARIO = ScenarioSpec("curve", "tox", "True toxicity then efficacy probability per dose "
                         "level, lowest first: t1,...,tK,e1,...,eK.", required=True)
_OPTIONS = (
    Param("odds_ratio", "float", "Odds ratio of toxicity and efficacy in one patient "
          "(Plackett; 1: independent).", default=1.0, domain="> 0"),
    Param("state_budget", "int", "Largest number of expanded states of one cohort of the "
          "exact program before it falls back to simulation.", default=None, domain=">= 1"),
)

SPEC = FamilySpec(
    name="phase12",
    title="Phase I/II dose finding for the optimal biological dose (BOIN12) with exact OC",
    design="designcalc.dose.phase12.design:Boin12Design",
    params=(
        Param("phi_t", "float", "Highest acceptable toxicity probability (phi_T).",
              default=0.35, domain="[0.05, 0.6]"),
        Param("phi_e", "float", "Lowest acceptable efficacy probability (phi_E).",
              default=0.25, domain="(0, 1)"),
        Param("u2", "int", "Utility of no efficacy and no toxicity (u1 = 100, u4 = 0).",
              default=40, domain="0..100", unit="points"),
        Param("u3", "int", "Utility of efficacy with toxicity.", default=60,
              domain="0..100", unit="points"),
        Param("cohorts", "int", "Maximum number of cohorts.", default=12, domain=">= 1",
              unit="cohorts"),
        Param("cohort_size", "int", "Patients per cohort.", default=3, domain=">= 1",
              unit="patients"),
        Param("n_star", "int", "N*: with lambda_e < p_T < lambda_d and this many patients, "
              "choose only d - 1 or d.", default=6, domain=">= 1", unit="patients"),
        Param("n_stop", "int", "Stop and select when a dose has this many patients "
              "(see stop_rule).", default=12, domain=">= 1", unit="patients"),
        Param("stop_rule", ("any", "next"), "any: the dose just treated reached n_stop "
              "(escalation dose='any'); next: the next dose has reached it.", default="any"),
        Param("n_explore", "int", "Dose exploration: escalate to an untried dose when the "
              "current one has this many patients and p_T < lambda_d (0: off).", default=9,
              domain=">= 0", unit="patients"),
        Param("c_t", "float", "Not admissible if Pr(p_T > phi_T) >= c_t.", default=0.95,
              domain="[0.5, 1)"),
        Param("c_e", "float", "Not admissible if Pr(p_E < phi_E) >= c_e.", default=0.9,
              domain="[0.5, 1)"),
        Param("start_level", "int", "Dose level of the first cohort (1 = lowest).",
              default=1, domain=">= 1"),
        Param("select", ("mean", "desirability"), "OBD: largest posterior mean utility "
              "(Lin et al. 2020) or desirability (escalation) at or below the MTD.",
              default="mean"),
        Param("n_doses", "int", "Number of dose levels (default: from the scenario).",
              default=None, domain=">= 1", unit="levels"),
    ),
    scenario=_SCENARIO,
    options=_OPTIONS,
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.phase12.present:LABELS",
    commands=("dose oc --design boin12", "dose simulate --design boin12",
              "dose next --design boin12", "dose pathways --design boin12", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),
    summary=("select", "en"),
    doc="docs/phase12.md",
    references=("lin_boin12", "liu_yuan", "plackett"),
    report="designcalc.dose.phase12.report:facts",
    report_template="designcalc/dose/phase12/report.j2",
    bibliography=(
        ("lin_boin12", "Lin R, Zhou Y, Yan F, Li D, Yuan Y (2020). BOIN12: Bayesian optimal "
                       "interval phase I/II trial design for utility-based dose finding in "
                       "immunotherapy and targeted therapies. JCO Precis Oncol 4:1393-1402."),
    ),
    designs=(("boin12", {}),),
    extras=(("next", "designcalc.dose.phase12.cli:next_cmd"),
            ("pathways", "designcalc.dose.phase12.cli:pathways_cmd")),
    keywords=("efficacy", "optimal biological dose", "obd", "phase i/ii", "boin12"),
    examples=(
        # three doses, 4 cohorts: exact in well under a second
        {"design": {"phi_t": 0.35, "phi_e": 0.25, "cohorts": 4},
         "scenarios": {"peak2": [0.05, 0.20, 0.45, 0.15, 0.45, 0.50]},     # tox, then eff
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "boin12", "--cohorts", "4",
                 "--scenario", "peak2=0.05,0.20,0.45,0.15,0.45,0.50", "--n-sims", "4000",
                 "--seed", "20261201"]},
        # correlated outcomes, u2 + u3 != 100 (the program keeps "both"), escalation's rules
        {"design": {"phi_t": 0.3, "phi_e": 0.3, "u2": 30, "u3": 50, "cohorts": 4,
                    "n_stop": 9, "stop_rule": "next", "select": "desirability"},
         "scenarios": {"flat": [0.10, 0.30, 0.40, 0.45]},
         "options": {"odds_ratio": 2.0},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "boin12", "--phi-t", "0.3", "--phi-e", "0.3",
                 "--u2", "30", "--u3", "50", "--cohorts", "4", "--n-stop", "9",
                 "--stop-rule", "next", "--select", "desirability", "--odds-ratio", "2",
                 "--scenario", "flat=0.10,0.30,0.40,0.45", "--n-sims", "4000",
                 "--seed", "20261201"]},
    ),
)


def _unit(name, help_, default):
    return Param(name, "float", help_, default=default, domain="(0, 1)")


KEYBOARD_SPEC = FamilySpec(
    name="keyboard_obd",
    title="Keyboard phase I/II design for the optimal biological dose, with exact OC",
    design="designcalc.dose.phase12.keyboard:KeyboardObdDesign",
    params=(
        _unit("target_tox", "Highest acceptable toxicity probability (target.toxicity).", 0.3),
        _unit("target_eff", "Lowest acceptable efficacy probability (target.efficacy).", 0.4),
        _unit("tox_low", "Toxicity key boundary: low (toxicity.low).", 0.15),
        _unit("tox_moderate", "Toxicity key boundary: moderate (toxicity.moderate).", 0.25),
        _unit("tox_high", "Toxicity key boundary: high (toxicity.high).", 0.35),
        _unit("eff_low", "Efficacy key boundary: low (efficacy.low).", 0.25),
        _unit("eff_moderate", "Efficacy key boundary: moderate (efficacy.moderate).", 0.45),
        _unit("eff_high", "Efficacy key boundary: high (efficacy.high).", 0.65),
        Param("cohorts", "int", "Maximum number of cohorts (ncohort).", default=10,
              domain=">= 1", unit="cohorts"),
        Param("cohort_size", "int", "Patients per cohort (cohortsize).", default=3,
              domain=">= 1", unit="patients"),
        Param("n_early", "int", "Stop when the current dose has this many patients "
              "(n.early).", default=100, domain=">= 1", unit="patients"),
        Param("start_level", "int", "Dose level of the first cohort (startdose).", default=1,
              domain=">= 1"),
        _unit("p1", "Utility 1: toxicity below which f(p) = 1 (p1).", 0.15),
        _unit("p2", "Utility 1: toxicity above which f(p) = 0 (p2).", 0.40),
        _unit("q1", "Utility 1: efficacy below which g(q) = 0 (q1).", 0.3),
        _unit("q2", "Utility 1: efficacy above which g(q) = 1 (q2).", 0.6),
        _unit("cutoff_tox", "Eliminate a dose and those above if Pr(p_T > target_tox) > "
              "this (cutoff.eli.toxicity).", 0.95),
        _unit("cutoff_eff", "Eliminate a dose if Pr(p_E > target_eff) < this "
              "(cutoff.eli.efficacy).", 0.3),
        Param("w1", "float", "Utilities 2, 3: weight of toxicity (w1.toxicity).",
              default=0.33),
        Param("w2", "float", "Utility 3: extra weight of toxicity above indicator "
              "(w2.toxicity).", default=1.09),
        Param("indicator", "float", "Utility 3: toxicity threshold (indicator; default "
              "target_tox).", default=None, domain="(0, 1)"),
        Param("utility", "int", "The OBD selection reported: 1 f(p) g(q), 2 q - w1 p, 3 q - "
              "w1 p - w2 p 1(p > indicator) (selpercent1-3).", default=1, domain="1..3"),
    ),
    scenario=_SCENARIO,
    options=_OPTIONS,
    exact=True,
    simulate=True,
    plots=SPEC.plots,
    labels="designcalc.dose.phase12.present:LABELS",
    commands=("dose oc --design keyboard-obd", "dose simulate --design keyboard-obd",
              "dose next --design keyboard-obd", "dose table --design keyboard-obd",
              "dose pathways --design keyboard-obd", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),
    summary=("select", "en"),
    doc="docs/phase12.md",
    references=("li_keyboard_obd", "plackett"),
    bibliography=(
        ("li_keyboard_obd", "Li DH, Whitmore JB, Guo W, Ji Y (2017). Toxicity and efficacy "
                            "probability interval design for phase I adoptive cell therapy "
                            "dose-finding clinical trials. Clin Cancer Res 23:13-20."),
    ),
    report="designcalc.dose.phase12.report:keyboard_facts",
    report_template="designcalc/dose/phase12/report.j2",
    designs=(("keyboard-obd", {}),),
    extras=(("next", "designcalc.dose.phase12.cli:keyboard_next_cmd"),
            ("table", "designcalc.dose.phase12.cli:keyboard_table_cmd"),
            ("pathways", "designcalc.dose.phase12.cli:keyboard_pathways_cmd")),
    keywords=("efficacy", "optimal biological dose", "obd", "phase i/ii", "keyboard"),
    examples=(
        # three doses, 4 cohorts: exact in well under a second
        {"design": {"cohorts": 4},
         "scenarios": {"peak2": [0.05, 0.20, 0.45, 0.20, 0.50, 0.45]},     # tox, then eff
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "keyboard-obd", "--cohorts", "4",
                 "--scenario", "peak2=0.05,0.20,0.45,0.20,0.50,0.45", "--n-sims", "4000",
                 "--seed", "20261201"]},
        # cohorts of 2, start at level 2, early stop at 6, utility 3, correlated outcomes
        {"design": {"target_tox": 0.25, "target_eff": 0.3, "cohorts": 5, "cohort_size": 2,
                    "start_level": 2, "n_early": 6, "utility": 3},
         "scenarios": {"flat": [0.10, 0.30, 0.40, 0.45]},
         "options": {"odds_ratio": 2.0},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "keyboard-obd", "--target-tox", "0.25",
                 "--target-eff", "0.3", "--cohorts", "5", "--cohort-size", "2",
                 "--start-level", "2", "--n-early", "6", "--utility", "3",
                 "--odds-ratio", "2", "--scenario", "flat=0.10,0.30,0.40,0.45",
                 "--n-sims", "4000", "--seed", "20261201"]},
    ),
)
