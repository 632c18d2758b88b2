"""A K-look single-arm binary rule and its exact operating characteristics.

Notation (docs/multistage.md).  Patients are analysed at looks
``n_1 < n_2 < ... < n_K`` (cumulative numbers of evaluable patients); ``S_k``
is the number of responses among the first ``n_k``.  At look ``k < K`` the
trial

* stops and declares the treatment **not promising** if ``S_k <= a_k``
  (futility bound; ``a_k = -1``: no futility stop at that look);
* stops and declares it **promising** if ``S_k >= b_k`` (efficacy bound;
  ``None``: no efficacy stop at that look);
* otherwise continues.

At the last look the treatment is **promising** if ``S_K >= b_K`` where
``b_K`` defaults to ``a_K + 1`` (so "success means more than ``a_K``
responses", as Simon's ``r``), and **not promising** if ``S_K <= a_K``;
when ``b_K > a_K + 1`` the counts in between are **inconclusive**
(three-outcome designs, Sargent, Chan & Goldberg 2001).

Simon's two-stage rule ``r1/n1, r/n`` is the case ``looks = (n1, n)``,
``futility = (r1, r)``, no efficacy bounds.

Exact operating characteristics (vectorised over ``p``): the distribution of
``S_k`` among trials still running is carried from look to look by
convolution with ``Bin(n_k - n_{k-1}, p)``, whose probabilities are formed in
log space (:mod:`designcalc.core.binom`), so no binomial coefficient overflows;
the mass that crosses a bound at look ``k`` is removed and recorded.  This is
the recursion of Schultz et al. (1973, Biometrics 29:293-300) used by
Fleming (1982, Biometrics 38:143-151).

numpy only at import time.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_int, check_prob, check_prob_array
from designcalc.core.protocol import Design, p_scenarios, scenario_rows
from designcalc.binary.multistage.simulation import simulate_columns

__all__ = ["MultiStageDesign", "stage_probabilities", "engine_cost", "check_engine"]


def _int_list(name, values, *, allow_none=False) -> tuple:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of whole numbers, got {values!r}")
    out = []
    for i, v in enumerate(values):
        if v is None and allow_none:
            out.append(None)
            continue
        if allow_none and isinstance(v, numbers.Real) and not isinstance(v, bool) \
                and float(v) == float("inf"):
            out.append(None)
            continue
        out.append(check_int(f"{name}[{i}]", v))
    if not out:
        raise ValueError(f"{name} must not be empty")
    return tuple(out)


def _check_monotone(name, values):
    """Active bounds (not the 'no stop' markers) must be non-decreasing."""
    active = [(i, v) for i, v in enumerate(values) if v is not None and v >= 0]
    for (i, u), (j, v) in zip(active, active[1:]):
        if v < u:
            raise ValueError(f"{name} must be non-decreasing over the looks (responses are "
                             f"cumulative), got {name}[{i}]={u} > {name}[{j}]={v}")


@dataclass(frozen=True)
class MultiStageDesign(Design):
    """A K-look binary rule with futility and optional efficacy bounds (family ``multistage``).

    Parameters
    ----------
    looks : sequence of int
        Cumulative sample sizes ``n_1 < ... < n_K`` at which responses are counted.
    futility : sequence of int
        ``a_k``: stop, not promising, if responses so far ``<= a_k``; ``-1`` for
        no futility stop at look ``k``.  ``a_K`` is the final bound: promising
        if ``> a_K`` (unless ``efficacy[-1]`` says otherwise).
    efficacy : sequence of int or None, optional
        ``b_k``: stop, promising, if responses so far ``>= b_k``; ``None`` (or
        any value above ``n_k``) for no efficacy stop at look ``k``.  Omitted:
        no efficacy stop at any look.

    Examples
    --------
    The NALIRIFOX Simon rule 6/12, 19/28 as a two-look rule:

    >>> d = MultiStageDesign(looks=(12, 28), futility=(6, 19))
    >>> res = d.oc([0.5, 0.8])
    >>> [round(r["reject"], 4) for r in res.rows], round(res.rows[0]["pet"], 4)
    ([0.0173, 0.904], 0.6128)
    """

    looks: tuple
    futility: tuple
    efficacy: tuple | None = None

    family = "multistage"
    method = "exact"

    def __post_init__(self):
        looks = _int_list("looks", self.looks)
        if looks[0] < 1:
            raise ValueError(f"looks must be >= 1, got looks[0]={looks[0]}")
        for i in range(1, len(looks)):
            if looks[i] <= looks[i - 1]:
                raise ValueError(f"looks must be strictly increasing, got looks[{i - 1}]="
                                 f"{looks[i - 1]} and looks[{i}]={looks[i]}")
        fut = _int_list("futility", self.futility)
        if len(fut) != len(looks):
            raise ValueError(f"futility must have one bound per look ({len(looks)}), "
                             f"got {len(fut)}")
        for i, (a, n) in enumerate(zip(fut, looks)):
            if a < -1:
                raise ValueError(f"futility[{i}] must be >= -1 (-1: no futility stop), got {a}")
            if a >= n:
                raise ValueError(f"futility[{i}] must be < looks[{i}]={n} (else the trial "
                                 f"always stops there), got {a}")
        _check_monotone("futility", fut)
        eff = None
        if self.efficacy is not None:
            eff = list(_int_list("efficacy", self.efficacy, allow_none=True))
            if len(eff) != len(looks):
                raise ValueError(f"efficacy must have one bound per look ({len(looks)}), "
                                 f"got {len(eff)}")
            for i, (b, a, n) in enumerate(zip(eff, fut, looks)):
                if b is None:
                    continue
                if b > n:                    # cannot be reached: no efficacy stop
                    eff[i] = None
                    continue
                if b <= a:
                    raise ValueError(f"efficacy[{i}] must be > futility[{i}]={a} (the "
                                     f"bounds overlap), got {b}")
                if b < 1:
                    raise ValueError(f"efficacy[{i}] must be >= 1, got {b}")
            _check_monotone("efficacy", eff)
            eff = tuple(eff) if any(b is not None for b in eff) else None
        if eff is None and fut[-1] < 0:
            raise ValueError("futility[-1] must be >= 0: success at the last look means "
                             "responses > futility[-1] (or give efficacy[-1])")
        object.__setattr__(self, "looks", looks)
        object.__setattr__(self, "futility", fut)
        object.__setattr__(self, "efficacy", eff)

    # --- the rule ----------------------------------------------------------------
    @property
    def n(self) -> int:
        """Largest sample size ``n_K``."""
        return self.looks[-1]

    @property
    def k(self) -> int:
        """Number of looks ``K``."""
        return len(self.looks)

    def efficacy_bounds(self) -> tuple:
        """``b_k`` per look with the last one filled in (``a_K + 1`` by default); None = no stop."""
        eff = list(self.efficacy) if self.efficacy is not None else [None] * self.k
        if eff[-1] is None:
            eff[-1] = self.futility[-1] + 1
        return tuple(eff)

    @property
    def three_outcome(self) -> bool:
        """True when some final counts are inconclusive (``b_K > a_K + 1``)."""
        return self.efficacy_bounds()[-1] > self.futility[-1] + 1

    def __str__(self) -> str:
        parts = []
        for n, a, b in zip(self.looks, self.futility, self.efficacy_bounds()):
            text = f"{a if a >= 0 else '-'}/{n}"
            if self.efficacy is not None:
                text += f" [{b if b is not None else '-'}]"
            parts.append(text)
        return ", ".join(parts)

    def protocol_text(self) -> str:
        """The rule as protocol-ready sentences."""
        eff = self.efficacy_bounds()
        out = []
        for i, (n, a, b) in enumerate(zip(self.looks, self.futility, eff)):
            if i == self.k - 1:
                text = (f"At the final analysis ({n} patients) declare the treatment promising "
                        f"if {b} or more responses")
                if a >= 0 and b > a + 1:
                    text += (f", not promising if {a} or fewer, inconclusive if "
                             f"{a + 1} to {b - 1}")
                out.append(text + ".")
                continue
            rules = []
            if a >= 0:
                rules.append(f"stop for futility if {a} or fewer responses")
            if b is not None:
                rules.append(f"stop for efficacy if {b} or more")
            out.append(f"Look {i + 1} ({n} patients): "
                       f"{'; '.join(rules) if rules else 'no stopping'}.")
        return " ".join(out)

    # --- exact operating characteristics (vectorised over p) -----------------------
    def stage_probabilities(self, p) -> dict:
        """Per-look stopping probabilities at each ``p`` (exact).

        Returns a dict of arrays of shape ``(len(p), K)``: ``futility`` (stop
        and declare not promising at look k; at the last look, ``S_K <= a_K``),
        ``efficacy`` (stop and declare promising at look k; at the last look,
        ``S_K >= b_K``) and ``n_dist`` (``P(N = n_k)``: the trial ends at look k).
        """
        check_engine(f"exact OC of the {self.k}-look rule to n = {self.n}", self.looks,
                     np.size(p))
        return stage_probabilities(self.looks, self.futility, self.efficacy_bounds(), p)

    def reject(self, p):
        """P(declare promising) at each ``p``."""
        sp = self.stage_probabilities(p)
        out = np.clip(sp["efficacy"].sum(axis=1), 0.0, 1.0)
        return out[0] if np.ndim(p) == 0 else out

    def pet(self, p):
        """P(stop before the last look) at each ``p``."""
        sp = self.stage_probabilities(p)
        out = np.clip(sp["n_dist"][:, :-1].sum(axis=1), 0.0, 1.0)
        return out[0] if np.ndim(p) == 0 else out

    def en(self, p):
        """Expected sample size ``sum_k n_k P(N = n_k)`` at each ``p``."""
        sp = self.stage_probabilities(p)
        out = sp["n_dist"] @ np.asarray(self.looks, dtype=float)
        return out[0] if np.ndim(p) == 0 else out

    def alpha_actual(self, p0) -> float:
        """Attained type I error ``reject(p0)``."""
        return float(self.reject(check_prob("p0", p0)))

    def power_actual(self, p1) -> float:
        """Attained power ``reject(p1)``."""
        return float(self.reject(check_prob("p1", p1)))

    def _columns(self, p_arr) -> tuple:
        sp = self.stage_probabilities(p_arr)
        fut, eff, ndist = sp["futility"], sp["efficacy"], sp["n_dist"]
        cols = {"reject": np.clip(eff.sum(axis=1), 0.0, 1.0),
                "pet": np.clip(ndist[:, :-1].sum(axis=1), 0.0, 1.0),
                "en": ndist @ np.asarray(self.looks, dtype=float)}
        if self.efficacy is not None:
            cols["pet_futility"] = fut[:, :-1].sum(axis=1)
            cols["pet_efficacy"] = eff[:, :-1].sum(axis=1)
        if self.three_outcome:
            cols["inconclusive"] = np.clip(ndist[:, -1] - fut[:, -1] - eff[:, -1], 0.0, 1.0)
        return cols, sp

    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        """Rows ``p, reject, pet, en`` (and the early-stop split when there are
        efficacy bounds); ``extra``: ``by_look`` (per-look stopping
        probabilities and the distribution of N) and the attained alpha/power."""
        pairs = p_scenarios(scenarios, p0, p1)
        p_arr = check_prob_array("p", [p for _, p in pairs])
        cols, sp = self._columns(p_arr)
        rows, keys = scenario_rows(pairs, cols)
        by_look = []
        for i, (name, p) in enumerate(pairs):
            for k, n in enumerate(self.looks):
                row = {"scenario": name} if "scenario" in keys else {}
                row.update(p=float(p), look=k + 1, n=n,
                           stop_futility=float(sp["futility"][i, k]),
                           stop_efficacy=float(sp["efficacy"][i, k]),
                           p_n=float(sp["n_dist"][i, k]))
                by_look.append(row)
        extra = {"by_look": by_look}
        if p0 is not None or p1 is not None:
            extra["hypotheses"] = {"p0": p0, "p1": p1}
        if p0 is not None:
            extra["alpha_actual"] = self.alpha_actual(p0)
        if p1 is not None:
            extra["power_actual"] = self.power_actual(p1)
        return {"rows": rows, "keys": keys, "extra": extra}

    def _simulate(self, scenarios, n_sims, sim, p0=None, p1=None) -> dict:
        pairs = p_scenarios(scenarios, p0, p1)
        cols, seed = simulate_columns(self, [p for _, p in pairs], n_sims, sim)
        rows, keys = scenario_rows(pairs, cols)
        return {"rows": rows, "keys": keys, "seed": seed}


#: Per-unit costs of :func:`stage_probabilities` (seconds): per look, per convolution
#: step (one numpy multiply-add), per element of those steps, per cell of the running
#: state, and per look when the binomial pmfs are not given (their formation).  Fitted by
#: non-negative least squares on the relative error to 45 random rules (1 to 1,000
#: looks, n up to 1e5, 1 to 20 values of p), timed on the 2-core reference machine
#: with and without ``pmfs``; the per-element cost then set from CPU time (1.0-1.5 ns,
#: the wall clock of a loaded machine gave up to 5.6 ns).  tests/benchmarks/
#: budget_binary.py measures estimated against actual time per path.
_LOOK, _STEP, _ELEMENT, _CELL, _PMF_LOOK, _PMF_CELL = 3e-5, 6e-6, 1.2e-9, 5e-9, 5e-5, 2e-8


def engine_cost(looks, n_p: int = 1, *, n_rules: int = 1, pmfs: bool = False) -> tuple:
    """Estimated ``(seconds, bytes, detail)`` of :func:`stage_probabilities` for ``n_rules``
    rules at ``looks`` and ``n_p`` values of p (``pmfs``: the step pmfs are given).

    Arithmetic only (no array is allocated), so it is safe on any looks.
    """
    prev, steps, elements, cells, pmf_cells, widest = 0, 0, 0.0, 0.0, 0.0, 0
    for n in looks:
        m = int(n) - prev
        steps += min(m, prev) + 1
        elements += float(min(m, prev) + 1) * (max(m, prev) + 1)
        cells += int(n) + 1
        pmf_cells += m + 1
        widest = max(widest, m + 1)
        prev = int(n)
    k = len(looks)
    per_rule = k * _LOOK + steps * _STEP + n_p * (elements * _ELEMENT + cells * _CELL)
    seconds = n_rules * per_rule
    pmf_bytes = 8.0 * n_p * pmf_cells if pmfs else 48.0 * n_p * widest
    if pmfs:
        seconds += k * _PMF_LOOK + n_p * pmf_cells * _PMF_CELL
    else:
        seconds += n_rules * (k * _PMF_LOOK + n_p * pmf_cells * _PMF_CELL)
    nbytes = 32.0 * n_p * (prev + 1) + pmf_bytes
    detail = (f"{n_rules} rule{'s' if n_rules != 1 else ''} x {k} looks to n = {prev}, "
              f"{n_p} value{'s' if n_p != 1 else ''} of p, {elements * n_p:.3g} "
              f"convolution terms each")
    return seconds, nbytes, detail


def check_engine(name: str, looks, n_p: int = 1, *, n_rules: int = 1, pmfs: bool = False,
                 extra_seconds: float = 0.0) -> None:
    """:func:`~designcalc.core.budget.check_budget` with :func:`engine_cost` (plus
    ``extra_seconds`` of the caller's own work) before the exact K-look sums start."""
    from designcalc.core.budget import check_budget

    seconds, nbytes, detail = engine_cost(looks, n_p, n_rules=n_rules, pmfs=pmfs)
    check_budget(name, seconds=seconds + extra_seconds, bytes=nbytes, detail=detail)


def step_pmfs(looks, p) -> list:
    """Binomial pmfs of the new responses between looks, ``(len(p), m_k + 1)`` each
    (pass to :func:`stage_probabilities` to evaluate many rules at the same looks and p)."""
    p_arr = np.atleast_1d(np.asarray(p, dtype=float))
    steps = np.diff((0,) + tuple(looks))
    return [np.atleast_2d(_binom.pmf(int(m), p_arr)) for m in steps]


def stage_probabilities(looks, futility, efficacy, p, pmfs=None) -> dict:
    """Exact per-look stopping probabilities of a K-look rule (see :class:`MultiStageDesign`).

    Parameters
    ----------
    looks : sequence of int
        ``n_1 < ... < n_K``.
    futility : sequence of int
        ``a_k`` (``-1``: no futility stop).
    efficacy : sequence of int or None
        ``b_k`` (None: no efficacy stop); ``efficacy[-1]`` must be given.
    p : float or sequence of float
    pmfs : list of ndarray, optional
        :func:`step_pmfs` of the same looks and p (computed when omitted).

    Returns
    -------
    dict of ndarray, each ``(len(p), K)``: ``futility``, ``efficacy``, ``n_dist``.

    Notes
    -----
    ``state[s]`` is ``P(S_k = s, still running)``.  Between looks it is
    convolved with the pmf of ``Bin(m, p)``, ``m = n_k - n_{k-1}``, one shifted
    multiply-add per value of the shorter of the two supports (all p at once);
    the mass at ``s <= a_k`` and ``s >= b_k`` is then recorded and removed.
    Probabilities below ~1e-308 flush to zero (absolute error < 1e-300).
    """
    p_arr = np.atleast_1d(np.asarray(p, dtype=float))
    n_p, n_looks = p_arr.size, len(looks)
    fut = np.zeros((n_p, n_looks))
    eff = np.zeros((n_p, n_looks))
    ndist = np.zeros((n_p, n_looks))
    state = np.ones((n_p, 1))
    prev = 0
    for k, n in enumerate(looks):
        m = n - prev
        f = np.atleast_2d(_binom.pmf(m, p_arr)) if pmfs is None else pmfs[k]   # (P, m + 1)
        new = np.zeros((n_p, n + 1))
        if m + 1 <= prev + 1:
            for j in range(m + 1):
                new[:, j:j + prev + 1] += state * f[:, j:j + 1]
        else:
            for s in range(prev + 1):
                new[:, s:s + m + 1] += state[:, s:s + 1] * f
        a, b = futility[k], efficacy[k]
        running = new.sum(axis=1)
        if a >= 0:
            fut[:, k] = new[:, :a + 1].sum(axis=1)
            new[:, :a + 1] = 0.0
        if b is not None and b <= n:
            eff[:, k] = new[:, b:].sum(axis=1)
            new[:, b:] = 0.0
        if k == n_looks - 1:
            ndist[:, k] = running
        else:
            ndist[:, k] = fut[:, k] + eff[:, k]
        state, prev = new, n
    return {"futility": fut, "efficacy": eff, "n_dist": ndist}
