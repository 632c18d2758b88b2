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

TITE-keyboard, TITE-mTPI-2 and TITE-i3+3 (:class:`TiteEssRule`, Lin & Yuan
2020) take the whole decision at the effective sample size ``ESS = (n - m) +
STFT`` (:func:`ess_decision`): steps 1-3 as above, then escalate if the design
escalates at ``ESS`` (and the complete-data cell escalates), de-escalate if it
de-escalates at ``ESS`` (the complete-data cell stays or escalates, the
follow-up is short), else stay -- two STFT thresholds per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.dose.interval.rules import (D, DU, E, S, IntervalRule, boin_lambdas,
                                            keyboard_keys, mtpi2_intervals, select_mtd)
from designcalc.dose.tite.engine import SUSPEND

__all__ = ["TiteRule", "TiteBoinRule", "TiteEssRule", "escalation_threshold",
           "deescalation_threshold", "tite_boin_rule",
           "ess_decision", "ess_thresholds", "tite_ess_rule"]


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
        """The STFT at or below which a cell where the complete-data rule stays or
        escalates de-escalates (``-inf``: never)."""
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
        down = ((a == S) | (a == E)) & ~up & (np.asarray(stft)
                                              <= self.deescalation_threshold(n, y, m))
        out = np.where(up, E, np.where(down, D, S))
        out = np.where(held, SUSPEND, out)
        out = np.where(m > self.max_pending * n, SUSPEND, out)
        out = np.where(a == D, D, out)
        out = np.where(a == DU, DU, out)
        return out.astype(np.int8)

    def select(self, n, y) -> np.ndarray:
        """The MTD on complete final data: ``BOIN::select.mtd`` (:func:`select_mtd`)."""
        return select_mtd(self.base, n, y)

    def _pending_cell(self, a: int, n: int, y: int, m: int) -> tuple:
        """``(decision, stft_escalate, stft_deescalate)`` of a cell with ``m >= 1`` pending
        whose complete-data code ``a`` is E or S (see :meth:`table`)."""
        cell = (np.array([n]), np.array([y]), np.array([m]))
        down = float(self.deescalation_threshold(*cell)[0])
        if down >= m:
            return "de-escalate", None, None
        down = down if down >= 0 else None
        clauses, thr = [], None
        if a == E:
            thr = float(self.threshold(*cell)[0])
            if thr <= 0 and self.min_followup == 0:
                return "escalate", None, None
            thr = max(thr, 0.0)
            if self.min_followup > 0:
                hold = (f"escalate once every pending patient has been followed for "
                        f"{self.min_followup:g} of the window (suspend accrual until then)")
                if thr == 0:
                    return hold, thr, None
                clauses.append(f"if STFT >= {thr:.2f}: {hold}")
            else:
                clauses.append(f"escalate if STFT >= {thr:.2f}")
        if down is not None:
            clauses.append(f"de-escalate if STFT <= {down:.2f}")
        if not clauses:
            return "stay", thr, down
        # "x, else stay" for one plain clause; "x; y; else stay" otherwise
        plain = len(clauses) == 1 and not clauses[0].startswith("if ")
        return "; ".join(clauses) + (", " if plain else "; ") + "else stay", thr, down

    def table(self, n_values) -> list:
        """The decision table: one row per ``(n, y, m)`` with ``n`` in ``n_values``.

        Each row: ``n``, ``dlt``, ``pending`` (None: any number, the decision
        does not depend on it), ``decision`` (escalate, stay, de-escalate,
        eliminate, suspend, "escalate if STFT >= x, else stay", "de-escalate if
        STFT <= z, else stay" or "escalate if STFT >= x; de-escalate if STFT <= z;
        else stay"), ``stft_escalate`` (the threshold x, None when not applicable)
        and ``stft_deescalate`` (the threshold z, None when not applicable).
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
                    elif m == 0:
                        dec = "escalate" if a == E else "stay"
                    else:
                        dec, thr, down = self._pending_cell(a, n, y, m)
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

def ess_decision(rule: str, target: float, margin_low: float, margin_high: float, ess,
                 y) -> np.ndarray:
    """The decision (E, S or D) of ``rule`` with ``y`` DLTs at a (non-integer) sample size ``ess``.

    Lin & Yuan (2020) approximate the likelihood of a pending patient followed
    for ``u_i`` of the window ``W`` by ``(1 - p)^(u_i / W)``, so that the data
    are ``y`` DLTs of an *effective sample size* ``ESS = (n - m) + STFT`` and
    the posterior is Beta(1 + y, 1 + ESS - y); the design's decision is taken
    at ``ESS`` with the boundaries of the interval family
    (:func:`~designcalc.dose.interval.rules.keyboard_keys`,
    :func:`~designcalc.dose.interval.rules.mtpi2_intervals`; i3+3's
    equivalence interval EI):

    * Keyboard (Yan, Mandrekar & Yuan 2017): the strongest key (largest
      posterior mass, partial end keys scaled to full width, the highest key on
      a tie) below the target key: E; the target key: S; above: D;
    * mTPI-2 (Guo et al. 2017): the sub-interval of largest unit probability
      mass (the lowest on a tie) below the EI: E; the EI: S; above: D;
    * i3+3 (Liu, Wang & Ji 2020): ``y / ESS`` below the EI: E; in it: S; above
      it: S if ``(y - 1) / ESS`` is below the EI, else D.

    At an integer ``ESS = n`` these are the interval family's tables before the
    safety rule (tested cell by cell).  ``ESS = 0`` (no completed patient, no
    follow-up; then ``y = 0``) takes the limit ``ESS -> 0+``: E.

    Examples
    --------
    Keyboard at target 0.3 with 1 DLT: de-escalate at ESS 2, stay at 3, escalate at 6
    (``y / ESS`` = 0.5, 0.33, 0.17):

    >>> ess_decision("keyboard", 0.3, 0.05, 0.05, [2.0, 3.0, 6.0], [1, 1, 1]).tolist()
    [2, 1, 0]
    """
    from scipy.special import betainc

    ess, y = np.broadcast_arrays(np.asarray(ess, dtype=float), np.asarray(y, dtype=float))
    ess, y = ess.ravel(), y.ravel()
    lo, hi = target - margin_low, target + margin_high
    none = ess <= 0
    if rule == "i3+3":
        tol = 1e-12
        with np.errstate(divide="ignore", invalid="ignore"):
            rate, less = y / ess, (y - 1) / ess
        out = np.where(rate < lo - tol, E, np.where(
            rate <= hi + tol, S, np.where(less < lo - tol, S, D)))
    else:
        pts = (keyboard_keys if rule == "keyboard" else mtpi2_intervals)(
            target, margin_low, margin_high)
        width = np.diff(pts)
        cdf = betainc(y[:, None] + 1.0, np.maximum(ess - y, 0.0)[:, None] + 1.0, pts[None, :])
        mass = cdf[:, 1:] - cdf[:, :-1]
        if rule == "keyboard":
            comp = np.ones(width.size)
            comp[0] = (margin_low + margin_high) / width[0]
            comp[-1] = (margin_low + margin_high) / width[-1]
            mass = mass * comp[None, :]
            tkey = int(np.nonzero(pts == lo)[0][0])
            best = width.size - 1 - np.argmax(
                (mass == mass.max(axis=1, keepdims=True))[:, ::-1], axis=1)
            out = np.where(best < tkey, E, np.where(best == tkey, S, D))
        else:
            mid = (pts[1:] + pts[:-1]) / 2
            code = np.where(mid < lo, E, np.where(mid > hi, D, S))
            out = code[np.argmax(mass / width[None, :], axis=1)]
    return np.where(none, E, out).astype(np.int8)


@dataclass(frozen=True, eq=False)
class TiteEssRule(TiteRule):
    """TITE-keyboard, TITE-mTPI-2, TITE-i3+3 (Lin & Yuan 2020): the decision of
    :func:`ess_decision` at ``ESS = n - m + STFT``.

    The decision is monotone in the follow-up (D for a small ESS, then S, then E;
    checked numerically in ``tests/dose/test_tite.py``), so it is two STFT
    thresholds: :meth:`threshold`, the smallest STFT at which it escalates, and
    :meth:`deescalation_threshold`, the largest at which it de-escalates.
    ``rule``, ``margin_low``, ``margin_high``: the interval design.  The
    thresholds of the cohort ends ``n = c, 2c, ...`` (every decision of a
    simulated trial) are tabulated when the rule is built (:func:`ess_thresholds`;
    ``thresholds[0]`` escalation, ``thresholds[1]`` de-escalation); other ``n`` (a
    running trial's counts) are computed when asked.
    """

    rule: str = "keyboard"
    margin_low: float = 0.05
    margin_high: float = 0.05
    thresholds: np.ndarray = None

    def _lookup(self, which: int, n, y, m) -> np.ndarray:
        n, y, m = np.asarray(n), np.asarray(y), np.asarray(m)
        other = (n % self.base.cohort_size) != 0
        if not other.any():
            return self.thresholds[which, n, y, m]
        out = np.empty(n.shape)
        out[~other] = self.thresholds[which, n[~other], y[~other], m[~other]]
        out[other] = ess_thresholds(self.rule, self.target, self.margin_low,
                                    self.margin_high, self.base.action,
                                    (n[other], y[other], m[other]))[which]
        return out

    def threshold(self, n, y, m) -> np.ndarray:
        return self._lookup(0, n, y, m)

    def deescalation_threshold(self, n, y, m) -> np.ndarray:
        """The largest STFT in ``[0, m]`` at which the design de-escalates at ``ESS = n
        - m + STFT`` (``-inf``: never, or the complete-data cell already de-escalates)."""
        return self._lookup(1, n, y, m)


def _bisect(holds, m: np.ndarray, iterations: int) -> tuple:
    """Bisection on ``[0, m]`` for where a monotone ``holds(stft)`` (true at 0, false at
    ``m``) turns: ``(low, high)``, true at ``low``, false at ``high = low + m / 2^iterations``."""
    low, high = np.zeros(m.size), m.astype(float)
    for _ in range(iterations):
        mid = (low + high) / 2
        h = holds(mid)
        low = np.where(h, mid, low)
        high = np.where(h, high, mid)
    return low, high


def ess_thresholds(rule: str, target: float, margin_low: float, margin_high: float,
                   action: np.ndarray, cells, iterations: int = 40) -> tuple:
    """The STFT thresholds of ``rule`` for each cell ``(n, y, m)`` of ``cells`` (three
    arrays), with ``ESS = n - m + STFT`` (:func:`ess_decision`).

    Returns ``(escalate, deescalate)``: the smallest STFT in ``[0, m]`` at which the
    design escalates (0 when it escalates with no follow-up at all; ``inf`` where the
    complete-data cell ``action[n, y]`` does not escalate or ``m = 0``), and the largest
    at which it de-escalates (``-inf`` where it never does, ``m = 0`` or the
    complete-data cell is D or DU); bisection to ``m / 2^iterations``.
    """
    n, y, m = (np.asarray(v, dtype=np.int64) for v in cells)
    up, down = np.full(n.size, np.inf), np.full(n.size, -np.inf)
    a = action[n, y]
    up[(a == E) & (m == 0)] = 0.0
    go = ((a == E) | (a == S)) & (m >= 1) & (y + m <= n)
    if not go.any():
        return up, down
    idx = np.nonzero(go)[0]
    n, y, m, a = n[go], y[go], m[go], a[go]

    def at(stft, k):
        return ess_decision(rule, target, margin_low, margin_high, n[k] - m[k] + stft, y[k])

    at0 = at(np.zeros(n.size), slice(None))
    k = np.nonzero((a == E) & (at0 != E))[0]
    up[idx[(a == E) & (at0 == E)]] = 0.0
    if k.size:
        up[idx[k]] = _bisect(lambda t: at(t, k) != E, m[k], iterations)[1]
    k = np.nonzero(at0 == D)[0]
    if k.size:
        down[idx[k]] = _bisect(lambda t: at(t, k) == D, m[k], iterations)[0]
    return up, down


def tite_ess_rule(rule: str, base: IntervalRule, margin_low: float, margin_high: float,
                  max_pending: float, min_followup: float) -> TiteEssRule:
    """The :class:`TiteEssRule` of a compiled Keyboard, mTPI-2 or i3+3 rule."""
    size = base.action.shape[0]
    c = base.cohort_size
    nn, yy, mm = np.meshgrid(np.arange(c, size, c), np.arange(size), np.arange(size),
                             indexing="ij")
    keep = yy + mm <= nn
    thr = np.stack([np.full((size, size, size), np.inf), np.full((size, size, size), -np.inf)])
    cells = (nn[keep], yy[keep], mm[keep])
    thr[(0,) + cells], thr[(1,) + cells] = ess_thresholds(rule, base.target, margin_low,
                                                          margin_high, base.action, cells)
    return TiteEssRule(base=base, max_pending=max_pending, min_followup=min_followup,
                       rule=rule, margin_low=margin_low, margin_high=margin_high,
                       thresholds=thr)
