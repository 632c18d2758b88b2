"""Monte-Carlo simulation of rule-based designs through :mod:`designcalc.core.simulate`.

The kernel follows exactly the rules of :mod:`designcalc.dose.rulebased.exact` (same
action codes, same handling of blocked escalation and de-escalation), but for
a whole batch of trials at once: the state of every trial (current level,
highest level still allowed, cohorts and DLTs per level) lives in numpy
arrays, and each loop iteration advances every unfinished trial by one
decision.  The loop runs over decisions, whose number is bounded by the
decision table (at most ``levels × cohorts per level`` cohorts plus as many
moves), never over trials.

The DLT count of the ``j``-th cohort treated at level ``l`` is drawn up front
as ``Bin(c, tox_l)`` for every trial, level and ``j`` (one vectorised call);
since cohorts are independent given the level, this is the same model as
drawing them when they are treated.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core import simulate
from designcalc.dose.rulebased.exact import (DEESCALATE, ESCALATE, NONE, SELECT, SELECT_BELOW,
                                             TREAT, _check_target, _prefixed, check_design,
                                             compile_design)
from designcalc.dose.tables import level_rows

if TYPE_CHECKING:
    from designcalc.dose.rulebased.rules import DoseDesign


def dose_kernel(rng: np.random.Generator, size: int, *, p: tuple, c: int, start: int,
                confirm_n: int, code_arr: np.ndarray, target_mask: np.ndarray,
                confirm_always: bool = True) -> dict:
    """Simulate ``size`` trials; levels in dose-ascending order.

    Returns per-trial arrays: ``select`` (one-hot over levels + none),
    ``n_treated``, ``n_dlt`` (per level), ``n_total``, ``dlt_total``,
    ``n_dist`` (one-hot over total N / c) and ``above`` (selected level's true
    toxicity above the target).
    """
    p = np.asarray(p, dtype=float)
    k = p.size
    m = code_arr.shape[0] - 1                      # max cohorts per level
    width = code_arr.shape[1]
    code_flat = code_arr.reshape(-1)               # code of (cohorts, dlt) at cohorts*width+dlt
    # Inverse-CDF binomial draws, one uniform per treated cohort: comparing it
    # with the c cumulative probabilities is several times faster than
    # Generator.binomial with per-trial probabilities (tests/benchmarks).
    cdf = np.cumsum(np.atleast_2d(_binom.pmf(c, p)), axis=1)[:, :-1]   # (k, c)
    cdf_t = np.ascontiguousarray(cdf.T)            # cdf_t[j][l] = P(X <= j) at level l
    lvl = np.full(size, start, dtype=np.intp)
    ceil = np.full(size, k, dtype=np.intp)
    ncoh = np.zeros(size * k, dtype=np.intp)       # flat index trial*k + level
    ndlt = np.zeros(size * k, dtype=np.int16)
    sel = np.full(size, k, dtype=np.intp)          # k = no level selected
    arrived = np.zeros(size, dtype=bool)           # current level reached by de-escalation
    idx = np.arange(size)
    max_steps = 2 * k * (m + 1) + 4
    for _ in range(max_steps):
        if idx.size == 0:
            break
        cur = lvl[idx]
        base = idx * k
        flat = base + cur
        nc = ncoh[flat]
        code = code_flat[nc * width + ndlt[flat]]
        finished = np.zeros(idx.size, dtype=bool)
        moved = np.zeros(idx.size, dtype=bool)

        esc = code == ESCALATE
        if esc.any():
            can = esc & (cur + 1 < np.minimum(k, ceil[idx]))
            blocked = esc & ~can
            done = blocked & (nc * c >= confirm_n)
            if not confirm_always:   # confirm_n only on a level reached by de-escalation
                done |= blocked & ~arrived[idx]
            sel[idx[done]] = cur[done]
            finished |= done
            code = np.where(blocked & ~done, TREAT, code)
            cur = np.where(can, cur + 1, cur)
            moved |= can
            arrived[idx[can]] = False
        de = code == DEESCALATE
        if de.any():
            ceil[idx[de]] = np.minimum(ceil[idx[de]], cur[de])
            finished |= de & (cur == 0)               # sel stays k (none)
            down = de & (cur > 0)
            cur = np.where(down, cur - 1, cur)
            moved |= down
            arrived[idx[down]] = True
        s = code == SELECT
        if s.any():
            sel[idx[s]] = cur[s]
            finished |= s
        sb = code == SELECT_BELOW
        if sb.any():
            below = cur[sb] - 1
            ok = below >= 0
            ok[ok] = ncoh[base[sb][ok] + below[ok]] > 0
            sel[idx[sb]] = np.where(ok, below, k)
            finished |= sb
        finished |= code == NONE
        if np.any(code < 0):  # pragma: no cover - impossible after table validation
            raise RuntimeError("dose rule reached a cell with no action")

        flat = base + cur
        if moved.any():
            # trials that moved to an untreated level treat a cohort now (saves a pass)
            code = np.where(moved & (ncoh[flat] == 0), TREAT, code)
            lvl[idx] = cur
        t = code == TREAT
        if t.any():
            ft = flat[t]
            u = rng.random(ft.size)
            lt = cur[t]
            x = (u >= cdf_t[0][lt]).astype(np.int16)
            for j in range(1, c):
                x += u >= cdf_t[j][lt]
            ndlt[ft] += x
            ncoh[ft] += 1
            arrived[idx[t]] = False
        idx = idx[~finished]
    else:
        if idx.size:  # pragma: no cover - bounded by construction
            raise RuntimeError("dose simulation did not finish within its step bound")
    ncoh = ncoh.reshape(size, k)
    ndlt = ndlt.reshape(size, k)

    n_treated = ncoh * c
    n_total = n_treated.sum(axis=1)
    select = np.zeros((size, k + 1), dtype=np.float32)
    select[np.arange(size), sel] = 1.0
    n_dist = np.zeros((size, k * m + 1), dtype=np.float32)
    n_dist[np.arange(size), n_total // c] = 1.0
    return {"select": select, "n_treated": n_treated, "n_dlt": ndlt,
            "n_total": n_total, "dlt_total": ndlt.sum(axis=1),
            "n_dist": n_dist, "above": np.append(target_mask, False)[sel]}


def make_kernel(design: DoseDesign, tox, target=None):
    """A picklable kernel (a ``functools.partial`` of :func:`dose_kernel`)."""
    comp, arr, warns = compile_design(design, tox)
    m = -(-comp.max_n // comp.c)
    code_arr = np.full((m + 1, comp.c * m + 1), -1, dtype=np.int8)
    code_arr[0, :] = TREAT
    for (n, d), code in comp.codes.items():
        code_arr[n // comp.c, d] = code
    mask = np.zeros(comp.k, dtype=bool) if target is None else comp.p > target
    kernel = functools.partial(dose_kernel, p=tuple(comp.p), c=comp.c, start=comp.start,
                               confirm_n=comp.confirm_n, code_arr=code_arr, target_mask=mask,
                               confirm_always=comp.confirm_always)
    return kernel, comp, arr, warns


def simulated_tables(design: DoseDesign, curves, n_sims: int, sim, target=None,
                     **options) -> dict:
    """The :class:`~designcalc.core.result.OCResult` fields of ``design.simulate()``.

    ``curves`` is a list of ``(scenario name, toxicity curve)`` pairs; the
    ``j``-th is simulated with the root seed ``sim.seed + j``.  ``sim`` is a
    :class:`designcalc.core.protocol.SimOptions` (``chunk_size`` None means
    :data:`designcalc.core.simulate.DEFAULT_CHUNK`).
    """
    if options:
        raise TypeError(f"{next(iter(options))}: not an option of the dose family "
                        "(options: target)")
    target = _check_target(target)
    kernels = [(name, *make_kernel(design, tox, target)) for name, tox in curves]
    run_kw = sim.run_kwargs(simulate.DEFAULT_CHUNK)
    rows, metrics, dist, dist_se, warns = [], [], {}, {}, []
    for j, (name, kernel, comp, arr, w) in enumerate(kernels):
        res = simulate.run(kernel, n_sims, seed=sim.seed + j, **run_kw)
        est, se = res.estimate, res.se
        order = comp.order
        sel, sel_se = est["select"], se["select"]
        rows += level_rows(name, arr,
                           {"select_sim": sel[:-1][order], "select_sim_se": sel_se[:-1][order],
                            "n_treated_sim": est["n_treated"][order],
                            "n_treated_sim_se": se["n_treated"][order],
                            "n_dlt_sim": est["n_dlt"][order],
                            "n_dlt_sim_se": se["n_dlt"][order]},
                           {"select_sim": float(sel[-1]), "select_sim_se": float(sel_se[-1])},
                           per_level={"dose": design.doses})
        above = above_se = None
        if target is not None:
            above, above_se = float(est["above"]), float(se["above"])
        metrics.append({"scenario": name,
                        "en_sim": float(est["n_total"]), "en_sim_se": float(se["n_total"]),
                        "e_dlt_sim": float(est["dlt_total"]),
                        "e_dlt_sim_se": float(se["dlt_total"]),
                        "p_none_sim": float(sel[-1]), "p_none_sim_se": float(sel_se[-1]),
                        "p_select_above_target_sim": above,
                        "p_select_above_target_sim_se": above_se})
        d, d_se = est["n_dist"], se["n_dist"]
        dist[name] = {int(i * comp.c): float(v) for i, v in enumerate(d) if v > 0}
        dist_se[name] = {int(i * comp.c): float(s_) for i, (v, s_) in enumerate(zip(d, d_se))
                         if v > 0}
        warns += _prefixed(name, w)
    return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
            "metric_keys": ("scenario",),
            "extra": {"n_distribution_sim": dist, "n_distribution_sim_se": dist_se,
                      "target": target},
            "warnings": warns}


def simulate_oc(design: DoseDesign, tox, n_sims: int, seed=None, workers: int = 1,
                target=None, chunk_size: int | None = None, backend: str = "local",
                scheduler=None, progress: bool = False):
    """Operating characteristics of one toxicity curve by simulating ``n_sims`` trials.

    ``design.simulate({"": tox}, n_sims, seed=seed, ..., target=target)``:
    the rows and metrics of :func:`designcalc.dose.rulebased.exact.exact_oc` as
    simulated columns ``q_sim`` with their Monte-Carlo standard errors
    ``q_sim_se`` (e.g. ``select_sim``, ``select_sim_se``, ``en_sim``),
    ``extra["n_distribution_sim"][""]`` and ``extra["n_distribution_sim_se"][""]``,
    ``n_sims`` and ``seed``.  The same ``seed`` gives the same numbers
    whatever ``workers`` (see :func:`designcalc.core.simulate.run`); ``chunk_size``
    None is :data:`designcalc.core.simulate.DEFAULT_CHUNK`.

    Examples
    --------
    >>> from designcalc.dose.rulebased import preset
    >>> res = simulate_oc(preset("msc-deescalation"), [0.30, 0.15, 0.05], 20000, seed=1)
    >>> row = res.rows[0]
    >>> bool(abs(row["select_sim"] - 0.343) < 4 * row["select_sim_se"])
    True
    """
    check_design(design)
    return design.simulate({"": tox}, n_sims, seed=seed, workers=workers,
                           chunk_size=chunk_size, backend=backend, scheduler=scheduler,
                           progress=progress, target=target)


__all__ = ["dose_kernel", "make_kernel", "simulated_tables", "simulate_oc"]
