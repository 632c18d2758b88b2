"""Monte-Carlo operating characteristics of a K-look binary rule.

The kernel is module-level (sent to worker processes as a
``functools.partial``).  Per look, the new responses of every simulated trial
are drawn by inversion (:func:`designcalc.core.simulate.draw_discrete`) and the
bounds applied to the cumulative count with array operations: no loop over
trials.
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_prob_array

__all__ = ["simulate_columns"]


def _kernel(rng, size, looks, futility, efficacy, cdfs):
    from designcalc.core.simulate import draw_discrete

    n_p = len(cdfs)
    shape = (size, n_p)
    out = {name: np.zeros(shape, dtype=bool)
           for name in ("reject", "pet", "pet_futility", "pet_efficacy", "inconclusive")}
    size_n = np.empty(shape)
    last = len(looks) - 1
    for i, per_look in enumerate(cdfs):               # loop over p values only
        s = np.zeros(size, dtype=np.int64)
        alive = np.ones(size, dtype=bool)
        n_at = np.full(size, float(looks[-1]))
        for k, cdf in enumerate(per_look):
            s += draw_discrete(rng, cdf, size)
            a, b = futility[k], efficacy[k]
            fut = alive & (s <= a)
            eff = alive & (s >= b) if b is not None else np.zeros(size, dtype=bool)
            if k < last:
                out["pet_futility"][:, i] |= fut
                out["pet_efficacy"][:, i] |= eff
                out["reject"][:, i] |= eff
                n_at[fut | eff] = looks[k]
                alive &= ~(fut | eff)
            else:
                out["reject"][:, i] |= eff
                out["inconclusive"][:, i] = alive & ~fut & ~eff
        out["pet"][:, i] = out["pet_futility"][:, i] | out["pet_efficacy"][:, i]
        size_n[:, i] = n_at
    out["en"] = size_n
    return out


def simulate_columns(design, p, n_sims, sim):
    """Simulated columns (``*_sim``, ``*_sim_se``) matching :meth:`MultiStageDesign._exact`.

    ``sim`` is a :class:`designcalc.core.protocol.SimOptions`.  Returns ``(columns, seed)``.
    """
    from designcalc.core import simulate
    from designcalc.core.simulate import discrete_cdf

    p_arr = check_prob_array("p", p)
    steps = np.diff((0,) + tuple(design.looks))

    def table(m, q):
        cdf = discrete_cdf(_binom.pmf(int(m), q))
        return cdf[cdf < 1.0]          # u < 1 never exceeds a threshold of 1: exact trim

    cdfs = [[table(m, q) for m in steps] for q in p_arr]
    kernel = functools.partial(_kernel, looks=design.looks, futility=design.futility,
                               efficacy=design.efficacy_bounds(), cdfs=cdfs)
    res = simulate.run(kernel, n_sims, seed=sim.seed, **sim.run_kwargs())
    names = ["reject", "pet", "en"]
    if design.efficacy is not None:
        names += ["pet_futility", "pet_efficacy"]
    if design.three_outcome:
        names.append("inconclusive")
    cols = {}
    for name in names:
        cols[f"{name}_sim"] = np.atleast_1d(res.estimate[name])
        cols[f"{name}_sim_se"] = np.atleast_1d(res.se[name])
    return cols, res.seed
