"""Registry entry of the ``bryantday`` family (light: no numpy at import).

``designcalc bryantday oc|simulate|design``; see ``docs/bryantday.md``.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC", "search", "attains"]

_KEYS = ("pr0", "pr1", "pt0", "pt1", "alpha_r", "power", "alpha_t", "nmax", "nmin")


def search(pr0, pr1, pt0, pt1, alpha_r, power, alpha_t=None, nmax=60, nmin=2):
    """The minimax and optimal designs (:func:`designcalc.binary.bryantday.search.search`)."""
    from designcalc.binary.bryantday.search import search as run

    res = run(pr0, pr1, pt0, pt1, alpha_r, power, alpha_t=alpha_t, nmax=nmax, nmin=nmin)
    return [d for d in dict.fromkeys((res.minimax, res.optimal)) if d is not None]


def attains(design, pr0, pr1, pt0, pt1, alpha_r, power, alpha_t=None, nmax=60, nmin=2):
    """Strict requirements (as EurosarcBayes): alpha_r, alpha_t below, power above."""
    a = design.attained(pr0, pr1, pt0, pt1)
    alpha_t = alpha_r if alpha_t is None else alpha_t
    return (a["alpha_r"] < alpha_r and a["alpha_t"] < alpha_t and a["power"] > power
            and nmin <= design.n <= nmax)


HYPOTHESES = (
    Param("pr0", "float", "Uninteresting response probability.", default=None, domain="(0, 1)"),
    Param("pr1", "float", "Target response probability.", default=None, domain="(pr0, 1)"),
    Param("pt0", "float", "Unacceptable toxicity probability.", default=None, domain="(pt1, 1)"),
    Param("pt1", "float", "Acceptable toxicity probability.", default=None, domain="(0, pt0)"),
)

SPEC = FamilySpec(
    name="bryantday",
    title="Bryant & Day two-stage design on response and toxicity (exact)",
    design="designcalc.binary.bryantday.design:BryantDayDesign",
    params=(
        Param("n1", "int", "Stage-1 sample size.", domain="1 <= n1 < n", unit="patients"),
        Param("cr1", "int", "Stop after stage 1 if responses <= cr1 (C_R1).",
              domain="0 <= cr1 < n1", unit="responses"),
        Param("ct1", "int", "Stop after stage 1 if patients free of toxicity <= ct1 (C_T1).",
              domain="0 <= ct1 < n1", unit="patients"),
        Param("n", "int", "Total sample size.", domain=">= 2", unit="patients"),
        Param("cr", "int", "Promising if responses > cr (C_R) ...", domain="cr1 <= cr < n",
              unit="responses"),
        Param("ct", "int", "... and patients free of toxicity > ct (C_T).",
              domain="ct1 <= ct < n", unit="patients"),
        Param("odds_ratio", "float", "Odds ratio between response and toxicity of a patient "
              "(1: independent).", default=1.0, domain="> 0"),
    ),
    scenario=ScenarioSpec("curve", "rates", "P(response),P(toxicity) (default: the four "
                          "corners of the hypotheses).", required=False),
    options=HYPOTHESES,
    exact=True,
    simulate=True,
    search="designcalc.binary.bryantday.spec:search",
    attains="designcalc.binary.bryantday.spec:attains",
    plots=(("oc", "designcalc.binary.bryantday.present:bryantday_oc"),),
    labels="designcalc.binary.bryantday.present:LABELS",
    commands=("bryantday design", "bryantday oc", "bryantday simulate", "trial run"),
    cli_group="bryantday",
    generic=("oc", "simulate"),
    summary=("reject", "pet", "en"),
    doc="docs/bryantday.md",
    bibliography=(
        ("bryant_day", "Bryant J, Day R (1995). Incorporating toxicity considerations into the "
         "design of two-stage phase II clinical trials. Biometrics 51:1372-1383."),
        ("plackett", "Plackett RL (1965). A class of bivariate distributions. Journal of the "
         "American Statistical Association 60:516-522."),
    ),
    references=("bryant_day",),
    report="designcalc.binary.bryantday.report:facts",
    report_template="designcalc/binary/bryantday/report.j2",
    keywords=("toxicity", "response", "bryant"),
    extras=(("design", "designcalc.binary.bryantday.cli:design"),),
    examples=(
        # EurosarcBayes's example (pR 0.1 -> 0.3, pT 0.3 -> 0.1, alpha 0.1, power 0.8,
        # n = 20..27): its minimax design; the search rediscovers it
        {"design": {"n1": 10, "cr1": 0, "ct1": 6, "n": 24, "cr": 4, "ct": 19},
         "options": {"pr0": 0.1, "pr1": 0.3, "pt0": 0.3, "pt1": 0.1}, "n_sims": 4000,
         "search": {"pr0": 0.1, "pr1": 0.3, "pt0": 0.3, "pt1": 0.1, "alpha_r": 0.1,
                    "power": 0.8, "nmax": 27, "nmin": 20}},
        # the same rule with response and toxicity associated (odds ratio 0.5)
        {"design": {"n1": 10, "cr1": 0, "ct1": 6, "n": 24, "cr": 4, "ct": 19,
                    "odds_ratio": 0.5},
         "scenarios": {"H1": [0.3, 0.1], "toxic": [0.3, 0.3]}, "n_sims": 4000},
    ),
)
