"""Keyboard phase I/II design for the OBD, as ``Keyboard::get.oc.obd.kb`` / ``select.obd.kb``.

The decision table (``get.decision.obd.kb``): toxicity is cut into four intervals
by ``tox_low < tox_moderate < tox_high`` and efficacy by ``eff_low < eff_moderate <
eff_high``; for n patients with T toxicities and R responses each of the 16 (toxicity,
efficacy) boxes gets its joint unit probability mass

    JUPM = Pr(p_T in box_T) Pr(p_E in box_E) / (|box_T| |box_E|),

rounded to 2 decimals (Beta(1 + T, 1 + n - T) and Beta(1 + R, 1 + n - R)), and the
decision of the box with the largest (the first on a tie, in the order toxicity box
then efficacy box) applies: E E E E / E E E S / D S S S / D D D D for the four toxicity
boxes from the lowest.  A D becomes DUT when Pr(p_T > target_tox) > cutoff_tox, else
DUE when Pr(p_E > target_eff) < cutoff_eff; an E becomes EUE under the latter.

The trial (``get.oc.obd.kb``): after each cohort at d, stop if n_d >= n_early; with
>= 3 patients, Pr(p_T > target_tox) > cutoff_tox eliminates d and above (at the lowest
dose: stop, no OBD) and Pr(p_E > target_eff) < cutoff_eff eliminates d; then E moves
up, D down (to a non-eliminated dose), S stays; DUT moves down and eliminates the
new dose and above, DUE moves down and eliminates the new dose, EUE moves up and
eliminates the new dose -- exactly as the package's code does it.

The OBD (``select.obd.kb``): doses with patients and not eliminated (recomputed from
the final data); isotonic toxicity (PAVA of Beta(0.05, 0.05) posterior means, weights
1 / variance, plus 1e-10 x position), efficacy posterior means q, and three utilities:
f(p) g(q) (piecewise linear, p1, p2, q1, q2), q - w1 p, and q - w1 p - w2 p 1(p > indicator);
the largest, the lowest dose on a tie, none when the utilities sum to 0.

References
----------
Li DH, Whitmore JB, Guo W, Ji Y (2017). Toxicity and efficacy probability interval
design for phase I adoptive cell therapy dose-finding clinical trials. Clin Cancer Res
23:13-20.  Keyboard 0.1.3 (Yuan, Li, Sun, Tang, Pan 2022).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core.protocol import Design
from designcalc.core.validate import check_int, check_real
from designcalc.dose.phase12.boin12 import beta_cdf, joint_cells

E, S, D, DUT, DUE, EUE = range(6)
ACTIONS = ("E", "S", "D", "DUT", "DUE", "EUE")
#: the decision of each (toxicity box, efficacy box), toxicity box first
BOXES = np.array([E, E, E, E, E, E, E, S, D, S, S, S, D, D, D, D])


def decision_table(tox_cuts, eff_cuts, target_tox, target_eff, n_max, cutoff_tox=0.95,
                   cutoff_eff=0.3) -> np.ndarray:
    """``action[n, T, R]`` (codes of :data:`ACTIONS`) for n = 0..n_max (rows n < 1 unused).

    Examples
    --------
    ``get.decision.obd.kb`` of the package's example (target toxicity 0.2, efficacy 0.4),
    3 patients of whom 2 respond, 0-3 toxicities (tests/data/keyboard_obd_table.csv):

    >>> a = decision_table((0.15, 0.25, 0.35), (0.25, 0.45, 0.65), 0.2, 0.4, 3)
    >>> [ACTIONS[a[3, t, 2]] for t in range(4)]
    ['E', 'S', 'DUT', 'DUT']
    """
    tb = np.array([0.0, *tox_cuts, 1.0])
    eb = np.array([0.0, *eff_cuts, 1.0])
    nn = np.arange(n_max + 1)[:, None]
    yy = np.arange(n_max + 1)[None, :]
    a, b = 1 + yy, 1 + np.maximum(nn - yy, 0)

    def mass(bounds):              # (n, y, box): probability per unit width of each box
        cdf = np.stack([beta_cdf(float(x), a, b) for x in bounds], axis=-1)
        return np.diff(cdf, axis=-1) / np.diff(bounds)

    mass_t, mass_e = mass(tb), mass(eb)
    jupm = np.round(mass_t[:, :, None, :, None] * mass_e[:, None, :, None, :], 2)
    jupm = jupm.reshape(n_max + 1, n_max + 1, n_max + 1, 16)
    act = BOXES[np.argmax(jupm, axis=-1)]
    tox_out = (1 - beta_cdf(target_tox, yy + 1, np.maximum(nn - yy, 0) + 1)) > cutoff_tox
    eff_out = (1 - beta_cdf(target_eff, yy + 1, np.maximum(nn - yy, 0) + 1)) < cutoff_eff
    dut = (act == D) & tox_out[:, :, None]
    due = (act == D) & ~tox_out[:, :, None] & eff_out[:, None, :]
    eue = (act == E) & eff_out[:, None, :]
    act = np.where(dut, DUT, np.where(due, DUE, np.where(eue, EUE, act)))
    ok = yy <= nn
    return np.where(ok[:, :, None] & ok[:, None, :], act, S)


def _elimination(n, y, e, target_tox, target_eff, cutoff_tox, cutoff_eff) -> np.ndarray:
    """``select.obd.kb``'s eliminated doses of final counts (rows)."""
    three = n >= 3
    tox = three & ((1 - beta_cdf(target_tox, y + 1, n - y + 1)) > cutoff_tox)
    eff = three & ((1 - beta_cdf(target_eff, e + 1, n - e + 1)) < cutoff_eff)
    return (np.cumsum(tox, axis=1) > 0) | eff


def select_obd(n, y, e, *, target_tox, target_eff, p1=0.15, p2=0.40, q1=0.3, q2=0.6,
               cutoff_tox=0.95, cutoff_eff=0.3, w1=0.33, w2=1.09, indicator=None) -> np.ndarray:
    """The OBD index (0-based; ``k``: none) under the three utilities, shape ``(rows, 3)``.

    Examples
    --------
    Keyboard's documented example (``select.obd.kb``, target toxicity 0.3, efficacy 0.4):
    OBD 3 under all three utilities.

    >>> select_obd([[3, 6, 12, 3, 3]], [[1, 2, 4, 2, 3]], [[0, 0, 5, 1, 1]],
    ...            target_tox=0.3, target_eff=0.4).tolist()
    [[2, 2, 2]]
    """
    from designcalc.dose.interval.rules import pava

    n, y, e = (np.atleast_2d(np.asarray(a, dtype=np.int64)) for a in (n, y, e))
    rows, k = n.shape
    indicator = target_tox if indicator is None else indicator
    adm = (n > 0) & ~_elimination(n, y, e, target_tox, target_eff, cutoff_tox, cutoff_eff)
    order = np.argsort(~adm, axis=1, kind="stable")            # admissible doses first
    r = np.arange(rows)[:, None]
    valid = adm[r, order]
    nn, yy, ee = n[r, order], y[r, order], e[r, order]
    a, b = 0.05 + yy, 0.05 + nn - yy
    phat = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    phat = pava(phat, np.where(valid, 1 / var, 1.0), valid)
    phat = phat + np.arange(1, k + 1)[None, :] * 1e-10
    qhat = (0.05 + ee) / (0.1 + nn)
    fp = np.where(phat <= p1, 1.0, np.where(phat < p2, 1 - (phat - p1) / (p2 - p1), 0.0))
    fq = np.where(qhat < q1, 0.0, np.where(qhat < q2, (qhat - q1) / (q2 - q1), 1.0))
    utilities = (fp * fq, qhat - w1 * phat,
                 qhat - w1 * phat - w2 * phat * (phat > indicator))
    out = np.full((rows, 3), k, dtype=np.int64)
    for j, u in enumerate(utilities):
        u = np.where(valid, u, -np.inf)
        total = np.where(valid, u, 0.0).sum(axis=1)
        best = order[np.arange(rows), np.argmax(u, axis=1)]
        out[:, j] = np.where(valid.any(axis=1) & (total != 0), best, k)
    return out


def keyboard_kernel(rng, size, *, design, cells):
    """``size`` trials of ``get.oc.obd.kb``: per-trial selection under the design's
    utility, counts per dose and early stopping."""
    cells = np.asarray(cells, dtype=float)
    k = cells.shape[0]
    c, m = design.cohort_size, design.cohorts
    act = design.table()
    cdf = np.cumsum(cells, axis=1)[:, :-1]
    n = np.zeros((size, k), dtype=np.int64)
    y, e = np.zeros_like(n), np.zeros_like(n)
    elim = np.zeros((size, k), dtype=bool)
    early = np.zeros(size, dtype=bool)
    level = np.full(size, design.start_level - 1, dtype=np.int64)
    idx = np.arange(size)
    top = k - 1
    for _ in range(m):
        if idx.size == 0:
            break
        d = level[idx]
        cell = (rng.random((idx.size, c))[:, :, None] >= cdf[d][:, None, :]).sum(axis=2)
        n[idx, d] += c
        y[idx, d] += ((cell == 2) | (cell == 3)).sum(axis=1)
        e[idx, d] += ((cell == 0) | (cell == 2)).sum(axis=1)
        nd, yd, ed = n[idx, d], y[idx, d], e[idx, d]
        stop = nd >= design.n_early
        a = act[nd, yd, ed]
        three = nd >= 3
        tox_out = three & ((1 - beta_cdf(design.target_tox, yd + 1, nd - yd + 1))
                           > design.cutoff_tox)
        eff_out = three & ((1 - beta_cdf(design.target_eff, ed + 1, nd - ed + 1))
                           < design.cutoff_eff)
        ev = elim[idx]
        ev |= tox_out[:, None] & (np.arange(k)[None, :] >= d[:, None])
        low_out = tox_out & (d == 0) & ~stop
        early[idx[low_out]] = True
        stop |= low_out
        ev[np.arange(idx.size), d] |= eff_out
        r = np.arange(idx.size)
        up_ok = (d < top) & ~ev[r, np.minimum(d + 1, top)]
        down_ok = (d > 0) & ~ev[r, np.maximum(d - 1, 0)]
        up = ((a == E) | (a == EUE)) & up_ok
        down = ((a == D) | (a == DUT) | (a == DUE)) & down_ok
        newd = d + up - down
        # the package's DUT / DUE / EUE eliminate from the dose *after* the move
        at = (d > 0) & ((a == DUT) | (a == DUE)) | (d < top) & (a == EUE)
        ev[r[at], newd[at]] = True
        ev |= ((a == DUT) & (d > 0))[:, None] & (np.arange(k)[None, :] >= newd[:, None])
        keep = ~stop
        elim[idx] = np.where(keep[:, None], ev, elim[idx])
        level[idx] = np.where(keep, newd, d)
        idx = idx[keep]
    sel = np.full(size, k, dtype=np.int64)
    go = ~early
    if go.any():
        sel[go] = design.select_obd(n[go], y[go], e[go])[:, design.utility - 1]
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    return {"select": select, "n_treated": n, "n_dlt": y, "n_eff": e,
            "n_total": n.sum(axis=1), "dlt_total": y.sum(axis=1), "eff_total": e.sum(axis=1),
            "stop_early": early}


@dataclass(frozen=True)
class KeyboardObdDesign(Design):
    """Keyboard phase I/II (``Keyboard::get.oc.obd.kb``), simulated.

    Parameters follow the package (its names in brackets): ``target_tox``
    (target.toxicity), ``target_eff`` (target.efficacy), ``tox_low``,
    ``tox_moderate``, ``tox_high`` (toxicity.low/moderate/high), ``eff_low``,
    ``eff_moderate``, ``eff_high``, ``cohorts`` (ncohort), ``cohort_size``
    (cohortsize), ``n_early`` (n.early), ``start_level`` (startdose), ``p1``, ``p2``,
    ``q1``, ``q2``, ``cutoff_tox`` (cutoff.eli.toxicity), ``cutoff_eff``
    (cutoff.eli.efficacy), ``w1``, ``w2`` (w1.toxicity, w2.toxicity), ``indicator``
    (default target_tox); ``utility`` (1, 2, 3) picks the selection reported as
    ``select`` (the package reports all three: selpercent1-3).
    """

    target_tox: float = 0.3
    target_eff: float = 0.4
    tox_low: float = 0.15
    tox_moderate: float = 0.25
    tox_high: float = 0.35
    eff_low: float = 0.25
    eff_moderate: float = 0.45
    eff_high: float = 0.65
    cohorts: int = 10
    cohort_size: int = 3
    n_early: int = 100
    start_level: int = 1
    p1: float = 0.15
    p2: float = 0.40
    q1: float = 0.3
    q2: float = 0.6
    cutoff_tox: float = 0.95
    cutoff_eff: float = 0.3
    w1: float = 0.33
    w2: float = 1.09
    indicator: float | None = None
    utility: int = 1

    family = "phase12"
    design_name = "keyboard-obd"
    none_is_default = True

    def __post_init__(self):
        for name in ("target_tox", "target_eff", "tox_low", "tox_moderate", "tox_high",
                     "eff_low", "eff_moderate", "eff_high", "p1", "p2", "q1", "q2",
                     "cutoff_tox", "cutoff_eff"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), low=0.0,
                                                      high=1.0, low_open=True,
                                                      high_open=True))
        if not self.tox_low < self.tox_moderate < self.tox_high:
            raise ValueError("tox_low must be < tox_moderate < tox_high")
        if not self.eff_low < self.eff_moderate < self.eff_high:
            raise ValueError("eff_low must be < eff_moderate < eff_high")
        if not (self.p1 < self.p2 and self.q1 < self.q2):
            raise ValueError("p1 must be < p2 and q1 < q2")
        for name in ("cohorts", "cohort_size", "n_early", "start_level"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), min_value=1))
        check_int("utility", self.utility, min_value=1, max_value=3)

    @property
    def name(self) -> str:
        return "Keyboard OBD"

    @property
    def n_max(self) -> int:
        return self.cohorts * self.cohort_size

    def table(self) -> np.ndarray:
        """The decision table ``action[n, T, R]`` (``get.decision.obd.kb``)."""
        return decision_table((self.tox_low, self.tox_moderate, self.tox_high),
                              (self.eff_low, self.eff_moderate, self.eff_high),
                              self.target_tox, self.target_eff, self.n_max,
                              self.cutoff_tox, self.cutoff_eff)

    def select_obd(self, n, ntox, neff) -> np.ndarray:
        """``select.obd.kb``: the OBD index per row under utilities 1-3 (``k``: none)."""
        return select_obd(n, ntox, neff, target_tox=self.target_tox,
                          target_eff=self.target_eff, p1=self.p1, p2=self.p2, q1=self.q1,
                          q2=self.q2, cutoff_tox=self.cutoff_tox,
                          cutoff_eff=self.cutoff_eff, w1=self.w1, w2=self.w2,
                          indicator=self.indicator)

    def protocol_text(self) -> str:
        return (f"Keyboard phase I/II design (Li et al. 2017; Keyboard::get.oc.obd.kb): "
                f"{self.cohorts} cohorts of {self.cohort_size}, toxicity keys at "
                f"{self.tox_low:g}/{self.tox_moderate:g}/{self.tox_high:g}, efficacy keys at "
                f"{self.eff_low:g}/{self.eff_moderate:g}/{self.eff_high:g}; OBD by utility "
                f"{self.utility} of select.obd.kb.")

    def _simulate(self, scenarios, n_sims, sim, odds_ratio=1.0, state_budget=None) -> dict:
        import functools

        from designcalc.core import simulate
        from designcalc.dose.phase12.design import Boin12Design, scenario_curves

        psi = check_real("odds_ratio", odds_ratio, low=0.0, low_open=True)
        rows, metrics = [], []
        for j, (name, tox, eff) in enumerate(scenario_curves(scenarios)):
            cells = tuple(map(tuple, joint_cells(tox, eff, psi).tolist()))
            kernel = functools.partial(keyboard_kernel, design=self, cells=cells)
            res = simulate.run(kernel, n_sims, seed=sim.seed + j, name="Keyboard OBD "
                               "simulation", **sim.run_kwargs())
            r = {"est": res.estimate, "se": res.se}
            rows += Boin12Design._rows(name, tox, eff, r, "_sim")
            m = {"scenario": name}
            for col, key in (("en", "n_total"), ("e_dlt", "dlt_total"),
                             ("e_eff", "eff_total"), ("p_stop_early", "stop_early")):
                m[col + "_sim"], m[col + "_sim_se"] = float(r["est"][key]), float(r["se"][key])
            metrics.append(m)
        return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
                "metric_keys": ("scenario",)}
