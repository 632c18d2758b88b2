"""Registry entry of the ``combination`` family (light: no numpy at import).

BOIN for drug combinations on a J x K dose grid (Lin & Yin 2017), with exact
operating characteristics for small grids and a vectorised simulation; see
``docs/combination.md``.  CLI: ``designcalc dose oc|simulate --design boin-comb``
(the grid as a flat row-major ``--tox`` with ``--rows``/``--cols``) and
``designcalc dose next --design boin-comb`` (:mod:`designcalc.dose.combination.cli`).
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec


SPEC = FamilySpec(
    name="combination",
    title="Drug-combination dose finding on a J x K grid (BOIN combination) with exact OC",
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
              "patients (n.earlystop, as next.comb).", default=100, domain=">= 1",
              unit="patients"),
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
    commands=("dose oc --design boin-comb", "dose simulate --design boin-comb",
              "dose next --design boin-comb", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),    # served by its own extras, routed by --design
    summary=("pcs", "share_mtd", "share_above", "p_none", "en"),
    doc="docs/combination.md",
    references=("lin_yin_2017", "liu_yuan", "yan_boin_2020"),
    bibliography=(
        ("lin_yin_2017", "Lin R, Yin G (2017). Bayesian optimal interval design for dose "
                         "finding in drug-combination trials. Stat Methods Med Res "
                         "26:2155-2167."),
        ("yan_boin_2020", "Yan F, Zhang L, Zhou Y, Pan H, Liu S, Yuan Y (2020). BOIN: an R "
                          "package for designing single-agent and drug-combination "
                          "dose-finding trials using Bayesian optimal interval designs. "
                          "J Stat Softw 94(13):1-32."),
    ),
    report="designcalc.dose.combination.report:facts",
    report_template="designcalc/dose/combination/report.j2",
    designs=(("boin-comb", {}),),
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
    ),
    extras=(("next", "designcalc.dose.combination.cli:next_cmd"),
            ("oc", "designcalc.dose.combination.cli:oc"),
            ("simulate", "designcalc.dose.combination.cli:simulate"),
            ("pathways", "designcalc.dose.pathways.cli:pathways_cmd")),    # issue #23 (DTP)
)
