"""Registry entry of the ``combination`` family (light: no numpy at import).

BOIN (Lin & Yin 2017), Keyboard (Pan, Lin & Yuan 2020) and the waterfall (Zhang & Yuan
2016) for drug combinations on a J x K dose grid, with exact operating characteristics
for small grids and a vectorised simulation; see ``docs/combination.md``.  CLI:
``designcalc dose oc|simulate --design boin-comb|keyboard-comb|waterfall`` (the grid as a
flat row-major ``--tox`` with ``--rows``/``--cols``) and ``designcalc dose next --design
boin-comb|keyboard-comb|waterfall`` (:mod:`designcalc.dose.combination.cli`).
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec


SPEC = FamilySpec(
    name="combination",
    title="Drug-combination dose finding on a J x K grid (BOIN, Keyboard and waterfall) "
          "with exact OC",
    design="designcalc.dose.combination.design:BoinCombDesign",
    params=(
        Param("target", "float", "Target DLT probability (BOIN target).",
              domain="[0.05, 0.6]"),
        # required by the design; declared with default None so that the dose group's
        # existing commands gain no required option (the schema's compatibility)
        Param("rows", "int", "Dose levels of drug A (grid rows, lowest first); rows <= cols, "
              "as BOIN requires. Required.", default=None, domain=">= 1", unit="levels"),
        Param("cols", "int", "Dose levels of drug B (grid columns). Required.", default=None,
              domain=">= rows", unit="levels"),
        Param("cohorts", "int", "Maximum number of cohorts (BOIN ncohort).", domain=">= 1",
              unit="cohorts"),
        Param("cohort_size", "int", "Patients per cohort (cohortsize).", default=3,
              domain=">= 1", unit="patients"),
        Param("start_a", "int", "Starting level of drug A (startdose[1]).", default=1,
              domain="1..rows"),
        Param("start_b", "int", "Starting level of drug B (startdose[2]).", default=1,
              domain="1..cols"),
        Param("n_earlystop", "int", "Stop when the current combination has this many "
              "patients (n.earlystop, as next.comb; the waterfall: end the subtrial); "
              "default 100, for the waterfall 12 (BOIN's defaults).", default=None,
              domain=">= 1", unit="patients"),
        Param("p_saf", "float", "phi1 (p.saf); default 0.6 x target.", default=None,
              domain="<= 0.9 x target"),
        Param("p_tox", "float", "phi2 (p.tox); default 1.4 x target.", default=None,
              domain=">= 1.1 x target"),
        Param("cutoff_eli", "float", "Eliminate a combination (and those above it) if "
              "Pr(p > target | data) > this (>= 3 patients).", default=0.95,
              domain="[0.5, 1)"),
        Param("extrasafe", "bool", "Stricter stop at the lowest combination (extrasafe).",
              default=False),
        Param("offset", "float", "extrasafe: stop if Pr(p11 > target) > cutoff_eli - offset.",
              default=0.05, domain="(0, 0.5)"),
        Param("bound_mtd", "bool", "Select only combinations with isotonic estimate <= "
              "lambda_d (boundMTD).", default=False),
        Param("get_oc_rule", "bool", "Escalate as BOIN's get.oc.comb simulates, without "
              "next.comb's check of observed DLT rates >= lambda_d in the row/column "
              "escalated into (default: next.comb's rule, as the trial is conducted).",
              default=False),
        Param("variant", "str", "boin: BOIN's boundaries (Lin & Yin 2017); keyboard: the "
              "Keyboard design for combinations (Pan, Lin & Yuan 2020); waterfall: the "
              "waterfall design's MTD contour (Zhang & Yuan 2016).", default="boin",
              domain="boin, keyboard, waterfall"),
        Param("margin_low", "float", "Keyboard: the target key's lower margin (marginL); "
              "default 0.05.", default=None, domain="(0, target)"),
        Param("margin_high", "float", "Keyboard: the target key's upper margin (marginR); "
              "default 0.05.", default=None, domain="(0, 1 - target)"),
        Param("subtrial_cohorts", "int_list", "Waterfall: cohorts of each subtrial, one per "
              "level of drug A, summing to cohorts (ncohort); default BOIN's "
              "ceiling(round(4 / cohort_size, 2) x (J + K - 1, K - 1, ...)).", default=None,
              domain=">= 1 each"),
    ),
    scenario=ScenarioSpec("curve", "tox", "True DLT probabilities of the grid, row by row "
                          "(drug A level 1's values for drug B levels 1..cols, then level 2, "
                          "...): rows x cols numbers.", required=True),
    options=(
        Param("state_budget", "int", "Largest projected number of states of the exact "
              "program before it falls back to simulation.", default=None, domain=">= 1"),
    ),
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.dose.combination.present:selection_map"),
           ("allocation", "designcalc.dose.combination.present:allocation_map")),
    labels="designcalc.dose.combination.present:LABELS",
    commands=("dose oc --design boin-comb|keyboard-comb|waterfall",
              "dose simulate --design boin-comb|keyboard-comb|waterfall",
              "dose next --design boin-comb|keyboard-comb|waterfall",
              "dose pathways --design boin-comb|keyboard-comb|waterfall", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),    # served by its own extras, routed by --design
    summary=("pcs", "share_mtd", "share_above", "p_none", "en"),
    doc="docs/combination.md",
    references=(),          # by design: the report builder cites each design's own
    bibliography=(
        ("lin_yin_2017", "Lin R, Yin G (2017). Bayesian optimal interval design for dose "
                         "finding in drug-combination trials. Stat Methods Med Res "
                         "26:2155-2167."),
        ("yan_boin_2020", "Yan F, Zhang L, Zhou Y, Pan H, Liu S, Yuan Y (2020). BOIN: an R "
                          "package for designing single-agent and drug-combination "
                          "dose-finding trials using Bayesian optimal interval designs. "
                          "J Stat Softw 94(13):1-32."),
        ("zhang_yuan_2016", "Zhang L, Yuan Y (2016). A practical Bayesian design to "
                            "identify the maximum tolerated dose contour for drug "
                            "combination trials. Stat Med 35:4924-4936."),
        ("pan_keyboard_comb_2020", "Pan H, Lin R, Yuan Y (2020). Keyboard design for phase "
                                   "I drug-combination trials. Contemp Clin Trials "
                                   "92:105972."),
    ),
    report="designcalc.dose.combination.report:facts",
    report_template="designcalc/dose/combination/report.j2",
    designs=(("boin-comb", {"variant": "boin"},
              ("margin_low", "margin_high", "subtrial_cohorts")),
             ("keyboard-comb", {"variant": "keyboard"},
              ("p_saf", "p_tox", "bound_mtd", "get_oc_rule", "subtrial_cohorts")),
             ("waterfall", {"variant": "waterfall"},
              ("p_saf", "p_tox", "get_oc_rule", "margin_low", "margin_high", "start_a",
               "start_b"))),
    keywords=("combination", "toxicity", "dlt"),
    examples=(
        # a 2 x 2 grid, 5 cohorts of 3: exact beside simulated
        {"design": {"target": 0.3, "rows": 2, "cols": 2, "cohorts": 5},
         "scenarios": {"rising": [0.10, 0.20, 0.30, 0.50]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "boin-comb", "--target", "0.3", "--rows", "2",
                 "--cols", "2", "--cohorts", "5", "--scenario", "rising=0.10,0.20,0.30,0.50",
                 "--n-sims", "4000", "--seed", "20261201"]},
        # 2 x 3, start in the middle of drug B, extra safe, early stop at 9, boundMTD
        {"design": {"target": 0.25, "rows": 2, "cols": 3, "cohorts": 4, "start_b": 2,
                    "n_earlystop": 9, "extrasafe": True, "bound_mtd": True},
         "scenarios": {"toxic": [0.25, 0.35, 0.50, 0.40, 0.55, 0.70]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "boin-comb", "--target", "0.25", "--rows", "2",
                 "--cols", "3", "--cohorts", "4", "--start-b", "2", "--n-earlystop", "9",
                 "--extrasafe", "--bound-mtd",
                 "--scenario", "toxic=0.25,0.35,0.50,0.40,0.55,0.70",
                 "--n-sims", "4000", "--seed", "20261201"]},
        # Keyboard for combinations on a 2 x 2 grid, 4 cohorts of 3
        {"design": {"target": 0.3, "rows": 2, "cols": 2, "cohorts": 4,
                    "variant": "keyboard"},
         "scenarios": {"rising": [0.10, 0.25, 0.30, 0.50]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "keyboard-comb", "--target", "0.3", "--rows", "2",
                 "--cols", "2", "--cohorts", "4",
                 "--scenario", "rising=0.10,0.25,0.30,0.50",
                 "--n-sims", "4000", "--seed", "20261201"]},
        # the waterfall on a 2 x 2 grid, subtrials of 3 and 2 cohorts: exact (4^5 DLT
        # sequences) beside simulated
        {"design": {"target": 0.3, "rows": 2, "cols": 2, "cohorts": 5,
                    "subtrial_cohorts": [3, 2], "variant": "waterfall"},
         "scenarios": {"rising": [0.10, 0.20, 0.30, 0.50]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "waterfall", "--target", "0.3", "--rows", "2",
                 "--cols", "2", "--cohorts", "5", "--subtrial-cohorts", "3,2",
                 "--scenario", "rising=0.10,0.20,0.30,0.50",
                 "--n-sims", "4000", "--seed", "20261201"]},
    ),
    extras=(("next", "designcalc.dose.combination.cli:next_cmd"),
            ("oc", "designcalc.dose.combination.cli:oc"),
            ("simulate", "designcalc.dose.combination.cli:simulate"),
            ("pathways", "designcalc.dose.pathways.cli:pathways_cmd")),    # issue #23 (DTP)
    random_scenarios="designcalc.dose.scenarios:GridRandomScenarios",
)
