"""Registry entry of the ``basket`` family (light: no numpy at import).

``designcalc basket oc --design independent|fujikawa|jsd|cpp`` (borrowing designs with
``--n1``: two stages); see ``docs/basket.md``.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

_BORROW = ("lam", "epsilon", "tau", "logbase", "shape1", "shape2", "cpp_a", "cpp_b")
_SIMON = ("r", "r1")
_INTERIM = ("interim", "prob_futstop", "prob_effstop")
#: design name -> (borrowing, the parameters it does not take)
_DESIGNS = {"independent": ("none", _BORROW + _INTERIM),
            "fujikawa": ("fujikawa", _SIMON + ("cpp_a", "cpp_b")),
            "jsd": ("jsd", _SIMON + ("cpp_a", "cpp_b")),
            "cpp": ("cpp", _SIMON + ("epsilon", "tau", "logbase"))}

SPEC = FamilySpec(
    name="basket",
    title="Basket trials: independent baskets or exact borrowing (Fujikawa, power priors), "
          "one or two stages",
    design="designcalc.binary.basket.design:BasketDesign",
    params=(
        Param("k", "int", "Number of baskets.", domain="2 to 10", unit="baskets"),
        Param("n", "int", "Patients per basket (a Simon rule's total).", domain=">= 1",
              unit="patients"),
        Param("p0", "float", "Uninteresting response probability (H0 of every basket: "
              "p <= p0).", domain="(0, 1)"),
        Param("borrowing", ("none", "fujikawa", "jsd", "cpp"), "none: independent baskets; "
              "fujikawa: Fujikawa et al. (2020); jsd, cpp: power prior with Jensen-Shannon "
              "or calibrated (Kolmogorov-Smirnov) weights.", default="none"),
        Param("r", "int", "Independent baskets: promising if responses > r.", default=None,
              domain="0 <= r < n", unit="responses"),
        Param("r1", "int", "Independent baskets, Simon rule: stop a basket if stage-1 "
              "responses <= r1.", default=None, domain="0 <= r1 < n1", unit="responses"),
        Param("n1", "int", "Stage-1 size: of a Simon rule (independent baskets) or, for a "
              "borrowing design, the interim analysis (two stages).", default=None,
              domain="1 <= n1 < n", unit="patients"),
        Param("lam", "float", "Borrowing: promising if the posterior P(p > p0) >= lam "
              "(baskexact lambda).", default=None, domain="(0, 1)"),
        Param("epsilon", "float", "Jensen-Shannon weights (1 - JSD)^epsilon.", default=1.25,
              domain="> 0"),
        Param("tau", "float", "Weights <= tau are set to 0.", default=0.5, domain="[0, 1)"),
        Param("logbase", "float", "Base of the JSD's logarithm (Fujikawa et al.: e).",
              default=2.0, domain="> 0, != 1"),
        Param("shape1", "float", "Beta prior of each basket: first shape.", default=1.0,
              domain="> 0"),
        Param("shape2", "float", "Beta prior of each basket: second shape.", default=1.0,
              domain="> 0"),
        Param("cpp_a", "float", "Calibrated power prior: a of 1 / (1 + exp(a + b log s)).",
              default=1.0),
        Param("cpp_b", "float", "Calibrated power prior: b of 1 / (1 + exp(a + b log s)).",
              default=1.0, domain="> 0"),
        Param("interim", ("posterior", "predictive"), "Two-stage borrowing: the interim "
              "statistic, the borrowed posterior P(p > p0) or the posterior predictive "
              "probability of reaching the final critical count (default posterior).",
              default=None),
        Param("prob_futstop", "float", "Two-stage borrowing: stop a basket for futility when "
              "the interim statistic is below this (default 0.1).", default=None,
              domain="[0, 1]"),
        Param("prob_effstop", "float", "Two-stage borrowing: stop a basket for efficacy (it "
              "is promising) when the interim statistic is above this (default 1: never).",
              default=None, domain="[prob_futstop, 1]"),
    ),
    scenario=ScenarioSpec("curve", "rates", "True response probability per basket "
                          "(default: all p0, and all p1 with --p1).", required=False),
    options=(Param("p1", "float", "Without scenarios: also the global alternative, every "
                   "basket at p1.", default=None, domain="(p0, 1)"),),
    exact=True,
    simulate=True,
    plots=(("baskets", "designcalc.binary.basket.present:basket_reject"),),
    labels="designcalc.binary.basket.present:LABELS",
    commands=("basket oc --design independent|fujikawa|jsd|cpp",
              "basket simulate --design independent|fujikawa|jsd|cpp", "trial run"),
    cli_group="basket",
    generic=("oc", "simulate"),
    summary=("fwer", "ewp", "ecd", "reject"),
    doc="docs/basket.md",
    bibliography=(
        ("fujikawa2020", "Fujikawa K, Teramukai S, Yokota I, Daimon T (2020). A Bayesian basket "
         "trial design that borrows information across strata based on the similarity between "
         "the posterior distributions of the response probability. Biometrical Journal "
         "62:330-338."),
        ("baumann2024", "Baumann L, Sauer LD, Kieser M (2024). A basket trial design based on "
         "power priors. Statistics in Biopharmaceutical Research (online 2024); "
         "arXiv:2309.06988."),
    ),
    report="designcalc.binary.basket.report:facts",
    report_template="designcalc/binary/basket/report.j2",
    keywords=("basket", "cohort", "response", "p0"),
    designs=tuple((name, {"borrowing": b}, skip) for name, (b, skip) in _DESIGNS.items()),
    examples=(
        # basksim README (Fujikawa, k = 3, n = 20, lambda = .95, epsilon = 1.5, tau = 0)
        {"design": {"k": 3, "n": 20, "p0": 0.2, "borrowing": "fujikawa", "lam": 0.95,
                    "epsilon": 1.5, "tau": 0.0},
         "scenarios": {"readme": [0.2, 0.5, 0.5], "null": [0.2, 0.2, 0.2]}, "n_sims": 3000,
         "cli": ["basket", "oc", "--design", "fujikawa", "--k", "3", "--n", "20", "--p0",
                 "0.2", "--lam", "0.95", "--epsilon", "1.5", "--tau", "0",
                 "--scenario", "readme=0.2,0.5,0.5", "--scenario", "null=0.2,0.2,0.2",
                 "--n-sims", "3000", "--seed", "20261201"]},
        # four independent Simon baskets (the 1/10, 5/29 rule of p0 = .1, p1 = .3)
        {"design": {"k": 4, "n": 29, "p0": 0.1, "r1": 1, "n1": 10, "r": 5},
         "scenarios": {"two active": [0.1, 0.1, 0.3, 0.3]}, "n_sims": 3000,
         "cli": ["basket", "oc", "--design", "independent", "--k", "4", "--n", "29",
                 "--p0", "0.1", "--r1", "1", "--n1", "10", "--r", "5",
                 "--scenario", "two active=0.1,0.1,0.3,0.3", "--n-sims", "3000",
                 "--seed", "20261201"]},
        # two stages: Fujikawa, interim after 5 of 10 (futility if the borrowed P(p > p0)
        # < .5, efficacy if > .99)
        {"design": {"k": 3, "n": 10, "n1": 5, "p0": 0.2, "borrowing": "fujikawa",
                    "lam": 0.95, "epsilon": 1.5, "tau": 0.0, "prob_futstop": 0.5,
                    "prob_effstop": 0.99},
         "scenarios": {"null": [0.2, 0.2, 0.2], "mixed": [0.2, 0.4, 0.5]}, "n_sims": 3000,
         "cli": ["basket", "oc", "--design", "fujikawa", "--k", "3", "--n", "10", "--n1", "5",
                 "--p0", "0.2", "--lam", "0.95", "--epsilon", "1.5", "--tau", "0",
                 "--prob-futstop", "0.5", "--prob-effstop", "0.99",
                 "--scenario", "null=0.2,0.2,0.2", "--scenario", "mixed=0.2,0.4,0.5",
                 "--n-sims", "3000",
                 "--seed", "20261201"]},
        # calibrated power prior (baskexact README: k = 3, n = 15, a = b = 2)
        {"design": {"k": 3, "n": 15, "p0": 0.2, "borrowing": "cpp", "lam": 0.99,
                    "cpp_a": 2.0, "cpp_b": 2.0},
         "scenarios": {"null": [0.2, 0.2, 0.2], "mixed": [0.2, 0.35, 0.5]}, "n_sims": 3000,
         "cli": ["basket", "oc", "--design", "cpp", "--k", "3", "--n", "15", "--p0", "0.2",
                 "--lam", "0.99", "--cpp-a", "2", "--cpp-b", "2", "--scenario",
                 "null=0.2,0.2,0.2", "--scenario", "mixed=0.2,0.35,0.5", "--n-sims", "3000",
                 "--seed", "20261201"]},
    ),
)
