"""Registry entry of the ``coprimary`` family (light: no numpy, no pandas at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC"]

SPEC = FamilySpec(
    name="coprimary",
    title="Co-primary endpoints: binary response and time to event on the same patients "
          "(Gaussian copula; rule both or either)",
    design="designcalc.coprimary.design:CoprimaryDesign",
    params=(
        Param("n", "int", "Number of patients (both endpoints).", domain=">= 2",
              unit="patients"),
        Param("p0", "float", "Null response probability.", domain="(0, 1)"),
        Param("p1", "float", "Target response probability.", domain="(p0, 1)"),
        Param("followup", "float", "Follow-up after the last patient enters.", domain="> 0",
              unit="months"),
        Param("median0", "float", "Null (historical) median time to event.", default=None,
              domain="> 0", unit="months"),
        Param("median1", "float", "Alternative median (or give hr or s1).", default=None,
              domain="> median0", unit="months"),
        Param("hr", "float", "Alternative as a hazard ratio.", default=None, domain="(0, 1)"),
        Param("s1", "float", "Alternative as S(landmark).", default=None,
              domain="(S0(landmark), 1)"),
        Param("accrual", "float", "Uniform accrual duration (or accrual_rate).", default=None,
              domain="> 0", unit="months"),
        Param("accrual_rate", "float", "Accrual rate instead of accrual.", default=None,
              domain="> 0", unit="patients per month"),
        Param("max_followup", "float", "Per-patient follow-up (default: until the analysis).",
              default=None, domain="> 0 (>= landmark)", unit="months"),
        Param("shape", "float", "Weibull shape of both curves (1 = exponential).", default=1.0,
              domain="> 0"),
        Param("landmark", "float", "Landmark time t0 (tte_test landmark, s1).", default=None,
              domain="> 0", unit="months"),
        Param("dropout_rate", "float", "Exponential dropout hazard.", default=0.0,
              domain=">= 0", unit="per month"),
        Param("tte_test", ("logrank", "landmark"), "Time-to-event test: one-sample log-rank "
              "or landmark Kaplan-Meier.", default="logrank"),
        Param("correlation", "float", "Gaussian-copula correlation between response and event "
              "time (0 = independent; > 0: responders progress later).", default=0.0,
              domain="(-1, 1)"),
        Param("rule", ("both", "either"), "Success if both endpoints are significant (each at "
              "alpha) or if either is (alpha split).", default="both"),
        Param("alpha", "float", "One-sided family-wise type I error.", default=0.05,
              domain="(0, 0.5)"),
        Param("alpha_split", "str", "Rule either: bonferroni (default), holm, or a1,a2 "
              "(response, time to event; a1 + a2 <= alpha).", default=None),
    ),
    scenario=ScenarioSpec("none"),
    exact=True,
    simulate=True,
    search="designcalc.coprimary.design:search",
    attains="designcalc.coprimary.design:attains",
    plots=(("oc", "designcalc.coprimary.present:coprimary_oc"),),
    labels="designcalc.coprimary.present:LABELS",
    commands=("coprimary power", "coprimary design", "coprimary oc", "coprimary simulate",
              "trial run"),
    cli_group="coprimary",
    generic=("oc", "simulate"),
    summary=("success", "reject_response", "reject_tte", "fwer"),
    doc="docs/coprimary.md",
    keywords=("co-primary", "correlation", "copula"),
    examples=(
        # Leflunomide (seed 002) read with independence: the exact path (products).
        {"design": {"n": 50, "p0": 0.055, "p1": 0.20, "median0": 6.0, "median1": 9.0,
                    "accrual": 24.0, "followup": 8.2793, "max_followup": 8.2793,
                    "rule": "both"},
         "n_sims": 2000,
         "cli": ["coprimary", "power", "--n", "50", "--p0", "0.055", "--p1", "0.20",
                 "--median0", "6", "--median1", "9", "--accrual", "24", "--followup",
                 "8.2793", "--max-followup", "8.2793", "--rule", "both", "--correlation", "0",
                 "--n-sims", "2000", "--seed", "20261201"],
         "search": {"p0": 0.055, "p1": 0.20, "median0": 6.0, "median1": 9.0, "accrual": 24.0,
                    "followup": 8.2793, "max_followup": 8.2793, "rule": "both",
                    "power": 0.5}},
        # Novaferon (seed 000): DCR and 1-year PFS by Kaplan-Meier, correlated, Holm.
        {"design": {"n": 20, "p0": 0.30, "p1": 0.55, "median0": 6.0, "s1": 0.5,
                    "landmark": 12.0, "tte_test": "landmark", "accrual": 12.0,
                    "followup": 12.0, "max_followup": 12.0, "correlation": 0.3,
                    "rule": "either", "alpha_split": "holm"},
         "n_sims": 2000,
         "cli": ["coprimary", "power", "--n", "20", "--p0", "0.30", "--p1", "0.55",
                 "--median0", "6", "--s1", "0.5", "--landmark", "12", "--tte-test",
                 "landmark", "--accrual", "12", "--followup", "12", "--max-followup", "12",
                 "--correlation", "0.3", "--rule", "either", "--alpha-split", "holm",
                 "--n-sims", "2000", "--seed", "20261201"]},
    ),
)
