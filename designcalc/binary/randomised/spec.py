"""Registry entry of the ``randomised`` family (light: no numpy at import)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["SPEC"]

_SELECT_ONLY = ("min_diff", "min_resp")
_COMPARE_ONLY = ("ratio", "efficacy", "futility", "null_range")
_SAT_ONLY = ("s_efficacy", "s_futility")
_FISHER_ONLY = ("level",)

SPEC = FamilySpec(
    name="randomised",
    title="Randomised phase II designs: pick the winner, two-arm comparison (exact)",
    design="designcalc.binary.randomised.design:RandomisedDesign",
    params=(
        Param("test", ("select", "binomial", "sat", "barnard", "fisher", "sargent"),
              "select: pick the "
              "winner; binomial: control vs experimental by the difference in responses "
              "(Jung 2008); sat: single-arm plus two-arm test (Litwin et al. 2017); "
              "barnard: Barnard's statistic (Shan et al. 2013); fisher: Fisher's exact "
              "conditional test (Jung & Sargent 2014); sargent: three outcomes on the "
              "difference in responses (Sargent et al. 2001)."),
        Param("n", "int_list", "select: patients per arm; binomial: control patients per "
              "stage.", domain="whole numbers >= 1", unit="patients"),
        Param("ratio", "float", "binomial: experimental patients per control patient.",
              default=1.0, domain="> 0, ratio * n whole"),
        Param("efficacy", "float_list", "binomial, sat: reject H0 after stage k if X_E - X_C "
              ">= e_k (cumulative; an interim value above the experimental patients so far: "
              "no efficacy stop); barnard: if Barnard's statistic >= e_k; fisher: the "
              "interim bound only; sargent: the final s alone.", default=None),
        Param("futility", "float_list", "two-arm designs: stop after interim stage k if "
              "X_E - X_C <= f_k (barnard: Barnard's statistic; one per interim stage; none: "
              "no futility stop); sargent: r_1, r_2 (reject Ha if X_E - X_C <= r_k, also "
              "at the end).", default=None),
        Param("s_efficacy", "int_list", "sat: rejecting also needs X_E >= this, per stage.",
              default=None, unit="responses"),
        Param("s_futility", "int_list", "sat: stop after stage 1 also if X_E <= this.",
              default=None, unit="responses"),
        Param("level", "float", "fisher: the conditional type I error of the final bounds "
              "(ph2rand alpha).", default=None, domain="(0, 1)"),
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
    report="designcalc.binary.randomised.report:facts",
    report_template="designcalc/binary/randomised/report.j2",
    labels="designcalc.binary.randomised.present:LABELS",
    commands=("randomised oc", "randomised design", "trial run"),
    cli_group="randomised",
    generic=("oc",),
    designs=(("select", {"test": "select"}, _COMPARE_ONLY + _SAT_ONLY + _FISHER_ONLY),
             ("binomial", {"test": "binomial"}, _SELECT_ONLY + _SAT_ONLY + _FISHER_ONLY),
             ("sat", {"test": "sat"}, _SELECT_ONLY + _FISHER_ONLY),
             ("barnard", {"test": "barnard"}, _SELECT_ONLY + _SAT_ONLY + _FISHER_ONLY),
             ("fisher", {"test": "fisher"}, _SELECT_ONLY + _SAT_ONLY),
             ("sargent", {"test": "sargent"}, _SELECT_ONLY + _SAT_ONLY + _FISHER_ONLY)),
    summary=("selected", "no_selection", "reject", "reject_ha", "inconclusive", "en"),
    doc="docs/randomised.md",
    references=(),                  # the report builder cites the design's own paper
    bibliography=(
        ("simon_wittes_ellenberg", "Simon R, Wittes RE, Ellenberg SS (1985). Randomized "
         "phase II clinical trials. Cancer Treat Rep 69:1375-1381."),
        ("jung2008", "Jung SH (2008). Randomized phase II trials with a prospective control. "
         "Stat Med 27:568-583."),
        ("sargent2001", "Sargent DJ, Chan V, Goldberg RM (2001). A three-outcome design for "
         "phase II clinical trials. Controlled Clinical Trials 22:117-125."),
        ("litwin2017", "Litwin S, Basickes S, Ross EA (2017). Two-sample binary phase 2 trials "
         "with low type I error and low sample size. Stat Med 36:1383-1394."),
        ("shan2013", "Shan G, Ma C, Hutson AD, Wilding GE (2013). Randomized two-stage phase "
         "II clinical trial designs based on Barnard's exact test. J Biopharm Stat "
         "23:1081-1090."),
        ("jung_sargent2014", "Jung SH, Sargent DJ (2014). Randomized phase II clinical "
         "trials. J Biopharm Stat 24:802-816."),
    ),
    keywords=("randomised", "randomized", "pick the winner", "control arm", "barnard",
              "fisher exact test", "single-arm and two-arm test", "three-outcome"),
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
        # ph2rand README: des_two_stage(type = "sat", nCmax = 20): (10, 10) per arm,
        # P = 0.100 / 0.804, ESS 25.2 / 36.9 (Litwin et al. 2017)
        {"design": {"test": "sat", "n": [10, 10], "efficacy": [11, -1],
                    "s_efficacy": [11, 4], "futility": [-2], "s_futility": [1]},
         "scenarios": {"H0": [0.1, 0.1], "H1": [0.1, 0.3]},
         "search": {"test": "sat", "nCmax": 20},
         "cli": ["randomised", "oc", "--design", "sat", "--n", "10,10", "--efficacy",
                 "11,-1", "--s-efficacy", "11,4", "--futility=-2", "--s-futility", "1",
                 "--scenario", "H0=0.1,0.1", "--scenario", "H1=0.1,0.3"]},
        # ph2rand README: des_two_stage(type = "barnard", nCmax = 40): (17, 17) per arm,
        # P = 0.0968 / 0.800, ESS 47.0 / 64.7 (Shan et al. 2013)
        {"design": {"test": "barnard", "n": [17, 17],
                    "efficacy": [6.8309518948453, 1.1996472144565822],
                    "futility": [0.3529052628427697]},
         "scenarios": {"H0": [0.1, 0.1], "H1": [0.1, 0.3]},
         "search": {"test": "barnard", "nCmax": 24, "delta": 0.3},
         "cli": ["randomised", "oc", "--design", "barnard", "--n", "17,17", "--efficacy",
                 "6.8309518948453,1.1996472144565822", "--futility", "0.3529052628427697",
                 "--scenario", "H0=0.1,0.1", "--scenario", "H1=0.1,0.3"]},
        # ph2rand README: des_two_stage(type = "fisher"): (22, 22) per arm (Jung & Sargent
        # 2014); P = 0.05300509 / 0.80824399, ESS 61.51241 (ph2rand 0.1.0, run here)
        {"design": {"test": "fisher", "n": [22, 22], "futility": [0], "level": 0.1},
         "scenarios": {"H0": [0.1, 0.1], "H1": [0.1, 0.3]},
         "search": {"test": "fisher", "nCmax": 30, "delta": 0.3},
         "cli": ["randomised", "oc", "--design", "fisher", "--n", "22,22", "--futility",
                 "0", "--level", "0.1", "--scenario", "H0=0.1,0.1", "--scenario",
                 "H1=0.1,0.3"]},
        # randomised three-outcome design (Sargent et al. 2001; PhIIdesign sargent2stage_R
        # rules, exact): N = 60..64 -> 11+11, 19+19, r = (0, 1), s = 4, found here and
        # checked by enumeration in tests/binary/test_randomised_sargent.py
        {"design": {"test": "sargent", "n": [11, 19], "futility": [0, 1], "efficacy": [4]},
         "scenarios": {"H0": [0.2, 0.2], "Ha": [0.1, 0.3]},
         "search": {"test": "sargent", "p0": 0.1, "pa": 0.3, "alpha": 0.1, "beta": 0.2,
                    "eta": 0.7, "pi": 0.7, "nmin": 60, "nmax": 64},
         "cli": ["randomised", "oc", "--design", "sargent", "--n", "11,19", "--futility",
                 "0,1", "--efficacy", "4", "--scenario", "H0=0.2,0.2", "--scenario",
                 "Ha=0.1,0.3"]},
    ),
    extras=(("design", "designcalc.binary.randomised.cli:design"),),
)
