"""Lee & Liu (2008) predictive-probability designs as a family, and their design search.

:class:`PPDesign` (family ``pp``) holds the parameters of a PP design
(``p0``, looks, ``theta_t``, ``theta_l``, optional ``theta_u``, prior) and
evaluates its boundaries (:func:`designcalc.binary.bayes.predictive.pp_boundaries`) exactly with
the K-look engine.

:func:`pp_search` searches, as Lee & Liu (2008, section 3) do, the maximum
sample size ``Nmax`` and the thresholds ``theta_T`` and ``theta_L`` on grids,
and lists the designs whose **exact** type I error at ``p0`` is ``<= alpha``
and exact power at ``p1`` is ``>= power``: smallest ``Nmax`` first, then
smallest expected N under ``p0``.  For one ``Nmax`` the thresholds enter only
through

* the final success count ``s* = min{s : P(p > p0 | s of Nmax) > theta_T}``
  (several ``theta_T`` share one ``s*``), and
* ``PP(x, n) = P(Y >= s* - x)``, ``Y ~ BetaBinomial(Nmax - n, a + x, b + n - x)``;

so the predictive probabilities are tabulated once per (``Nmax``, ``s*``),
each ``theta_L`` gives the futility bounds by comparison, and each distinct
set of bounds is evaluated once (exact sums, never simulation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core.budget import check_budget
from designcalc.core.search import SearchResult
from designcalc.core.validate import check_int, check_p0_p1, check_prob
from designcalc.binary.bayes.predictive import exceeds
from designcalc.core.protocol import Design
from designcalc.binary.bayes.bop2 import _check_looks
from designcalc.binary.bayes.predictive import _check_prior, pp_design
from designcalc.binary.multistage.design import engine_cost, stage_probabilities, step_pmfs

__all__ = ["PPDesign", "pp_search", "PPSearch", "search_looks"]


@dataclass(frozen=True)
class PPDesign(Design):
    """A predictive-probability design (family ``pp``; Lee & Liu 2008).

    Parameters
    ----------
    p0 : float
        Success at the end if ``P(p > p0 | data) > theta_t``.
    looks : sequence of int
        Cumulative sample sizes of the looks; the last is ``Nmax``.
    theta_t : float
        Posterior threshold of success at ``Nmax``, in (0, 1).
    theta_l : float
        Stop for futility if the predictive probability of success ``PP < theta_l``.
    theta_u : float, optional
        Stop for efficacy if ``PP > theta_u`` (default: no efficacy stop).
    prior : (float, float)
        ``Beta(a, b)`` prior (default ``Beta(1, 1)``).

    Examples
    --------
    >>> d = PPDesign(0.6, (10, 15, 20, 25, 30, 35, 40), 0.9, 0.05, prior=(0.6, 0.4))
    >>> str(d.rule())
    '4/10, 7/15, 11/20, 14/25, 18/30, 22/35, 27/40'
    """

    p0: float
    looks: tuple
    theta_t: float
    theta_l: float
    theta_u: float | None = None
    prior: tuple = (1.0, 1.0)

    family = "pp"
    method = "exact"

    def __post_init__(self):
        object.__setattr__(self, "p0", check_prob("p0", self.p0))
        object.__setattr__(self, "looks", _check_looks(self.looks))
        object.__setattr__(self, "theta_t", check_prob("theta_t", self.theta_t))
        object.__setattr__(self, "theta_l", check_prob("theta_l", self.theta_l))
        if self.theta_u is not None:
            tu = check_prob("theta_u", self.theta_u)
            if tu < self.theta_l:
                raise ValueError(f"theta_u must be >= theta_l, got {tu} < {self.theta_l}")
            object.__setattr__(self, "theta_u", tu)
        object.__setattr__(self, "prior", tuple(float(v) for v in _check_prior(self.prior)))
        self.rule()

    def rule(self):
        """The boundaries as a :class:`~designcalc.binary.multistage.MultiStageDesign`."""
        cache = self.__dict__.get("_rule")
        if cache is None:
            cache = pp_design(self.p0, self.looks, self.theta_t, self.theta_l, self.theta_u,
                              self.prior)
            object.__setattr__(self, "_rule", cache)
        return cache

    def __str__(self) -> str:
        text = f"PP theta_T={self.theta_t:g}, theta_L={self.theta_l:g}"
        if self.theta_u is not None:
            text += f", theta_U={self.theta_u:g}"
        return f"{text}: {self.rule()}"

    def protocol_text(self) -> str:
        a, b = self.prior
        eff = (f"; stop for efficacy if it exceeds {self.theta_u:g}"
               if self.theta_u is not None else "")
        return (f"Predictive-probability design (Lee & Liu 2008), prior Beta({a:g}, {b:g}): "
                f"the trial is a success at {self.looks[-1]} patients if P(p > {self.p0:g} | "
                f"data) > {self.theta_t:g}; at each look stop for futility if the predictive "
                f"probability of success is below {self.theta_l:g}{eff}. "
                + self.rule().protocol_text())

    def _hyp(self, p0):
        if p0 is not None and abs(float(p0) - self.p0) > 1e-12:
            raise ValueError(f"p0: the hypotheses' p0 ({p0}) must equal the design's p0 "
                             f"({self.p0})")
        return self.p0

    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        return self.rule()._exact(scenarios, p0=self._hyp(p0), p1=p1)

    def _simulate(self, scenarios, n_sims, sim, p0=None, p1=None) -> dict:
        return self.rule()._simulate(scenarios, n_sims, sim, p0=self._hyp(p0), p1=p1)


def search_looks(nmax: int, every: int, first: int | None = None) -> tuple:
    """Looks ``first, first + every, ... < nmax`` and ``nmax`` (``first`` defaults to ``every``)."""
    first = every if first is None else first
    return tuple(range(first, nmax, every)) + (nmax,)


class PPSearch(SearchResult):
    """Result of :func:`pp_search`: a :class:`~designcalc.core.search.SearchResult` whose
    ``designs`` are the rows meeting the constraints, best first (``nmax``,
    ``theta_t``, ``theta_l``, ``alpha_actual``, ``power_actual``, ``en0``,
    ``pet0``, ``en1``, ``rule``); ``best`` (a :class:`PPDesign` or None),
    ``n_grid`` (threshold pairs tried) and ``n_rules`` (distinct rules
    evaluated) are in ``info``."""


def _grid(values, name, default):
    arr = np.atleast_1d(np.asarray(default if values is None else values, dtype=float))
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    for v in arr:
        check_prob(name, float(v))
    return np.unique(arr)


def pp_search(p0, p1, alpha, power, nmax, *, nmin=None, every=5, first=None,
              theta_t=None, theta_l=None, theta_u=None, prior=(1.0, 1.0),
              stop_at_first=False) -> PPSearch:
    """Lee & Liu's search over ``Nmax``, ``theta_T`` and ``theta_L`` with exact OC.

    Parameters
    ----------
    p0, p1 : float
        Response rates under H0 and H1 (``p1 > p0``).
    alpha, power : float
        Constraints: exact type I error ``<= alpha`` at ``p0`` and power ``>= power`` at ``p1``.
    nmax : int
        Largest ``Nmax`` searched.
    nmin : int, optional
        Smallest ``Nmax`` searched (default: ``first + every``, or ``nmax`` if larger).
    every, first : int
        Looks at ``first, first + every, ... < Nmax`` and at ``Nmax`` (``first`` defaults to ``every``).
    theta_t, theta_l : sequence of float, optional
        Grids (default: 0.80, 0.81, ..., 0.99 and 0.01, 0.02, ..., 0.20).
    theta_u : float, optional
        Fixed efficacy threshold (default: none).
    prior : (float, float)
        ``Beta(a, b)`` prior.
    stop_at_first : bool
        Stop after the first ``Nmax`` with a design meeting the constraints.

    Examples
    --------
    >>> res = pp_search(0.2, 0.4, 0.1, 0.8, 40, nmin=20)
    >>> d = res.designs[0]
    >>> d["alpha_actual"] <= 0.1 and d["power_actual"] >= 0.8
    True
    """
    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob("alpha", alpha)
    power = check_prob("power", power)
    every = check_int("every", every, min_value=1)
    first = every if first is None else check_int("first", first, min_value=1)
    nmax = check_int("nmax", nmax, min_value=1)
    nmin = min(first + every, nmax) if nmin is None else check_int("nmin", nmin, min_value=1,
                                                                  max_value=nmax)
    tts = _grid(theta_t, "theta_t", np.round(np.arange(80, 100) / 100, 2))
    tls = _grid(theta_l, "theta_l", np.round(np.arange(1, 21) / 100, 2))
    if theta_u is not None:
        theta_u = check_prob("theta_u", theta_u)
        if theta_u < tls.max():
            raise ValueError(f"theta_u must be >= every theta_l, got {theta_u} < {tls.max()}")
    a, b = _check_prior(prior)
    # pass 1, per Nmax: predictive-probability tables and every threshold pair's bounds;
    # pass 2: the exact OC of each distinct valid rule.  Both are estimated before they
    # start: ~0.3 us a table cell (gammaln/betaln of the beta-binomial terms) and ~50 us
    # a (Nmax, theta_T, look), measured on the 2-core reference machine; pass 2 with
    # engine_cost once the rules are known.
    sizes = range(nmin, nmax + 1)
    cells, n_looks = _table_cells(sizes, every, first)
    check_budget(f"PP search tables for Nmax {nmin} to {nmax}",
                 seconds=cells * 3e-7 + n_looks * len(tts) * 5e-5,
                 bytes=8.0 * 4 * (nmax + 1) ** 2,
                 detail=f"{cells:.3g} beta-binomial terms, looks every {every}")
    per_n = [_pp_rules(big_n, search_looks(big_n, every, first), p0, tts, tls, theta_u, a, b)
             for big_n in sizes]
    check_budget(f"PP search: exact OC of {sum(len(r) for _, r in per_n)} distinct rules",
                 seconds=sum(engine_cost(search_looks(big_n, every, first), 2,
                                         n_rules=len(rules), pmfs=True)[0]
                             for big_n, (_, rules) in zip(sizes, per_n) if rules),
                 detail=f"Nmax {nmin} to {nmax}, looks every {every}")
    found, n_rules, n_grid = [], 0, 0
    for big_n, (entries, rules) in zip(sizes, per_n):
        looks = search_looks(big_n, every, first)
        n_grid += len(tts) * len(tls)
        pmfs = step_pmfs(looks, [p0, p1]) if rules else None
        seen = {}
        for key in rules:
            fut, eff = key
            n_rules += 1
            sp = stage_probabilities(looks, fut, eff, np.array([p0, p1]), pmfs)
            rej = np.clip(sp["efficacy"].sum(axis=1), 0.0, 1.0)
            en = sp["n_dist"] @ np.asarray(looks, dtype=float)
            pet = np.clip(sp["n_dist"][:, :-1].sum(axis=1), 0.0, 1.0)
            seen[key] = (float(rej[0]), float(rej[1]), float(en[0]), float(pet[0]),
                         float(en[1]))
        for key, tl, t_list in entries:
            oc = seen.get(key)
            if oc is None or oc[0] > alpha or oc[1] < power:
                continue
            for tt in t_list:
                found.append({"nmax": big_n, "theta_t": tt, "theta_l": float(tl),
                              "alpha_actual": oc[0], "power_actual": oc[1], "en0": oc[2],
                              "pet0": oc[3], "en1": oc[4],
                              "futility": list(key[0]), "looks": list(looks)})
        if stop_at_first and found:
            break
    found.sort(key=lambda r: (r["nmax"], round(r["en0"], 10), -r["power_actual"],
                              r["theta_t"], r["theta_l"]))
    best = None
    warnings = []
    if found:
        r = found[0]
        best = PPDesign(p0, tuple(r["looks"]), r["theta_t"], r["theta_l"], theta_u, (a, b))
    else:
        warnings.append(f"nmax: no design with Nmax <= {nmax} meets alpha <= {alpha} and "
                        f"power >= {power} on the grids")
    return PPSearch(designs=found, inputs={"p0": p0, "p1": p1, "alpha": alpha, "power": power,
                                           "nmax": nmax},
                    info={"best": best, "n_grid": n_grid, "n_rules": n_rules},
                    warnings=tuple(warnings))


def _table_cells(sizes, every, first) -> tuple:
    """``(cells, looks)`` of pass 1 over the ``Nmax`` in ``sizes``: sum over Nmax and
    its interim looks n of ``(n + 1)(Nmax - n + 1)``, and the number of looks, in closed
    form per Nmax (the integral ``Nmax^3 / (6 every)`` beyond a million values of Nmax)."""
    if len(sizes) > 10 ** 6:
        lo, hi = float(sizes[0]), float(sizes[-1])
        return (hi ** 4 - lo ** 4) / (24.0 * every), (hi ** 2 - lo ** 2) / (2.0 * every)
    cells = looks = 0.0
    for big_n in sizes:
        j = len(range(first, big_n, every))             # interim looks first + i every
        s1 = j * first + every * j * (j - 1) / 2.0      # sum of n
        s2 = (j * first ** 2 + first * every * j * (j - 1)
              + every ** 2 * (j - 1) * j * (2 * j - 1) / 6.0)   # sum of n^2
        cells += (big_n + 1) * (s1 + j) - s2 - s1       # sum (n + 1)(Nmax + 1 - n)
        looks += j + 1
    return cells, looks


def _pp_rules(big_n, looks, p0, tts, tls, theta_u, a, b) -> tuple:
    """Pass 1 of :func:`pp_search` at one ``Nmax``: ``(entries, rules)``.

    ``entries`` lists ``(rule, theta_L, [theta_T, ...])`` per threshold pair
    sharing a final count ``s*``; ``rules`` the distinct valid rules (dict keys,
    in first-seen order), each ``(futility, efficacy)`` tuples.  ``theta_L``'s
    futility bound (largest ``x`` with ``PP < theta_L``) is found for the whole
    grid at once by binary search in the suffix minimum of ``PP`` (the same count
    as a scan).
    """
    from scipy.special import betainc, betaln, gammaln

    s = np.arange(big_n + 1)
    tail = betainc(b + big_n - s, a + s, 1.0 - p0)        # P(p > p0 | s of Nmax)
    # s*(theta_T): the smallest success count; tail is non-decreasing in s
    star = {}
    for tt in tts:
        ok = np.nonzero(exceeds(tail, tt))[0]
        if ok.size:
            star.setdefault(int(ok[0]), []).append(float(tt))
    # beta-binomial survival tables per interim look: sf[x, j] = P(Y >= j | x of n)
    sfs = []
    for n in looks[:-1]:
        m = big_n - n
        x = np.arange(n + 1)[:, None]
        y = np.arange(m + 1)[None, :]
        logp = (gammaln(m + 1) - gammaln(y + 1) - gammaln(m - y + 1)
                + betaln(a + x + y, b + n - x + m - y) - betaln(a + x, b + n - x))
        pmf = np.exp(logp)
        sf = np.concatenate([np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1],
                             np.zeros((n + 1, 1))], axis=1)
        sfs.append(np.clip(sf, 0.0, 1.0))
    entries, rules = [], {}
    for s_star, t_list in star.items():
        futs, effs = [], []
        for n, sf in zip(looks[:-1], sfs):
            need = np.clip(s_star - np.arange(n + 1), 0, big_n - n + 1)
            pp = sf[np.arange(n + 1), need]
            low = np.minimum.accumulate(pp[::-1])[::-1]
            futs.append(np.searchsorted(low, tls, side="left") - 1)
            high = np.nonzero(pp > theta_u)[0] if theta_u is not None else np.array([])
            effs.append(int(high[0]) if high.size else None)
        eff = tuple(effs) + (s_star,)
        for i, tl in enumerate(tls):
            fut = tuple(int(f[i]) for f in futs) + (s_star - 1,)
            key = (fut, eff)
            if key not in rules:
                rules[key] = not (any(f >= n for f, n in zip(fut, looks)) or fut[-1] < 0
                                  or not _monotone(fut, eff))
            entries.append((key, tl, t_list))
    return entries, [key for key, ok in rules.items() if ok]


def _monotone(fut, eff) -> bool:
    for seq in (fut, [e for e in eff if e is not None]):
        active = [v for v in seq if v >= 0]
        if any(v < u for u, v in zip(active, active[1:])):
            return False
    return True


def search_designs(p0, p1, alpha, power, nmax, **kwargs) -> list:
    """The registry's search: the best design and the next two listed (:func:`pp_search`)."""
    res = pp_search(p0, p1, alpha, power, nmax, **kwargs)
    prior = kwargs.get("prior", (1.0, 1.0))
    out = []
    for r in res.designs[:3]:
        out.append(PPDesign(p0, tuple(r["looks"]), r["theta_t"], r["theta_l"],
                            kwargs.get("theta_u"), prior))
    return out


def attains(design, p0, p1, alpha, power, nmax, **kwargs) -> bool:
    """Exact type I error <= alpha at p0, power >= power at p1, Nmax <= nmax."""
    rule = design.rule()
    return (design.looks[-1] <= nmax and rule.alpha_actual(p0) <= alpha
            and rule.power_actual(p1) >= power)
