"""Monte-Carlo operating characteristics of a Simon rule.

The kernel :func:`_oc_kernel` is a module-level function: it is sent to
worker processes as a ``functools.partial`` and must stay picklable.
numpy only at import time; pandas and :mod:`designcalc.core.simulate` are
imported inside :func:`simulate_oc`.
"""

from __future__ import annotations

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_prob_array
from designcalc.core.protocol import Design

def _oc_kernel(rng, size, r1, r, cdf1, cdf2):
    """Simulate ``size`` Simon trials at each p (one column per p); no loop over trials.

    Stage-1 and stage-2 response counts are drawn by inversion on uniforms
    (:func:`designcalc.core.simulate.draw_discrete`: count the CDF thresholds a
    uniform exceeds), measured faster than ``Generator.binomial`` for the small
    supports of phase 2 trials.  Stage-2 counts are drawn for every trial and
    used only where stage 1 continued (cheaper than masking).
    """
    from designcalc.core.simulate import draw_discrete

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


def simulate_columns(design, p, n_sims, sim):
    """Simulated ``pet``, ``en``, ``reject`` columns (``*_sim``, ``*_sim_se``) at each p.

    ``sim`` is a :class:`designcalc.core.protocol.SimOptions`.  All p values share
    one run of the engine (one column per p in the kernel).  Returns
    ``(columns, seed)``.
    """
    import functools

    from designcalc.core import simulate
    from designcalc.core.simulate import discrete_cdf

    p_arr = check_prob_array("p", p)

    def table(m, q):
        cdf = discrete_cdf(_binom.pmf(m, q))
        return cdf[cdf < 1.0]        # u < 1 never exceeds a threshold of 1: exact trim

    cdf1 = [table(design.n1, q) for q in p_arr]
    cdf2 = [table(design.n2, q) for q in p_arr]
    kernel = functools.partial(_oc_kernel, r1=design.r1, r=design.r, cdf1=cdf1, cdf2=cdf2)
    res = simulate.run(kernel, n_sims, seed=sim.seed, **sim.run_kwargs())
    pet = np.atleast_1d(res.estimate["pet"])
    pet_se = np.atleast_1d(res.se["pet"])
    cols = {"pet_sim": pet, "pet_sim_se": pet_se,
            # EN per trial is n - n2 * stop: its mean and SE follow from PET's exactly
            "en_sim": design.n - design.n2 * pet, "en_sim_se": design.n2 * pet_se,
            "reject_sim": np.atleast_1d(res.estimate["reject"]),
            "reject_sim_se": np.atleast_1d(res.se["reject"])}
    return cols, res.seed


def simulate_oc(design, p, n_sims, seed=None, workers=1, chunk_size=None):
    """Monte-Carlo operating characteristics of a Simon rule (checks :meth:`SimonDesign.oc`).

    The same numbers as ``design.simulate(p, n_sims, seed=..., workers=...,
    chunk_size=...).table()``.

    Parameters
    ----------
    design : SimonDesign
    p : float or sequence of float
        True response probabilities.
    n_sims : int
        Simulated trials per p.
    seed : int, optional
        Root seed (``designcalc.core.simulate.run``); the seed used is in
        ``DataFrame.attrs["seed"]``.
    workers : int
        Local processes.

    Returns
    -------
    pandas.DataFrame
        Columns ``p, pet_sim, pet_sim_se, en_sim, en_sim_se, reject_sim,
        reject_sim_se`` (estimates and Monte-Carlo standard errors).
    """
    if not (isinstance(design, Design) and design.family == "simon"):
        raise TypeError(f"design must be a SimonDesign, got {type(design).__name__}")
    p_arr = check_prob_array("p", p)
    res = design.simulate([float(q) for q in p_arr], n_sims, seed=seed, workers=workers,
                          chunk_size=chunk_size)
    df = res.table()
    df.attrs["seed"] = res.seed
    df.attrs["n_sims"] = res.n_sims
    return df


__all__ = ["simulate_oc", "simulate_columns"]
