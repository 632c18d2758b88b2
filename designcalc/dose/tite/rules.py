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
   of the window (default 0: off);
5. else **stay**.

Worked check (the issue's public case): target 0.2, ``n = 9``, ``y = 1``,
``m = 4``: ``lambda_e = 0.15724``, ``p~ = 1.1 / 6``, threshold ``4 - (9 x
0.15724 - 1) x 4.4545 = 2.1506``: escalate iff ``STFT >= 2.15``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.dose.interval.rules import (D, DU, E, S, IntervalRule, boin_lambdas,
                                            select_mtd)
from designcalc.dose.tite.engine import SUSPEND

__all__ = ["TiteBoinRule", "escalation_threshold", "tite_boin_rule"]


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
    n, y, m = (np.asarray(v, dtype=float) for v in (n, y, m))
    pt = (y + target / 2.0) / (n - m + 1.0)
    return m - (n * lambda_e - y) * (1.0 - pt) / pt


@dataclass(frozen=True, eq=False)
class TiteBoinRule:
    """The TITE-BOIN rule the calendar engine runs (see the module docstring).

    Parameters
    ----------
    base : IntervalRule
        The compiled BOIN rule (its cells decide with complete data; its
        ``select_mtd`` selects the MTD on the final data).
    lambda_e : float
        BOIN's escalation boundary.
    max_pending : float
        Suspend accrual when more than this fraction of the current dose's
        patients is pending.
    min_followup : float
        Escalate only when every pending patient has been followed for at
        least this fraction of the window.
    """

    base: IntervalRule
    lambda_e: float
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

    def decide(self, n, y, m, stft, min_fu) -> np.ndarray:
        """The code (E, S, D, DU or SUSPEND) per trial, in the order of the module docstring."""
        n = np.asarray(n, dtype=np.int64)
        y = np.asarray(y, dtype=np.int64)
        m = np.asarray(m, dtype=np.int64)
        a = self.base.action[n, y]
        with np.errstate(divide="ignore", invalid="ignore"):
            thr = escalation_threshold(self.target, self.lambda_e, n, y, m)
        up = (a == E) & ((m == 0) | ((stft >= thr) & (np.asarray(min_fu) >= self.min_followup)))
        out = np.where(up, E, S)
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
        ``stft_escalate`` (the threshold x, None when not applicable).
        """
        out = []
        for n in n_values:
            for y in range(n + 1):
                a = int(self.base.action[n, y])
                if a in (D, DU):
                    out.append({"n": n, "dlt": y, "pending": None,
                                "decision": "eliminate" if a == DU else "de-escalate",
                                "stft_escalate": None})
                    continue
                for m in range(n - y + 1):
                    thr = None
                    if m > self.max_pending * n:
                        dec = "suspend"
                    elif a == S:
                        dec = "stay"
                    elif m == 0:
                        dec = "escalate"
                    else:
                        thr = float(escalation_threshold(self.target, self.lambda_e, n, y, m))
                        if thr <= 0 and self.min_followup == 0:
                            dec, thr = "escalate", None
                        else:
                            thr = max(thr, 0.0)
                            dec = f"escalate if STFT >= {thr:.2f}, else stay"
                            if self.min_followup > 0:
                                dec = (f"escalate if STFT >= {thr:.2f} and every pending "
                                       f"patient followed >= {self.min_followup:g} of the "
                                       "window, else stay")
                    out.append({"n": n, "dlt": y, "pending": m, "decision": dec,
                                "stft_escalate": thr})
        return out


def tite_boin_rule(base: IntervalRule, p_saf: float, p_tox: float, max_pending: float,
                   min_followup: float) -> TiteBoinRule:
    """The :class:`TiteBoinRule` of a compiled BOIN rule and its phi1, phi2."""
    le, _ = boin_lambdas(base.target, p_saf, p_tox)
    return TiteBoinRule(base=base, lambda_e=le, max_pending=max_pending,
                        min_followup=min_followup)
