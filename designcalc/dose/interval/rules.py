"""Decision tables of interval designs (BOIN, user tables) and the MTD selection rule.

An interval design decides, after each cohort, from the patients ``n`` and
DLTs ``y`` observed **at the current dose** only, one of four actions
(:data:`ACTIONS`):

``escalate`` (E)
    go one dose up; stay if the current dose is the highest or the next one
    is eliminated;
``stay`` (S)
    treat the next cohort at the current dose;
``de-escalate`` (D)
    go one dose down; stay at the lowest dose;
``eliminate`` (DU)
    the current dose and every higher dose are eliminated; go one dose down,
    or stop the trial with no MTD when the current dose is the lowest.

So a design is a table ``n -> (escalate if y <= e_n, de-escalate if y >= d_n,
eliminate if y >= u_n)`` plus the trial's size and stopping rules
(:class:`IntervalRule`); :mod:`designcalc.dose.interval.exact` evaluates any such
table exactly and :mod:`designcalc.dose.interval.sim` simulates it.

BOIN (Liu & Yuan 2015, JRSS-C 64:507) is the table of :func:`boin_boundaries`,
restated from the definitions of BOIN 2.7.2's ``get.boundary`` (R package
BOIN, Yan et al. 2020, J Stat Softw 94(13)):

* ``lambda_e = log((1-phi1)/(1-phi)) / log(phi (1-phi1) / (phi1 (1-phi)))``,
  ``lambda_d = log((1-phi)/(1-phi2)) / log(phi2 (1-phi) / (phi (1-phi2)))``;
* escalate if ``y <= floor(lambda_e n)``; de-escalate if ``y > lambda_d n``
  (``ceiling(lambda_d n)``, or ``lambda_d n + 1`` when ``lambda_d n`` is a whole
  number to within 1e-12);
* eliminate if ``n >= 3`` and ``Pr(p > phi | y, n) > cutoff_eli`` under a
  Beta(1, 1) prior (the smallest such ``y``); the de-escalation boundary is
  lowered to the elimination boundary where it is higher.

The final selection (:func:`select_mtd`) restates ``BOIN::select.mtd``:
doses are eliminated again on the final data (the first dose with ``n >= 3``
and ``Pr(p > phi) > cutoff_eli`` and every dose above it; with ``extrasafe``
all doses when ``Pr(p_1 > phi) > cutoff_eli - offset`` with ``n_1 >= 3``);
no MTD if dose 1 is eliminated; otherwise the isotonic (pool-adjacent-
violators, weights ``1/var``) estimate of ``(y + 0.05)/(n + 0.1)`` over the
treated, non-eliminated doses, plus ``1e-10 × rank`` (so that within a pooled
block the lowest dose is closest when the pool lies above the target and the
highest when it lies below), and the dose whose estimate is closest to the
target (the lowest on an exact tie).  With ``bound_mtd`` only doses whose
estimate is ``<= lambda_d`` qualify.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from designcalc.core.validate import check_int
from designcalc.dose.tables import parse_cells, read_table_csv, write_cells_csv

ACTIONS = ("escalate", "stay", "de-escalate", "eliminate")
E, S, D, DU = range(4)
_CODE = {a: i for i, a in enumerate(ACTIONS)}
_ALIASES = {"e": E, "s": S, "d": D, "du": DU, "retain": S, "deescalate": D,
            "de-escalate and eliminate": DU, "elim": DU}


def _action_name(text: str):
    """The action a table cell's ``text`` names (an action or an alias), or None."""
    code = _CODE.get(text, _ALIASES.get(text))
    return None if code is None else ACTIONS[code]


def boin_lambdas(target: float, p_saf: float, p_tox: float) -> tuple:
    """BOIN's escalation and de-escalation boundaries ``(lambda_e, lambda_d)``.

    Examples
    --------
    >>> [round(x, 4) for x in boin_lambdas(0.3, 0.18, 0.42)]
    [0.2365, 0.3585]
    """
    le = math.log((1 - p_saf) / (1 - target)) / math.log(target * (1 - p_saf)
                                                          / (p_saf * (1 - target)))
    ld = math.log((1 - target) / (1 - p_tox)) / math.log(p_tox * (1 - target)
                                                          / (target * (1 - p_tox)))
    return le, ld


def prob_above(target: float, n, y) -> np.ndarray:
    """``Pr(p > target | y DLTs of n)`` under a Beta(1, 1) prior (arrays broadcast)."""
    from scipy.special import betainc

    n, y = np.asarray(n, dtype=float), np.asarray(y, dtype=float)
    return 1.0 - betainc(y + 1.0, n - y + 1.0, target)


def elimination_boundary(target: float, n_max: int, cutoff: float) -> np.ndarray:
    """Smallest ``y`` with ``Pr(p > target | y, n) > cutoff``, for ``n = 0..n_max``.

    ``-1`` where there is none or ``n < 3`` (BOIN's ``NA``).
    """
    out = np.full(n_max + 1, -1, dtype=np.int64)
    for n in range(3, n_max + 1):
        ys = np.arange(1, n + 1)
        hit = np.nonzero(prob_above(target, n, ys) > cutoff)[0]
        if hit.size:
            out[n] = int(ys[hit[0]])
    return out


def boin_boundaries(target: float, n_max: int, p_saf: float, p_tox: float,
                    cutoff_eli: float = 0.95) -> dict:
    """BOIN's boundary table for ``n = 1..n_max`` patients at a dose.

    Returns ``{"n", "escalate", "deescalate", "eliminate", "lambda_e",
    "lambda_d"}``: escalate if DLTs <= ``escalate[i]``, de-escalate if DLTs >=
    ``deescalate[i]``, eliminate if DLTs >= ``eliminate[i]`` (-1: no
    elimination at that ``n``), each at ``n[i]``.

    Examples
    --------
    The published table for target 0.3 (Yan et al. 2020, J Stat Softw 94(13),
    ``get.boundary(target = 0.3, ncohort = 10, cohortsize = 3)``):

    >>> b = boin_boundaries(0.3, 30, 0.18, 0.42)
    >>> [int(b["escalate"][n - 1]) for n in range(3, 31, 3)]
    [0, 1, 2, 2, 3, 4, 4, 5, 6, 7]
    >>> [int(b["deescalate"][n - 1]) for n in range(3, 31, 3)]
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    >>> [int(b["eliminate"][n - 1]) for n in range(3, 31, 3)]
    [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]
    """
    le, ld = boin_lambdas(target, p_saf, p_tox)
    ns = np.arange(1, n_max + 1)
    esc = np.array([math.floor(le * n) for n in ns], dtype=np.int64)
    de = []
    for n in ns:
        x = ld * n
        de.append(round(x) + 1 if abs(round(x) - x) < 1e-12 else math.ceil(x))
    de = np.array(de, dtype=np.int64)
    elim = elimination_boundary(target, n_max, cutoff_eli)[1:]
    capped = np.where((elim >= 0) & (de > elim), elim, de)
    return {"n": ns, "escalate": esc, "deescalate": capped, "eliminate": elim,
            "lambda_e": le, "lambda_d": ld}


@dataclass(frozen=True, eq=False)
class IntervalRule:
    """A compiled interval design: what the exact and simulation engines run.

    Parameters
    ----------
    action : ndarray of int8, shape (n_max + 1, n_max + 1)
        ``action[n, y]`` for ``1 <= n <= n_max`` patients at the current dose
        (codes E, S, D, DU = 0..3; -1 where undefined).
    cohort_size, n_cohorts : int
        The trial treats at most ``n_cohorts`` cohorts.
    n_earlystop : int
        Stop (and select) when the current dose has this many patients and
        the rule would treat the next cohort there again.
    stop_low : ndarray of bool, shape like ``action``
        Cells that stop the trial with no MTD when they occur at the lowest
        dose (BOIN's ``extrasafe``); all False otherwise.
    final_elim : ndarray of bool
        Cells that eliminate a dose (and those above) in the final selection.
    final_stop_low : ndarray of bool
        Cells at the lowest dose that mean no MTD in the final selection.
    target : float
        Target DLT probability.
    bound : float or None
        ``lambda_d`` when only doses with isotonic estimate <= it may be selected.
    earlystop_any : bool
        ``n_earlystop`` stops the trial whenever the current dose reaches it,
        before any other rule (``Keyboard::get.oc.kb``); False: only when the
        rule would treat the next cohort at the same dose (BOIN 2.7.2).
    """

    action: np.ndarray
    cohort_size: int
    n_cohorts: int
    n_earlystop: int
    stop_low: np.ndarray
    final_elim: np.ndarray
    final_stop_low: np.ndarray
    target: float
    bound: float | None = None
    earlystop_any: bool = False

    @property
    def n_max(self) -> int:
        return self.cohort_size * self.n_cohorts


def pava(x: np.ndarray, w: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression of each row of ``x``.

    Rows are independent problems; ``valid`` marks each row's entries, which
    must be a prefix of the row (the rest is ignored and returned as is).
    The algorithm is ``BOIN::select.mtd``'s pool-adjacent-violators: repeat
    "merge the blocks of the first adjacent violation and give every member
    the block's weighted mean" until no violation is left, with the same
    operations, so ties break the same way.

    Examples
    --------
    >>> pava(np.array([[0.1, 0.5, 0.3]]), np.ones((1, 3)), np.ones((1, 3), bool))
    array([[0.1, 0.4, 0.4]])
    """
    x = np.array(x, dtype=float)
    w = np.asarray(w, dtype=float)
    rows, k = x.shape
    if k < 2:
        return x
    # One pass merges one violation in every row that still has one.  Those rows
    # are kept compacted (``live`` and their x, w, pair mask and block labels) and a
    # row is written back to ``x`` once, when it has no violation left: gathering
    # and scattering the full arrays on every pass was most of the cost (measured).
    live = np.arange(rows)
    xs, ws, ok = x, w, valid[:, 1:] & valid[:, :-1]
    lv = np.broadcast_to(np.arange(k), (rows, k))
    for _ in range(k * k):
        viol = (xs[:, 1:] < xs[:, :-1]) & ok
        has = viol.any(axis=1)
        if not has.all():
            x[live[~has]] = xs[~has]
            live, xs, ws, ok, lv, viol = live[has], xs[has], ws[has], ok[has], lv[has], viol[has]
        if live.size == 0:
            break
        i = np.argmax(viol, axis=1)
        at = np.arange(live.size)
        l1 = lv[at, i][:, None]
        l2 = lv[at, i + 1][:, None]
        members = (lv == l1) | (lv == l2)
        xw = np.where(members, xs * ws, 0.0)
        ww = np.where(members, ws, 0.0)
        mean = xw.sum(axis=1) / ww.sum(axis=1)
        xs = np.where(members, mean[:, None], xs)
        lv = np.where(members, l1, lv)
    x[live] = xs
    return x


#: a pick is taken from the min-max isotonic fit when no two distances to the target
#: and no estimate and the bound are closer than this (the fit and pava's differ by
#: about 1e-15: sums of at most k positive terms, k - 1 merges)
SCREEN_TOL = 1e-12


def _isotonic_minmax(x: np.ndarray, w: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The weighted isotonic fit ``max_{a <= i} min_{b >= i} mean(a..b)`` of each row.

    ``valid`` is a prefix of each row (the rest comes back as ``inf``).  The same
    fit as :func:`pava` up to rounding (Barlow et al. 1972, *Statistical
    Inference under Order Restrictions*, Theorem 1.4.4), with no loop over
    violations: the weighted means of the k (k + 1) / 2 runs of columns, each a
    sum of positive terms.  Works on columns (contiguous copies): the rows are
    short.
    """
    rows, k = x.shape
    w = np.ascontiguousarray(w.T)
    xw = np.where(valid.T, x.T * w, np.inf)        # a run reaching past the prefix: inf
    iso = np.full((k, rows), -np.inf)
    for a in range(k):
        sxw, sw = xw[a].copy(), w[a].copy()
        mean = np.empty((k - a, rows))
        np.divide(sxw, sw, out=mean[0])
        for b in range(a + 1, k):
            sxw += xw[b]
            sw += w[b]
            np.divide(sxw, sw, out=mean[b - a])
        low = mean[-1]
        for b in range(k - 1, a - 1, -1):
            np.minimum(low, mean[b - a], out=low)
            np.maximum(iso[b], low, out=iso[b])
    return iso.T


def _screen(rule: IntervalRule, iso: np.ndarray, valid: np.ndarray) -> tuple:
    """``(pick, sure)``: the column :func:`select_mtd` picks from the fit ``iso``
    (``k``: none), and whether that pick cannot change by :data:`SCREEN_TOL`."""
    rows, k = iso.shape
    v = iso + (np.arange(k)[None, :] + 1) * 1e-10
    dist = np.abs(v - rule.target)
    sure = np.ones(rows, dtype=bool)
    if rule.bound is not None:
        ok = valid & (v <= rule.bound)
        sure &= ~(valid & (np.abs(v - rule.bound) <= SCREEN_TOL)).any(axis=1)
    else:
        ok = valid
    dist = np.where(ok, dist, np.inf)
    at = np.arange(rows)
    pick = np.argmin(dist, axis=1)
    best = dist[at, pick]
    dist[at, pick] = np.inf
    sure &= ~((dist.min(axis=1) <= best + 2 * SCREEN_TOL) & np.isfinite(best))
    return np.where(ok.any(axis=1), pick, k), sure


def select_mtd(rule: IntervalRule, n: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The selected dose index (0-based) for each row of final counts; ``k`` = none.

    ``n`` and ``y`` have shape ``(rows, k)`` (patients and DLTs per dose,
    doses ascending).  Restates ``BOIN::select.mtd`` (see the module
    docstring), vectorised over rows.
    """
    n = np.asarray(n, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    rows, k = n.shape
    size = rule.final_elim.shape[1]
    cells = n * size + y                             # the (n, y) cell of each dose
    treated = n > 0
    met = rule.final_elim.ravel()[cells] & treated
    first = np.where(met.any(axis=1), np.argmax(met, axis=1), k)
    none = first == 0
    none |= rule.final_stop_low.ravel()[cells[:, 0]]
    cols = np.arange(k)
    adm = treated & (cols[None, :] < first[:, None])
    none |= ~adm.any(axis=1)
    out = np.full(rows, k, dtype=np.int64)
    go = np.nonzero(~none)[0]
    if go.size == 0:
        return out
    adm = adm[go]
    m = adm.sum(axis=1)
    valid = cols[None, :] < m[:, None]
    if np.array_equal(adm, valid):                   # admissible doses the lowest ones
        idx = np.broadcast_to(cols, adm.shape)
        cell = cells[go]
    else:
        idx = np.argsort(~adm, axis=1, kind="stable")    # admissible doses first, in order
        cell = np.take_along_axis(cells[go], idx, axis=1)
    # phat and 1 / var depend on the cell (n, y) only: computed once per cell of
    # the (n, y) grid and looked up (the same operations per value, so the same
    # bits; two look-ups instead of about ten array operations on every row).
    gn, gy = np.divmod(np.arange(rule.final_elim.size, dtype=float), size)
    phat_of = (gy + 0.05) / (gn + 0.1)
    w_of = 1.0 / ((gy + 0.05) * (gn - gy + 0.05) / ((gn + 0.1) ** 2 * (gn + 0.1 + 1)))
    # Screen: the isotonic fit by its min-max formula (a few ulps from pava's values),
    # and its pick wherever no distance and no bound comparison is within SCREEN_TOL
    # of a tie (then pava's values give the same pick); pava runs on the other rows.
    c = np.where(valid, cell, size)
    pick, sure = _screen(rule, _isotonic_minmax(phat_of[c], w_of[c], valid), valid)
    pick, idx_s = pick[sure], idx[sure]
    out[go[sure]] = np.where(pick < k, idx_s[np.arange(pick.size), np.minimum(pick, k - 1)], k)
    go, idx, cell, m = go[~sure], idx[~sure], cell[~sure], m[~sure]
    # Rows with at most 3 admissible doses are computed on arrays of that width
    # (no padding; 4 % of the reduced rows of 6 doses x 20 cohorts, more with
    # fewer cohorts): a block of at most 3 values sums in
    # the same order whatever the array width, while numpy sums 8 or more
    # values pairwise, so wider rows keep all k columns and the old sums bit
    # for bit.
    width = np.where(m <= 3, m, k)
    for wd in np.unique(width):
        g = np.nonzero(width == wd)[0]
        cols = np.arange(wd)
        valid = cols[None, :] < m[g, None]
        c = np.where(valid, cell[g, :wd], size)              # padding: n = 1, y = 0
        phat = np.where(valid, phat_of[c], 10.0 + cols[None, :])  # padding never violates
        iso = pava(phat, w_of[c], valid)
        iso = iso + (cols[None, :] + 1) * 1e-10
        dist = np.abs(iso - rule.target)
        if rule.bound is not None:
            ok = valid & (iso <= rule.bound)
            dist = np.where(ok, dist, np.inf)
            nothing = ~ok.any(axis=1)
        else:
            dist = np.where(valid, dist, np.inf)
            nothing = np.zeros(g.size, dtype=bool)
        pick = idx[g, np.argmin(dist, axis=1)]
        out[go[g]] = np.where(nothing, k, pick)
    return out


_LAYOUT = ("n", "escalate_if_le", "deescalate_if_ge", "eliminate_if_ge")


def _cells_of_boundaries(n, esc, de, el) -> list:
    """Cells of one row of the boundary layout (empty, "-" or "None": never)."""
    def num(text, never):
        return never if str(text).strip() in ("", "-", "None", "none", "NA") else int(text)

    n = int(n)
    esc, de, el = num(esc, -1), num(de, n + 1), num(el, n + 1)
    return [(n, y, "escalate" if y <= esc else "eliminate" if y >= el
             else "de-escalate" if y >= de else "stay") for y in range(n + 1)]


@dataclass(frozen=True)
class IntervalTable:
    """A user's (or a generator's) decision table: an action per (n, DLTs) cell.

    Parameters
    ----------
    cells : tuple of (n, dlt, action)
        ``action`` one of :data:`ACTIONS`; every ``n`` a multiple of the
        cohort size, every DLT count ``0..n`` of each listed ``n`` present.
    cohort_size : int
    name : str

    The table must cover ``n = c, 2c, ..., n_max`` for the trial it runs
    (checked by :meth:`action_array`).  CSV columns: ``n,dlt,action``.
    """

    cells: tuple
    cohort_size: int = 3
    name: str = "table"

    def __post_init__(self):
        c = check_int("cohort_size", self.cohort_size, min_value=1)
        object.__setattr__(self, "cohort_size", c)
        seen = parse_cells(self.cells, c, f"table {self.name!r}", _action_name, ACTIONS)
        for n in {n for n, _ in seen}:
            for d in range(n + 1):
                if (n, d) not in seen:
                    raise ValueError(f"table {self.name!r} has a gap: no action for "
                                     f"n={n}, dlt={d}")
        object.__setattr__(self, "cells", tuple((n, d, a) for (n, d), a in sorted(seen.items())))

    @property
    def max_n(self) -> int:
        return max(n for n, _, _ in self.cells)

    def action_array(self, n_max: int) -> np.ndarray:
        """``action[n, y]`` codes for ``n <= n_max`` (ValueError if a needed row is missing)."""
        arr = np.full((n_max + 1, n_max + 1), -1, dtype=np.int8)
        for n, d, a in self.cells:
            if n <= n_max:
                arr[n, d] = _CODE[a]
        for n in range(self.cohort_size, n_max + 1, self.cohort_size):
            if arr[n, 0] < 0:
                raise ValueError(f"table: {self.name!r} has no row for n={n} patients "
                                 f"(the trial can treat up to {n_max} at one dose)")
        return arr

    def rows(self) -> list:
        """The table in the BOIN protocol layout: one row per ``n``.

        ``n``, ``escalate_if_le`` (escalate if DLTs <= it; -1: never),
        ``deescalate_if_ge``, ``eliminate_if_ge`` (None: never), and ``other``
        naming any cell the three thresholds do not describe.
        """
        by_n: dict = {}
        for n, d, a in self.cells:
            by_n.setdefault(n, {})[d] = _CODE[a]
        out = []
        for n in sorted(by_n):
            acts = by_n[n]
            esc = max((d for d, a in acts.items() if a == E), default=-1)
            de = min((d for d, a in acts.items() if a in (D, DU)), default=None)
            el = min((d for d, a in acts.items() if a == DU), default=None)
            expect = {d: (E if d <= esc else DU if el is not None and d >= el
                          else D if de is not None and d >= de else S) for d in acts}
            odd = [d for d in acts if acts[d] != expect[d]]
            out.append({"n": n, "escalate_if_le": esc, "deescalate_if_ge": de,
                        "eliminate_if_ge": el,
                        "other": ", ".join(f"{d}: {ACTIONS[acts[d]]}" for d in odd) or None})
        return out

    def to_dict(self) -> dict:
        return {"name": self.name, "cohort_size": self.cohort_size,
                "cells": [[n, d, a] for n, d, a in self.cells]}

    @classmethod
    def from_dict(cls, data) -> "IntervalTable":
        if isinstance(data, IntervalTable):
            return data
        if not isinstance(data, dict) or "cells" not in data:
            raise ValueError("table must be {name, cohort_size, cells: [[n, dlt, action], ...]}")
        return cls(cells=tuple(tuple(c) if isinstance(c, list) else c for c in data["cells"]),
                   cohort_size=data.get("cohort_size", 3), name=data.get("name", "table"))

    @classmethod
    def from_action_array(cls, action: np.ndarray, cohort_size: int, n_max: int,
                          name: str) -> "IntervalTable":
        cells = tuple((n, d, ACTIONS[int(action[n, d])])
                      for n in range(cohort_size, n_max + 1, cohort_size)
                      for d in range(n + 1))
        return cls(cells=cells, cohort_size=cohort_size, name=name)

    def to_csv(self, path) -> str:
        """Write columns ``n,dlt,action`` (atomically)."""
        return write_cells_csv(path, self.cells)

    @classmethod
    def from_csv(cls, path, cohort_size: int | None = None) -> "IntervalTable":
        """Read a table written by :meth:`to_csv` (other columns are ignored)."""
        path = os.fspath(path)
        try:
            fields, rows = read_table_csv(path)
        except FileNotFoundError:
            raise ValueError(f"table: file not found: {path!r}") from None
        layout = all(f in fields for f in _LAYOUT)
        if not layout and not all(f in fields for f in ("n", "dlt", "action")):
            raise ValueError(f"table: {path!r} needs the columns n, dlt, action "
                             f"(cells) or {', '.join(_LAYOUT)} (boundaries)")
        cells = []
        for line, row in rows:
            try:
                if layout:
                    cells += _cells_of_boundaries(*(row[f] for f in _LAYOUT))
                else:
                    cells.append((int(row["n"]), int(row["dlt"]), row["action"]))
            except ValueError:
                raise ValueError(f"table: {path!r} line {line}: counts must be whole "
                                 "numbers (empty or - for 'never')") from None
        if not cells:
            raise ValueError(f"table: {path!r} is empty")
        c = cohort_size or min(n for n, _, _ in cells)
        return cls(cells=tuple(cells), cohort_size=c, name=os.path.basename(path))


def boin_rule(target: float, n_cohorts: int, cohort_size: int, *, n_earlystop: int = 100,
              p_saf: float | None = None, p_tox: float | None = None,
              cutoff_eli: float = 0.95, extrasafe: bool = False, offset: float = 0.05,
              bound_mtd: bool = False) -> IntervalRule:
    """The compiled BOIN rule (arguments as in ``BOIN::get.oc``; validated by the caller).

    The in-trial ``extrasafe`` stop is checked, as in ``get.oc``, only at
    sample sizes where the elimination boundary exists; the final selection
    checks it at every ``n >= 3`` (as ``select.mtd`` does).
    """
    p_saf = 0.6 * target if p_saf is None else p_saf
    p_tox = 1.4 * target if p_tox is None else p_tox
    n_max = n_cohorts * cohort_size
    b = boin_boundaries(target, n_max, p_saf, p_tox, cutoff_eli)
    size = n_max + 1
    nn, yy = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    esc = np.concatenate(([-1], b["escalate"]))[:, None]
    de = np.concatenate(([size], b["deescalate"]))[:, None]
    el = np.concatenate(([-1], b["eliminate"]))[:, None]
    has_el = el >= 0
    action = np.where(yy <= esc, E, np.where(has_el & (yy >= el), DU,
                                             np.where(yy >= de, D, S))).astype(np.int8)
    action[(yy > nn) | (nn == 0)] = -1
    final_elim = has_el & (yy >= el) & (yy <= nn)
    no_stop = np.zeros((size, size), dtype=bool)
    if extrasafe:
        with np.errstate(invalid="ignore"):
            post = np.where(yy <= nn, prob_above(target, nn, np.minimum(yy, nn)), 0.0)
        final_stop = (nn >= 3) & (yy <= nn) & (post > cutoff_eli - offset)
        stop_low = final_stop & has_el
    else:
        final_stop = stop_low = no_stop
    return IntervalRule(action=action, cohort_size=cohort_size, n_cohorts=n_cohorts,
                        n_earlystop=n_earlystop, stop_low=stop_low, final_elim=final_elim,
                        final_stop_low=final_stop, target=target,
                        bound=b["lambda_d"] if bound_mtd else None)


def extrasafe_boundary(rule: IntervalRule) -> dict:
    """The ``extrasafe`` stopping row of a compiled rule: ``{n: smallest DLT count at
    the lowest dose that stops the trial with no MTD, or None}`` for ``n`` = cohort
    ends.

    ``BOIN::get.boundary(..., extrasafe = TRUE)`` prints this row ("Stop the trial
    if # of DLT >=") for the lowest dose: the smallest ``y`` with ``Pr(p_1 > target
    | y, n) > cutoff_eli - offset`` (Beta(1, 1) prior), ``n >= 3``.  The row here
    is the rule the engines apply in the trial (:attr:`IntervalRule.stop_low`: as
    ``BOIN::get.oc``, only at sample sizes where the elimination boundary exists),
    so it is None where ``get.boundary`` prints a count that ``get.oc`` never uses.
    """
    c = rule.cohort_size
    out = {}
    for n in range(c, rule.n_max + 1, c):
        hits = np.flatnonzero(rule.stop_low[n, :n + 1])
        out[n] = int(hits[0]) if hits.size else None
    return out


# --- Keyboard, mTPI-2 and i3+3: decision-table generators --------------------------------
#
# Each generator returns the action of every cell (n, y), n = 1..n_max, *before* the
# safety rule; :func:`interval_rule` adds the elimination cells (Pr(p > target | y, n) >
# cutoff_eli under a Beta(1, 1) prior, with n >= 3, as in BOIN, Keyboard and FIND) and
# the final-selection rule shared with BOIN (``select.mtd`` / ``select.mtd.kb``).

INTERVAL_RULES = ("keyboard", "mtpi2", "i3+3")


def _posterior_cdf(n: int, x) -> np.ndarray:
    """``Pr(p <= x | y, n)`` under Beta(1, 1) for ``y = 0..n`` (rows) and each ``x`` (columns)."""
    from scipy.special import betainc

    y = np.arange(n + 1, dtype=float)[:, None]
    return betainc(y + 1.0, n - y + 1.0, np.asarray(x, dtype=float)[None, :])


def keyboard_keys(target: float, margin_low: float = 0.05,
                  margin_high: float = 0.05) -> np.ndarray:
    """Key boundaries of the Keyboard design (Yan, Mandrekar & Yuan 2017).

    The target key is ``[target - margin_low, target + margin_high]``; keys of
    the same width are laid to its left and right until they pass 0 and 1,
    and the outermost boundaries are clipped to 0 and 1 (the partial end keys
    are kept; their posterior mass is scaled up by full width / own width, the
    "compensation factor" of ``Keyboard::get.boundary.kb``).  Restated from the
    definitions of Keyboard 0.1.3 with the same floating-point steps.

    Examples
    --------
    >>> [round(float(k), 2) for k in keyboard_keys(0.3)]
    [0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1.0]
    """
    a1, a2 = target - margin_low, target + margin_high
    delta = a2 - a1
    left, cut, i = [], 0.3, 0
    while cut > 0:
        i += 1
        cut = a1 - i * delta
        left.insert(0, cut)
    right, cut, i = [], 0.3, 0
    while cut < 1:
        i += 1
        cut = a2 + i * delta
        right.append(cut)
    keys = np.array(left + [a1, a2] + right, dtype=float)
    return np.clip(keys, 0.0, 1.0)


def keyboard_actions(target: float, n_max: int, margin_low: float = 0.05,
                     margin_high: float = 0.05) -> np.ndarray:
    """``action[n, y]`` (E, S or D) of the Keyboard design before the safety rule.

    The "strongest key" is the key with the largest posterior probability
    (Beta(1 + y, 1 + n - y)); the two end keys' probabilities are multiplied by
    ``(margin_low + margin_high) / their width``; on a tie the highest key
    wins (``max(which(...))`` in ``Keyboard::get.boundary.kb``).  Escalate if
    it lies left of the target key, stay if it is the target key, de-escalate
    if right.
    """
    keys = keyboard_keys(target, margin_low, margin_high)
    nkeys = keys.size - 1
    width = np.diff(keys)
    comp = np.ones(nkeys)
    comp[0] = (margin_low + margin_high) / width[0]
    comp[-1] = (margin_low + margin_high) / width[-1]
    tkey = int(np.nonzero(keys == target - margin_low)[0][0])
    act = np.full((n_max + 1, n_max + 1), -1, dtype=np.int8)
    for n in range(1, n_max + 1):
        cdf = _posterior_cdf(n, keys)
        mass = (cdf[:, 1:] - cdf[:, :-1]) * comp[None, :]
        best = nkeys - 1 - np.argmax((mass == mass.max(axis=1, keepdims=True))[:, ::-1], axis=1)
        act[n, :n + 1] = np.where(best < tkey, E, np.where(best == tkey, S, D))
    return act


def mtpi2_intervals(target: float, margin_low: float = 0.05,
                    margin_high: float = 0.05) -> np.ndarray:
    """Sub-interval boundaries of mTPI-2 (Guo et al. 2017): Ockham's razor.

    The equivalence interval EI = ``[target - margin_low, target + margin_high]``
    and intervals of the same width eps below and above it, the end ones cut
    at 0 and 1; boundaries rounded to 3 decimals (FIND 0.1.1,
    ``get_decision_mtpi2``, the tool of the design's authors' group).

    Examples
    --------
    >>> mtpi2_intervals(0.3).tolist()
    [0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1.0]
    """
    lo, hi = target - margin_low, target + margin_high
    eps = hi - lo

    def count(length):
        r = length / eps
        return int(round(r)) if abs(length % eps) < 1.49e-8 or abs(r - round(r)) < 1e-9 \
            else math.ceil(r)

    kl, kh = count(lo), count(1.0 - hi)
    pts = [lo - k * eps for k in range(kl, 0, -1)] + [lo, hi] + \
          [hi + k * eps for k in range(1, kh + 1)]
    pts[0], pts[-1] = 0.0, 1.0
    return np.round(np.array(pts, dtype=float), 3)


def mtpi2_actions(target: float, n_max: int, margin_low: float = 0.05,
                  margin_high: float = 0.05) -> np.ndarray:
    """``action[n, y]`` of mTPI-2 before the safety rule.

    Each sub-interval's unit probability mass UPM = posterior probability /
    width (Beta(1 + y, 1 + n - y)); the interval with the largest UPM decides
    (the first, i.e. lowest, on a tie, as R's ``which.max``): below the EI
    escalate, the EI stay, above de-escalate.
    """
    pts = mtpi2_intervals(target, margin_low, margin_high)
    width = np.diff(pts)
    mid = (pts[1:] + pts[:-1]) / 2
    lo, hi = target - margin_low, target + margin_high
    code = np.where(mid < lo, E, np.where(mid > hi, D, S))
    act = np.full((n_max + 1, n_max + 1), -1, dtype=np.int8)
    for n in range(1, n_max + 1):
        cdf = _posterior_cdf(n, pts)
        upm = (cdf[:, 1:] - cdf[:, :-1]) / width[None, :]
        act[n, :n + 1] = code[np.argmax(upm, axis=1)]
    return act


def i3p3_actions(target: float, n_max: int, margin_low: float = 0.05,
                 margin_high: float = 0.05) -> np.ndarray:
    """``action[n, y]`` of i3+3 (Liu, Wang & Ji 2020) before the safety rule.

    With EI = ``[target - margin_low, target + margin_high]`` (closed): escalate
    if ``y/n`` is below the EI, stay if inside; above it, stay if ``(y - 1)/n``
    is below the EI (one DLT fewer would have escalated, so de-escalating
    would undershoot), else de-escalate.  Comparisons treat values within
    1e-12 of a bound as on it (``y/n = 0.35`` is inside ``[0.25, 0.35]``).
    """
    lo, hi = target - margin_low, target + margin_high
    tol = 1e-12
    act = np.full((n_max + 1, n_max + 1), -1, dtype=np.int8)
    for n in range(1, n_max + 1):
        y = np.arange(n + 1)
        rate, less = y / n, (y - 1) / n
        act[n, :n + 1] = np.where(rate < lo - tol, E, np.where(
            rate <= hi + tol, S, np.where(less < lo - tol, S, D)))
    return act


_GENERATORS = {"keyboard": keyboard_actions, "mtpi2": mtpi2_actions, "i3+3": i3p3_actions}


def interval_rule(rule: str, target: float, n_cohorts: int, cohort_size: int, *,
                  margin_low: float = 0.05, margin_high: float = 0.05,
                  n_earlystop: int = 100, cutoff_eli: float = 0.95, extrasafe: bool = False,
                  offset: float = 0.05) -> IntervalRule:
    """The compiled Keyboard, mTPI-2 or i3+3 rule (``rule`` in :data:`INTERVAL_RULES`).

    The generator's table plus the safety rule: eliminate (DU) when ``n >= 3``
    and ``Pr(p > target | y, n) > cutoff_eli``; ``extrasafe`` as in BOIN and
    Keyboard.  Keyboard stops at ``n_earlystop`` patients whatever the cell
    says (``get.oc.kb``); mTPI-2 and i3+3 follow BOIN's convention.
    """
    n_max = n_cohorts * cohort_size
    act = _GENERATORS[rule](target, n_max, margin_low, margin_high)
    size = n_max + 1
    nn, yy = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    el = np.concatenate(([-1], elimination_boundary(target, n_max, cutoff_eli)[1:]))[:, None]
    has_el = el >= 0
    final_elim = has_el & (yy >= el) & (yy <= nn)
    act = np.where(final_elim, DU, act).astype(np.int8)
    act[(yy > nn) | (nn == 0)] = -1
    if extrasafe:
        with np.errstate(invalid="ignore"):
            post = np.where(yy <= nn, prob_above(target, nn, np.minimum(yy, nn)), 0.0)
        final_stop = (nn >= 3) & (yy <= nn) & (post > cutoff_eli - offset)
        stop_low = final_stop & has_el
    else:
        final_stop = stop_low = np.zeros((size, size), dtype=bool)
    return IntervalRule(action=act, cohort_size=cohort_size, n_cohorts=n_cohorts,
                        n_earlystop=n_earlystop, stop_low=stop_low, final_elim=final_elim,
                        final_stop_low=final_stop, target=target, bound=None,
                        earlystop_any=(rule == "keyboard"))
