"""Registry entry of the ``survival`` family (light: no numpy, no pandas at import).

:data:`SPEC` declares :class:`designcalc.survival.onesample.SurvivalDesign`;
:func:`search` sizes one design per test (the ``survival design`` inputs) and
:func:`attains` checks a found design against the requirements.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec
from designcalc.survival.names import TESTS

__all__ = ["SPEC", "search", "attains"]

_TESTS = TESTS

SPEC = FamilySpec(
    name="survival",
    title="Single-arm time-to-event design (one-sample log-rank, landmark KM, "
          "exponential MLE, exact binary landmark)",
    design="designcalc.survival.onesample:SurvivalDesign",
    params=(
        Param("test", _TESTS, "The test: one-sample log-rank, landmark Kaplan-Meier S(t0), "
              "exponential MLE, or exact binomial of event-free at t0."),
        Param("n", "int", "Number of patients.", domain=">= 2", unit="patients"),
        Param("median0", "float", "Null (historical) median time to event (required unless "
              "null_hazards gives the null).", default=None, domain="> 0", unit="months"),
        Param("median1", "float", "Alternative median (or give hr or s1).", default=None,
              domain="> median0 (< median0 with direction 'shorter')", unit="months"),
        Param("accrual", "float", "Uniform accrual duration (or give accrual_rate).",
              default=None, domain="> 0", unit="months"),
        Param("followup", "float", "Follow-up after the last patient enters.", domain="> 0",
              unit="months"),
        Param("alpha", "float", "One-sided nominal type I error.", default=0.05,
              domain="(0, 0.5)"),
        Param("shape", "float", "Weibull shape of both curves (1 = exponential).", default=1.0,
              domain="> 0"),
        Param("landmark", "float", "Landmark time t0 (landmark and binary tests, s1).",
              default=None, domain="> 0", unit="months"),
        Param("dropout_rate", "float", "Exponential dropout hazard (0 = no dropout).",
              default=0.0, domain=">= 0", unit="per month"),
        Param("hr", "float", "Alternative as a hazard ratio against the null.", default=None,
              domain="(0, 1); > 1 with direction 'shorter'"),
        Param("s1", "float", "Alternative as the survival probability at the landmark.",
              default=None, domain="(S0(landmark), 1)"),
        Param("accrual_rate", "float", "Accrual rate instead of accrual (accrual lasts "
              "n / rate months).", default=None, domain="> 0", unit="patients per month"),
        Param("direction", ("longer", "shorter"), "Which times are better (longer: median1 > "
              "median0, hr < 1).", default="longer"),
        Param("null_hazards", "float_list", "Piecewise-exponential null instead of median0: "
              "hazards on [0, b1), [b1, b2), ..., [bk, inf).", default=None, domain="> 0",
              unit="per month"),
        Param("null_breaks", "float_list", "Break points of null_hazards (one fewer).",
              default=None, domain="increasing, > 0", unit="months"),
        Param("max_followup", "float", "Per-patient follow-up: each patient followed at most "
              "this long after entry (default: until the analysis).", default=None,
              domain="> 0 (>= landmark)", unit="months"),
    ),
    scenario=ScenarioSpec("none"),
    exact=True,
    simulate=True,
    search="designcalc.survival.spec:search",
    plots=(("power", "designcalc.survival.present:survival_power"),
           ("curves", "designcalc.survival.present:survival_curves")),
    labels="designcalc.survival.present:LABELS",
    commands=("survival design", "survival power", "survival oc", "survival simulate",
              "trial run"),
    cli_group="survival",
    generic=("oc", "simulate"),
    summary=("power", "alpha_actual"),
    doc="docs/survival.md",
    report="designcalc.survival.report:facts",
    report_template="designcalc/survival/report.j2",
    keywords=("median", "accrual", "follow-up", "dropout", "hazard"),
    examples=(
        # Novaferon (NCT02455596): the trial config's PFS analysis.
        {"design": {"test": "logrank", "n": 20, "median0": 6.0, "median1": 12.0,
                    "accrual": 12.0, "followup": 12.0, "alpha": 0.05},
         "n_sims": 2000,
         "search": {"median0": 6.0, "median1": 12.0, "accrual": 12.0, "followup": 12.0,
                    "alpha": 0.05, "power": 0.8}},
        # Weibull (increasing hazard), landmark Kaplan-Meier at 6 months.
        {"design": {"test": "landmark", "n": 60, "median0": 6.0, "median1": 9.0,
                    "shape": 1.5, "landmark": 6.0, "accrual": 12.0, "followup": 12.0},
         "n_sims": 2000,
         "search": {"test": "landmark", "median0": 6.0, "median1": 9.0, "shape": 1.5,
                    "landmark": 6.0, "accrual": 12.0, "followup": 12.0, "power": 0.8}},
        # Exact binary landmark test (everyone followed past t0), Weibull shape 0.8.
        {"design": {"test": "binary", "n": 30, "median0": 6.0, "median1": 12.0,
                    "shape": 0.8, "landmark": 6.0, "accrual": 12.0, "followup": 12.0},
         "n_sims": 4000,
         "search": {"test": "binary", "median0": 6.0, "median1": 12.0, "shape": 0.8,
                    "landmark": 6.0, "accrual": 12.0, "followup": 12.0, "power": 0.7}},
    ),
    extras=(("--help", "designcalc.survival.cli:HELP"),
            ("design", "designcalc.survival.cli:design_cmd"),
            ("power", "designcalc.survival.cli:power_cmd")),
)


def search(**requirements) -> list:
    """One :class:`~designcalc.survival.onesample.SurvivalDesign` per test at the n found.

    ``requirements`` are the ``survival design`` inputs: the model (``median0``,
    ``median1`` or ``hr`` or ``s1``, ``accrual`` or ``accrual_rate``,
    ``followup``, ``alpha``, ``shape``, ``landmark``, ``dropout_rate``,
    ``direction``, ``null_hazards``/``null_breaks``, ``max_followup``), ``power`` (default
    0.8), ``test`` (a name, a list or "all"), ``nmax``, ``n_by`` and, for
    ``n_by="simulation"``, ``n_sims``, ``seed``, ``workers``.
    """
    from designcalc.survival.onesample import size_designs

    return [entry["design"] for entry in size_designs(**requirements)]


def attains(design, **requirements) -> bool:
    """True when ``design`` reaches the required ``power`` (default 0.8).

    The analytic power (exact for the binary test) is compared with the
    target; with ``n_by="simulation"`` the power simulated with ``n_sims``
    trials and ``seed`` (how :func:`search` chose n) is compared instead.
    """
    target = requirements.get("power", 0.8)
    if requirements.get("n_by", "formula") == "simulation":
        res = design.simulate(n_sims=requirements["n_sims"], seed=requirements.get("seed"),
                              workers=requirements.get("workers", 1))
        return res.rows[0]["power_sim"] >= target
    return design.oc().rows[0]["power"] >= target
