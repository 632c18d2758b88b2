"""One bibliography: every method reference a report lists, by key.

A family names its references in its :class:`~designcalc.core.registry.FamilySpec`
(``references=("simon", "clopper")``) and its report builder may add more per
result (e.g. the one-sample survival test's own); the report lists the full
citations in the order first cited.  The shared methods are in
:data:`BIBLIOGRAPHY`; a family brings its own in its spec's ``bibliography``
(:func:`entries` merges them).  The citations are
those of the documentation pages (``docs/*.md``).

Examples
--------
>>> BIBLIOGRAPHY["clopper"].startswith("Clopper CJ, Pearson ES (1934)")
True
"""

from __future__ import annotations

__all__ = ["BIBLIOGRAPHY", "citations", "entries"]

#: Method references (authors (year). Title. Journal volume:pages.), by key.
BIBLIOGRAPHY = {
    "simon": "Simon R (1989). Optimal two-stage designs for phase II clinical trials. "
             "Controlled Clinical Trials 10:1-10.",
    "ahern": "A'Hern RP (2001). Sample size tables for exact single-stage phase II designs. "
             "Statistics in Medicine 20:859-866.",
    "fleming": "Fleming TR (1982). One-sample multiple testing procedure for phase II "
               "clinical trials. Biometrics 38:143-151.",
    "clopper": "Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits "
               "illustrated in the case of the binomial. Biometrika 26:404-413.",
    "wu": "Wu J (2015). Sample size calculation for the one-sample log-rank test. "
          "Pharmaceutical Statistics 14:26-33.",
    "finkelstein": "Finkelstein DM, Muzikansky A, Schoenfeld DA (2003). Comparing survival "
                   "of a sample to that of a standard population. Journal of the National "
                   "Cancer Institute 95:1434-1439.",
    "breslow": "Breslow NE (1975). Analysis of survival data under the proportional hazards "
               "model. International Statistical Review 43:45-57.",
    "klein": "Klein JP, Moeschberger ML (2003). Survival Analysis: Techniques for Censored "
             "and Truncated Data, 2nd ed. Springer.",
    "storer": "Storer BE (1989). Design and analysis of phase I clinical trials. "
              "Biometrics 45:925-937.",
    "korn": "Korn EL, Midthune D, Chen TT, Rubinstein LV, Christian MC, Simon RM (1994). "
            "A comparison of two phase I trial designs. Statistics in Medicine 13:1799-1806.",
    "schultz": "Schultz JR, Nichol FR, Elfring GL, Weed SD (1973). Multiple-stage procedures "
               "for drug screening. Biometrics 29:293-300.",
    "sargent": "Sargent DJ, Chan V, Goldberg RM (2001). A three-outcome design for phase II "
               "clinical trials. Controlled Clinical Trials 22:117-125.",
    "ivanova": "Ivanova A, Qaqish BF, Schell MJ (2005). Continuous toxicity monitoring in "
               "phase II trials in oncology. Biometrics 61:540-545.",
    "lee_liu": "Lee JJ, Liu DD (2008). A predictive probability design for phase II cancer "
               "clinical trials. Clinical Trials 5:93-106.",
    "zhou": "Zhou H, Lee JJ, Yuan Y (2017). BOP2: Bayesian optimal design for phase II "
            "clinical trials with simple and complex endpoints. Statistics in Medicine "
            "36:3302-3314.",
    "thall_simon": "Thall PF, Simon R (1994). Practical Bayesian guidelines for phase IIB "
                   "clinical trials. Biometrics 50:337-349.",
    "wu2020": "Wu J, Chen L, Wei J, Weiss H, Chauhan A (2020). Two-stage phase II survival "
              "trial design. Pharmaceutical Statistics 19:214-229.",
    "liu_yuan": "Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical "
                "trials. Journal of the Royal Statistical Society, Series C (Applied "
                "Statistics) 64:507-523.",
    "yan": "Yan F, Mandrekar SJ, Yuan Y (2017). Keyboard: a novel Bayesian toxicity "
           "probability interval design for phase I clinical trials. Clinical Cancer "
           "Research 23:3994-4003.",
    "guo": "Guo W, Wang SJ, Yang S, Lynn H, Ji Y (2017). A Bayesian interval dose-finding "
           "design addressing Ockham's razor: mTPI-2. Contemporary Clinical Trials 58:23-33.",
    "liu_wang_ji": "Liu M, Wang SJ, Ji Y (2020). The i3+3 design for phase I clinical "
                   "trials. Journal of Biopharmaceutical Statistics 30:294-304.",
    "holm": "Holm S (1979). A simple sequentially rejective multiple test procedure. "
            "Scandinavian Journal of Statistics 6:65-70.",
    "oquigley": "O'Quigley J, Pepe M, Fisher L (1990). Continual reassessment method: a "
                "practical design for phase 1 clinical trials in cancer. Biometrics 46:33-48.",
}


def entries() -> dict:
    """Every citation by key: :data:`BIBLIOGRAPHY` and each registered family's own
    ``bibliography`` (its spec's ``(key, citation)`` pairs).

    Raises
    ------
    ValueError
        When a family's key names a different citation than the shared
        bibliography or another family gives it.
    """
    from designcalc.core import registry

    out = dict(BIBLIOGRAPHY)
    owner = {}
    for spec in registry.specs():
        for key, text in spec.bibliography:
            if out.get(key, text) != text:
                where = owner.get(key, "the shared bibliography")
                raise ValueError(f"bibliography: the key {key!r} of family {spec.name!r} "
                                 f"names a different citation than {where} does")
            out[key] = text
            owner.setdefault(key, f"family {spec.name!r}")
    return out


def citations(keys) -> list:
    """The full citations of ``keys``, each once, in the order first given.

    A key is one of :data:`BIBLIOGRAPHY` or of a registered family's own
    ``bibliography`` (read only when a key is not a shared one).

    Raises
    ------
    ValueError
        When a key is in neither.
    """
    keys = list(dict.fromkeys(keys))
    known = BIBLIOGRAPHY if all(k in BIBLIOGRAPHY for k in keys) else entries()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(f"references must be keys of BIBLIOGRAPHY or of a family's "
                         f"bibliography, got {', '.join(unknown)}")
    return [known[k] for k in keys]
