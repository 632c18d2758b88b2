"""Registry entry of the ``survival_two_stage`` family (light: no numpy at import).

:data:`SPEC` declares :class:`designcalc.survival.twostage.TwoStageLogrankDesign`;
:func:`search` returns the optimal, minimax and admissible designs and
:func:`attains` checks a design against the requirements (analytic power and
type I error, minimum PET under H0).
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC", "search", "attains"]

_EXAMPLE = {"shape": 1.0, "s0": 0.72, "x0": 3.0, "hr": 0.459, "followup": 3.0, "rate": 20.0}

SPEC = FamilySpec(
    name="survival_two_stage",
    title="Two-stage single-arm design on the one-sample log-rank test (futility interim)",
    design="designcalc.survival.twostage:TwoStageLogrankDesign",
    params=(
        Param("n1", "int", "Patients entered by the interim (n1 = ceil(rate t1)).",
              domain="1 <= n1 <= n", unit="patients"),
        Param("c1", "float", "Futility bound: stop if W1 = (E1 - O1)/sqrt(E1) < c1."),
        Param("n", "int", "Maximum number of patients.", domain=">= 2", unit="patients"),
        Param("c", "float", "Final bound: reject H0 if W = (E - O)/sqrt(E) > c."),
        Param("s0", "float", "Null survival probability at x0.", domain="(0, 1)"),
        Param("x0", "float", "Time point of s0.", domain="> 0", unit="time units"),
        Param("hr", "float", "Alternative hazard ratio (S1 = S0^hr).", domain="(0, 1)"),
        Param("followup", "float", "Follow-up after the last entry (restricted: of every "
              "patient).", domain="> 0", unit="time units"),
        Param("rate", "float", "Accrual rate.", domain="> 0", unit="patients per time unit"),
        Param("shape", "float", "Weibull shape of the curves (1 = exponential).", default=1.0,
              domain="> 0"),
        Param("restricted", "bool", "Restricted follow-up (each patient followed at most "
              "followup).", default=False),
        Param("dropout_rate", "float", "Exponential dropout hazard.", default=0.0,
              domain=">= 0", unit="per time unit"),
        Param("t1", "float", "Calendar time of the interim (default n1 / rate).", default=None,
              domain="(n1 - 1)/rate < t1 <= n1/rate", unit="time units"),
        Param("convention", ("designcalc", "OneArm2stage"), "Interim drift: everyone "
              "entered by t1 (designcalc) or OneArm2stage's sqrt(rate t1) scaling.",
              default="designcalc"),
    ),
    scenario=ScenarioSpec("none"),
    exact=True,
    simulate=True,
    search="designcalc.survival.twostage_spec:search",
    attains="designcalc.survival.twostage_spec:attains",
    plots=(),
    labels="designcalc.survival.present:LABELS",
    commands=("survival two-stage", "survival two-stage-oc",
              "survival oc --design survival_two_stage",
              "survival simulate --design survival_two_stage", "trial run"),
    cli_group="survival",
    generic=("oc", "simulate"),
    summary=("alpha_actual", "power_actual", "en0", "pet0"),
    doc="docs/survival.md",
    references=("wu2020",),
    examples=(
        # OneArm2stage vignette, example 1 (Wu et al. 2020): its optimal design.
        {"design": {"n1": 22, "c1": -0.7215, "n": 46, "c": 1.5952, "t1": 1.0619, **_EXAMPLE},
         "n_sims": 2000,
         "cli": ["survival", "two-stage-oc", "--n1", "22", "--c1", "-0.7215", "--n", "46",
                 "--c", "1.5952", "--t1", "1.0619", "--shape", "1", "--s0", "0.72",
                 "--x0", "3", "--hr", "0.459", "--followup", "3", "--rate", "20",
                 "--n-sims", "2000", "--seed", "20261201"],
         "search": {**_EXAMPLE, "alpha": 0.05, "power": 0.8, "t1_steps": 1, "n_max": 50}},
        # Restricted follow-up, Weibull shape 1.5, dropout.
        {"design": {"n1": 30, "c1": 0.0, "n": 60, "c": 1.55, "shape": 1.5, "s0": 0.6,
                    "x0": 2.0, "hr": 0.55, "followup": 2.0, "rate": 15.0, "restricted": True,
                    "dropout_rate": 0.05},
         "n_sims": 2000,
         "cli": ["survival", "oc", "--design", "survival_two_stage", "--n1", "30", "--c1", "0",
                 "--n", "60", "--c", "1.55", "--shape", "1.5", "--s0", "0.6", "--x0", "2",
                 "--hr", "0.55", "--followup", "2", "--rate", "15", "--restricted",
                 "--dropout-rate", "0.05", "--n-sims", "2000", "--seed", "20261201"]},
    ),
    extras=(("two-stage", "designcalc.survival.cli:two_stage_cmd"),
            ("two-stage-oc", "designcalc.survival.cli:two_stage_oc_cmd")),
)


def search(**requirements) -> list:
    """The optimal, minimax and admissible designs (see
    :func:`designcalc.survival.twostage.search`)."""
    from designcalc.survival.twostage import search as _search

    return [d for _, d, _, _ in _search(**requirements)["designs"]]


def attains(design, **requirements) -> bool:
    """True when the analytic power reaches ``power`` (default 0.8), the analytic type
    I error is at most ``alpha`` (default 0.05) and ``PET0 >= min_pet``."""
    oc = design.analytic()
    return (oc["power_actual"] >= requirements.get("power", 0.8)
            and oc["alpha_actual"] <= requirements.get("alpha", 0.05) + 1e-12
            and oc["pet0"] >= requirements.get("min_pet", 0.0) - 1e-12)
