"""Registry entries of the ``single_stage`` and ``binomial_power`` families (light)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec
from designcalc.binary.simon.spec import HYPOTHESES

__all__ = ["SPEC", "POWER_SPEC", "search", "attains"]


def search(p0, p1, alpha, power, n_rule="smallest", nmax=None):
    """The exact single-stage design (:func:`designcalc.binary.single_stage.design.search`)."""
    from designcalc.binary.single_stage.design import search as ss_search

    return [ss_search(p0, p1, alpha, power, n_rule=n_rule, nmax=nmax).design]


def attains(design, p0, p1, alpha, power, n_rule="smallest", nmax=None):
    """A'Hern's rule: alpha_actual <= alpha and power_actual >= power."""
    return design.alpha_actual(p0) <= alpha and design.power_actual(p1) >= power


SPEC = FamilySpec(
    name="single_stage",
    title="Single-stage exact binomial design",
    design="designcalc.binary.single_stage.design:SingleStageDesign",
    params=(
        Param("n", "int", "Sample size.", domain=">= 1", unit="patients"),
        Param("r", "int", "Declare the treatment promising if responses > r.",
              domain="0 <= r < n", unit="responses"),
    ),
    scenario=ScenarioSpec("p", "p", "True response probability.", required=False),
    options=HYPOTHESES,
    exact=True,
    simulate=True,
    search="designcalc.binary.single_stage.spec:search",
    attains="designcalc.binary.single_stage.spec:attains",
    plots=(("oc", "designcalc.binary.single_stage.present:binary_oc"),),
    labels="designcalc.binary.single_stage.present:LABELS",
    commands=("binomial design", "binomial oc", "binomial ci", "trial run"),
    cli_group="binomial",
    generic=("oc",),
    summary=("reject",),
    doc="docs/binary.md",
    references=("fleming", "ahern", "clopper"),
    report="designcalc.binary.single_stage.report:facts",
    report_template="designcalc/binary/single_stage/report.j2",
    keywords=("p0", "p1", "response", "binary"),
    examples=(
        # Novaferon (seed 000) DCR: reject H0 0.30 if >= 10 of 20
        {"design": {"n": 20, "r": 9}, "scenarios": {"H0": 0.30, "H1": 0.55},
         "options": {"p0": 0.30, "p1": 0.55}, "n_sims": 4000,
         "search": {"p0": 0.30, "p1": 0.55, "alpha": 0.05, "power": 0.75}},
        # Leflunomide (seed 002) ORR: H0 0.055, reject if >= 7 of 50
        {"design": {"n": 50, "r": 6}, "scenarios": [0.055, 0.1, 0.2], "n_sims": 4000,
         "search": {"p0": 0.055, "p1": 0.20, "alpha": 0.05, "power": 0.8}},
    ),
    extras=(("--help", "designcalc.binary.single_stage.cli:HELP"),
            ("design", "designcalc.binary.single_stage.cli:design_cmd"),
            ("ci", "designcalc.binary.single_stage.cli:ci_cmd")),
)

POWER_SPEC = FamilySpec(
    name="binomial_power",
    title="Exact single-stage power over a range of n",
    design="designcalc.binary.single_stage.design:BinomialPowerRange",
    params=(
        Param("n_min", "int", "Smallest sample size.", domain=">= 1", unit="patients"),
        Param("n_max", "int", "Largest sample size.", domain="n_min..10000", unit="patients"),
        Param("p0", "float", "H0 response probability.", domain="(0, 1)"),
        Param("p1", "float", "Response probability at which power is computed.",
              domain="(0, 1), > p0"),
        Param("alpha", "float", "One-sided type I error bound (attained alpha <= alpha).",
              domain="(0, 1)"),
        Param("level", "float", "Confidence level of the expected CI half-width.",
              default=0.95, domain="(0, 1)"),
    ),
    scenario=ScenarioSpec("none"),
    exact=True,
    simulate=False,
    plots=(("power", "designcalc.binary.single_stage.present:power_by_n"),),
    labels="designcalc.binary.single_stage.present:LABELS",
    commands=("binomial power", "binomial oc --design binomial_power", "trial run"),
    cli_group="binomial",
    generic=("oc",),
    summary=("power", "alpha_actual", "ci_halfwidth"),
    doc="docs/binary.md",
    references=("ahern", "clopper"),
    report="designcalc.binary.single_stage.report:power_range_facts",
    report_template="designcalc/binary/single_stage/power_report.j2",
    keywords=("p0", "p1", "response", "binary"),
    examples=(
        # MSC-IFNa phase 2 (seed 003): 10 to 30 subjects
        {"design": {"n_min": 10, "n_max": 30, "p0": 0.05, "p1": 0.25, "alpha": 0.05},
         "cli": ["binomial", "oc", "--design", "binomial_power", "--n-min", "10", "--n-max",
                 "30", "--p0", "0.05", "--p1", "0.25", "--alpha", "0.05"]},
    ),
    extras=(("power", "designcalc.binary.single_stage.cli:power_cmd"),),
)
