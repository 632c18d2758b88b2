"""BOIN (Lin & Yin 2017) and Keyboard (Pan, Lin & Yuan 2020) for drug combinations on a
J x K dose grid: conduct, selection, exact and simulated operating characteristics; the
waterfall design (Zhang & Yuan 2016, :mod:`designcalc.dose.combination.waterfall`):
conduct, and exact (small grids) or simulated operating characteristics of its MTD
contour.

A scenario is a grid of true DLT probabilities: ``J`` rows (drug A, lowest first), ``K``
columns (drug B), given row by row as a flat list of ``J * K`` numbers or as ``J``
lists.  The rule and the selection are :mod:`designcalc.dose.combination.engine`'s.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from designcalc.core.protocol import Design, curve_scenarios
from designcalc.core.validate import check_int, check_real
from designcalc.dose.interval.design import check_boin_options

__all__ = ["BoinCombDesign", "parse_grid", "dose_label", "COMB_VARIANTS"]

#: the designs of the family: BOIN's boundaries, Keyboard's keys, BOIN's waterfall
COMB_VARIANTS = ("boin", "keyboard", "waterfall")

#: the simulated fallback of an exact computation above its state budget
FALLBACK_SIMS = 20_000
FALLBACK_SEED = 0
#: live states of the exact program (after one cohort) above which it falls back to
#: simulation
STATE_BUDGET = 50_000
#: measured cost of one state of the exact program, its final selection included
#: (seconds, 3 x 3 grid of 8 cohorts on the loaded 2-core machine; tests/benchmarks)
SECONDS_PER_STATE = 5e-5


def dose_label(a: int, b: int) -> str:
    """``"A2B3"``: the combination of level ``a`` of drug A and ``b`` of drug B (1-based)."""
    return f"A{a}B{b}"


def parse_grid(name: str, values, rows: int, cols: int) -> np.ndarray:
    """A ``rows x cols`` grid from a flat row-major list or a list of rows; a ValueError
    naming ``name`` otherwise."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {rows} rows of {cols} numbers") from None
    if arr.ndim == 1 and arr.size == rows * cols:
        arr = arr.reshape(rows, cols)
    if arr.shape != (rows, cols):
        raise ValueError(f"{name} must have {rows} x {cols} = {rows * cols} values (rows of "
                         f"drug A, each {cols} values of drug B), got shape "
                         f"{'x'.join(map(str, arr.shape))}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite numbers")
    return arr


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be true or false, got {value!r}")
    return bool(value)


def _kernel(rng, size, *, design, p, mtd, above, over):
    """Simulate ``size`` trials on the grid ``p`` (vectorised over trials)."""
    from designcalc.dose.combination.engine import (STOP_EARLY, STOP_TOX, decide,
                                                    select_mtd)

    J, K = p.shape
    rule = design.rule()
    cs, m = design.cohort_size, design.cohorts
    n = np.zeros((size, J, K), dtype=np.int64)
    y = np.zeros((size, J, K), dtype=np.int64)
    d = np.tile(np.array([design.start_a - 1, design.start_b - 1]), (size, 1))
    live = np.ones(size, dtype=bool)
    no_mtd = np.zeros(size, dtype=bool)
    early = np.zeros(size, dtype=bool)
    es = np.zeros(size, dtype=bool)
    t_idx = np.arange(size)
    for c in range(m):
        tox = rng.binomial(cs, p[d[:, 0], d[:, 1]])
        n[t_idx, d[:, 0], d[:, 1]] += cs * live
        y[t_idx, d[:, 0], d[:, 1]] += tox * live
        out = decide(rule, n, y, d)
        act = out["action"]
        stop = live & ((act == STOP_TOX) | (act == STOP_EARLY))
        no_mtd |= live & (act == STOP_TOX)
        if c < m - 1:
            early |= live & (act == STOP_TOX)
            es |= live & (act == STOP_EARLY)
            live &= ~stop
            u = rng.random(size)
            nxt = np.where((out["tie"] & (u >= 0.5))[:, None], out["alt"], out["next"])
            d = np.where(live[:, None], nxt, d)
    sel = select_mtd(rule, n, y, design.bound_mtd)
    sel = np.where(no_mtd, J * K, sel)
    onehot = np.zeros((size, J * K + 1))
    onehot[t_idx, sel] = 1.0
    nf = n.reshape(size, J * K).astype(float)
    total = nf.sum(axis=1)
    return {"select": onehot, "n_treated": nf, "n_dlt": y.reshape(size, J * K).astype(float),
            "n_total": total, "dlt_total": y.sum(axis=(1, 2)).astype(float),
            "stop_early": early.astype(float), "stop_earlystop": es.astype(float),
            "pcs": onehot[:, :-1] @ mtd, "above": onehot[:, :-1] @ above,
            "over": onehot[:, :-1] @ over,
            "share_mtd": (nf @ mtd) / total, "share_above": (nf @ above) / total}


#: the metrics' columns and the kernels' keys
_METRIC_KEYS = (("pcs", "pcs"), ("p_select_above", "above"), ("p_select_above_target", "over"),
                ("share_mtd", "share_mtd"), ("share_above", "share_above"),
                ("en", "n_total"), ("e_dlt", "dlt_total"), ("p_stop_early", "stop_early"),
                ("p_stop_earlystop", "stop_earlystop"))


class _Paths:
    """A stand-in for the random generator of :func:`_waterfall_kernel` that enumerates:
    draw ``k`` (the ``k``-th cohort of every trial) returns digit ``k`` of each trial's
    DLT sequence ``digits[:, k]``, and keeps the DLT probabilities it was asked for."""

    def __init__(self, digits):
        self.digits, self.p = digits, []

    def binomial(self, size, p):
        self.p.append(np.broadcast_to(p, self.digits.shape[:1]))
        return self.digits[:, len(self.p) - 1]


def _exact_waterfall(design: BoinCombDesign, p: np.ndarray) -> dict:
    """Exact OC of the waterfall on the grid ``p``: every sequence of per-cohort DLT
    counts (``(cohort_size + 1)^cohorts``, each cohort's count a digit) run at once
    through the simulation's own rules (:func:`_waterfall_kernel`, which draws one count
    per trial per cohort) and weighted by its probability -- the binomial probabilities
    of the cohorts the trial treats, times 1 if the unused digits are 0, else 0, so each
    trial path counts once.  Returns the weighted means of the kernel's outputs."""
    cs, m = design.cohort_size, design.cohorts
    size = (cs + 1) ** m
    digits = (np.arange(size)[:, None] // (cs + 1) ** np.arange(m)[None, :]) % (cs + 1)
    mtd, above = design._targets(p)
    rng = _Paths(digits)
    out = _waterfall_kernel(rng, size, design=design, p=p, mtd=mtd, above=above,
                            over=(p.ravel() > design.target).astype(float))
    used = np.rint(out["n_total"] / cs).astype(np.int64)
    steps = np.arange(m)[None, :]
    probs = np.ones((size, m))
    k, q = digits[:, :len(rng.p)], np.stack(rng.p, axis=1)
    choose = np.array([math.comb(cs, i) for i in range(cs + 1)], dtype=float)
    probs[:, :len(rng.p)] = choose[k] * q ** k * (1.0 - q) ** (cs - k)
    w = np.where(steps < used[:, None], probs, digits == 0).prod(axis=1)
    return {key: w @ val for key, val in out.items()}


def _waterfall_kernel(rng, size, *, design, p, mtd, above, over):
    """Simulate ``size`` waterfall trials on ``p``: ``select`` is the multi-hot MTD contour
    (the last column: no combination selected), ``pcs`` the contour equal to the true one
    (``get.oc.comb``'s ``pcs.contour``)."""
    from designcalc.dose.combination.waterfall import simulate_waterfall

    J, K = p.shape
    contour, n, y, stopped = simulate_waterfall(rng, size, design, p)
    sel = np.zeros((size, J * K + 1))
    t_idx = np.arange(size)
    for j in range(J):
        ok = contour[:, j] >= 0
        sel[t_idx[ok], j * K + contour[ok, j]] = 1.0
    sel[:, -1] = sel[:, :-1].sum(axis=1) == 0
    nf = n.reshape(size, J * K).astype(float)
    total = nf.sum(axis=1)
    picked = sel[:, :-1] > 0
    return {"select": sel, "n_treated": nf, "n_dlt": y.reshape(size, J * K).astype(float),
            "n_total": total, "dlt_total": y.sum(axis=(1, 2)).astype(float),
            "stop_early": stopped.astype(float), "stop_earlystop": np.zeros(size),
            "pcs": (picked == (mtd > 0)).all(axis=1).astype(float),
            "above": (picked & (above > 0)).any(axis=1).astype(float),
            "over": (picked & (over > 0)).any(axis=1).astype(float),
            "share_mtd": (nf @ mtd) / total, "share_above": (nf @ above) / total}


@dataclass(frozen=True)
class BoinCombDesign(Design):
    """BOIN (``--design boin-comb``) or Keyboard (``variant="keyboard"``, ``--design
    keyboard-comb``) for drug combinations (family ``combination``).

    Parameters
    ----------
    target : float
        Target DLT probability (BOIN ``target``), in [0.05, 0.6].
    rows, cols : int
        Dose levels of drug A (grid rows) and drug B (columns); ``rows <= cols``
        as BOIN requires (rotate the grid otherwise).
    cohorts : int
        Maximum number of cohorts (``ncohort``).
    cohort_size : int
        Patients per cohort (``cohortsize``).
    start_a, start_b : int
        The starting combination (``startdose``), 1-based.
    n_earlystop : int or None
        Stop when the current dose has this many patients (``n.earlystop``, as
        ``next.comb`` applies it; the waterfall: end the subtrial).  Default BOIN's:
        100, for the waterfall 12 (``get.oc.comb(..., mtd.contour = TRUE)``).
    p_saf, p_tox : float or None
        ``phi1``, ``phi2`` (defaults 0.6 and 1.4 x target).
    cutoff_eli : float
        Eliminate doses with ``Pr(p > target | data) > cutoff_eli`` (>= 3 patients).
    extrasafe : bool
        Stop if ``Pr(p_11 > target) > cutoff_eli - offset`` at the lowest dose.
    offset : float
        See ``extrasafe``, in (0, 0.5).
    bound_mtd : bool
        Select only doses with isotonic estimate <= ``lambda_d`` (``boundMTD``).
    get_oc_rule : bool
        Escalate as BOIN's ``get.oc.comb`` simulates: without ``next.comb``'s check
        that no combination of the row (column) escalated into, at or below the
        current level of the other drug, has an observed DLT rate >= ``lambda_d``.
        Default False: ``next.comb``'s rule, by which the trial is conducted.
    variant : {"boin", "keyboard"}
        ``"keyboard"``: the Keyboard design for drug combinations (Pan, Lin & Yuan
        2020; ``Keyboard::get.oc.comb.kb``): the boundaries of the strongest key
        (``get.boundary.comb.kb``), the move score on the target key and selection
        on unrounded isotonic estimates; it takes no ``p_saf``, ``p_tox``,
        ``bound_mtd``, ``get_oc_rule``.
    margin_low, margin_high : float or None
        Keyboard's target key ``[target - margin_low, target + margin_high]``
        (``marginL``, ``marginR``; default 0.05 each); Keyboard only.
    subtrial_cohorts : tuple of int or None
        ``variant="waterfall"`` (``get.oc.comb(..., mtd.contour = TRUE)``): the cohorts
        of each of the ``rows`` subtrials (``ncohort``), summing to ``cohorts``;
        default BOIN's ``ceiling(round(4 / cohort_size, 2) x (J + K - 1, K - 1, ...))``.
        The waterfall takes no ``p_saf``, ``p_tox``, ``get_oc_rule``, start or
        margins; its exact OC enumerate every DLT sequence within the state budget
        (simulated beyond it); its ``next_dose`` is BOIN within a subtrial and
        ``next.subtrial`` between subtrials, its ``select`` the MTD contour.

    Notes
    -----
    Operating characteristics: exact by a dynamic program over the trial's
    states (patients and DLTs per dose, current dose; a tie between two moves
    branches with probability 1/2) when the projected number of states is
    within the state budget, else simulated, vectorised over trials.
    Lin & Yin (2017), Stat Methods Med Res 26:2155; BOIN 2.7.2's
    ``get.oc.comb``, ``next.comb``, ``select.mtd.comb``.

    Examples
    --------
    >>> d = BoinCombDesign(target=0.3, rows=3, cols=5, cohorts=10)
    >>> d.next_dose([[3, 0, 0, 0, 0], [7, 6, 0, 0, 0], [0] * 5],
    ...             [[0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0] * 5], (2, 2))["next"]
    [(3, 2), (2, 3)]
    >>> d.select([[3, 5, 0, 0, 0], [7, 6, 15, 0, 0], [0, 0, 4, 0, 0]],
    ...          [[0, 1, 0, 0, 0], [1, 1, 4, 0, 0], [0, 0, 2, 0, 0]])["mtd"]
    (2, 3)
    """

    target: float
    rows: int
    cols: int
    cohorts: int
    cohort_size: int = 3
    start_a: int = 1
    start_b: int = 1
    n_earlystop: int | None = None
    p_saf: float | None = None
    p_tox: float | None = None
    cutoff_eli: float = 0.95
    extrasafe: bool = False
    offset: float = 0.05
    bound_mtd: bool = False
    get_oc_rule: bool = False
    variant: str = "boin"
    margin_low: float | None = None
    margin_high: float | None = None
    subtrial_cohorts: tuple | None = None

    family = "combination"
    method = "exact"
    none_is_default = True

    def __post_init__(self):
        for name, drug in (("rows", "A"), ("cols", "B")):
            if getattr(self, name) is None:
                raise ValueError(f"{name}: give the number of dose levels of drug {drug}")
        target = check_real("target", self.target, low=0.05, high=0.6)
        object.__setattr__(self, "target", target)
        if self.n_earlystop is None:
            object.__setattr__(self, "n_earlystop", 12 if self.variant == "waterfall" else 100)
        for name in ("rows", "cols", "cohorts", "cohort_size", "n_earlystop"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), min_value=1))
        if self.rows > self.cols:
            raise ValueError(f"rows must be <= cols (BOIN: rotate the grid so that drug A "
                             f"has the fewer levels), got rows={self.rows}, cols={self.cols}")
        object.__setattr__(self, "start_a", check_int("start_a", self.start_a, min_value=1,
                                                      max_value=self.rows))
        object.__setattr__(self, "start_b", check_int("start_b", self.start_b, min_value=1,
                                                      max_value=self.cols))
        for name, value in check_boin_options(target, self.p_saf, self.p_tox,
                                              self.cutoff_eli, self.offset).items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "extrasafe", _check_bool("extrasafe", self.extrasafe))
        object.__setattr__(self, "bound_mtd", _check_bool("bound_mtd", self.bound_mtd))
        object.__setattr__(self, "get_oc_rule", _check_bool("get_oc_rule", self.get_oc_rule))
        if self.variant not in COMB_VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(COMB_VARIANTS)}, got "
                             f"{self.variant!r}")
        if self.variant == "keyboard":
            for name in ("p_saf", "p_tox", "bound_mtd", "get_oc_rule"):
                if getattr(self, name) not in (None, False):
                    raise ValueError(f"{name}: a BOIN option, not available for the Keyboard "
                                     "combination design")
        if self.variant == "waterfall":
            self._check_waterfall()
        elif self.subtrial_cohorts is not None:
            raise ValueError(f"subtrial_cohorts: only used with variant waterfall, not "
                             f"{self.variant!r}")
        for name in ("margin_low", "margin_high"):
            v = getattr(self, name)
            if v is None:
                continue
            if self.variant != "keyboard":
                raise ValueError(f"{name}: only used with variant keyboard, not "
                                 f"{self.variant!r}")
            high = target if name == "margin_low" else 1.0 - target
            object.__setattr__(self, name, check_real(name, v, low=0.0, high=high,
                                                      low_open=True, high_open=True))

    # --- the rule --------------------------------------------------------------------
    @property
    def n_max(self) -> int:
        """Maximum sample size (patients)."""
        return self.cohorts * self.cohort_size

    def _check_waterfall(self):
        from designcalc.dose.combination.waterfall import default_subtrial_cohorts

        for name in ("p_saf", "p_tox", "get_oc_rule"):
            if getattr(self, name) not in (None, False):
                raise ValueError(f"{name}: not available for the waterfall design (BOIN "
                                 "2.7.2's waterfall uses the default boundaries)")
        if (self.start_a, self.start_b) != (1, 1):
            raise ValueError("start_a, start_b: the waterfall starts at A1B1")
        if self.subtrial_cohorts is None:
            split = default_subtrial_cohorts(self.rows, self.cols, self.cohort_size)
        else:
            try:
                split = tuple(check_int("subtrial_cohorts", v, min_value=1)
                              for v in self.subtrial_cohorts)
            except TypeError:
                raise ValueError("subtrial_cohorts must be whole numbers >= 1") from None
            if len(split) != self.rows:
                raise ValueError(f"subtrial_cohorts must have one number per level of drug A "
                                 f"({self.rows}), got {len(split)}")
        if sum(split) != self.cohorts:
            raise ValueError(f"cohorts must be the sum of subtrial_cohorts "
                             f"{','.join(map(str, split))} = {sum(split)}, got "
                             f"{self.cohorts}" + (" (BOIN's default split)"
                                                  if self.subtrial_cohorts is None else ""))
        object.__setattr__(self, "subtrial_cohorts", split)

    @property
    def name(self) -> str:
        """The design's name in the dose group's tables."""
        return {"keyboard": "Keyboard combination",
                "waterfall": "waterfall combination"}.get(self.variant, "BOIN combination")

    @property
    def margins(self) -> tuple:
        """Keyboard's ``(margin_low, margin_high)``, 0.05 each unless given."""
        return (0.05 if self.margin_low is None else self.margin_low,
                0.05 if self.margin_high is None else self.margin_high)

    @property
    def phi1(self) -> float:
        return 0.6 * self.target if self.p_saf is None else self.p_saf

    @property
    def phi2(self) -> float:
        return 1.4 * self.target if self.p_tox is None else self.p_tox

    def rule(self):
        """The compiled rule (:class:`~designcalc.dose.combination.engine.CombRule`) for up
        to the maximum sample size at one combination."""
        return _compiled(self, self.n_max)

    def __str__(self) -> str:
        return (f"{self.name} {self.rows}x{self.cols}, target {self.target:g}, "
                f"{self.cohorts} cohorts of {self.cohort_size}")

    def protocol_text(self) -> str:
        r = self.rule()
        if self.variant == "waterfall":
            return self._waterfall_text(r)
        keyboard = self.variant == "keyboard"
        text = (f"Dose finding on a grid of {self.rows} levels of drug A by {self.cols} "
                f"levels of drug B follows the "
                + ("Keyboard design for drug combinations (Pan, Lin & Yuan 2020)" if keyboard
                   else "BOIN design for drug combinations (Lin & Yin 2017)")
                + f" with target DLT probability {self.target:g}, in at most "
                f"{self.cohorts} cohorts of {self.cohort_size} patients "
                f"({self.n_max} patients), starting at {dose_label(self.start_a, self.start_b)}. ")
        if keyboard:
            text += (f"The interval (0, 1) is divided into keys of the width of the target key "
                     f"[{r.lambda_e:g}, {r.lambda_d:g}]; after each cohort, the next cohort "
                     f"escalates if the key with the largest posterior probability (Beta(1, 1) "
                     f"prior) of the current combination's DLT probability lies below the "
                     f"target key, to the adjacent higher combination (one level of A or of B "
                     f"up) with the largest posterior probability of lying in the target key, "
                     f"de-escalates likewise if it lies above it, and stays otherwise (the "
                     f"boundary table); a combination with at least 3 DLTs and "
                     f"Pr(p > {self.target:g} | data) > {self.cutoff_eli:g}")
        else:
            text += (f"After each cohort, with y DLTs among the n patients of the current "
                     f"combination, the next cohort escalates if y/n <= {r.lambda_e:.4f} to "
                     f"the adjacent higher combination (one level of A or of B up) with the "
                     f"largest posterior probability of lying in ({r.lambda_e:.4f}, "
                     f"{r.lambda_d:.4f}), de-escalates likewise if y/n >= {r.lambda_d:.4f}, "
                     f"and stays otherwise; a combination with Pr(p > {self.target:g} | data) "
                     f"> {self.cutoff_eli:g} (at least 3 patients)")
        text += (" is eliminated with every combination above it, and the trial stops "
                 "without an MTD if the lowest combination is eliminated")
        if self.extrasafe:
            text += (f" or Pr(p > {self.target:g} | data) > "
                     f"{self.cutoff_eli - self.offset:g} there (extra safe)")
        if self.n_earlystop < self.n_max:
            text += (f"; it also stops when the current combination has "
                     f"{self.n_earlystop} patients")
        if r.neighbour_check:
            text += (f"; escalation along one drug is not admissible when a combination of "
                     f"the row (column) escalated into, at or below the current level of the "
                     f"other drug, has an observed DLT rate >= {r.lambda_d:.4f} (as BOIN's "
                     f"next.comb)")
        return (text + ". The MTD is the treated, non-eliminated combination whose bivariate "
                "isotonic estimate of the DLT probability is closest to the target"
                + (f" among those with estimate <= {r.lambda_d:.4f}" if self.bound_mtd
                   else "") + ".")

    def _waterfall_text(self, r) -> str:
        split = ", ".join(map(str, self.subtrial_cohorts))
        return (f"Dose finding on a grid of {self.rows} levels of drug A by {self.cols} levels "
                f"of drug B follows the waterfall design (Zhang & Yuan 2016) with target DLT "
                f"probability {self.target:g}: {self.rows} BOIN subtrials of {split} cohorts "
                f"of {self.cohort_size} patients (at most {self.n_max} patients). The first "
                f"escalates drug A from A1B1 up its lowest level of drug B, then drug B along "
                f"the highest level of drug A; each later subtrial runs on the next lower "
                f"level of drug A, starting one level of drug B above the combination the "
                f"previous subtrial selected. Within a subtrial, after each cohort, the next "
                f"escalates if y/n <= {r.lambda_e:.4f}, de-escalates if y/n >= "
                f"{r.lambda_d:.4f} and stays otherwise; a combination with "
                f"Pr(p > {self.target:g} | data) > {self.cutoff_eli:g} (at least 3 patients) "
                f"is eliminated with those after it in the subtrial, a subtrial ends at "
                f"{self.n_earlystop} patients on a combination, and the trial stops if a "
                f"subtrial's first combination is eliminated. The MTD contour is, per level of "
                f"drug A, the treated, non-eliminated combination whose bivariate isotonic "
                f"estimate of the DLT probability is closest to the target (BOIN 2.7.2, "
                f"get.oc.comb with mtd.contour = TRUE).")

    # --- conduct -----------------------------------------------------------------------
    def _data(self, n, dlt):
        nn = parse_grid("n", n, self.rows, self.cols)
        yy = parse_grid("dlt", dlt, self.rows, self.cols)
        if (nn < 0).any() or (nn != np.round(nn)).any():
            raise ValueError("n must be whole numbers >= 0")
        if (yy < 0).any() or (yy != np.round(yy)).any() or (yy > nn).any():
            raise ValueError("dlt must be whole numbers between 0 and n")
        return nn.astype(np.int64), yy.astype(np.int64)

    def select(self, n, dlt, contour: bool = False) -> dict:
        """The MTD (or, with ``contour``, the MTD contour) on final data (``select.mtd.comb``).

        Returns ``{"mtd": (a, b) or None, "contour": [(a, b), ...] (with contour),
        "estimate": the rounded isotonic estimates (rows of drug A; None where
        untreated), "eliminated": [(a, b), ...], "reason": str}`` (1-based levels).
        """
        from designcalc.dose.combination.engine import (_estimates, select_contour,
                                                        select_eliminated, select_mtd)

        nn, yy = self._data(n, dlt)
        contour = contour or self.variant == "waterfall"
        rule = _compiled(self, int(nn.max()) + 1)
        N, Y = nn[None], yy[None]
        elim = select_eliminated(rule, N, Y)[0]
        est = _estimates(N, Y)[0]
        out = {"estimate": [[None if nn[i, j] == 0 else float(est[i, j])
                             for j in range(self.cols)] for i in range(self.rows)],
               "eliminated": [(i + 1, j + 1) for i in range(self.rows)
                              for j in range(self.cols) if elim[i, j]]}
        if contour:
            picks = select_contour(rule, N, Y, self.bound_mtd)[0]
            out["contour"] = [(i + 1, int(k) + 1) for i, k in enumerate(picks) if k >= 0]
            out["mtd"] = None
            out["reason"] = ("MTD contour: per level of drug A, the treated, non-eliminated "
                             "combination closest to the target" if out["contour"] else
                             "no MTD: every combination is eliminated or none qualifies")
            return out
        flat = int(select_mtd(rule, N, Y, self.bound_mtd)[0])
        if flat == self.rows * self.cols:
            out["mtd"] = None
            out["reason"] = ("no MTD: the lowest combination is eliminated" if elim[0, 0] else
                             "no MTD: every treated combination's estimate is above "
                             "lambda_d (bound_mtd)")
        else:
            a, b = divmod(flat, self.cols)
            out["mtd"] = (a + 1, b + 1)
            out["reason"] = (f"{dose_label(a + 1, b + 1)}: isotonic estimate "
                             f"{est[a, b]:.2f} closest to the target {self.target:g}")
        return out

    def next_dose(self, n, dlt, current) -> dict:
        """The combination for the next cohort (``next.comb``), after the last cohort was
        treated at ``current`` = (a, b) (1-based).

        Returns ``{"next": [(a, b)] (two combinations when their scores tie: BOIN then
        draws one of them with probability 1/2), "stop": bool, "mtd", "reason",
        "action", "candidates": [{"dose", "score"}], "eliminated"}``.
        """
        from designcalc.dose.combination.engine import (DEESCALATE, ESCALATE, STOP_EARLY,
                                                        STOP_TOX, decide)

        nn, yy = self._data(n, dlt)
        try:
            a, b = (check_int("current", v, min_value=1) for v in current)
        except (TypeError, ValueError):
            raise ValueError(f"current must be a combination (a, b), got {current!r}") \
                from None
        if a > self.rows or b > self.cols:
            raise ValueError(f"current: ({a}, {b}) is outside the {self.rows} x {self.cols} "
                             "grid")
        if nn[a - 1, b - 1] == 0:
            raise ValueError(f"current: {dose_label(a, b)} has no patients")
        if self.variant == "waterfall":
            return self._next_waterfall(nn, yy, (a - 1, b - 1))
        rule = _compiled(self, int(nn.max()) + 1)
        out = decide(rule, nn[None], yy[None], np.array([[a - 1, b - 1]]))
        act = int(out["action"][0])
        elim = out["eliminated"][0]
        eliminated = [(i + 1, j + 1) for i in range(self.rows) for j in range(self.cols)
                      if elim[i, j]]
        obs = f"{yy[a - 1, b - 1]}/{nn[a - 1, b - 1]} DLTs at {dose_label(a, b)}"
        if act in (STOP_TOX, STOP_EARLY):
            if act == STOP_TOX:
                mtd, why = None, "the lowest combination is too toxic; stop, no MTD"
            else:
                sel = self.select(nn, yy)
                mtd = sel["mtd"]
                why = (f"{nn[a - 1, b - 1]} >= n_earlystop = {self.n_earlystop} patients "
                       "there; stop. " + sel["reason"])
            return {"next": None, "stop": True, "mtd": mtd, "action": "stop",
                    "candidates": [], "eliminated": eliminated, "reason": f"{obs}: {why}"}
        if nn.sum() >= self.n_max:
            sel = self.select(nn, yy)
            return {"next": None, "stop": True, "mtd": sel["mtd"], "action": "stop",
                    "candidates": [], "eliminated": eliminated,
                    "reason": f"{obs}: the trial has reached its maximum sample size "
                              f"({self.n_max} patients); " + sel["reason"]}
        scores = out["scores"][0]
        steps = ((1, 0), (0, 1)) if act == ESCALATE else ((-1, 0), (0, -1))
        cands = [{"dose": (a + da, b + db), "score": float(s)}
                 for (da, db), s in zip(steps, scores) if s > 0]
        nxt = [tuple(int(v) + 1 for v in out["next"][0])]
        if out["tie"][0]:
            nxt.append(tuple(int(v) + 1 for v in out["alt"][0]))
        word = {ESCALATE: "escalate", DEESCALATE: "de-escalate"}.get(act, "stay")
        if act == ESCALATE or act == DEESCALATE:
            why = (f"{word} to {' or '.join(dose_label(*x) for x in nxt)}"
                   + ((" (tied scores: Keyboard's next.comb.kb takes the first, its "
                       "get.oc.comb.kb draws one with probability 1/2)"
                       if self.variant == "keyboard" else
                       " (tied scores: draw one with probability 1/2)") if len(nxt) > 1
                      else ""))
        else:
            up = yy[a - 1, b - 1] <= rule.esc[nn[a - 1, b - 1]]
            down = yy[a - 1, b - 1] >= rule.de[nn[a - 1, b - 1]]
            why = ("stay (no admissible higher combination)" if up else
                   "stay (no lower combination)" if down else "stay")
        return {"next": nxt, "stop": False, "mtd": None, "action": word,
                "candidates": cands, "eliminated": eliminated, "reason": f"{obs}: {why}"}

    def _next_waterfall(self, nn, yy, current) -> dict:
        """:meth:`next_dose` of the waterfall (:func:`~designcalc.dose.combination.
        waterfall.next_waterfall`): the MTD contour when the trial stops, from the data
        BOIN keeps; ``subtrial``: the ladder of the next cohort."""
        from designcalc.dose.combination.waterfall import next_waterfall

        res = next_waterfall(self, _compiled(self, int(nn.max()) + 1), nn, yy, current)
        one = (lambda c: (c[0] + 1, c[1] + 1))
        out = {"next": [one(res["next"])] if res["next"] else None, "stop": res["stop"],
               "mtd": None, "action": res["action"], "candidates": [],
               "eliminated": [one(c) for c in res["eliminated"]],
               "subtrial": [one(c) for c in res["subtrial"]] if res["subtrial"] else None,
               "reason": res["reason"]}
        if res["stop"]:
            keep = np.ones_like(nn, dtype=bool)
            for c in res["dropped"]:
                keep[c] = False
            out["contour"] = (self.select(nn * keep, yy * keep)["contour"]
                              if (nn * keep).any() else [])
        return out

    # --- operating characteristics -----------------------------------------------------
    def _grids(self, scenarios) -> list:
        pairs = curve_scenarios(scenarios)
        out = []
        for name, values in pairs:
            where = f"tox ({name})" if name else "tox"
            grid = parse_grid(where, list(values), self.rows, self.cols)
            if ((grid < 0) | (grid > 1)).any():
                raise ValueError(f"{where} must be probabilities in [0, 1]")
            out.append((name, grid))
        return out

    def _targets(self, p):
        """(mtd, above) flat 0/1 vectors: the combinations whose true DLT probability is
        closest to the target (the waterfall: the true MTD contour), and those more toxic
        than every one of them."""
        if self.variant == "waterfall":
            from designcalc.dose.combination.waterfall import true_contour

            mtd = true_contour(p, self.target).ravel().astype(float)
            if not mtd.any():
                return mtd, (p.ravel() > self.target).astype(float)
        else:
            dist = np.abs(p - self.target)
            mtd = (dist <= dist.min() + 1e-12).ravel().astype(float)
        top = p.ravel()[mtd > 0].max()
        return mtd, (p.ravel() > top + 1e-12).astype(float)

    def _rows(self, name, p, values: dict, none: dict) -> list:
        rows = []
        for i in range(self.rows):
            for j in range(self.cols):
                row = {"scenario": name, "combination": dose_label(i + 1, j + 1), "dose_a": i + 1,
                       "dose_b": j + 1, "tox": float(p[i, j])}
                row.update({col: float(v[i * self.cols + j]) for col, v in values.items()})
                rows.append(row)
        last = {"scenario": name, "combination": "none", "dose_a": None, "dose_b": None,
                "tox": None}
        last.update({col: none.get(col) for col in values})
        rows.append(last)
        return rows

    def projected_states(self, state_budget: int = STATE_BUDGET) -> int:
        """An upper bound on the states the exact program visits before it finishes or
        gives up: after ``c`` cohorts at most ``(2 (cohort_size + 1))^c`` histories (each
        cohort's DLT count, and a tie between two moves), and never more than
        ``state_budget`` (the program falls back to simulation above it).  The waterfall:
        its ``(cohort_size + 1)^cohorts`` DLT sequences, enumerated at once (``state_budget
        + 1``: more than the budget, simulated)."""
        if self.variant == "waterfall":
            return min((self.cohort_size + 1) ** self.cohorts, state_budget + 1)
        base = 2 * (self.cohort_size + 1)
        return int(sum(min(base ** c, state_budget) for c in range(1, self.cohorts + 1)))

    def _exact(self, scenarios, state_budget=None, **options) -> dict:
        from designcalc.core.budget import check_budget

        if options:
            raise ValueError(f"{next(iter(options))}: unknown option of a combination design")
        budget = STATE_BUDGET if state_budget is None else check_int(
            "state_budget", state_budget, min_value=1)
        grids = self._grids(scenarios)
        states = self.projected_states(budget)
        waterfall = self.variant == "waterfall"
        if waterfall and states > budget:
            states = 0                                  # simulated: no enumeration
        check_budget("exact combination OC", seconds=states * SECONDS_PER_STATE * len(grids),
                     detail=f"{len(grids)} scenario(s) x up to {states:,} states")
        rows, metrics, warns = [], [], []
        for j, (name, p) in enumerate(grids):
            if waterfall and states:
                r = _exact_waterfall(self, p)
                rows += self._rows(name, p, {"select": r["select"][:-1],
                                             "n_treated": r["n_treated"],
                                             "n_dlt": r["n_dlt"]},
                                   {"select": float(r["select"][-1])})
                metrics.append({"scenario": name, **{col: float(r[key])
                                                     for col, key in _METRIC_KEYS},
                                "p_none": float(r["select"][-1])})
                continue
            r = None if waterfall else _exact_grid(self, p, budget)
            over = (p.ravel() > self.target).astype(float)
            if r is None:
                sim = self._simulate_grids([(name, p)], FALLBACK_SIMS, FALLBACK_SEED + j, {})
                rows += sim["rows"]
                metrics += sim["metrics"]
                why = (f"the waterfall's {self.cohort_size + 1}^{self.cohorts} DLT sequences "
                       f"exceed the state budget ({budget:,})" if waterfall else
                       f"the exact calculation exceeded its state budget "
                       f"({budget:,} live states)")
                warns.append((f"{name}: " if name else "") +
                             f"{why}; these are simulated values of {FALLBACK_SIMS} "
                             f"trials (seed {FALLBACK_SEED + j}), columns *_sim, *_sim_se")
                continue
            mtd, above = self._targets(p)
            sel = r["select"]
            rows += self._rows(name, p, {"select": sel[:-1], "n_treated": r["n_treated"],
                                         "n_dlt": r["n_dlt"]}, {"select": float(sel[-1])})
            metrics.append({"scenario": name, "pcs": float(sel[:-1] @ mtd),
                            "p_select_above": float(sel[:-1] @ above),
                            "p_select_above_target": float(sel[:-1] @ over),
                            "share_mtd": r["share"] @ mtd, "share_above": r["share"] @ above,
                            "en": r["en"], "e_dlt": r["e_dlt"],
                            "p_stop_early": r["p_stop_early"],
                            "p_stop_earlystop": r["p_stop_earlystop"],
                            "p_none": float(sel[-1])})
        return {"rows": rows, "keys": ("scenario", "combination"), "metrics": metrics,
                "metric_keys": ("scenario",), "warnings": warns,
                "extra": {"target": self.target, "grid": [self.rows, self.cols]}}

    def _simulate_grids(self, grids, n_sims, seed, run_kwargs) -> dict:
        from designcalc.core import simulate

        rows, metrics = [], []
        for j, (name, p) in enumerate(grids):
            mtd, above = self._targets(p)
            kernel = functools.partial(_waterfall_kernel if self.variant == "waterfall"
                                       else _kernel, design=self, p=p, mtd=mtd, above=above,
                                       over=(p.ravel() > self.target).astype(float))
            res = simulate.run(kernel, n_sims, seed=seed + j, **run_kwargs)
            est, se = res.estimate, res.se
            sel, sel_se = est["select"], se["select"]
            rows += self._rows(name, p, {"select_sim": sel[:-1], "select_sim_se": sel_se[:-1],
                                         "n_treated_sim": est["n_treated"],
                                         "n_treated_sim_se": se["n_treated"],
                                         "n_dlt_sim": est["n_dlt"], "n_dlt_sim_se": se["n_dlt"]},
                               {"select_sim": float(sel[-1]), "select_sim_se": float(sel_se[-1])})
            metric = {"scenario": name}
            for col, key in _METRIC_KEYS:
                metric[f"{col}_sim"] = float(est[key])
                metric[f"{col}_sim_se"] = float(se[key])
            metric["p_none_sim"] = float(sel[-1])
            metric["p_none_sim_se"] = float(sel_se[-1])
            metrics.append(metric)
        return {"rows": rows, "keys": ("scenario", "combination"), "metrics": metrics,
                "metric_keys": ("scenario",), "extra": {"target": self.target,
                                                        "grid": [self.rows, self.cols]}}

    def _simulate(self, scenarios, n_sims, sim, state_budget=None, **options) -> dict:
        from designcalc.core import simulate

        if options:
            raise ValueError(f"{next(iter(options))}: unknown option of a combination design")
        if state_budget is not None:
            check_int("state_budget", state_budget, min_value=1)
        return self._simulate_grids(self._grids(scenarios), n_sims, sim.seed,
                                    sim.run_kwargs(simulate.DEFAULT_CHUNK))

    def _check(self, result) -> tuple:
        if self.n_earlystop <= 6:
            return ("n_earlystop <= 6 is too low for good operating characteristics "
                    "(BOIN recommends 9 to 18)",)
        return ()


@functools.lru_cache(maxsize=64)
def _compiled(design: BoinCombDesign, n_max: int):
    from designcalc.dose.combination.engine import comb_rule, keyboard_comb_rule

    if design.variant == "keyboard":
        low, high = design.margins
        return keyboard_comb_rule(design.target, n_max, margin_low=low, margin_high=high,
                                  cutoff_eli=design.cutoff_eli, extrasafe=design.extrasafe,
                                  offset=design.offset, n_earlystop=design.n_earlystop)
    return comb_rule(design.target, n_max, p_saf=design.phi1, p_tox=design.phi2,
                     cutoff_eli=design.cutoff_eli, extrasafe=design.extrasafe,
                     offset=design.offset, n_earlystop=design.n_earlystop,
                     neighbour_check=not design.get_oc_rule)


def _exact_grid(design: BoinCombDesign, p: np.ndarray, budget: int) -> dict | None:
    """Exact OC on the grid ``p`` by a forward program over the trial's states.

    A state is (patients and DLTs per combination, current combination) with its
    probability; each cohort multiplies the states by the binomial DLT counts at the
    current combination, applies :func:`~designcalc.dose.combination.engine.decide`
    to all of them at once (a tie of two moves splits a state in two halves) and
    merges equal states.  Finished trials (stopped or at the maximum sample size)
    are selected from at the end, all at once.  None when the live states exceed
    ``budget``.
    """
    from designcalc.dose.combination.engine import STOP_EARLY, STOP_TOX, decide, select_mtd

    J, K = p.shape
    rule = design.rule()
    cs, m = design.cohort_size, design.cohorts
    n = np.zeros((1, J, K), dtype=np.int64)
    y = np.zeros((1, J, K), dtype=np.int64)
    d = np.array([[design.start_a - 1, design.start_b - 1]])
    w = np.ones(1)
    done = {"n": [], "y": [], "w": [], "none": [], "early": [], "es": []}
    ks = np.arange(cs + 1)
    coef = np.array([math.comb(cs, k) for k in ks], dtype=float)
    for c in range(m):
        S = w.size
        pd = p[d[:, 0], d[:, 1]][:, None]
        pk = coef * pd ** ks * (1 - pd) ** (cs - ks)                     # (S, cs + 1)
        idx = np.repeat(np.arange(S), cs + 1)
        kk = np.tile(ks, S)
        n, y, d, w = n[idx].copy(), y[idx].copy(), d[idx], w[idx] * pk.ravel()
        t = np.arange(n.shape[0])
        n[t, d[:, 0], d[:, 1]] += cs
        y[t, d[:, 0], d[:, 1]] += kk
        keep = w > 0
        n, y, d, w = n[keep], y[keep], d[keep], w[keep]
        out = decide(rule, n, y, d)
        act = out["action"]
        stop = (act == STOP_TOX) | (act == STOP_EARLY)
        fin = stop | (c == m - 1)
        for key, val in (("n", n[fin]), ("y", y[fin]), ("w", w[fin]),
                         ("none", (act == STOP_TOX)[fin]),
                         ("early", ((act == STOP_TOX) & (c < m - 1))[fin]),
                         ("es", ((act == STOP_EARLY) & (c < m - 1))[fin])):
            done[key].append(val)
        go = ~fin
        tie = out["tie"][go]
        n, y, w = n[go], y[go], w[go]
        nxt, alt = out["next"][go], out["alt"][go]
        w = np.where(tie, w / 2, w)
        n = np.concatenate([n, n[tie]])
        y = np.concatenate([y, y[tie]])
        d = np.concatenate([nxt, alt[tie]])
        w = np.concatenate([w, w[tie]])
        if w.size == 0:
            break
        key = np.concatenate([n.reshape(w.size, -1), y.reshape(w.size, -1), d], axis=1)
        uniq, inv = np.unique(key, axis=0, return_inverse=True)
        w = np.bincount(inv.ravel(), weights=w, minlength=uniq.shape[0])
        if w.size > budget:
            return None
        n = uniq[:, : J * K].reshape(-1, J, K)
        y = uniq[:, J * K: 2 * J * K].reshape(-1, J, K)
        d = uniq[:, 2 * J * K:]
    N = np.concatenate(done["n"])
    Y = np.concatenate(done["y"])
    W = np.concatenate(done["w"])
    none = np.concatenate(done["none"])
    early = np.concatenate(done["early"])
    es = np.concatenate(done["es"])
    sel = select_mtd(rule, N, Y, design.bound_mtd)
    sel = np.where(none, J * K, sel)
    select = np.bincount(sel, weights=W, minlength=J * K + 1)
    nf = N.reshape(-1, J * K).astype(float)
    total = nf.sum(axis=1)
    return {"select": select, "n_treated": W @ nf,
            "n_dlt": W @ Y.reshape(-1, J * K).astype(float),
            "share": W @ (nf / total[:, None]), "en": float(W @ total),
            "e_dlt": float(W @ Y.sum(axis=(1, 2))), "p_stop_early": float(W @ early),
            "p_stop_earlystop": float(W @ es)}
