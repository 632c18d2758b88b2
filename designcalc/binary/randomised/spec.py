"""Registry entry of the ``randomised`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC"]

_SELECT_ONLY = ("min_diff", "min_resp")
_COMPARE_ONLY = ("ratio", "efficacy", "futility", "null_range")

SPEC = FamilySpec(
    name="randomised",
    title="Randomised phase II designs: pick the winner, two-arm comparison (exact)",
    design="designcalc.binary.randomised.design:RandomisedDesign",
    params=(
        Param("test", ("select", "binomial"), "select: pick the winner; binomial: control "
              "vs experimental by the difference in responses (Jung 2008)."),
        Param("n", "int_list", "select: patients per arm; binomial: control patients per "
              "stage.", domain="whole numbers >= 1", unit="patients"),
        Param("ratio", "float", "binomial: experimental patients per control patient.",
              default=1.0, domain="> 0, ratio * n whole"),
        Param("efficacy", "int_list", "binomial: reject H0 after stage k if X_E - X_C >= e_k "
              "(cumulative; an interim value above the experimental patients so far: no "
              "efficacy stop).", default=None, unit="responses"),
        Param("futility", "int_list", "binomial: stop after interim stage k if X_E - X_C "
              "<= f_k (one per interim stage; none: no futility stop).", default=None, unit="responses"),
        Param("min_diff", "float", "select: lead in responses needed (whole), or a fraction "
              "of n in (0, 1) (clinfun min.diff).", default=None, domain="> 0"),
        Param("min_resp", "int", "select: responses an arm needs to be selected (clinfun "
              "min.resp).", default=0, domain="0..n", unit="responses"),
    ),
    scenario=ScenarioSpec("curve", "rates", "True response rates of the arms, comma "
                          "separated (binomial: control, experimental).", required=True),
    options=(
        Param("null_range", "float_list", "binomial: also report the type I error maximised "
              "over the common response rate in LOW,HIGH.", default=None,
              domain="0 <= LOW <= HIGH <= 1"),
    ),
    exact=True,
    simulate=False,
    search="designcalc.binary.randomised.design:search",
    attains="designcalc.binary.randomised.design:attains",
    plots=(("oc", "designcalc.binary.randomised.present:randomised_oc"),),
    labels="designcalc.binary.randomised.present:LABELS",
    commands=("randomised oc", "randomised design", "trial run"),
    cli_group="randomised",
    generic=("oc",),
    designs=(("select", {"test": "select"}, _COMPARE_ONLY),
             ("binomial", {"test": "binomial"}, _SELECT_ONLY)),
    summary=("selected", "no_selection", "reject", "en"),
    doc="docs/randomised.md",
    references=("simon_wittes_ellenberg", "jung2008"),
    bibliography=(
        ("simon_wittes_ellenberg", "Simon R, Wittes RE, Ellenberg SS (1985). Randomized "
         "phase II clinical trials. Cancer Treat Rep 69:1375-1381."),
        ("jung2008", "Jung SH (2008). Randomized phase II trials with a prospective control. "
         "Stat Med 27:568-583."),
    ),
    keywords=("randomised", "randomized", "pick the winner", "control arm"),
    examples=(
        # clinfun::pselect(20, c(.25, .40)): 0.1155833, 0.8045131, inconclusive 0.07990368
        {"design": {"test": "select", "n": [20]}, "scenarios": {"published": [0.25, 0.40]},
         "search": {"test": "select", "p": 0.25, "delta": 0.15, "target": 0.8},
         "cli": ["randomised", "oc", "--design", "select", "--n", "20", "--scenario",
                 "published=0.25,0.4"]},
        # ph2rand des_two_stage() defaults: (17, 17) per arm, P = 0.0702 / 0.813
        {"design": {"test": "binomial", "n": [17, 17], "efficacy": [18, 4],
                    "futility": [0]},
         "scenarios": {"H0": [0.1, 0.1], "H1": [0.1, 0.3]},
         "search": {"test": "binomial"},
         "cli": ["randomised", "oc", "--design", "binomial", "--n", "17,17", "--efficacy",
                 "18,4", "--futility", "0", "--scenario", "H0=0.1,0.1", "--scenario",
                 "H1=0.1,0.3"]},
    ),
    extras=(("design", "designcalc.binary.randomised.cli:design"),),
)
