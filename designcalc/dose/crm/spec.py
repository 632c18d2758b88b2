"""Registry entry of the ``crm`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

SPEC = FamilySpec(
    name="crm",
    title="Continual reassessment method (CRM, as dfcrm): empiric or logistic model",
    design="designcalc.dose.crm.design:CRMDesign",
    params=(
        Param("target", "float", "Target DLT probability (dfcrm target).", domain="(0, 1)"),
        Param("skeleton", "float_list", "Prior DLT probability per level, increasing "
              "(dfcrm prior); or halfwidth, nu and levels.", default=None,
              domain="increasing in (0, 1)"),
        Param("halfwidth", "float", "dfcrm::getprior halfwidth of the indifference "
              "interval.", default=None, domain="(0, min(target, 1 - target))"),
        Param("nu", "int", "dfcrm::getprior prior MTD level.", default=None,
              domain="1 <= nu <= levels"),
        Param("levels", "int", "Number of dose levels (with halfwidth and nu).", default=None,
              domain=">= 1", unit="levels"),
        Param("model", ("empiric", "logistic"), "Working model (dfcrm model).",
              default="empiric"),
        Param("intercept", "float", "Logistic model intercept (dfcrm intcpt).", default=3.0,
              domain="[-30, 30]"),
        Param("prior_var", "float", "Prior variance of beta (dfcrm scale^2).", default=1.34,
              domain="[0.01, 100]"),
        Param("cohort_size", "int", "Patients per cohort (mcohort).", default=3,
              domain=">= 1", unit="patients"),
        Param("max_n", "int", "Patients in the trial (n), a multiple of cohort_size.",
              default=30, domain=">= cohort_size", unit="patients"),
        Param("start_level", "int", "Level of the first cohort (x0), 1 = lowest.",
              default=1, domain=">= 1"),
        Param("safety_stop", "float", "Stop with no MTD if Pr(p1 > target | data) > this.",
              default=None, domain="(0, 1)"),
        Param("restrict", "bool", "dfcrm restrict: no skipping, no escalation after a "
              "cohort with DLT rate >= target.", default=True),
        Param("estimator", ("plugin", "mean"), "plugin: p at E[beta] (dfcrm); mean: E[p].",
              default="plugin"),
    ),
    scenario=ScenarioSpec("curve", "tox", "True DLT probability per dose level, lowest first.",
                          required=True),
    options=(
        Param("state_budget", "int", "Largest number of live states of the exact "
              "enumeration before it falls back to simulation.", default=None, domain=">= 1"),
    ),
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.crm.present:LABELS",
    report="designcalc.dose.crm.report:facts",
    report_template="designcalc/dose/crm/report.j2",
    random_scenarios="designcalc.dose.scenarios:RandomScenarios",
    commands=("dose oc --design crm", "dose simulate --design crm", "dose next --design crm",
              "dose compare --design crm", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),
    summary=("select", "en"),
    doc="docs/dose.md",
    references=("oquigley",),
    designs=(("crm", {}),),
    design_commands=("next", "compare", "pathways"),
    # the trial size as for every dose design: cohorts x cohort_size patients (or max_n)
    cli_params=(
        "target", "skeleton",
        Param("skeleton_halfwidth", "float", "Build the skeleton by dfcrm::getprior with "
              "this halfwidth...", default=None, domain="(0, min(target, 1 - target))"),
        Param("skeleton_nu", "int", "...and this prior MTD level (levels: the curve's "
              "length, or --levels).", default=None, domain="1 <= nu <= levels"),
        Param("levels", "int", "Number of dose levels of a getprior skeleton (default: the "
              "toxicity curve's length).", default=None, domain=">= 1", unit="levels"),
        Param("cohorts", "int", "Maximum number of cohorts: the trial has cohorts x "
              "cohort_size patients (or give --max-n).", default=None, domain=">= 1",
              unit="cohorts"),
        "cohort_size",
        Param("max_n", "int", "Patients in the trial (dfcrm n), a multiple of "
              "--cohort-size; instead of --cohorts.", default=None, domain=">= cohort_size",
              unit="patients"),
        "model", "safety_stop", "prior_var", "intercept", "estimator", "start_level"),
    cli_build="designcalc.dose.crm.cli:build",
    examples=(
        # cheap: 12 patients in cohorts of 3 (25 merged states), with the safety stop
        {"design": {"target": 0.3, "skeleton": [0.05, 0.1, 0.2, 0.3, 0.5], "max_n": 12,
                    "safety_stop": 0.9},
         "scenarios": {"rising": [0.05, 0.10, 0.20, 0.30, 0.50],
                       "toxic": [0.40, 0.50, 0.60, 0.70, 0.80]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "crm", "--target", "0.3", "--skeleton",
                 "0.05,0.1,0.2,0.3,0.5", "--max-n", "12", "--safety-stop", "0.9",
                 "--scenario", "rising=0.05,0.10,0.20,0.30,0.50",
                 "--scenario", "toxic=0.40,0.50,0.60,0.70,0.80", "--n-sims", "4000",
                 "--seed", "20261201"]},
        # getprior skeleton, logistic model, start at the top dose
        {"design": {"target": 0.25, "halfwidth": 0.05, "nu": 2, "levels": 3,
                    "model": "logistic", "max_n": 9, "start_level": 3},
         "scenarios": {"msc_like": [0.05, 0.15, 0.30]},
         "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "crm", "--target", "0.25",
                 "--skeleton-halfwidth", "0.05", "--skeleton-nu", "2", "--levels", "3",
                 "--model", "logistic", "--max-n", "9", "--start-level", "3",
                 "--scenario", "msc_like=0.05,0.15,0.30", "--n-sims", "4000",
                 "--seed", "20261201"]},
    ),
)
