"""Registry entries of the ``bop2``, ``pp`` and ``posterior`` families (light: no numpy).

All three are K-look rules on a binomial count (docs/bayes.md, docs/multistage.md)
evaluated exactly by :mod:`designcalc.binary.multistage.design`.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

__all__ = ["BOP2_SPEC", "PP_SPEC", "POSTERIOR_SPEC"]

_P1 = Param("p1", "float", "H1 response probability: report the attained power.",
            default=None, domain="(0, 1), > p0")
_P = ScenarioSpec("p", "p", "True response probability.", required=False)

BOP2_SPEC = FamilySpec(
    name="bop2",
    title="BOP2 Bayesian optimal phase II design (binary endpoint), exact OC",
    design="designcalc.binary.bayes.bop2:BOP2Design",
    params=(
        Param("p0", "float", "Null response rate; P(p > p0 | data) is monitored.",
              domain="(0, 1)"),
        Param("looks", "int_list", "Cumulative sample sizes of the looks; the last is N.",
              domain="whole numbers, strictly increasing, >= 1", unit="patients"),
        Param("lam", "float", "lambda of the futility cutoff lambda (n/N)^gamma.",
              domain="(0, 1)"),
        Param("gamma", "float", "gamma of the futility cutoff lambda (n/N)^gamma.",
              domain=">= 0"),
        Param("efficacy", ("none", "of", "power"),
              "Efficacy stopping: none, O'Brien-Fleming type or power cutoff (BOP2-FE).",
              default="none"),
        Param("eta", "float", "Exponent of the power efficacy cutoff 1 - (1 - lambda) (n/N)^eta.",
              default=None, domain=">= 0"),
        Param("prior", "float_list", "Beta(a, b) prior; default Beta(p0, 1 - p0).",
              default=None, domain="a, b > 0"),
    ),
    scenario=_P,
    options=(_P1,),
    plots=(("oc", "designcalc.binary.bayes.present:bayes_rule_oc"),),
    labels="designcalc.binary.multistage.present:LABELS",
    commands=("bayes bop2", "bayes oc --design bop2", "bayes simulate --design bop2",
              "trial run"),
    cli_group="bayes",
    generic=("oc", "simulate"),
    summary=("reject", "pet", "en"),
    doc="docs/bayes.md",
    references=("zhou",),
    report="designcalc.binary.multistage.report:facts",
    examples=(
        # BOP2FE README (H0 0.2, H1 0.4, looks 10..40 by 5, lambda 0.909, gamma 1, OF efficacy)
        {"design": {"p0": 0.2, "looks": [10, 15, 20, 25, 30, 35, 40], "lam": 0.909,
                    "gamma": 1.0, "efficacy": "of"},
         "scenarios": {"H0": 0.2, "H1": 0.4}, "options": {"p1": 0.4}, "n_sims": 4000,
         "cli": ["bayes", "bop2", "--p0", "0.2", "--looks", "10,15,20,25,30,35,40",
                 "--lambda", "0.909", "--gamma", "1", "--efficacy", "of",
                 "--scenario", "H0=0.2", "--scenario", "H1=0.4", "--p1", "0.4",
                 "--n-sims", "4000", "--seed", "20261201"]},
        # futility only (BOP2 as published), 4 looks
        {"design": {"p0": 0.2, "looks": [10, 20, 30, 40], "lam": 0.86, "gamma": 2.15},
         "scenarios": [0.2, 0.4], "n_sims": 4000,
         "cli": ["bayes", "bop2", "--p0", "0.2", "--looks", "10,20,30,40", "--lambda", "0.86",
                 "--gamma", "2.15", "--p", "0.2", "--p", "0.4", "--n-sims", "4000",
                 "--seed", "20261201"]},
    ),
    extras=(("--help", "designcalc.binary.bayes.cli:HELP"),
            ("bop2", "designcalc.binary.bayes.cli:bop2")),
)

PP_SPEC = FamilySpec(
    name="pp",
    title="Predictive-probability design (Lee & Liu 2008), exact OC",
    design="designcalc.binary.bayes.pp:PPDesign",
    params=(
        Param("p0", "float", "Success at the end if P(p > p0 | data) > theta_t.",
              domain="(0, 1)"),
        Param("looks", "int_list", "Cumulative sample sizes of the looks; the last is Nmax.",
              domain="whole numbers, strictly increasing, >= 1", unit="patients"),
        Param("theta_t", "float", "Posterior threshold of success at Nmax.", domain="(0, 1)"),
        Param("theta_l", "float", "Stop for futility if the predictive probability < theta_l.",
              domain="(0, 1)"),
        Param("theta_u", "float", "Stop for efficacy if the predictive probability > theta_u.",
              default=None, domain="(0, 1), >= theta_l"),
        Param("prior", "float_list", "Beta(a, b) prior.", default=(1.0, 1.0), domain="a, b > 0"),
    ),
    scenario=_P,
    options=(_P1,),
    search="designcalc.binary.bayes.pp:search_designs",
    attains="designcalc.binary.bayes.pp:attains",
    plots=(("oc", "designcalc.binary.bayes.present:bayes_rule_oc"),),
    labels="designcalc.binary.multistage.present:LABELS",
    commands=("bayes pp-design", "bayes oc --design pp", "bayes simulate --design pp",
              "trial run"),
    cli_group="bayes",
    generic=("oc", "simulate"),
    summary=("reject", "pet", "en"),
    doc="docs/bayes.md",
    references=("lee_liu",),
    report="designcalc.binary.multistage.report:facts",
    examples=(
        # Lee & Liu (2008) worked-example settings (p0 0.6, theta_T 0.9, Beta(0.6, 0.4)),
        # looks every 5 from 10 to 40, theta_L 0.05
        {"design": {"p0": 0.6, "looks": [10, 15, 20, 25, 30, 35, 40], "theta_t": 0.9,
                    "theta_l": 0.05, "prior": [0.6, 0.4]},
         "scenarios": [0.6, 0.8], "options": {"p1": 0.8}, "n_sims": 4000,
         "search": {"p0": 0.2, "p1": 0.4, "alpha": 0.1, "power": 0.8, "nmax": 30, "nmin": 20},
         "cli": ["bayes", "pp-design", "--p0", "0.6", "--looks", "10,15,20,25,30,35,40",
                 "--theta-t", "0.9", "--theta-l", "0.05", "--prior", "0.6,0.4",
                 "--p", "0.6", "--p", "0.8", "--p1", "0.8", "--n-sims", "4000",
                 "--seed", "20261201"]},
    ),
    extras=(("predprob", "designcalc.binary.bayes.cli:predprob"),
            ("pp-design", "designcalc.binary.bayes.cli:pp_design")),
)

POSTERIOR_SPEC = FamilySpec(
    name="posterior",
    title="Posterior-probability monitoring (Thall & Simon 1994 style), exact OC",
    design="designcalc.binary.bayes.posterior:PosteriorDesign",
    params=(
        Param("kind", ("toxicity", "futility"), "Toxicity: stop if P(p > p0 + delta | data) "
              "> theta; futility: stop if P(p > p0 + delta | data) < theta."),
        Param("p0", "float", "Acceptable toxicity rate (toxicity) or standard response rate "
              "p_s (futility).", domain="(0, 1)"),
        Param("looks", "int_list", "Patients at the looks (cumulative, increasing).",
              domain="whole numbers, strictly increasing, >= 1", unit="patients"),
        Param("theta", "float", "Posterior probability cutoff.", domain="(0, 1)"),
        Param("delta", "float", "Margin: the event is p > p0 + delta.", default=0.0,
              domain=">= 0, p0 + delta < 1"),
        Param("prior", "float_list", "Beta(a, b) prior of the experimental rate.",
              default=(1.0, 1.0), domain="a, b > 0"),
    ),
    scenario=ScenarioSpec("p", "p", "True toxicity (or response) rate.", required=False),
    plots=(("oc", "designcalc.binary.monitor.present:monitoring_oc"),),
    labels="designcalc.binary.monitor.present:LABELS",
    commands=("bayes posterior", "bayes oc --design posterior",
              "bayes simulate --design posterior", "trial run"),
    cli_group="bayes",
    generic=("oc", "simulate"),
    summary=("pcross", "peffective", "pstop", "en"),
    doc="docs/bayes.md",
    references=("thall_simon",),
    examples=(
        # toxicity: P(p > 0.2 | data) > 0.9, Beta(0.5, 1.5) prior, looks every 10 to 40
        {"design": {"kind": "toxicity", "p0": 0.2, "looks": [10, 20, 30, 40], "theta": 0.9,
                    "prior": [0.5, 1.5]},
         "scenarios": {"acceptable": 0.2, "unacceptable": 0.4}, "n_sims": 4000,
         "cli": ["bayes", "posterior", "--kind", "toxicity", "--p0", "0.2", "--looks",
                 "10,20,30,40", "--theta", "0.9", "--prior", "0.5,1.5",
                 "--scenario", "acceptable=0.2", "--scenario", "unacceptable=0.4",
                 "--n-sims", "4000", "--seed", "20261201"]},
        # futility: P(p > 0.2 + 0.1 | data) < 0.05, Beta(0.3, 0.7) prior
        {"design": {"kind": "futility", "p0": 0.2, "looks": [10, 20, 30, 40], "theta": 0.05,
                    "delta": 0.1, "prior": [0.3, 0.7]},
         "scenarios": [0.2, 0.45], "n_sims": 4000,
         "cli": ["bayes", "posterior", "--kind", "futility", "--p0", "0.2", "--looks",
                 "10,20,30,40", "--theta", "0.05", "--delta", "0.1", "--prior", "0.3,0.7",
                 "--p", "0.2", "--p", "0.45", "--n-sims", "4000", "--seed", "20261201"]},
    ),
    extras=(("posterior", "designcalc.binary.bayes.cli:posterior"),),
)
