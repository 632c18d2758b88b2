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
from functools import cached_property

import numpy as np

from designcalc.core.validate import check_int, check_real
from designcalc.dose.phase12.boin12 import beta_cdf
from designcalc.dose.phase12.design import ObdDesign

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


class KeyboardPolicy:
    """``get.oc.obd.kb``'s decisions for the exact program and the simulation (the
    protocol of :class:`designcalc.dose.phase12.exact.Policy`); the flags are the
    eliminated doses, which depend on the path (DUT/DUE/EUE eliminate the dose moved
    to), not only on the counts."""

    both = False
    flags = True
    name = "Keyboard OBD"

    def __init__(self, design, k: int):
        self.design, self.k = design, k
        self.cohort_size, self.cohorts = design.cohort_size, design.cohorts
        self.start, self.n_max = design.start_level - 1, design.n_max
        self.act = design.table()
        nn = np.arange(self.n_max + 1)[:, None]
        yy = np.arange(self.n_max + 1)[None, :]
        a, b = yy + 1, np.maximum(nn - yy, 0) + 1
        self.tox_out = (nn >= 3) & ((1 - beta_cdf(design.target_tox, a, b))
                                    > design.cutoff_tox)
        self.eff_out = (nn >= 3) & ((1 - beta_cdf(design.target_eff, a, b))
                                    < design.cutoff_eff)

    def step(self, n, y, e, y3, elim, d, last):
        """After a cohort at ``d``: stop at ``n_early``; with >= 3 patients, Pr(p_T >
        target_tox) > cutoff_tox eliminates d and above (at the lowest dose: stop, no
        OBD), Pr(p_E > target_eff) < cutoff_eff eliminates d; then the key's move."""
        k, top = self.k, self.k - 1
        r = np.arange(d.size)
        nd, yd, ed = n[r, d], y[r, d], e[r, d]
        stop = nd >= self.design.n_early
        a = self.act[nd, yd, ed]
        tox_out, eff_out = self.tox_out[nd, yd], self.eff_out[nd, ed]
        ev = elim | (tox_out[:, None] & (np.arange(k)[None, :] >= d[:, None]))
        early = tox_out & (d == 0) & ~stop
        stop = stop | early
        ev[r, d] |= eff_out
        up_ok = (d < top) & ~ev[r, np.minimum(d + 1, top)]
        down_ok = (d > 0) & ~ev[r, np.maximum(d - 1, 0)]
        up = ((a == E) | (a == EUE)) & up_ok
        down = ((a == D) | (a == DUT) | (a == DUE)) & down_ok
        newd = d + up - down
        # the package's DUT / DUE / EUE eliminate from the dose *after* the move
        at = (d > 0) & ((a == DUT) | (a == DUE)) | (d < top) & (a == EUE)
        ev[r[at], newd[at]] = True
        ev |= ((a == DUT) & (d > 0))[:, None] & (np.arange(k)[None, :] >= newd[:, None])
        return newd, early, stop, ev

    def select(self, n, y, e, y3):
        return self.design.select_obd(n, y, e)[:, self.design.utility - 1]


@dataclass(frozen=True)
class KeyboardObdDesign(ObdDesign):
    """Keyboard phase I/II (``Keyboard::get.oc.obd.kb``), exact by the dynamic program of
    :mod:`designcalc.dose.phase12.exact` within its state budget, or simulated.

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

    family = "keyboard_obd"
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
        if self.indicator is not None:
            object.__setattr__(self, "indicator", check_real(
                "indicator", self.indicator, low=0.0, high=1.0, low_open=True,
                high_open=True))
        for name in ("w1", "w2"):
            object.__setattr__(self, name, check_real(name, getattr(self, name)))

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

    def decision_rows(self, sizes) -> list:
        """The decision table as rows ``{"n", "n_tox", "eff 0", ..., "eff N"}`` (key names
        of :data:`ACTIONS`; None where R > n) for the patients ``sizes``."""
        act = self.table()
        top = max(sizes)
        return [{"n": n, "n_tox": t, **{f"eff {r}": ACTIONS[int(act[n, t, r])] if r <= n
                                         else None for r in range(top + 1)}}
                for n in sizes for t in range(n + 1)]

    def select_obd(self, n, ntox, neff) -> np.ndarray:
        """``select.obd.kb``: the OBD index per row under utilities 1-3 (``k``: none)."""
        return select_obd(n, ntox, neff, target_tox=self.target_tox,
                          target_eff=self.target_eff, p1=self.p1, p2=self.p2, q1=self.q1,
                          q2=self.q2, cutoff_tox=self.cutoff_tox,
                          cutoff_eff=self.cutoff_eff, w1=self.w1, w2=self.w2,
                          indicator=self.indicator)

    def __str__(self) -> str:
        return (f"Keyboard OBD (target toxicity {self.target_tox:g}, efficacy "
                f"{self.target_eff:g}, {self.cohorts} cohorts of {self.cohort_size}, "
                f"utility {self.utility})")

    def protocol_text(self) -> str:
        return (f"Keyboard phase I/II design (Li et al. 2017; Keyboard::get.oc.obd.kb): "
                f"{self.cohorts} cohorts of {self.cohort_size}, toxicity keys at "
                f"{self.tox_low:g}/{self.tox_moderate:g}/{self.tox_high:g}, efficacy keys at "
                f"{self.eff_low:g}/{self.eff_moderate:g}/{self.eff_high:g}; OBD by utility "
                f"{self.utility} of select.obd.kb.")

    def next_dose(self, history: str, levels: int | None = None) -> dict:
        """The decision after a cohort history such as ``"1NNN 2ENT 3ETT 2EEN"`` (as
        :meth:`designcalc.dose.phase12.design.Boin12Design.next_dose`; ``levels`` default
        5): the history is replayed cohort by cohort through the trial's rules, because
        the eliminated doses depend on the path (DUT/DUE/EUE eliminate the dose moved
        to).  Returns ``{"next", "stop", "mtd" (the OBD), "reason", "action",
        "eliminated"}``.
        """
        from designcalc.dose.phase12 import boin12 as b

        k = check_int("levels", 5 if levels is None else levels, min_value=1)
        cohorts = b.parse_history(history, k)
        if not cohorts:
            return {"next": self.start_level, "stop": False, "mtd": None, "action": None,
                    "eliminated": [], "reason": "no patients yet: start at dose level "
                                                f"{self.start_level}"}
        if sum(len(cells) for _, cells in cohorts) > self.n_max:
            raise ValueError(f"history: more than the maximum {self.n_max} patients")
        if any(len(cells) != self.cohort_size for _, cells in cohorts):
            raise ValueError(f"history: every cohort has cohort_size = {self.cohort_size} "
                             "patients")
        pol = self.policy(k)
        n, y, e = (np.zeros((1, k), dtype=np.int64) for _ in range(3))
        elim = np.zeros((1, k), dtype=bool)
        for i, (dose, cells) in enumerate(cohorts):
            d = np.array([dose])
            n[0, dose] += len(cells)
            y[0, dose] += sum(c in (2, 3) for c in cells)
            e[0, dose] += sum(c in (0, 2) for c in cells)
            nxt, early, stop, elim = pol.step(n, y, e, None, elim, d, False)
        dose = cohorts[-1][0]
        obs = (f"{int(y[0, dose])} toxicities and {int(e[0, dose])} efficacies of "
               f"{int(n[0, dose])} at level {dose + 1}")
        action = ACTIONS[int(pol.act[n[0, dose], y[0, dose], e[0, dose]])]
        gone = [j + 1 for j in range(k) if elim[0, j]]
        out = {"action": action, "eliminated": gone}
        if early[0]:
            return {**out, "next": None, "stop": True, "mtd": None,
                    "reason": f"{obs}: the lowest dose is too toxic; stop, no OBD"}
        full = n.sum() >= self.n_max
        if full or stop[0]:
            obd = int(pol.select(n, y, e, None)[0])
            why = (f"the maximum sample size ({self.n_max})" if full else
                   f"{int(n[0, dose])} >= n_early = {self.n_early} patients")
            return {**out, "next": None, "stop": True, "mtd": obd + 1 if obd < k else None,
                    "reason": f"{obs}; {why}: stop and select the OBD"}
        return {**out, "next": int(nxt[0]) + 1, "stop": False, "mtd": None,
                "reason": f"{obs}: key {action}, treat the next cohort at level "
                          f"{int(nxt[0]) + 1}"}

    @cached_property
    def _policy_cache(self) -> dict:
        return {}

    def policy(self, k: int) -> KeyboardPolicy:
        """The decisions of the exact program and the simulation for ``k`` doses (built
        once per design and k)."""
        if k not in self._policy_cache:
            self._policy_cache[k] = KeyboardPolicy(self, k)
        return self._policy_cache[k]
