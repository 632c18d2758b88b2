"""Registry entry of the ``calendar`` family (light: no numpy, no pandas at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec
from designcalc.binary.simon.spec import RULE_PARAMS

# the Simon rule r1/n1, r/n (optional: a K-look rule may be given instead)
_SIMON = tuple(Param(p.name, p.kind, p.help + " (Simon rule; omit with --looks)", default=None,
                     domain=p.domain, unit=p.unit) for p in RULE_PARAMS)

SPEC = FamilySpec(
    name="calendar",
    title="Two-stage or K-look rule on a landmark endpoint in calendar time",
    design="designcalc.binary.calendar.design:CalendarDesign",
    params=_SIMON + (
        Param("landmark", "float", "Months of follow-up that make a patient a success.",
              domain="> 0", unit="months"),
        Param("rate", "float", "Accrual rate.", domain="> 0", unit="patients per month"),
        Param("arrivals", ("poisson", "uniform"), "Poisson accrual or evenly spaced arrivals.",
              default="poisson"),
        Param("looks", "int_list", "K-look rule instead of r1/n1, r/n: cumulative sample "
              "sizes of the looks.", default=None,
              domain="whole numbers, strictly increasing, >= 1", unit="patients"),
        Param("futility", "int_list", "K-look rule: stop, not promising, if responses so far "
              "<= a_k (-1: no futility stop); promising at the end if > a_K.", default=None,
              domain="-1 <= a_k < n_k, non-decreasing", unit="responses"),
        Param("efficacy", "int_list", "K-look rule: stop, promising, if responses so far "
              ">= b_k (a value above n_k: no efficacy stop at that look).", default=None,
              domain="a_k < b_k, non-decreasing", unit="responses"),
    ),
    scenario=ScenarioSpec("p", "p", "True landmark success rate.", required=True),
    exact=False,
    simulate=True,
    plots=(("duration", "designcalc.binary.calendar.present:calendar_duration"),),
    labels="designcalc.binary.calendar.present:LABELS",
    commands=("calendar simulate", "trial run"),
    cli_group="calendar",
    generic=("simulate",),
    summary=("duration", "enrolled", "reject"),
    doc="docs/trials.md",
    report="designcalc.binary.calendar.report:facts",
    report_template="designcalc/binary/calendar/report.j2",
    keywords=("calendar",),
    examples=(
        {"design": {"r1": 6, "n1": 12, "r": 19, "n": 28, "landmark": 6.0, "rate": 1.0},
         "scenarios": {"H0": 0.5, "H1": 0.8}, "n_sims": 4000},
        {"design": {"r1": 1, "n1": 10, "r": 5, "n": 29, "landmark": 3.0, "rate": 2.0,
                    "arrivals": "uniform"},
         "scenarios": {"low": 0.1, "high": 0.3}, "n_sims": 4000},
        # a 3-look rule with an efficacy stop (NALIRIFOX's BOP2 comparator bounds, 12/20/28)
        {"design": {"landmark": 6.0, "rate": 1.0, "looks": [12, 20, 28],
                    "futility": [3, 9, 18], "efficacy": [99, 99, 19]},
         "scenarios": {"H0": 0.5, "H1": 0.8}, "n_sims": 4000},
    ),
)
