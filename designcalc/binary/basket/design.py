"""Basket trials: ``k`` baskets (cohorts) of ``n`` patients, each testing
``H0_i: p_i <= p0`` against ``p_i > p0``, analysed independently or with
information borrowed between baskets; exact operating characteristics.

Independent baskets (``borrowing="none"``)
    every basket runs the same single-stage rule (reject if responses > ``r``
    of ``n``) or Simon two-stage rule (stop if <= ``r1`` of ``n1``; reject if
    > ``r`` of ``n``).  With ``R_i`` the basket's rejection probability
    (Simon 1989) and the baskets independent: family-wise error
    ``1 - prod_{i in H0} (1 - R_i)``, any-basket power
    ``1 - prod_{i in H1} (1 - R_i)``, all-basket power ``prod_{i in H1} R_i``,
    expected number of correct decisions ``sum_{H0} (1 - R_i) + sum_{H1} R_i``.
Borrowing (``"fujikawa"``, ``"jsd"``, ``"cpp"``)
    basket ``i`` rejects when its borrowed posterior gives
    ``P(p_i > p0 | x) >= lambda`` (``lam``); the weights and posteriors follow
    Fujikawa et al. (2020, Biom J 62:330) and the power prior of Baumann et
    al. (2024) exactly as baskexact computes them (see
    :mod:`designcalc.binary.basket.engine`).  Single stage, or with ``n1`` two
    stages: after ``n1`` patients per basket an interim analysis (borrowed
    posterior or posterior predictive probability, ``interim``) stops a basket
    for futility (``< prob_futstop``) or efficacy (``> prob_effstop``); the
    others go on to ``n`` and the final analysis borrows from every basket,
    stopped ones with their interim data (baskexact's ``TwoStageBasket``).
    Every vector of response counts is enumerated: the probabilities are exact
    (two stages above the budget: simulated, said in a warning).

A basket is a null basket when its true rate ``p_i <= p0``.  FWER: P(reject
at least one null basket), 0 without one; EWP (baskexact's experiment-wise
power): P(reject at least one non-null basket), 0 without one; ``all_power``:
P(reject every non-null basket), undefined (NaN) without one; ECD: the expected
number of correct decisions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from designcalc.core import binom
from designcalc.core.protocol import Design, curve_scenarios
from designcalc.core.validate import check_int, check_prob, check_prob_array, check_real

__all__ = ["BasketDesign", "BORROWING"]

#: the parameters of a two-stage borrowing design's interim analysis
INTERIM = ("interim", "prob_futstop", "prob_effstop")
INTERIM_RULES = ("posterior", "predictive")
#: simulated fallback of a two-stage enumeration above the budget
FALLBACK_SIMS = 10_000
FALLBACK_SEED = 20261206

#: borrowing -> (weights in words, whether the prior is shared as in Fujikawa's design)
BORROWING = {
    "none": ("none (independent baskets)", False),
    "fujikawa": ("Fujikawa et al. (2020) Jensen-Shannon weights, prior shared", True),
    "jsd": ("power prior with Jensen-Shannon weights", False),
    "cpp": ("calibrated power prior (Kolmogorov-Smirnov weights)", False),
}


@dataclass(frozen=True)
class BasketDesign(Design):
    """A basket trial of ``k`` baskets of ``n`` patients (family ``basket``).

    Parameters
    ----------
    k : int
        Number of baskets (2 to 10).
    n : int
        Patients per basket (a Simon rule's total).
    p0 : float
        Uninteresting response probability of every basket (H0_i: p_i <= p0).
    borrowing : {"none", "fujikawa", "jsd", "cpp"}
        Independent baskets, or how information is borrowed (baskexact's
        ``weights_fujikawa``, ``weights_jsd``, ``weights_cpp``).
    r : int, optional
        Independent baskets: reject if responses > r (of n).
    r1, n1 : int, optional
        Independent baskets: a Simon rule's stage 1 (stop if <= r1 of n1).
        Borrowing designs: ``n1`` alone makes the design two-stage, with the
        interim analysis after ``n1`` patients per basket.
    lam : float, optional
        Borrowing: reject if the posterior P(p_i > p0) >= lam (baskexact ``lambda``).
    epsilon, tau, logbase : float
        Jensen-Shannon weights ``(1 - JSD)^epsilon``, 0 where <= tau, logarithms to
        base ``logbase`` (baskexact's defaults 1.25, 0.5, 2).
    shape1, shape2 : float
        Beta prior of each basket's response probability (borrowing designs).
    cpp_a, cpp_b : float
        Calibrated power prior: ``w = 1 / (1 + exp(a + b log s))`` (baskexact ``a``, ``b``).
    interim : {"posterior", "predictive"}, optional
        Two-stage borrowing: the interim statistic, the borrowed posterior
        P(p_i > p0) (baskexact ``interim_posterior``) or the posterior predictive
        probability of reaching the final critical count (``interim_postpred``);
        default "posterior".
    prob_futstop, prob_effstop : float, optional
        Two-stage borrowing: stop a basket for futility when the interim statistic
        is below ``prob_futstop`` (default 0.1, baskexact's), for efficacy when above
        ``prob_effstop`` (default 1: never; baskexact's default is 0.9).

    Examples
    --------
    Fujikawa et al.'s design (i) (k = 3, n = 24, lambda = 0.99, epsilon = 2,
    tau = 0, natural logarithms) under the global null, as baskexact's tests give it:

    >>> d = BasketDesign(k=3, n=24, p0=0.2, borrowing="fujikawa", lam=0.99, epsilon=2,
    ...                  tau=0, logbase=math.e)
    >>> res = d.oc([0.2, 0.2, 0.2])
    >>> round(res.rows[0]["reject"], 8), round(res.metrics[0]["fwer"], 8)
    (0.02158174, 0.03600149)
    """

    k: int
    n: int
    p0: float
    borrowing: str = "none"
    r: int | None = None
    r1: int | None = None
    n1: int | None = None
    lam: float | None = None
    epsilon: float = 1.25
    tau: float = 0.5
    logbase: float = 2.0
    shape1: float = 1.0
    shape2: float = 1.0
    cpp_a: float = 1.0
    cpp_b: float = 1.0
    interim: str | None = None
    prob_futstop: float | None = None
    prob_effstop: float | None = None

    family = "basket"
    method = "exact"

    def __post_init__(self):
        set_ = partial(object.__setattr__, self)
        set_("k", check_int("k", self.k, min_value=2, max_value=10))
        n = check_int("n", self.n, min_value=1)
        set_("n", n)
        set_("p0", check_prob("p0", self.p0))
        if self.borrowing not in BORROWING:
            raise ValueError(f"borrowing must be one of {', '.join(BORROWING)}, "
                             f"got {self.borrowing!r}")
        independent = self.borrowing == "none"
        wrong = (("lam",) + INTERIM if independent else ("r", "r1"))
        given = next((name for name in wrong if getattr(self, name) is not None), None)
        if given:
            raise ValueError(f"{given}: does not apply to borrowing={self.borrowing!r} "
                             + ("(independent baskets take r, r1, n1)" if independent
                                else "(borrowing designs take lam, and n1 for two stages)"))
        for name in ("epsilon", "logbase", "shape1", "shape2"):
            set_(name, check_real(name, getattr(self, name), low=0.0, low_open=True))
        if self.logbase == 1.0:
            raise ValueError("logbase must not be 1")
        set_("tau", check_real("tau", self.tau, low=0.0, high=1.0, high_open=True))
        set_("cpp_a", check_real("cpp_a", self.cpp_a))
        set_("cpp_b", check_real("cpp_b", self.cpp_b, low=0.0, low_open=True))
        if independent:
            if self.r is None:
                raise ValueError("r: independent baskets need the final bound r "
                                 "(reject if responses > r)")
            r = check_int("r", self.r, min_value=0, max_value=n - 1)
            set_("r", r)
            if (self.r1 is None) != (self.n1 is None):
                raise ValueError("r1: give r1 and n1 together (a Simon rule) or neither")
            if self.n1 is not None:
                from designcalc.binary.simon.design import SimonDesign

                SimonDesign(r1=self.r1, n1=self.n1, r=r, n=n)       # validates the rule
                set_("r1", int(self.r1))
                set_("n1", int(self.n1))
        else:
            if self.lam is None:
                raise ValueError("lam: borrowing designs need the posterior cut-off lam")
            set_("lam", check_real("lam", self.lam, low=0.0, high=1.0, low_open=True,
                                   high_open=True))
            self._check_two_stage(set_, n)

    def _check_two_stage(self, set_, n) -> None:
        """Borrowing designs: validate ``n1`` and the interim rule (defaults filled in)."""
        if self.n1 is None:
            given = next((name for name in INTERIM if getattr(self, name) is not None), None)
            if given:
                raise ValueError(f"{given}: applies to two-stage borrowing designs only "
                                 "(give the interim size n1)")
            return
        set_("n1", check_int("n1", self.n1, min_value=1, max_value=n - 1))
        interim = "posterior" if self.interim is None else self.interim
        if interim not in INTERIM_RULES:
            raise ValueError(f"interim must be one of {', '.join(INTERIM_RULES)}, "
                             f"got {interim!r}")
        set_("interim", interim)
        for name, default in (("prob_futstop", 0.1), ("prob_effstop", 1.0)):
            value = default if getattr(self, name) is None else getattr(self, name)
            set_(name, check_real(name, value, low=0.0, high=1.0))
        if self.prob_futstop > self.prob_effstop:
            raise ValueError(f"prob_futstop ({self.prob_futstop:g}) must not exceed "
                             f"prob_effstop ({self.prob_effstop:g})")

    @property
    def two_stage(self) -> bool:
        """True for a two-stage borrowing design (``n1`` given)."""
        return self.borrowing != "none" and self.n1 is not None

    # --- words ----------------------------------------------------------------------
    def __str__(self) -> str:
        if self.borrowing == "none":
            rule = (f"{self.r1}/{self.n1}, {self.r}/{self.n}" if self.n1 is not None
                    else f"reject if > {self.r} of {self.n}")
            return f"{self.k} independent baskets, {rule}"
        stages = (f"{self.n1} + {self.n - self.n1} (interim {self.interim}, futility "
                  f"< {self.prob_futstop:g}{self._effstop_words()})" if self.two_stage
                  else f"{self.n}")
        return (f"{self.k} baskets of {stages}, {self.borrowing} borrowing, "
                f"lambda = {self.lam:g}")

    def _effstop_words(self) -> str:
        return f", efficacy > {self.prob_effstop:g}" if self.prob_effstop < 1 else ""

    def basket_rule(self):
        """The rule of one independent basket (a Simon or single-stage design)."""
        if self.n1 is not None:
            from designcalc.binary.simon.design import SimonDesign

            return SimonDesign(r1=self.r1, n1=self.n1, r=self.r, n=self.n)
        from designcalc.binary.single_stage.design import SingleStageDesign

        return SingleStageDesign(n=self.n, r=self.r)

    def weights_text(self) -> str:
        """The borrowing in words, with its tuning parameters."""
        what = BORROWING[self.borrowing][0]
        if self.borrowing in ("fujikawa", "jsd"):
            return (f"{what} (epsilon = {self.epsilon:g}, tau = {self.tau:g}, "
                    f"log base {self.logbase:g})")
        if self.borrowing == "cpp":
            return f"{what} (a = {self.cpp_a:g}, b = {self.cpp_b:g})"
        return what

    def protocol_text(self) -> str:
        """The rule as a protocol-ready sentence."""
        head = (f"{self.k} baskets of {self.n} patients each; in every basket the null "
                f"hypothesis p <= {self.p0:g} is tested")
        if self.borrowing == "none":
            if self.n1 is not None:
                return (f"{head} independently by a Simon two-stage rule: enrol {self.n1}, stop "
                        f"the basket if {self.r1} or fewer respond, otherwise enrol "
                        f"{self.n - self.n1} more and declare it promising if {self.r + 1} or "
                        f"more of {self.n} respond.")
            return (f"{head} independently: the basket is promising if {self.r + 1} or more "
                    f"of {self.n} respond.")
        borrow = (f"{head} with information borrowed between baskets ({self.weights_text()}; "
                  f"Beta({self.shape1:g}, {self.shape2:g}) prior)")
        final = (f"a basket is promising if its posterior probability that p > {self.p0:g} is "
                 f"at least {self.lam:g}")
        if not self.two_stage:
            return f"{borrow}: {final}."
        what = ("the borrowed posterior probability that p > " + f"{self.p0:g}"
                if self.interim == "posterior" else
                "the posterior predictive probability (borrowed interim posterior) of reaching "
                "the final critical count")
        eff = (f" and for efficacy, declaring it promising, if it is above "
               f"{self.prob_effstop:g}" if self.prob_effstop < 1 else "")
        return (f"{borrow}. After {self.n1} patients per basket an interim analysis stops a "
                f"basket for futility if {what} is below {self.prob_futstop:g}{eff}; the other "
                f"baskets enrol {self.n - self.n1} more. At the final analysis, which borrows "
                f"from every basket (stopped ones with their interim data), {final}.")

    # --- scenarios ------------------------------------------------------------------
    def scenarios(self, scenarios=None, p1=None) -> list:
        """``(name, rates)`` pairs: the given scenarios, else the global null (all p0)
        and, with ``p1``, the global alternative (all p1)."""
        if scenarios is None or (hasattr(scenarios, "__len__") and not len(scenarios)):
            pairs = [("global null", [self.p0] * self.k)]
            if p1 is not None:
                p1 = check_prob("p1", p1)
                if p1 <= self.p0:
                    raise ValueError(f"p1 must be > p0 = {self.p0:g}, got {p1:g}")
                pairs.append(("global alternative", [p1] * self.k))
            return pairs
        pairs = curve_scenarios(scenarios)
        out = []
        for name, rates in pairs:
            rates = check_prob_array("rates", rates)
            if rates.ndim != 1 or rates.size != self.k:
                raise ValueError(f"rates: give one response probability per basket ({self.k}), "
                                 f"got {rates.size}")
            out.append((name, [float(v) for v in rates]))
        return out

    # --- exact ----------------------------------------------------------------------
    def decisions(self) -> np.ndarray:
        """Borrowing designs: the decision of every ordered response vector, bool array
        ``(k, (n + 1)^k)`` (cached per design)."""
        return _grid(self)

    def _exact(self, scenarios=None, p1=None) -> dict:
        pairs = self.scenarios(scenarios, p1)
        if self.borrowing == "none":
            rule = self.basket_rule()
            per = [_independent_oc(rule, rates, self.p0) for _, rates in pairs]
        elif self.two_stage:
            return self._two_stage_exact(pairs)
        else:
            from designcalc.binary.basket import engine

            engine.check_enumeration(self.k, self.n, len(pairs))
            grid = self.decisions()
            per = []
            for _, rates in pairs:
                oc = engine.enumerate_oc(grid, self.n, rates, _null(rates, self.p0))
                oc["en"] = np.full(self.k, float(self.n))
                per.append(oc)
        return _tables(pairs, per, self.p0)

    def _two_stage_exact(self, pairs) -> dict:
        """Exact two-stage OC; above the budget, FALLBACK_SIMS simulated trials (warned).

        The interim table comes first: it gives the exact number of joint outcomes,
        checked against the budget before the (larger) final table is built."""
        from designcalc.binary.basket import engine
        from designcalc.core.budget import BudgetError
        from designcalc.core.protocol import SimOptions

        d, k, n1, n = self, self.k, self.n1, self.n
        share = BORROWING[d.borrowing][1]
        try:
            engine.check_two_stage(k, n1, n, scenarios=len(pairs))      # the interim grid
            w = _weights(d)
            interim = engine.interim_table(k, n1, n, d.p0, d.lam, w[:n1 + 1, :n1 + 1],
                                           d.shape1, d.shape2, share, d.interim,
                                           d.prob_futstop, d.prob_effstop)
            engine.check_two_stage(k, n1, n, interim, scenarios=len(pairs))
            final = engine.final_table(k, n1, n, d.p0, d.lam, w, d.shape1, d.shape2, share)
        except BudgetError as exc:
            try:
                out = self._simulate(dict(pairs), FALLBACK_SIMS, SimOptions(seed=FALLBACK_SEED))
            except BudgetError as err:
                raise BudgetError(f"the exact two-stage enumeration exceeds the budget ({exc}) "
                                  f"and so does its simulated fallback ({FALLBACK_SIMS:,} "
                                  f"trials): {err}") from None
            out["warnings"] = (f"the exact two-stage enumeration exceeds the budget ({exc}); "
                               f"these are simulated values of {FALLBACK_SIMS:,} trials per "
                               f"scenario (seed {FALLBACK_SEED}), columns *_sim, *_sim_se",)
            return out
        scen = [(rates, _null(rates, self.p0)) for _, rates in pairs]
        return _tables(pairs, engine.two_stage_oc(k, n1, n, interim, final, scen), self.p0)

    # --- simulation -----------------------------------------------------------------
    def _simulate(self, scenarios, n_sims, sim, p1=None) -> dict:
        from designcalc.core import simulate

        pairs = self.scenarios(scenarios, p1)
        if self.borrowing == "none":
            kernel = partial(_independent_kernel, n=self.n, r=self.r,
                             r1=-1 if self.r1 is None else self.r1,
                             n1=self.n if self.n1 is None else self.n1)
        elif self.two_stage:
            kernel = partial(_two_stage_kernel, design=self, weights=_weights(self))
        else:
            kernel = partial(_borrowing_kernel, n=self.n, table=_table(self))
        per = []
        for j, (_, rates) in enumerate(pairs):        # scenario j: root seed + j
            null = _null(rates, self.p0)
            res = simulate.run(partial(kernel, p=np.asarray(rates), null=null), n_sims,
                               seed=sim.seed + j, name="basket simulation", **sim.run_kwargs())
            est, se = res.estimate, res.se
            per.append({"est": est, "se": se, "null": null})
        rows, metrics = [], []
        for (name, rates), out in zip(pairs, per):
            null, est, se = out["null"], out["est"], out["se"]
            for i, p in enumerate(rates):
                rows.append({"scenario": name, "basket": i + 1, "p": float(p),
                             "hypothesis": "H0" if null[i] else "H1",
                             "reject_sim": float(est["reject"][i]),
                             "reject_sim_se": float(se["reject"][i]),
                             "en_sim": float(est["n"][i]), "en_sim_se": float(se["n"][i])})
            m = {"scenario": name}
            for col, has in (("fwer", True), ("ewp", True), ("all_power", (~null).any()),
                             ("ecd", True), ("en_total", True)):
                m[col + "_sim"] = float(est[col]) if has else math.nan
                m[col + "_sim_se"] = float(se[col]) if has else math.nan
            metrics.append(m)
        return {"rows": rows, "keys": ("scenario", "basket"), "metrics": metrics,
                "metric_keys": ("scenario",)}


# --- helpers (module level: the kernels must pickle) -----------------------------------

def _null(rates, p0) -> np.ndarray:
    return np.asarray(rates, dtype=float) <= p0


def _independent_oc(rule, rates, p0) -> dict:
    """Exact OC of independent baskets (products over baskets)."""
    rej = np.atleast_1d(rule.reject(np.asarray(rates, dtype=float)))
    en = (np.atleast_1d(rule.en(np.asarray(rates, dtype=float))) if hasattr(rule, "en")
          else np.full(len(rates), float(rule.n)))
    null = _null(rates, p0)
    alt = ~null
    return {"reject": rej, "en": en,
            "fwer": 1.0 - np.prod(1.0 - rej[null]),         # 0 without a null basket
            "ewp": 1.0 - np.prod(1.0 - rej[alt]),           # 0 without an active one
            "all_power": float(np.prod(rej[alt])) if alt.any() else math.nan,
            "ecd": float(np.sum(np.where(null, 1.0 - rej, rej)))}


def _tables(pairs, per, p0) -> dict:
    rows, metrics = [], []
    for (name, rates), oc in zip(pairs, per):
        null = _null(rates, p0)
        for i, p in enumerate(rates):
            rows.append({"scenario": name, "basket": i + 1, "p": float(p),
                         "hypothesis": "H0" if null[i] else "H1",
                         "reject": float(oc["reject"][i]), "en": float(oc["en"][i])})
        metrics.append({"scenario": name, "fwer": float(oc["fwer"]), "ewp": float(oc["ewp"]),
                        "all_power": float(oc["all_power"]), "ecd": float(oc["ecd"]),
                        "en_total": float(np.sum(oc["en"]))})
    return {"rows": rows, "keys": ("scenario", "basket"), "metrics": metrics,
            "metric_keys": ("scenario",)}


def _summaries(reject, n_patients, null) -> dict:
    """Per-trial indicators of a simulated chunk (reject: (size, k) bool)."""
    alt = ~null
    correct = np.where(null[None, :], ~reject, reject)
    out = {"reject": reject.astype(float), "n": n_patients.astype(float),
           "ecd": correct.sum(axis=1).astype(float),
           "en_total": n_patients.sum(axis=1).astype(float)}
    zero = np.zeros(reject.shape[0])
    out["fwer"] = reject[:, null].any(axis=1).astype(float) if null.any() else zero
    out["ewp"] = reject[:, alt].any(axis=1).astype(float) if alt.any() else zero
    out["all_power"] = reject[:, alt].all(axis=1).astype(float) if alt.any() else zero
    return out


def _independent_kernel(rng, size, *, n, r, r1, n1, p, null):
    """Independent baskets: stage 1 of n1 (stop if <= r1), then to n; reject if > r."""
    x1 = rng.binomial(n1, p, size=(size, p.size))
    go = x1 > r1
    x2 = rng.binomial(n - n1, p, size=(size, p.size)) if n > n1 else np.zeros_like(x1)
    reject = go & (x1 + x2 > r)
    return _summaries(reject, np.where(go, n, n1), null)


def _borrowing_kernel(rng, size, *, n, table, p, null):
    """Borrowing: all n per basket; the decisions looked up in the multiset table."""
    from designcalc.binary.basket.engine import multiset_rank

    x = rng.binomial(n, p, size=(size, p.size))
    rank = multiset_rank(np.sort(x, axis=1).T)
    reject = table[rank[:, None], x]
    return _summaries(reject, np.full(x.shape, n), null)


def _two_stage_kernel(rng, size, *, design, weights, p, null):
    """Two-stage borrowing: interim after n1, the continuing baskets to n; the interim
    statistics and final decisions are computed once per distinct multiset of the chunk
    (no tables, so no table budget)."""
    from designcalc.binary.basket import engine

    d = design
    a, b, share = d.shape1, d.shape2, BORROWING[d.borrowing][1]
    x1 = rng.binomial(d.n1, p, size=(size, p.size))
    v = engine.per_multiset(x1, d.n1 + 1, lambda rows: engine.interim_values(
        rows, d.n1, d.n, d.p0, d.lam, weights, a, b, share, d.interim))
    code = engine.interim_codes(v, d.prob_futstop, d.prob_effstop)
    go = code == 0
    x2 = rng.binomial(d.n - d.n1, p, size=(size, p.size))
    states = np.where(go, d.n1 + 1 + x1 + x2, x1)
    final = engine.per_multiset(states, d.n1 + d.n + 2, lambda rows: engine.final_rejects(
        rows, d.n1, d.n, d.p0, d.lam, weights, a, b, share))
    return _summaries((code == 1) | final, np.where(go, d.n, d.n1), null)


def _key(design) -> tuple:
    return (design.k, design.n, design.p0, design.borrowing, design.lam, design.epsilon,
            design.tau, design.logbase, design.shape1, design.shape2, design.cpp_a,
            design.cpp_b)


def _weights(design) -> np.ndarray:
    """The borrowing weights of the design's states (two-stage: interim and final)."""
    from designcalc.binary.basket import engine

    return engine.weight_matrix(design.n, design.borrowing, epsilon=design.epsilon,
                                tau=design.tau, logbase=design.logbase, shape1=design.shape1,
                                shape2=design.shape2, cpp_a=design.cpp_a, cpp_b=design.cpp_b,
                                n1=design.n1 if design.two_stage else None)


@lru_cache(maxsize=4)
def _table_cached(key) -> np.ndarray:
    from designcalc.binary.basket import engine

    (k, n, p0, borrowing, lam, epsilon, tau, logbase, shape1, shape2, a, b) = key
    engine.check_table(k, n)                 # before the weights: refuse early
    w = engine.weight_matrix(n, borrowing, epsilon=epsilon, tau=tau, logbase=logbase,
                             shape1=shape1, shape2=shape2, cpp_a=a, cpp_b=b)
    return engine.decision_table(k, n, p0, lam, w, shape1, shape2, BORROWING[borrowing][1])


def _table(design) -> np.ndarray:
    return _table_cached(_key(design))


@lru_cache(maxsize=2)
def _grid_cached(key) -> np.ndarray:
    from designcalc.binary.basket import engine

    return engine.grid_decisions(key[0], key[1], _table_cached(key))


def _grid(design) -> np.ndarray:
    return _grid_cached(_key(design))
