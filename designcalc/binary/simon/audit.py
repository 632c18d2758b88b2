"""Audit of a given Simon rule: the hypotheses under which it is a Simon design.

numpy only at import time; pandas is imported inside :func:`audit`.
"""

from __future__ import annotations

import numpy as np

from designcalc.core.validate import check_p0_p1, check_prob, check_prob_array
from designcalc.binary.simon.design import SimonDesign
from designcalc.binary.simon.search import _alpha_power_cube, _Tables, search

DEFAULT_ALPHAS = (0.025, 0.05, 0.10)
DEFAULT_POWERS = (0.80, 0.85, 0.90)
AUDIT_COLUMNS = ("p0", "p1", "alpha", "power", "role", "en0", "pet0", "alpha_actual",
                 "power_actual", "q_min", "q_max")


def _default_grid():
    return np.round(np.arange(1, 100) / 100.0, 10)


def _grid(name, values):
    arr = check_prob_array(name, _default_grid() if values is None else values, closed=False)
    return np.unique(np.round(arr, 10))


def _levels(name, values):
    try:
        vals = [check_prob(name, v) for v in values]
    except TypeError:
        if not np.iterable(values):
            vals = [check_prob(name, values)]
        else:
            raise
    if not vals:
        raise ValueError(f"{name} must list at least one value")
    return sorted(set(vals))


def _full_r_cubes(design: SimonDesign, p: float):
    """Rejection probabilities for every (n1, r1, r) with the design's total n, at p."""
    n = design.n
    t = _Tables(p, n + 2)
    n1s = np.arange(1, n)
    rs = np.arange(0, n)
    cube = _alpha_power_cube(n, n1s, 0, n - 2, rs, t)          # (n-1, n-1, n)
    return t, cube


#: measured cost per cell of one (n1, r1, r) table (seconds, 2-core machine)
_SECONDS_PER_CELL = 40e-9


def _check_audit_cost(n: int, points: int, k1: int) -> None:
    """Refuse an audit estimated above the budget: one (n-1) x (n-1) x n table per grid
    point (time and memory grow as n**3), a (K1, n, n) stack over the p1 hypotheses."""
    cells = float(n) ** 3
    seconds = points * cells * _SECONDS_PER_CELL
    memory = max(cells * 8 * 4, k1 * float(n) ** 2 * 8 * 4)
    if seconds > 1.0 or memory > 2 ** 28:
        from designcalc.core.budget import check_budget

        check_budget(f"audit of a rule with n = {n} over {points} grid points",
                     seconds=seconds, bytes=memory,
                     detail=f"{points} tables of {cells:.3g} cells; narrow --p0-grid/--p1-grid")


def audit_rows(design, p0_grid=None, p1_grid=None, alphas=DEFAULT_ALPHAS,
               powers=DEFAULT_POWERS, p0=None, p1=None):
    """The computation behind :func:`audit`, as plain rows (no pandas).

    Returns ``(rows, summary)``: ``rows`` is a list of dicts with columns
    :data:`AUDIT_COLUMNS`; ``summary`` holds the attained OC at the user's
    ``p0``/``p1`` (empty when neither is given).
    """
    if not isinstance(design, SimonDesign):
        raise TypeError(f"design must be a SimonDesign, got {type(design).__name__}")
    g0 = _grid("p0_grid", p0_grid)
    g1 = _grid("p1_grid", p1_grid)
    alphas = _levels("alphas", alphas)
    powers = _levels("powers", powers)
    summary = {}
    if p0 is not None:
        p0 = check_prob("p0", p0)
        summary.update(p0=p0, alpha_actual=design.alpha_actual(p0),
                       pet0=float(design.pet(p0)), en0=float(design.en(p0)))
    if p1 is not None:
        if p0 is not None:
            p0, p1 = check_p0_p1(p0, p1)
        else:
            p1 = check_prob("p1", p1)
        summary.update(p1=p1, power_actual=design.power_actual(p1),
                       pet1=float(design.pet(p1)))

    n, n1_d, r1_d, r_d = design.n, design.n1, design.r1, design.r
    # 1. The design must itself be feasible: alpha_actual(p0) < alpha, power_actual(p1) > power.
    rej0 = design.reject(g0)
    rej1 = design.reject(g1)
    cand0 = [(float(p), a) for p, rj in zip(g0, rej0) for a in alphas if rj < a]
    cand1 = [(float(p), b) for p, rj in zip(g1, rej1) for b in powers if rj > b]
    if not cand0 or not cand1:
        return [], summary
    # 2. It must be the best design at its own n (smallest EN0, largest feasible r):
    #    one exact table of every (n1, r1, r) with total n per grid point, then
    #    all hypotheses at once.
    _check_audit_cost(n, len({c[0] for c in cand0}) + len({c[0] for c in cand1}),
                      len({(c[0], c[1]) for c in cand1}))
    n1s = np.arange(1, n)
    r1_idx = np.arange(0, n - 1)
    shape_ok = r1_idx[None, :] < n1s[:, None]
    rstar = {}   # (p0, alpha) -> smallest r with alpha_actual < alpha, per (n1, r1)
    en0_tab = {}
    for p in sorted({c[0] for c in cand0}):
        t, cube = _full_r_cubes(design, p)
        en0_tab[p] = n1s[:, None] + t.tail[n1s[:, None], r1_idx[None, :] + 1] * (n - n1s)[:, None]
        for a in alphas:
            rstar[(p, a)] = np.maximum(np.sum(cube >= a, axis=2), r1_idx[None, :])
    rmax1 = {}   # (p1, power) -> largest r with power_actual > power, per (n1, r1)
    for p in sorted({c[0] for c in cand1}):
        _, cube = _full_r_cubes(design, p)
        for b in powers:
            rmax1[(p, b)] = np.sum(cube > b, axis=2) - 1
    i_d, j_d = n1_d - 1, r1_d
    keys1 = list(rmax1)
    stack1 = np.stack([rmax1[k] for k in keys1])                 # (K1, n-1, n-1)
    hits = []
    for (p, a) in cand0:
        rs_ = rstar[(p, a)]
        ok_p = np.array([k[0] > p for k in keys1])
        if not ok_p.any():
            continue
        feas = shape_ok[None] & (rs_[None] <= stack1) & ok_p[:, None, None]
        en0 = np.where(feas, en0_tab[p][None], np.inf)
        mine = en0[:, i_d, j_d]
        # the design's (n1, r1) must attain the minimum and r** must equal r
        is_best = np.isfinite(mine) & (mine <= en0.reshape(len(keys1), -1).min(axis=1))
        is_best &= stack1[:, i_d, j_d] == r_d
        for k in np.nonzero(is_best)[0]:
            hits.append((p, keys1[k][0], a, keys1[k][1]))
    # 3. Only now run the full search for each remaining hypothesis.
    rows = []
    for (q0, q1, a, b) in sorted(hits):
        res = search(q0, q1, a, b)
        for adm in res.admissible:
            if adm.design == design:
                rows.append({"p0": q0, "p1": q1, "alpha": a, "power": b, "role": adm.role,
                             "en0": adm.en0, "pet0": adm.pet0,
                             "alpha_actual": adm.alpha_actual,
                             "power_actual": adm.power_actual,
                             "q_min": adm.q_min, "q_max": adm.q_max})
    return rows, summary


def audit(design, p0_grid=None, p1_grid=None, alphas=DEFAULT_ALPHAS, powers=DEFAULT_POWERS,
          p0=None, p1=None):
    """Hypotheses (p0, p1, alpha, power) under which a given rule is a Simon design.

    For every ``p0`` in ``p0_grid``, ``p1 > p0`` in ``p1_grid``, alpha in
    ``alphas`` and power in ``powers``, the design is reported when it is the
    minimax, optimal or an admissible design that :func:`search` returns for
    that hypothesis (same r1, n1, r, n; clinfun's conventions).  Pruning: the
    design must itself be feasible for the hypothesis, then it must be the
    smallest-EN0 design at its own n; only then is the full search run.

    Parameters
    ----------
    design : SimonDesign
    p0_grid, p1_grid : sequence of float, optional
        Default 0.01, 0.02, ..., 0.99.
    alphas, powers : sequence of float
    p0, p1 : float, optional
        Report the design's attained alpha (and PET0, EN0) at ``p0`` and its
        power at ``p1`` in ``DataFrame.attrs["attained"]``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS` (``role`` is "minimax", "admissible",
        "optimal" or "minimax+optimal"), one row per hypothesis.

    Examples
    --------
    The NALIRIFOX rule 6/12, 19/28 is the minimax design for p0 = 0.51,
    p1 = 0.80, alpha = 0.025, power = 0.90:

    >>> df = audit(SimonDesign(6, 12, 19, 28), p0_grid=[0.51], p1_grid=[0.80],
    ...            alphas=[0.025], powers=[0.90])
    >>> df.loc[0, "role"]
    'minimax'
    """
    import pandas as pd

    rows, summary = audit_rows(design, p0_grid, p1_grid, alphas, powers, p0, p1)
    df = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    df.attrs["attained"] = summary
    return df


__all__ = ["DEFAULT_ALPHAS", "DEFAULT_POWERS", "AUDIT_COLUMNS", "audit_rows", "audit"]
