"""Exact Bayesian single-arm designs (families ``pp``, ``bop2``, ``posterior``).

* :mod:`~designcalc.binary.bayes.predictive` -- Lee & Liu (2008) predictive probability;
* :mod:`~designcalc.binary.bayes.pp` -- the predictive-probability design and its search;
* :mod:`~designcalc.binary.bayes.bop2` -- BOP2 (Zhou, Lee & Yuan 2017), exact calibration;
* :mod:`~designcalc.binary.bayes.posterior` -- posterior-probability monitoring;
* :mod:`~designcalc.binary.bayes.spec` -- the registry entries.
"""
