"""Registry entry of the ``phase12`` family (light: no numpy at import).

BOIN12, phase I/II dose finding for the optimal biological dose, with exact
operating characteristics by dynamic programming where the state count allows;
see ``docs/phase12.md``.  The CLI is ``designcalc dose oc|simulate --design boin12``.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

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
    # the dose group's shared --tox / --scenario: for boin12 one scenario is the K
    # toxicity then the K efficacy probabilities (a scenario of another name would
    # stop the group sharing its scenario option)
    scenario=ScenarioSpec("curve", "tox", "True toxicity then efficacy probability per "
                          "dose level, lowest first: t1,...,tK,e1,...,eK.", required=True),
    options=(
        Param("odds_ratio", "float", "Odds ratio of toxicity and efficacy in one patient "
              "(Plackett; 1: independent).", default=1.0, domain="> 0"),
        Param("state_budget", "int", "Largest number of expanded states of one cohort of "
              "the exact program before it falls back to simulation.", default=None,
              domain=">= 1"),
    ),
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.phase12.present:LABELS",
    commands=("dose oc --design boin12", "dose simulate --design boin12",
              "dose next --design boin12", "trial run"),
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
        ("plackett", "Plackett RL (1965). A class of bivariate distributions. J Am Stat Assoc "
                     "60:516-522."),
    ),
    designs=(("boin12", {}),),
    extras=(("next", "designcalc.dose.phase12.cli:next_cmd"),),
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
