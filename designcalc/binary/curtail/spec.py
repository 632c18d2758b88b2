"""Registry entry of the ``curtail`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec
from designcalc.binary.multistage.spec import SPEC as _MULTISTAGE

__all__ = ["SPEC"]

SPEC = FamilySpec(
    name="curtail",
    title="Curtailment of a K-look binary rule: non-stochastic and stochastic (exact)",
    design="designcalc.binary.curtail.design:CurtailedDesign",
    params=_MULTISTAGE.params + (
        Param("every", "int", "Monitor every this many patients (the looks always).",
              default=1, domain=">= 1", unit="patients"),
        Param("theta_f", "float", "Stop, not promising, if the conditional power <= "
              "theta_f (0: only when the decision is certain).", default=0.0,
              domain="[0, theta_e)"),
        Param("theta_e", "float", "Stop, promising, if the conditional power >= theta_e "
              "(1: only when the decision is certain).", default=1.0, domain="(theta_f, 1]"),
        Param("p_cp", "float", "Response rate of the conditional power (Law et al.: p1); "
              "needed when theta_f > 0 or theta_e < 1.", default=None, domain="(0, 1)"),
    ),
    scenario=ScenarioSpec("p", "p", "True response probability.", required=False),
    options=_MULTISTAGE.options,
    exact=True,
    simulate=False,
    plots=(("oc", "designcalc.binary.curtail.present:curtail_oc"),),
    labels="designcalc.binary.curtail.present:LABELS",
    commands=("curtail oc", "trial run"),
    cli_group="curtail",
    generic=("oc",),
    summary=("reject", "en", "en_saving"),
    doc="docs/curtail.md",
    references=("law2022",),
    bibliography=(("law2022", "Law M, Grayling MJ, Mander AP (2022). Optimal curtailed "
                   "designs for single arm phase II clinical trials. J Biopharm Stat "
                   "32:671-689."),),
    keywords=("curtail", "curtailment", "conditional power"),
    examples=(
        # NALIRIFOX (seed 001): Simon 6/12, 19/28, non-stochastic curtailment
        {"design": {"looks": [12, 28], "futility": [6, 19]},
         "scenarios": {"H0": 0.5, "H1": 0.8}},
        # the same rule, stochastic curtailment at p1 = 0.8, monitored every 2 patients
        {"design": {"looks": [12, 28], "futility": [6, 19], "every": 2, "theta_f": 0.05,
                    "theta_e": 0.95, "p_cp": 0.8},
         "scenarios": {"H0": 0.5, "H1": 0.8}},
    ),
)
