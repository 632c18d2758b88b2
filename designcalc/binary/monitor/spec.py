"""Registry entry of the ``monitoring`` family (light: no numpy).

A toxicity or futility monitoring boundary (clinfun ``toxbdry``/``futilbdry``)
is a K-look rule on a binomial count, evaluated exactly by
:mod:`designcalc.binary.multistage.design` (docs/multistage.md).
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC"]

SPEC = FamilySpec(
    name="monitoring",
    title="Toxicity or futility monitoring boundary (clinfun toxbdry/futilbdry), exact OC",
    design="designcalc.binary.monitor.design:MonitorDesign",
    params=(
        Param("kind", ("toxicity", "futility"), "Toxicity (stop if events > bound) or "
              "futility (stop if responses <= bound)."),
        Param("p0", "float", "Acceptable toxicity rate / baseline response rate.",
              domain="(0, 1)"),
        Param("p1", "float", "Unacceptable toxicity rate / desirable response rate.",
              domain="(0, 1), > p0"),
        Param("looks", "int_list", "Patients at the looks (at least two).",
              domain="whole numbers, strictly increasing, >= 1", unit="patients"),
        Param("size", "float", "clinfun's target crossing probability at p0.", default=0.1,
              domain="(0, 1)"),
        Param("power", "float", "clinfun's target crossing probability at p1.", default=0.9,
              domain="(0, 1)"),
        Param("shape", "float", "Boundary shape delta (0 Pocock, 0.5 O'Brien-Fleming); "
              "default 0 (toxicity) or 0.5 (futility).", default=None, domain="[0, 0.5]"),
        Param("boundary", ("lo", "hi"), "clinfun's low or high boundary.", default="lo"),
        Param("niter", "int", "Iterations of the boundary search.", default=10,
              domain=">= 0"),
    ),
    scenario=ScenarioSpec("p", "p", "True toxicity (or response) rate.", required=False),
    plots=(("oc", "designcalc.binary.monitor.present:monitoring_oc"),),
    labels="designcalc.binary.monitor.present:LABELS",
    commands=("monitor oc", "monitor simulate", "monitor toxicity", "monitor futility",
              "trial run"),
    cli_group="monitor",
    generic=("oc", "simulate"),
    summary=("pcross", "peffective", "pstop", "en"),
    doc="docs/multistage.md",
    references=("ivanova",),
    report="designcalc.binary.monitor.report:facts",
    examples=(
        # clinfun toxbdry's first example: toxbdry(0.2, 0.35, c(20, 40, 60, 75))
        {"design": {"kind": "toxicity", "p0": 0.2, "p1": 0.35, "looks": [20, 40, 60, 75]},
         "scenarios": {"acceptable": 0.2, "unacceptable": 0.35}, "n_sims": 4000},
        {"design": {"kind": "futility", "p0": 0.1, "p1": 0.3, "looks": [10, 20, 30, 40]},
         "scenarios": [0.1, 0.3], "n_sims": 4000},
    ),
    extras=(("--help", "designcalc.binary.monitor.cli:HELP"),
            ("toxicity", "designcalc.binary.monitor.cli:toxicity"),
            ("futility", "designcalc.binary.monitor.cli:futility")),
)
