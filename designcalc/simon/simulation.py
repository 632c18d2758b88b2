"""Monte-Carlo operating characteristics of a Simon rule.

The kernel :func:`_oc_kernel` is a module-level function: it is sent to
worker processes as a ``functools.partial`` and must stay picklable.
numpy only at import time; pandas and :mod:`designcalc.simulate` are
imported inside :func:`simulate_oc`.
"""

from __future__ import annotations

import numpy as np

from designcalc import _binom
from designcalc._validate import check_prob_array
from designcalc.simon.design import SimonDesign

def _oc_kernel(rng, size, r1, r, cdf1, cdf2):
    """Simulate ``size`` Simon trials at each p (one column per p); no loop over trials.

    Stage-1 and stage-2 response counts are drawn by inversion on uniforms
    (:func:`designcalc.simulate.draw_discrete`: count the CDF thresholds a
    uniform exceeds), measured faster than ``Generator.binomial`` for the small
    supports of phase 2 trials.  Stage-2 counts are drawn for every trial and
    used only where stage 1 continued (cheaper than masking).
    """
    from designcalc.simulate import draw_discrete

    stop = np.empty((size, len(cdf1)), dtype=bool)
    rej = np.empty((size, len(cdf1)), dtype=bool)
    for k, (c1, c2) in enumerate(zip(cdf1, cdf2)):     # loop over p values only
        x1 = draw_discrete(rng, c1, size)
        x2 = draw_discrete(rng, c2, size)
        s = x1 <= r1
        stop[:, k] = s
        rej[:, k] = ~s & (x1 + x2 > r)
    # EN per trial is n - n2 * stop: its mean and SE follow from pet's exactly
    # (see simulate_oc), so it is not summed here.
    return {"pet": stop, "reject": rej}


def simulate_oc(design, p, n_sims, seed=None, workers=1, chunk_size=None):
    """Monte-Carlo operating characteristics of a Simon rule (checks :meth:`SimonDesign.oc`).

    Parameters
    ----------
    design : SimonDesign
    p : float or sequence of float
        True response probabilities.
    n_sims : int
        Simulated trials per p.
    seed : int, optional
        Root seed (``designcalc.simulate.run``); the seed used is in
        ``DataFrame.attrs["seed"]``.
    workers : int
        Local processes.

    Returns
    -------
    pandas.DataFrame
        Columns ``p, pet, en, reject, pet_se, en_se, reject_se`` (Monte-Carlo
        standard errors).
    """
    import functools

    import pandas as pd

    from designcalc import simulate
    from designcalc.simulate import discrete_cdf

    if not isinstance(design, SimonDesign):
        raise TypeError(f"design must be a SimonDesign, got {type(design).__name__}")
    p_arr = check_prob_array("p", p)

    def table(m, q):
        cdf = discrete_cdf(_binom.pmf(m, q))
        return cdf[cdf < 1.0]        # u < 1 never exceeds a threshold of 1: exact trim

    cdf1 = [table(design.n1, q) for q in p_arr]
    cdf2 = [table(design.n2, q) for q in p_arr]
    kernel = functools.partial(_oc_kernel, r1=design.r1, r=design.r, cdf1=cdf1, cdf2=cdf2)
    kwargs = {} if chunk_size is None else {"chunk_size": chunk_size}
    res = simulate.run(kernel, n_sims, seed=seed, workers=workers, **kwargs)
    pet = np.atleast_1d(res.estimate["pet"])
    pet_se = np.atleast_1d(res.se["pet"])
    df = pd.DataFrame({"p": p_arr, "pet": pet, "en": design.n - design.n2 * pet,
                       "reject": np.atleast_1d(res.estimate["reject"]),
                       "pet_se": pet_se, "en_se": design.n2 * pet_se,
                       "reject_se": np.atleast_1d(res.se["reject"])})
    df.attrs["seed"] = res.seed
    df.attrs["n_sims"] = res.n_sims
    return df


__all__ = ["simulate_oc"]
