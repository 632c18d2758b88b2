"""Registry entry of the ``titecrm`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

SPEC = FamilySpec(
    name="titecrm",
    title="TITE-CRM (Cheung & Chappell 2000): the CRM with late-onset toxicities, as dfcrm",
    design="designcalc.dose.titecrm.design:TITECRMDesign",
    params=(
        Param("target", "float", "Target DLT probability (dfcrm target).", domain="(0, 1)"),
        Param("skeleton", "float_list", "Prior DLT probability per level, increasing "
              "(dfcrm prior).", domain="increasing in (0, 1)"),
        Param("max_n", "int", "Patients in the trial (dfcrm n).", default=24,
              domain="2..1000", unit="patients"),
        Param("window", "float", "DLT observation window (dfcrm obswin).", default=1.0,
              domain="> 0", unit="time (e.g. days)"),
        Param("rate", "float", "Expected arrivals per window (dfcrm rate).", default=1.0,
              domain="> 0", unit="patients per window"),
        Param("accrual", ("fixed", "poisson"), "Arrivals every window/rate, or Poisson "
              "(dfcrm accrual).", default="fixed"),
        Param("scheme", ("linear", "adaptive"), "Weights of patients still followed "
              "(dfcrm scheme).", default="linear"),
        Param("start_level", "int", "Level of the first patient (dfcrm x0).", default=1,
              domain=">= 1"),
        Param("restrict", "bool", "dfcrm restrict: never more than one level above the "
              "last patient's.", default=True),
        Param("model", ("empiric", "logistic"), "Working model (dfcrm model).",
              default="empiric"),
        Param("intercept", "float", "Logistic model intercept (dfcrm intcpt).", default=3.0,
              domain="[-30, 30]"),
        Param("prior_var", "float", "Prior variance of beta (dfcrm scale^2).", default=1.34,
              domain="[0.01, 100]"),
    ),
    scenario=ScenarioSpec("curve", "tox", "True DLT probability per dose level, lowest first.",
                          required=True),
    exact=False,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.titecrm.present:LABELS",
    random_scenarios="designcalc.dose.scenarios:RandomScenarios",
    commands=("dose simulate --design tite-crm", "dose next --design tite-crm", "trial run"),
    cli_group="dose",
    generic=("simulate",),
    summary=("select", "en", "trial_duration"),
    doc="docs/titecrm.md",
    references=("oquigley", "cheung_chappell2000", "dfcrm"),
    bibliography=(
        ("cheung_chappell2000", "Cheung YK, Chappell R (2000). Sequential designs for phase I "
         "clinical trials with late-onset toxicities. Biometrics 56:1177-1182."),
        ("dfcrm", "Cheung YK (2019). dfcrm: Dose-finding by the continual reassessment "
         "method. R package version 0.2-2.1 (titecrm, titesim)."),
    ),
    keywords=("tite", "late-onset", "late onset", "time-to-event crm"),
    designs=(("tite-crm", {}),),
    extras=(("next", "designcalc.dose.titecrm.cli:next_cmd"),),
    examples=(
        # dfcrm's titecrm example skeleton, 8 patients, 3 per window (titesim defaults)
        {"design": {"target": 0.2, "skeleton": [0.05, 0.1, 0.2, 0.35, 0.5, 0.7],
                    "max_n": 8, "window": 180.0, "rate": 3.0, "start_level": 3},
         "scenarios": {"rising": [0.05, 0.1, 0.2, 0.35, 0.5, 0.7]},
         "n_sims": 600,
         "cli": ["dose", "simulate", "--design", "tite-crm", "--target", "0.2",
                 "--skeleton", "0.05,0.1,0.2,0.35,0.5,0.7", "--max-n", "8", "--window",
                 "180", "--rate", "3", "--start-level", "3",
                 "--scenario", "rising=0.05,0.1,0.2,0.35,0.5,0.7", "--n-sims", "600",
                 "--seed", "20261201"]},
        # adaptive weights, Poisson accrual, logistic model
        {"design": {"target": 0.25, "skeleton": [0.1, 0.25, 0.4], "max_n": 6,
                    "window": 28.0, "rate": 2.0, "accrual": "poisson",
                    "scheme": "adaptive", "model": "logistic"},
         "scenarios": {"msc_like": [0.05, 0.15, 0.30]},
         "n_sims": 600,
         "cli": ["dose", "simulate", "--design", "tite-crm", "--target", "0.25",
                 "--skeleton", "0.1,0.25,0.4", "--max-n", "6", "--window", "28", "--rate",
                 "2", "--accrual", "poisson", "--scheme", "adaptive", "--model", "logistic",
                 "--scenario", "msc_like=0.05,0.15,0.30", "--n-sims", "600",
                 "--seed", "20261201"]},
    ),
)
