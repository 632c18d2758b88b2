"""BOIN12's rules, vectorised over trials: admissibility, desirability, next dose, OBD.

Every function takes per-dose count arrays of shape ``(rows, k)`` -- patients
``n``, toxicities ``t``, efficacies ``e`` and utility points ``xi`` -- so that
one call decides for a batch of simulated trials, the states of the exact
program, or (one row) the trial at hand.  Utility points are 100 times the
quasi-binomial utility count of Lin et al. (2020):

    xi = u1 * y1 + u2 * y2 + u3 * y3 + u4 * y4,  u1 = 100, u4 = 0,

with y1 efficacy without toxicity, y2 neither, y3 both, y4 toxicity
without efficacy, so ``x = xi / 100`` and the utility's posterior under the
Beta(1, 1) prior is Beta(1 + x, 1 + n - x).

The next-dose rule is that of ``escalation::get_boin12`` (Brock 2024,
``boin12_next_dose``), decision for decision:

1. (dose exploration) if the current dose has ``n >= n_explore`` patients,
   ``p_T = t / n < lambda_d``, and the next higher dose is untried: escalate;
2. if ``p_T >= lambda_d``: de-escalate (stay at the lowest dose);
3. if ``lambda_e < p_T < lambda_d`` and ``n >= n_star``: if d is admissible, of
   d - 1 and d the one with the larger desirability (d - 1 on a tie, d at the
   lowest dose); if d is not admissible, d - 1 (at the lowest dose: stop, no
   OBD).  This is what escalation's code does: its test
   ``currentdose-1 %in% admissible`` parses in R as ``currentdose - (1 %in%
   admissible)`` (``%in%`` binds tighter than ``-``), so the admissibility of
   d - 1 is never consulted; 1,500 random histories run through its
   ``boin12_next_dose`` agree with this function
   (``tests/data/make_boin12_escalation.R``);
4. otherwise: of the admissible doses among d - 1, d, d + 1, the one with
   the largest desirability (the highest on a tie, as the reference app); no
   admissible dose stops the trial with no OBD.

A dose is admissible unless Pr(p_T > phi_t | data) >= c_t or
Pr(p_E < phi_e | data) >= c_e (Beta(1, 1) priors).  The desirability is
``100 Pr(u > u_b | data)``, with the benchmark ``u_b = (u_bar + 100) / 2`` and
``u_bar`` the utility of a dose at (phi_t, phi_e) with independent
outcomes.

References
----------
Lin R, Zhou Y, Yan F, Li D, Yuan Y (2020). BOIN12: Bayesian optimal interval
phase I/II trial design for utility-based dose finding in immunotherapy and
targeted therapies. JCO Precis Oncol 4:1393-1402.
Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical
trials. J R Stat Soc C 64:507-523 (the boundaries lambda_e, lambda_d).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: outcome cells of one patient: (toxicity, efficacy) and the letter of a history
#: string (N no event, E efficacy, T toxicity, B both), in the order of the utility
#: cells y1..y4 of Lin et al. (2020)
CELLS = (("E", 0, 1), ("N", 0, 0), ("B", 1, 1), ("T", 1, 0))
LETTERS = {letter: i for i, (letter, _, _) in enumerate(CELLS)}
#: OBD selection rules: the paper's posterior-mean utility, escalation's desirability
SELECT = ("mean", "desirability")
STOP_RULES = ("any", "next")


def benchmark(phi_t: float, phi_e: float, u2: float, u3: float) -> float:
    """The utility benchmark ``u_b`` of Lin et al. (2020): halfway between the
    utility ``u_bar`` of a dose at the limits (phi_t, phi_e), outcomes independent,
    and 100.

    Examples
    --------
    The paper's default (phi_t 0.35, phi_e 0.25, u = 100, 40, 60, 0):
    u_bar = 100 x .65 x .25 + 40 x .65 x .75 + 60 x .35 x .25 = 41.00, u_b = 70.5.

    >>> round(benchmark(0.35, 0.25, 40, 60), 4)
    70.5
    """
    u_bar = (100 * phi_e * (1 - phi_t) + u2 * (1 - phi_t) * (1 - phi_e)
             + u3 * phi_t * phi_e)
    return u_bar + (100 - u_bar) / 2


def beta_cdf(x: float, a, b) -> np.ndarray:
    from scipy.special import betainc

    return betainc(np.asarray(a, dtype=float), np.asarray(b, dtype=float), x)


@dataclass(frozen=True, eq=False)
class Boin12Rule:
    """BOIN12's compiled rule: thresholds and the look-up tables of the decisions.

    ``tox_bad[n, t]``, ``eff_bad[n, e]``: the dose is not admissible; :meth:`des`
    and :meth:`mean` read tables of the desirability and the posterior mean utility,
    for n up to ``n_max``.
    """

    k: int
    phi_t: float
    phi_e: float
    u2: int
    u3: int
    lambda_e: float
    lambda_d: float
    n_star: int
    n_explore: int
    c_t: float
    c_e: float
    n_max: int

    def __post_init__(self):
        import math

        n = np.arange(self.n_max + 1)[:, None]
        y = np.arange(self.n_max + 1)[None, :]
        ok = y <= n
        tox_bad = (1.0 - beta_cdf(self.phi_t, 1 + y, 1 + np.maximum(n - y, 0))) >= self.c_t
        eff_bad = beta_cdf(self.phi_e, 1 + y, 1 + np.maximum(n - y, 0)) >= self.c_e
        # utility points are multiples of g: tabulate xi / g only (20x fewer for 40/60)
        g = math.gcd(100, self.u2, self.u3)
        xi = g * np.arange(100 // g * self.n_max + 1)[None, :]
        x = xi / 100.0
        b = np.maximum(1 + n - x, 1e-300)
        des = 100.0 * (1.0 - beta_cdf(self.u_b / 100.0, 1 + x, b))
        mean = (1 + x) / (2 + n)
        obj = object.__setattr__
        obj(self, "g", g)
        obj(self, "tox_bad", tox_bad & ok)
        obj(self, "eff_bad", eff_bad & ok)
        obj(self, "_des", np.where(xi <= 100 * n, des, np.nan))
        obj(self, "_mean", np.where(xi <= 100 * n, mean, np.nan))

    def des(self, n, xi) -> np.ndarray:
        """The desirability 100 Pr(u > u_b | data) of ``n`` patients with utility points
        ``xi``."""
        return self._des[n, np.asarray(xi) // self.g]

    def mean(self, n, xi) -> np.ndarray:
        """The posterior mean utility (1 + x) / (2 + n), x = xi / 100."""
        return self._mean[n, np.asarray(xi) // self.g]

    @property
    def u_b(self) -> float:
        return benchmark(self.phi_t, self.phi_e, self.u2, self.u3)

    @property
    def points(self) -> tuple:
        """Utility points of the cells y1..y4."""
        return (100, self.u2, self.u3, 0)

    def admissible(self, n, t, e) -> np.ndarray:
        return ~(self.tox_bad[n, t] | self.eff_bad[n, e])


def next_dose(rule: Boin12Rule, n, t, e, xi, d) -> np.ndarray:
    """The next dose index (0-based) of each row after a cohort at dose ``d``; -1 stops
    the trial (no admissible dose).  See the module docstring for the rule.

    Examples
    --------
    The paper's example "1NNN 2ENT 3ETT 2EEN" (Lin et al. 2020, p. 1396) continues
    at dose 2 (index 1):

    >>> from designcalc.dose.phase12.design import Boin12Design
    >>> Boin12Design(0.35, 0.25).next_dose("1NNN 2ENT 3ETT 2EEN")["next"]
    2
    """
    n, t, e, xi = (np.asarray(a, dtype=np.int64) for a in (n, t, e, xi))
    d = np.asarray(d, dtype=np.int64)
    rows, k = n.shape
    r = np.arange(rows)
    nd, td = n[r, d], t[r, d]
    pt = td / np.maximum(nd, 1)
    lo = np.maximum(d - 1, 0)
    hi = np.minimum(d + 1, k - 1)
    adm = rule.admissible(n, t, e)
    des = rule.des(n, xi)
    explore = ((rule.n_explore > 0) & (nd >= rule.n_explore) & (pt < rule.lambda_d)
               & (d < k - 1) & (n[r, hi] == 0))
    down = pt >= rule.lambda_d
    mid = (pt > rule.lambda_e) & (pt < rule.lambda_d) & (nd >= rule.n_star)
    # 3: d - 1 or d, as escalation's code runs (see the module docstring)
    adm_d = adm[r, d]
    mid_next = np.where(adm_d, np.where((d >= 1) & (des[r, lo] >= des[r, d]), lo, d), d - 1)
    # 4: the most desirable admissible dose of d - 1, d, d + 1 (the highest on ties)
    cand = np.stack([hi, d, lo], axis=1)
    score = np.where(adm[r[:, None], cand], des[r[:, None], cand], -np.inf)
    best = cand[r, np.argmax(score, axis=1)]
    none = ~np.isfinite(score.max(axis=1))
    out = np.where(none, -1, best)
    out = np.where(mid, mid_next, out)
    out = np.where(down, lo, out)
    return np.where(explore, hi, out)


def isotonic_mtd(rule: Boin12Rule, n, t) -> np.ndarray:
    """The MTD index of each row: the tried dose whose isotonic (unweighted PAVA of the
    observed rates, as ``escalation::select_boin12_obd``) toxicity estimate is closest to
    phi_t, the highest on a tie; ``k`` when no dose is tried."""
    from designcalc.dose.interval.rules import pava

    n, t = np.asarray(n), np.asarray(t)
    rows, k = n.shape
    tried = n > 0
    # tried doses are contiguous (moves of one level); shift each row's block to the front
    first = np.argmax(tried, axis=1)
    cols = np.minimum(first[:, None] + np.arange(k)[None, :], k - 1)
    r = np.arange(rows)[:, None]
    valid = tried[r, cols] & (first[:, None] + np.arange(k)[None, :] < k)
    rate = np.where(valid, t[r, cols] / np.maximum(n[r, cols], 1), 0.0)
    iso = pava(rate, np.ones_like(rate), valid)
    dist = np.where(valid, np.abs(iso - rule.phi_t), np.inf)
    best = dist.min(axis=1, keepdims=True)
    last = k - 1 - np.argmax((dist == best)[:, ::-1], axis=1)
    out = first + last
    return np.where(tried.any(axis=1), out, k)


def select_obd(rule: Boin12Rule, n, t, xi, how: str = "mean") -> np.ndarray:
    """The OBD index of each row of final counts (``k``: none).

    ``how="mean"`` (Lin et al. 2020): the tried dose at or below the MTD with the largest
    posterior mean utility (1 + x) / (2 + n); ``how="desirability"``
    (``escalation::select_boin12_obd``): the dose at or below the MTD with the largest
    desirability.  Ties go to the lower dose.
    """
    n, t, xi = (np.asarray(a, dtype=np.int64) for a in (n, t, xi))
    rows, k = n.shape
    mtd = isotonic_mtd(rule, n, t)
    below = np.arange(k)[None, :] <= mtd[:, None]
    if how == "mean":
        score = np.where(below & (n > 0), rule.mean(n, xi), -np.inf)
    else:
        score = np.where(below, rule.des(n, xi), -np.inf)
    obd = np.argmax(score, axis=1)
    return np.where(np.isfinite(score.max(axis=1)), obd, k)


def parse_history(text: str, k: int) -> list:
    """``"1NNN 2ENT"`` -> ``[(dose index, [cell, ...]), ...]`` (cells: :data:`CELLS`).

    Raises a ValueError naming ``history`` for a malformed string or a dose outside
    1..k.
    """
    import re

    if not isinstance(text, str):
        raise TypeError(f"history must be a string such as '1NNN 2ENT', got {text!r}")
    cohorts = []
    for tok in text.split():
        m = re.fullmatch(r"(\d+)([NETBnetb]+)", tok)
        if not m:
            raise ValueError(f"history: cohort {tok!r} is not a dose level followed by "
                             "outcome letters N (no event), E (efficacy), T (toxicity), "
                             "B (both), e.g. 2ENT")
        level = int(m.group(1))
        if not 1 <= level <= k:
            raise ValueError(f"history: dose level {level} in {tok!r} is outside 1..{k}")
        cohorts.append((level - 1, [LETTERS[c] for c in m.group(2).upper()]))
    return cohorts


def counts(cohorts: list, k: int, points: tuple) -> tuple:
    """Per-dose ``(n, t, e, xi)`` (1-row arrays) of parsed cohorts."""
    y = np.zeros((k, 4), dtype=np.int64)
    for d, cells in cohorts:
        for c in cells:
            y[d, c] += 1
    n = y.sum(axis=1)
    t = y[:, 2] + y[:, 3]
    e = y[:, 0] + y[:, 2]
    xi = y @ np.asarray(points, dtype=np.int64)
    return tuple(a[None, :] for a in (n, t, e, xi))


def joint_cells(tox, eff, odds_ratio: float = 1.0) -> np.ndarray:
    """Per-dose probabilities of the cells y1..y4 (E only, neither, both, T only) from the
    marginal toxicity and efficacy probabilities and a global odds ratio (Plackett 1965):

        psi = p11 p00 / (p10 p01),

    solved for p11 = P(both) (psi = 1: independence, p11 = p_T p_E).

    Examples
    --------
    >>> joint_cells([0.2], [0.5]).round(4).tolist()
    [[0.4, 0.4, 0.1, 0.1]]
    >>> c = joint_cells([0.2], [0.5], 3.0)[0]
    >>> round(float(c[2] * c[1] / (c[0] * c[3])), 10)
    3.0
    """
    pt = np.asarray(tox, dtype=float)
    pe = np.asarray(eff, dtype=float)
    psi = float(odds_ratio)
    if psi == 1.0:
        p11 = pt * pe
    else:
        s = 1 + (pt + pe) * (psi - 1)
        disc = np.maximum(s * s - 4 * psi * (psi - 1) * pt * pe, 0.0)
        p11 = (s - np.sqrt(disc)) / (2 * (psi - 1))
    p11 = np.clip(p11, np.maximum(0.0, pt + pe - 1), np.minimum(pt, pe))
    cells = np.stack([pe - p11, 1 - pt - pe + p11, p11, pt - p11], axis=1)
    return np.clip(cells, 0.0, 1.0)


class Boin12Policy:
    """BOIN12's decisions for the exact program and the simulation (the protocol of
    :class:`designcalc.dose.phase12.exact.Policy`): :func:`next_dose`, the stop when a
    dose has ``n_stop`` patients (``stop_rule``) and :func:`select_obd`."""

    flags = False
    name = "BOIN12"

    def __init__(self, design, rule: Boin12Rule):
        self.design, self.rule = design, rule
        self.k, self.cohort_size, self.cohorts = rule.k, design.cohort_size, design.cohorts
        self.start, self.n_max, self.both = design.start_level - 1, design.n_max, \
            not design.additive

    def points(self, n, t, e, y3):
        """Utility points: y1 = e - y3, y2 = n - t - e + y3, y3, y4 = t - y3."""
        pts = self.rule.points
        return pts[0] * (e - y3) + pts[1] * (n - t - e + y3) + pts[2] * y3

    def step(self, n, t, e, y3, flags, d, last):
        rows = d.size
        if last:
            return d, np.zeros(rows, dtype=bool), np.ones(rows, dtype=bool), flags
        nxt = next_dose(self.rule, n, t, e, self.points(n, t, e, y3), d)
        early = nxt < 0
        at = d if self.design.stop_rule == "any" else np.maximum(nxt, 0)
        stop = early | (n[np.arange(rows), at] >= self.design.n_stop)
        return nxt, early, stop, flags

    def select(self, n, t, e, y3):
        return select_obd(self.rule, n, t, self.points(n, t, e, y3), self.design.select)
