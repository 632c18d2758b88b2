"""Registry entry of the ``multistage`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC"]

SPEC = FamilySpec(
    name="multistage",
    title="K-look single-arm binary rule (futility and efficacy bounds)",
    design="designcalc.binary.multistage.design:MultiStageDesign",
    params=(
        Param("looks", "int_list", "Cumulative sample sizes n_1 < ... < n_K of the looks.",
              domain="whole numbers, strictly increasing, >= 1", unit="patients"),
        Param("futility", "int_list",
              "Futility bounds a_k: stop (not promising) if responses so far <= a_k; -1 = no "
              "futility stop; promising at the last look if > a_K.",
              domain="-1 <= a_k < n_k, non-decreasing", unit="responses"),
        Param("efficacy", "int_list",
              "Efficacy bounds b_k: stop (promising) if responses so far >= b_k; a value "
              "above n_k = no efficacy stop at that look.",
              default=None, domain="a_k < b_k, non-decreasing", unit="responses"),
    ),
    scenario=ScenarioSpec("p", "p", "True response probability.", required=False),
    options=(
        Param("p0", "float", "H0 response probability: report the attained alpha.",
              default=None, domain="(0, 1)"),
        Param("p1", "float", "H1 response probability: report the attained power.",
              default=None, domain="(0, 1), > p0"),
    ),
    exact=True,
    simulate=True,
    plots=(("oc", "designcalc.binary.multistage.present:multistage_oc"),),
    labels="designcalc.binary.multistage.present:LABELS",
    commands=("multistage oc", "multistage simulate", "multistage fleming", "multistage sargent",
              "trial run"),
    cli_group="multistage",
    generic=("simulate",),
    summary=("reject", "pet", "en"),
    doc="docs/multistage.md",
    references=("schultz", "fleming"),
    report="designcalc.binary.multistage.report:facts",
    examples=(
        # the 4-look rule with efficacy bounds (illustrative, not published)
        {"design": {"looks": [10, 20, 30, 40], "futility": [0, 2, 5, 9],
                    "efficacy": [4, 7, 9, 10]},
         "scenarios": {"H0": 0.1, "H1": 0.3}, "options": {"p0": 0.1, "p1": 0.3},
         "n_sims": 4000,
         "cli": ["multistage", "oc", "--looks", "10,20,30,40", "--futility", "0,2,5,9",
                 "--efficacy", "4,7,9,10", "--scenario", "H0=0.1", "--scenario", "H1=0.3",
                 "--p0", "0.1", "--p1", "0.3", "--n-sims", "4000", "--seed", "20261201"]},
        # NALIRIFOX (seed 001): Simon 6/12, 19/28 as a two-look futility-only rule
        {"design": {"looks": [12, 28], "futility": [6, 19]},
         "scenarios": [0.3, 0.5, 0.8], "n_sims": 4000,
         "cli": ["multistage", "oc", "--looks", "12,28", "--futility", "6,19",
                 "--p", "0.3", "--p", "0.5", "--p", "0.8", "--n-sims", "4000",
                 "--seed", "20261201"]},
        # three outcomes at the end (inconclusive 5..6 of 25) and no futility stop at look 1
        {"design": {"looks": [10, 25], "futility": [-1, 4], "efficacy": [5, 7]},
         "scenarios": [0.15, 0.3], "n_sims": 4000,
         "cli": ["multistage", "oc", "--looks", "10,25", "--futility", "-1,4",
                 "--efficacy", "5,7", "--p", "0.15", "--p", "0.3", "--n-sims", "4000",
                 "--seed", "20261201"]},
    ),
    extras=(("--help", "designcalc.binary.multistage.cli:HELP"),
            ("oc", "designcalc.binary.multistage.cli:oc"),
            ("fleming", "designcalc.binary.multistage.cli:fleming"),
            ("analyze", "designcalc.binary.multistage.cli:analyze"),
            ("sargent", "designcalc.binary.multistage.cli:sargent")),
)
