"""TITE-BOIN: the BOIN decision with pending patients, its table by (n, y, pending).

At a decision time, at the current dose: ``n`` patients treated, ``y`` DLTs
observed, ``m`` patients pending (within the DLT window, no DLT yet) and
their standardised total follow-up time ``STFT = sum_i u_i / W`` (``u_i``
the follow-up of pending patient ``i``, ``W`` the window).  TITE-BOIN (Yuan,
Lin, Li, Nie & Warren 2018, Clin Cancer Res 24:4921) imputes each pending
outcome from the completed patients' estimate under a Beta(phi/2, 1 - phi/2)
prior, ``p~ = (y + phi/2) / (n - m + 1)``, and estimates

``p^ = (y + (m - STFT) p~ / (1 - p~)) / n``

(each pending patient contributes ``(1 - u_i / W) p~ / (1 - p~)`` expected
DLTs), so that the decision depends on the pending patients through ``STFT``
only and can be tabulated.  With no patient pending ``p^ = y / n``: BOIN.

Rule order at the current dose (:class:`TiteBoinRule`; the engine's order is
in :mod:`designcalc.dose.tite.engine`):

1. **eliminate** if BOIN eliminates the dose on the observed ``(n, y)``
   (``Pr(p > phi | y, n) > cutoff_eli``, ``n >= 3``; pending patients count
   as patients without a DLT so far);
2. **de-escalate** if BOIN de-escalates on ``(n, y)`` (``y / n >= lambda_d``;
   a DLT already seen is never undone by the pending ones);
3. **suspend** accrual if more than ``max_pending`` of the ``n`` patients are
   pending (default 0.5, Yuan et al. 2018);
4. **escalate** if BOIN escalates on ``(n, y)`` and ``p^ <= lambda_e``, i.e.
   ``STFT >= m - (n lambda_e - y)(1 - p~) / p~`` (the table's threshold),
   and every pending patient has been followed for at least ``min_followup``
   of the window (default 0: off); when only that follow-up is missing,
   **suspend** accrual until it is reached (Chen et al. 2025, rule 2: 0.25
   recommended);
5. **de-escalate** if the observed rate is at or above the target (``y / n >=
   phi``; BOIN stays on ``(n, y)``) and ``p^ >= lambda_d``, i.e. ``STFT <= m - (n
   lambda_d - y)(1 - p~) / p~``: the pending patients, followed too briefly,
   are imputed DLTs enough to cross ``lambda_d`` (the published table's
   (9, 2, 1..4) cells: de-escalate when STFT <= 0.52, 1.59, 2.66, 3.73 at
   target 0.2);
6. else **stay**.

Which of the two STFT rules applies is decided by the observed rate against the
target (below: escalation only; at or above: de-escalation only), as the published
decision table for target 0.2 shows it (Yuan et al. 2018, Table 1, as reproduced
in Contemp Clin Trials Commun 2022, PMC9260438; every cell is checked in
``tests/dose/test_tite.py``).

Worked check (the issue's public case): target 0.2, ``n = 9``, ``y = 1``,
``m = 4``: ``lambda_e = 0.15724``, ``p~ = 1.1 / 6``, threshold ``4 - (9 x
0.15724 - 1) x 4.4545 = 2.1506``: escalate iff ``STFT >= 2.15``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.dose.interval.rules import (D, DU, E, S, IntervalRule, boin_lambdas,
                                            keyboard_keys, mtpi2_intervals, select_mtd)
from designcalc.dose.tite.engine import SUSPEND

__all__ = ["TiteRule", "TiteBoinRule", "TiteEssRule", "escalation_threshold",
           "deescalation_threshold", "tite_boin_rule",
           "ess_escalates", "ess_thresholds", "tite_ess_rule"]


def _imputed_threshold(target: float, boundary: float, n, y, m) -> np.ndarray:
    """The STFT at which TITE-BOIN's imputed ``p^`` equals ``boundary``:
    ``m - (n boundary - y)(1 - p~)/p~``, ``p~ = (y + target/2)/(n - m + 1)``."""
    n, y, m = (np.asarray(v, dtype=float) for v in (n, y, m))
    pt = (y + target / 2.0) / (n - m + 1.0)
    return m - (n * boundary - y) * (1.0 - pt) / pt


def escalation_threshold(target: float, lambda_e: float, n, y, m) -> np.ndarray:
    """The smallest STFT at which TITE-BOIN escalates with ``m`` of ``n`` pending, ``y`` DLTs.

    ``m - (n lambda_e - y)(1 - p~)/p~`` with ``p~ = (y + target/2)/(n - m + 1)``
    (arrays broadcast).  ``<= 0``: escalate whatever the follow-up; ``> m``:
    never (then BOIN itself does not escalate on ``(n, y)``).

    Examples
    --------
    >>> from designcalc.dose.interval.rules import boin_lambdas
    >>> le, _ = boin_lambdas(0.2, 0.12, 0.28)
    >>> round(float(escalation_threshold(0.2, le, 9, 1, 4)), 4)
    2.1506
    """
    return _imputed_threshold(target, lambda_e, n, y, m)


def deescalation_threshold(target: float, lambda_d: float, n, y, m) -> np.ndarray:
    """The largest STFT at which TITE-BOIN de-escalates with ``m`` of ``n`` pending and
    ``y`` DLTs observed, the observed rate at or above the target but below
    ``lambda_d``: ``m - (n lambda_d - y)(1 - p~)/p~`` (the imputed ``p^ >=
    lambda_d``); ``-inf`` where the observed rate is below the target, or no patient
    is pending.

    Examples
    --------
    The published cells (9, 2, m = 1..4) at target 0.2:

    >>> from designcalc.dose.interval.rules import boin_lambdas
    >>> _, ld = boin_lambdas(0.2, 0.12, 0.28)
    >>> [round(float(deescalation_threshold(0.2, ld, 9, 2, m)), 2) for m in (1, 2, 3, 4)]
    [0.52, 1.59, 2.66, 3.73]
    """
    n, y, m = (np.asarray(v, dtype=float) for v in (n, y, m))
    with np.errstate(divide="ignore", invalid="ignore"):
        thr = _imputed_threshold(target, lambda_d, n, y, m)
    # at or above the target (Table 1 de-escalates at 3 DLTs of 15 at target 0.2); the
    # tolerance keeps y / n = target exact (0.2 x 15 is 3.0000000000000004)
    return np.where((y >= target * n - 1e-9) & (m >= 1), thr, -np.inf)


@dataclass(frozen=True, eq=False)
class TiteRule:
    """An interval rule with pending patients, as the calendar engine runs it.

    Cells of the complete-data table ``base`` decide elimination,
    de-escalation and stay; a cell that escalates with complete data
    escalates with ``m`` patients pending iff their STFT reaches
    :meth:`threshold` (see the module docstring for the order).  Subclasses
    give the threshold: :class:`TiteBoinRule` (Yuan et al. 2018) and
    :class:`TiteEssRule` (Lin & Yuan 2020).

    Parameters
    ----------
    base : IntervalRule
        The compiled interval rule (its cells decide with complete data; its
        ``select_mtd`` selects the MTD on the final data).
    max_pending : float
        Suspend accrual when more than this fraction of the current dose's
        patients is pending.
    min_followup : float
        Escalate only when every pending patient has been followed for at
        least this fraction of the window.
    """

    base: IntervalRule
    max_pending: float = 0.5
    min_followup: float = 0.0

    @property
    def n_earlystop(self) -> int:
        return self.base.n_earlystop

    @property
    def earlystop_any(self) -> bool:
        return self.base.earlystop_any

    @property
    def target(self) -> float:
        return self.base.target

    def threshold(self, n, y, m) -> np.ndarray:  # pragma: no cover - subclasses
        raise NotImplementedError

    def deescalation_threshold(self, n, y, m) -> np.ndarray:
        """The STFT at or below which a cell where the complete-data rule stays
        de-escalates (``-inf``: never; the effective-sample-size rules)."""
        return np.full(np.shape(np.asarray(n)), -np.inf)

    def decide(self, n, y, m, stft, min_fu) -> np.ndarray:
        """The code (E, S, D, DU or SUSPEND) per trial, in the order of the module docstring."""
        n = np.asarray(n, dtype=np.int64)
        y = np.asarray(y, dtype=np.int64)
        m = np.asarray(m, dtype=np.int64)
        a = self.base.action[n, y]
        thr = self.threshold(n, y, m)
        ready = (a == E) & (m >= 1) & (np.asarray(stft) >= thr)
        # Chen et al. (2025): an escalation waits, accrual suspended, until every pending
        # patient has been followed for min_followup of the window
        held = ready & (np.asarray(min_fu) < self.min_followup - 1e-12)
        up = (a == E) & ((m == 0) | (ready & ~held))
        down = (a == S) & (np.asarray(stft) <= self.deescalation_threshold(n, y, m))
        out = np.where(up, E, np.where(down, D, S))
        out = np.where(held, SUSPEND, out)
        out = np.where(m > self.max_pending * n, SUSPEND, out)
        out = np.where(a == D, D, out)
        out = np.where(a == DU, DU, out)
        return out.astype(np.int8)

    def select(self, n, y) -> np.ndarray:
        """The MTD on complete final data: ``BOIN::select.mtd`` (:func:`select_mtd`)."""
        return select_mtd(self.base, n, y)

    def table(self, n_values) -> list:
        """The decision table: one row per ``(n, y, m)`` with ``n`` in ``n_values``.

        Each row: ``n``, ``dlt``, ``pending`` (None: any number, the decision
        does not depend on it), ``decision`` (escalate, stay, de-escalate,
        eliminate, suspend, or "escalate if STFT >= x, else stay") and
        ``stft_escalate`` (the threshold x, None when not applicable) and
        ``stft_deescalate`` (TITE-BOIN: "de-escalate if STFT <= x, else stay" where
        the observed rate is at or above the target; None when not applicable).
        """
        out = []
        for n in n_values:
            for y in range(n + 1):
                a = int(self.base.action[n, y])
                if a in (D, DU):
                    out.append({"n": n, "dlt": y, "pending": None,
                                "decision": "eliminate" if a == DU else "de-escalate",
                                "stft_escalate": None, "stft_deescalate": None})
                    continue
                for m in range(n - y + 1):
                    thr = down = None
                    if m > self.max_pending * n:
                        dec = "suspend"
                    elif a == S:
                        down = float(self.deescalation_threshold(
                            np.array([n]), np.array([y]), np.array([m]))[0])
                        if down < 0:
                            dec, down = "stay", None
                        elif down >= m:
                            dec, down = "de-escalate", None
                        else:
                            dec = f"de-escalate if STFT <= {down:.2f}, else stay"
                    elif m == 0:
                        dec = "escalate"
                    else:
                        thr = float(self.threshold(np.array([n]), np.array([y]),
                                                   np.array([m]))[0])
                        if thr <= 0 and self.min_followup == 0:
                            dec, thr = "escalate", None
                        else:
                            thr = max(thr, 0.0)
                            dec = f"escalate if STFT >= {thr:.2f}, else stay"
                            if self.min_followup > 0:
                                dec = (f"escalate once every pending patient has been "
                                       f"followed for {self.min_followup:g} of the window "
                                       "(suspend accrual until then)")
                                if thr > 0:
                                    dec = f"if STFT >= {thr:.2f}: {dec}; else stay"
                    out.append({"n": n, "dlt": y, "pending": m, "decision": dec,
                                "stft_escalate": thr, "stft_deescalate": down})
        return out


@dataclass(frozen=True, eq=False)
class TiteBoinRule(TiteRule):
    """TITE-BOIN (Yuan et al. 2018): the threshold of :func:`escalation_threshold`.

    ``lambda_e``, ``lambda_d``: BOIN's escalation and de-escalation boundaries.
    """

    lambda_e: float = 0.0
    lambda_d: float = 1.0

    def threshold(self, n, y, m) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return escalation_threshold(self.target, self.lambda_e, n, y, m)

    def deescalation_threshold(self, n, y, m) -> np.ndarray:
        return deescalation_threshold(self.target, self.lambda_d, n, y, m)


def tite_boin_rule(base: IntervalRule, p_saf: float, p_tox: float, max_pending: float,
                   min_followup: float) -> TiteBoinRule:
    """The :class:`TiteBoinRule` of a compiled BOIN rule and its phi1, phi2."""
    le, ld = boin_lambdas(base.target, p_saf, p_tox)
    return TiteBoinRule(base=base, lambda_e=le, lambda_d=ld, max_pending=max_pending,
                        min_followup=min_followup)


# --- TITE-keyboard, TITE-mTPI-2, TITE-i3+3: the effective sample size (Lin & Yuan 2020) ---

def ess_escalates(rule: str, target: float, margin_low: float, margin_high: float, ess,
                  y) -> np.ndarray:
    """Whether ``rule`` escalates with ``y`` DLTs at a (non-integer) sample size ``ess``.

    Lin & Yuan (2020) approximate the likelihood of a pending patient followed
    for ``u_i`` of the window ``W`` by ``(1 - p)^(u_i / W)``, so that the data
    are ``y`` DLTs of an *effective sample size* ``ESS = (n - m) + STFT`` and
    the posterior is Beta(1 + y, 1 + ESS - y).  The decision of each design
    is evaluated at ``ESS`` with the boundaries of the interval family
    (:func:`~designcalc.dose.interval.rules.keyboard_keys`,
    :func:`~designcalc.dose.interval.rules.mtpi2_intervals`; i3+3's
    equivalence interval): Keyboard escalates when the strongest key (largest
    posterior mass, partial end keys scaled to full width, the highest key on
    a tie) lies below the target key; mTPI-2 when the sub-interval of largest
    unit probability mass (the lowest on a tie) lies below the EI; i3+3 when
    ``y / ESS`` lies below the EI.  At an integer ``ESS = n`` these are the
    interval family's tables (tested cell by cell).
    """
    from scipy.special import betainc

    ess = np.asarray(ess, dtype=float)[:, None]
    y = np.asarray(y, dtype=float)[:, None]
    lo, hi = target - margin_low, target + margin_high
    if rule == "i3+3":
        with np.errstate(divide="ignore", invalid="ignore"):
            return (y / ess < lo - 1e-12)[:, 0]          # ESS = 0: no escalation
    if rule == "keyboard":
        pts = keyboard_keys(target, margin_low, margin_high)
    else:
        pts = mtpi2_intervals(target, margin_low, margin_high)
    width = np.diff(pts)
    cdf = betainc(y + 1.0, ess - y + 1.0, pts[None, :])
    mass = cdf[:, 1:] - cdf[:, :-1]
    if rule == "keyboard":
        comp = np.ones(width.size)
        comp[0] = (margin_low + margin_high) / width[0]
        comp[-1] = (margin_low + margin_high) / width[-1]
        mass = mass * comp[None, :]
        tkey = int(np.nonzero(pts == lo)[0][0])
        best = width.size - 1 - np.argmax((mass == mass.max(axis=1, keepdims=True))[:, ::-1],
                                          axis=1)
        return best < tkey
    mid = (pts[1:] + pts[:-1]) / 2
    return mid[np.argmax(mass / width[None, :], axis=1)] < lo


@dataclass(frozen=True, eq=False)
class TiteEssRule(TiteRule):
    """TITE-keyboard, TITE-mTPI-2, TITE-i3+3 (Lin & Yuan 2020): the STFT threshold is the
    smallest follow-up at which :func:`ess_escalates` at ``ESS = n - m + STFT``.

    ``rule``, ``margin_low``, ``margin_high``: the interval design.  The thresholds
    of the cohort ends ``n = c, 2c, ...`` (every decision of a simulated trial) are
    tabulated when the rule is built (:func:`ess_thresholds`); other ``n`` (a
    running trial's counts) are computed when asked.
    """

    rule: str = "keyboard"
    margin_low: float = 0.05
    margin_high: float = 0.05
    thresholds: np.ndarray = None

    def threshold(self, n, y, m) -> np.ndarray:
        n, y, m = np.asarray(n), np.asarray(y), np.asarray(m)
        other = (n % self.base.cohort_size) != 0
        if not other.any():
            return self.thresholds[n, y, m]
        out = np.empty(n.shape)
        out[~other] = self.thresholds[n[~other], y[~other], m[~other]]
        if other.any():
            out[other] = ess_thresholds(self.rule, self.target, self.margin_low,
                                        self.margin_high, self.base.action,
                                        (n[other], y[other], m[other]))
        return out


def ess_thresholds(rule: str, target: float, margin_low: float, margin_high: float,
                   action: np.ndarray, cells, iterations: int = 40) -> np.ndarray:
    """The smallest STFT in ``[0, m]`` at which ``rule`` escalates with ``ESS = n - m +
    STFT`` for each cell ``(n, y, m)`` of ``cells`` (three arrays): bisection to ``m /
    2^iterations``, 0 when it escalates with no follow-up at all; ``inf`` where the
    complete-data cell ``action[n, y]`` does not escalate or ``m = 0``."""
    n, y, m = (np.asarray(v, dtype=np.int64) for v in cells)
    out = np.full(n.size, np.inf)
    go = (action[n, y] == E) & (m >= 1) & (y + m <= n)
    out[(action[n, y] == E) & (m == 0)] = 0.0
    if not go.any():
        return out
    n, y, m = n[go], y[go], m[go]
    low, high = np.zeros(n.size), m.astype(float)
    at0 = ess_escalates(rule, target, margin_low, margin_high, n - m, y)
    for _ in range(iterations):
        mid = (low + high) / 2
        up = ess_escalates(rule, target, margin_low, margin_high, n - m + mid, y)
        high = np.where(up, mid, high)
        low = np.where(up, low, mid)
    out[go] = np.where(at0, 0.0, high)
    return out


def tite_ess_rule(rule: str, base: IntervalRule, margin_low: float, margin_high: float,
                  max_pending: float, min_followup: float) -> TiteEssRule:
    """The :class:`TiteEssRule` of a compiled Keyboard, mTPI-2 or i3+3 rule."""
    size = base.action.shape[0]
    c = base.cohort_size
    nn, yy, mm = np.meshgrid(np.arange(c, size, c), np.arange(size), np.arange(size),
                             indexing="ij")
    keep = yy + mm <= nn
    thr = np.full((size, size, size), np.inf)
    cells = (nn[keep], yy[keep], mm[keep])
    thr[cells] = ess_thresholds(rule, base.target, margin_low, margin_high, base.action,
                                cells)
    return TiteEssRule(base=base, max_pending=max_pending, min_followup=min_followup,
                       rule=rule, margin_low=margin_low, margin_high=margin_high,
                       thresholds=thr)
