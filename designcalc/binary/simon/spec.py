"""Registry entry of the ``simon`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC", "RULE_PARAMS", "HYPOTHESES", "search", "attains"]

RULE_PARAMS = (
    Param("r1", "int", "Stop after stage 1 if responses <= r1.", domain="0 <= r1 < n1",
          unit="responses"),
    Param("n1", "int", "Stage-1 sample size.", domain="1 <= n1 < n", unit="patients"),
    Param("r", "int", "Declare the treatment promising if total responses > r.",
          domain="r1 <= r < n", unit="responses"),
    Param("n", "int", "Total sample size.", domain=">= 2", unit="patients"),
)

HYPOTHESES = (
    Param("p0", "float", "H0 response probability: report the attained alpha.",
          default=None, domain="(0, 1)"),
    Param("p1", "float", "H1 response probability: report the attained power.",
          default=None, domain="(0, 1), > p0"),
)


def search(p0, p1, alpha, power, nmax=None):
    """The minimax, admissible and optimal designs (:func:`designcalc.binary.simon.search`)."""
    from designcalc.binary.simon import search as simon_search

    return [a.design for a in simon_search(p0, p1, alpha, power, nmax=nmax).admissible]


def attains(design, p0, p1, alpha, power, nmax=None):
    """clinfun's strict rule: alpha_actual < alpha and power_actual > power."""
    return design.alpha_actual(p0) < alpha and design.power_actual(p1) > power


SPEC = FamilySpec(
    name="simon",
    title="Simon two-stage design (binary endpoint)",
    design="designcalc.binary.simon.design:SimonDesign",
    params=RULE_PARAMS,
    scenario=ScenarioSpec("p", "p", "True response probability.", required=False),
    options=HYPOTHESES,
    exact=True,
    simulate=True,
    search="designcalc.binary.simon.spec:search",
    attains="designcalc.binary.simon.spec:attains",
    plots=(("oc", "designcalc.binary.simon.present:simon_oc"),),
    commands=("simon design", "simon oc", "simon audit", "simon analyze", "trial run"),
    cli_group="simon",
    generic=("oc",),
    summary=("reject", "pet", "en"),
    doc="docs/simon.md",
    references=("simon", "clopper"),
    report="designcalc.binary.simon.report:facts",
    report_template="designcalc/binary/simon/report.j2",
    keywords=("p0", "p1", "response", "binary"),
    examples=(
        # NALIRIFOX (seed 001): 6/12, 19/28 on 6-month PFS at the ASSUMED p0 0.5, p1 0.8
        {"design": {"r1": 6, "n1": 12, "r": 19, "n": 28},
         "scenarios": {"H0": 0.5, "H1": 0.8, "low": 0.3}, "options": {"p0": 0.5, "p1": 0.8},
         "n_sims": 4000, "search": {"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8}},
        # Simon (1989) optimal design for p0 0.05, p1 0.25, alpha 0.10, power 0.90
        {"design": {"r1": 0, "n1": 9, "r": 2, "n": 24},
         "scenarios": [0.05, 0.15, 0.25], "n_sims": 4000,
         "search": {"p0": 0.05, "p1": 0.25, "alpha": 0.10, "power": 0.90}},
    ),
    extras=(("--help", "designcalc.binary.simon.cli:HELP"),
            ("design", "designcalc.binary.simon.cli:design"),
            ("audit", "designcalc.binary.simon.cli:audit"),
            ("analyze", "designcalc.binary.simon.cli:analyze")),
)
