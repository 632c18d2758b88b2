"""Registry entry of the ``calendar`` family (light: no numpy, no pandas at import)."""

from designcalc.registry import FamilySpec, Param, ScenarioSpec
from designcalc.simon.spec import RULE_PARAMS

SPEC = FamilySpec(
    name="calendar",
    title="Two-stage rule on a landmark endpoint in calendar time",
    design="designcalc.timing:CalendarDesign",
    params=RULE_PARAMS + (   # the Simon rule r1/n1, r/n on the landmark endpoint
        Param("landmark", "float", "Months of follow-up that make a patient a success.",
              domain="> 0", unit="months"),
        Param("rate", "float", "Accrual rate.", domain="> 0", unit="patients per month"),
        Param("arrivals", ("poisson", "uniform"), "Poisson accrual or evenly spaced arrivals.",
              default="poisson"),
    ),
    scenario=ScenarioSpec("p", "p", "True landmark success rate.", required=True),
    exact=False,
    simulate=True,
    plots=(("duration", "designcalc.plots:calendar_duration"),),
    commands=("calendar simulate", "trial run"),
    cli_group="calendar",
    generic=("simulate",),
    summary=("duration", "enrolled", "reject"),
    doc="docs/trials.md",
    examples=(
        {"design": {"r1": 6, "n1": 12, "r": 19, "n": 28, "landmark": 6.0, "rate": 1.0},
         "scenarios": {"H0": 0.5, "H1": 0.8}, "n_sims": 4000},
        {"design": {"r1": 1, "n1": 10, "r": 5, "n": 29, "landmark": 3.0, "rate": 2.0,
                    "arrivals": "uniform"},
         "scenarios": {"low": 0.1, "high": 0.3}, "n_sims": 4000},
    ),
)
