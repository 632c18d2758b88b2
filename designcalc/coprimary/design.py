"""Co-primary response and time-to-event endpoints on the same patients (family ``coprimary``).

Tests (both one-sided, on the same ``n`` patients):

* **response**: the exact binomial test of ``H0: p <= p0``; at level ``a`` it
  rejects when more than ``r(a)`` respond, ``r(a)`` the smallest count with
  ``P(X > r | p0) <= a`` (A'Hern 2001; :func:`designcalc.survival.landmark.binary_critical`);
* **time to event**: the one-sample log-rank test (power by Wu 2015) or the
  landmark Kaplan-Meier test of S(t0), exactly as the ``survival`` family
  (:class:`designcalc.survival.onesample.SurvivalDesign`), including the
  per-patient follow-up ``max_followup``.

Decision rules (``rule``):

* ``"both"`` -- success when both tests reject, each at the full one-sided
  ``alpha``.  An intersection-union test: the family-wise error is at most
  ``alpha`` without adjustment (Berger 1982; EMA/FDA guidance on co-primary
  endpoints);
* ``"either"`` -- success when at least one rejects, with ``alpha_split``
  ``"bonferroni"`` (each at ``alpha/2``), ``"a1,a2"`` (response at ``a1``,
  time to event at ``a2``, ``a1 + a2 <= alpha``) or ``"holm"`` (the smaller
  p-value at ``alpha/2``; if it rejects, the other at ``alpha``: Holm 1979).
  With two endpoints Holm's P(either) equals Bonferroni's; it adds power to
  the *second* endpoint (and to P(both)).

Joint model: a **Gaussian copula**.  Patient ``i`` has a latent standard
normal pair ``(U_i, V_i)`` with correlation ``rho = correlation``; the
patient responds when ``U_i > Phi^{-1}(1 - p)`` and the event time is
``T_i = F^{-1}(Phi(V_i))`` (``F`` the true event-time distribution).  The
marginals are exactly Bernoulli(p) and ``F``; ``rho > 0`` means responders
tend to progress later; ``rho = 0`` is independence.  Patients are
independent of each other and censoring is independent of both endpoints.

Operating characteristics (rows, key ``scenario``): under ``H1`` (p1 and the
alternative curve), the ``global null`` (p0, null curve) and the two partial
nulls (``response null``: p0 with the alternative curve; ``tte null``: p1 with
the null curve): ``reject_response`` and ``reject_tte`` (each endpoint's
H0 rejected by the rule's procedure), ``reject_both``, ``reject_either``,
``success`` (the rule's) and ``fwer``, the family-wise type I error (none
under H1): for rule "either" P(rejecting a true null hypothesis); for rule
"both", which claims only that both endpoints work, P(success) under that null.  With ``correlation = 0`` the analytic columns are the products of the
marginals -- the exact binomial probabilities and the analytic log-rank
(Wu 2015) or landmark power, with the nominal level under the null curve
(a landmark test with nobody censored before the landmark is exact, power and
level: :func:`designcalc.survival.landmark.power_uncensored`);
with ``correlation != 0`` the quantities that depend on it are left empty
(None) in ``oc()`` and come from simulation (``evaluate(n_sims=...)``).

Examples
--------
>>> d = CoprimaryDesign(n=50, p0=0.055, p1=0.20, median0=6, median1=9, accrual=24,
...                     followup=8.2793, max_followup=8.2793, rule="both")
>>> h1 = d.oc().rows[0]
>>> h1["scenario"], round(h1["reject_response"], 4), round(h1["reject_both"], 4)
('H1', 0.8966, 0.5747)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from functools import cached_property, partial
from statistics import NormalDist

import numpy as np

from designcalc.core.validate import check_int, check_p0_p1, check_real
from designcalc.core.protocol import Design

__all__ = ["CoprimaryDesign", "RULES", "TTE_TESTS", "SCENARIOS", "coprimary_kernel",
           "search", "attains", "implied_association", "parse_alpha_split"]

RULES = ("both", "either")
TTE_TESTS = ("logrank", "landmark")
#: (name, response true?, tte alternative true?)
SCENARIOS = (("H1", True, True), ("global null", False, False),
             ("response null", False, True), ("tte null", True, False))
QUANTITIES = ("reject_response", "reject_tte", "reject_both", "reject_either")
_N = NormalDist()


def parse_alpha_split(value, alpha: float, rule: str):
    """The normalised ``alpha_split``: None (rule "both"), "bonferroni", "holm" or "a1,a2".

    Raises ``ValueError`` naming ``alpha_split`` when the split does not apply
    or ``a1 + a2 > alpha``.
    """
    if rule == "both":
        if value is not None:
            raise ValueError(f"alpha_split: not used with rule 'both' (intersection-union: each "
                             f"endpoint is tested at the full alpha), got {value!r}")
        return None
    if value is None:
        return "bonferroni"
    if isinstance(value, str) and value.strip().lower() in ("bonferroni", "holm"):
        return value.strip().lower()
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, (tuple, list)):
        parts = list(value)
    else:
        raise ValueError(f"alpha_split must be 'bonferroni', 'holm' or 'a1,a2', got {value!r}")
    if len(parts) != 2:
        raise ValueError(f"alpha_split must be 'bonferroni', 'holm' or two levels 'a1,a2', "
                         f"got {value!r}")
    try:
        a1, a2 = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise ValueError(f"alpha_split must be 'bonferroni', 'holm' or 'a1,a2' with numbers, "
                         f"got {value!r}") from None
    for a in (a1, a2):
        if not (math.isfinite(a) and 0.0 < a < 0.5):
            raise ValueError(f"alpha_split: each level must be in (0, 0.5), got {value!r}")
    if a1 + a2 > alpha + 1e-12:
        raise ValueError(f"alpha_split: a1 + a2 = {a1 + a2:g} exceeds alpha = {alpha:g}")
    return f"{a1!r},{a2!r}"


@dataclasses.dataclass(frozen=True)
class CoprimaryDesign(Design):
    """Response and time-to-event co-primary endpoints on ``n`` patients (family ``coprimary``).

    Parameters
    ----------
    n : int
        Number of patients (>= 2), evaluated for both endpoints.
    p0, p1 : float
        Null and target response probabilities (``p1 > p0``).
    followup : float
        Follow-up after the last patient enters, months.
    median0, median1, hr, s1, shape, landmark, accrual, accrual_rate, dropout_rate, max_followup
        The time-to-event model, as :class:`designcalc.survival.onesample.SurvivalDesign`
        (longer times are better).
    tte_test : {"logrank", "landmark"}
        The time-to-event test (landmark: Kaplan-Meier S(landmark)).
    correlation : float
        Gaussian-copula correlation between the latent normal of the response
        and the normal score of the event time, in (-1, 1); 0 = independent;
        > 0: responders progress later.
    rule : {"both", "either"}
        Success when both tests reject (each at ``alpha``) or when either
        does (alpha split by ``alpha_split``).
    alpha : float
        One-sided family-wise level (< 0.5).
    alpha_split : str, optional
        Rule "either" only: "bonferroni" (default), "holm" or "a1,a2"
        (response level, time-to-event level; ``a1 + a2 <= alpha``).
    tte_z : tuple of float, optional
        Calibrated critical values ``(first step, after the other endpoint
        rejected)`` of the time-to-event test, which rejects when its
        statistic is beyond ``z`` (from :func:`search` with ``calibrate=True``:
        simulated size <= its level); None (default): ``z_{1-level}``.  The
        analytic columns are then those of the nominal levels ``1 - Phi(z)``.
    """

    n: int
    p0: float
    p1: float
    followup: float
    median0: float | None = None
    median1: float | None = None
    hr: float | None = None
    s1: float | None = None
    accrual: float | None = None
    accrual_rate: float | None = None
    max_followup: float | None = None
    shape: float = 1.0
    landmark: float | None = None
    dropout_rate: float = 0.0
    tte_test: str = "logrank"
    correlation: float = 0.0
    rule: str = "both"
    alpha: float = 0.05
    alpha_split: str | None = None
    tte_z: tuple | None = None

    family = "coprimary"
    method = "analytic"

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("n", check_int("n", self.n, min_value=2))
        p0, p1 = check_p0_p1(self.p0, self.p1)
        set_("p0", p0)
        set_("p1", p1)
        set_("correlation", check_real("correlation", self.correlation, low=-1.0, high=1.0,
                                       low_open=True, high_open=True))
        if not isinstance(self.rule, str) or self.rule not in RULES:
            raise ValueError(f"rule must be 'both' or 'either', got {self.rule!r}")
        alpha = check_real("alpha", self.alpha, low=0.0, high=0.5, low_open=True,
                           high_open=True)
        set_("alpha", alpha)
        set_("alpha_split", parse_alpha_split(self.alpha_split, alpha, self.rule))
        if not isinstance(self.tte_test, str) or self.tte_test not in TTE_TESTS:
            raise ValueError(f"tte_test must be one of {', '.join(TTE_TESTS)}, "
                             f"got {self.tte_test!r}")
        if self.tte_z is not None:
            z = tuple(check_real("tte_z", v) for v in (
                self.tte_z if isinstance(self.tte_z, (tuple, list)) else (self.tte_z,)))
            if len(z) != 2:
                raise ValueError(f"tte_z must be two critical values (first step, second "
                                 f"step), got {self.tte_z!r}")
            set_("tte_z", z)
        tte = self.tte   # validates the time-to-event model (errors name the parameter)
        for name in ("median0", "median1", "hr", "s1", "accrual", "accrual_rate",
                     "max_followup", "landmark", "followup", "shape", "dropout_rate"):
            set_(name, getattr(tte, name))

    # --- the two tests --------------------------------------------------------------
    @cached_property
    def tte(self):
        """The time-to-event test as a :class:`~designcalc.survival.onesample.SurvivalDesign`
        at the full ``alpha``."""
        from designcalc.survival.onesample import SurvivalDesign

        return SurvivalDesign(test=self.tte_test, n=self.n, median0=self.median0,
                              median1=self.median1, hr=self.hr, s1=self.s1,
                              accrual=self.accrual, accrual_rate=self.accrual_rate,
                              followup=self.followup, max_followup=self.max_followup,
                              shape=self.shape, landmark=self.landmark,
                              dropout_rate=self.dropout_rate, alpha=self.alpha)

    @property
    def levels(self) -> tuple:
        """``(response_lo, response_hi, tte_lo, tte_hi)``: the one-sided levels of each
        test (lo = first step, hi = after the other endpoint rejected; equal except Holm)."""
        a = self.alpha
        if self.rule == "both":
            return (a, a, a, a)
        if self.alpha_split == "bonferroni":
            return (a / 2, a / 2, a / 2, a / 2)
        if self.alpha_split == "holm":
            return (a / 2, a, a / 2, a)
        a1, a2 = (float(x) for x in self.alpha_split.split(","))
        return (a1, a1, a2, a2)

    def to_dict(self) -> dict:
        """The parameters (``tte_z`` only when calibrated)."""
        out = super().to_dict()
        if self.tte_z is None:
            out.pop("tte_z")
        return out

    @property
    def tte_levels(self) -> tuple:
        """``(tte_lo, tte_hi)``: the time-to-event test's nominal levels (``1 - Phi(z)``
        when calibrated)."""
        if self.tte_z is None:
            return self.levels[2:]
        return tuple(1.0 - _N.cdf(z) for z in self.tte_z)

    def response_critical(self, level: float) -> int:
        """``r``: the exact test at ``level`` rejects when more than ``r`` respond
        (remembered per level: each costs a binomial table of ``n + 1`` counts)."""
        from designcalc.survival.landmark import binary_critical

        cache = self.__dict__.setdefault("_critical", {})
        if level not in cache:
            cache[level] = binary_critical(self.n, self.p0, level)
        return cache[level]

    def evaluate(self, scenarios=None, *, n_sims: int = 0, **options):
        """:meth:`designcalc.core.protocol.Design.evaluate`, refusing a simulation above
        the time budget before the analytic columns are computed (at millions of
        patients they alone take seconds)."""
        if n_sims:
            from designcalc.survival.simulation import refuse_early

            refuse_early(f"simulation of {self.n}-patient co-primary trials", n_sims,
                         self.n, len(SCENARIOS))
        return super().evaluate(scenarios, n_sims=n_sims, **options)

    def tte_power(self, level: float, null: bool = False) -> float:
        """Power (``null=False``) or type I error of the time-to-event test at one-sided
        ``level``: analytic, or exact for a landmark test with nobody censored
        before the landmark (the type I error is then the nominal ``level``
        for an analytic test)."""
        setting = dataclasses.replace(self.tte, alpha=level).setting
        if null:
            return setting.alpha_actual(self.tte_test, self.n)
        return setting.power(self.tte_test, self.n)

    @property
    def tte_exact(self) -> bool:
        """True when the time-to-event columns are exact (a landmark test with nobody
        censored before the landmark), not large-sample approximations."""
        return self.tte.setting.is_exact(self.tte_test, self.n)

    # --- words ----------------------------------------------------------------------
    def rule_text(self) -> str:
        a = self.alpha
        if self.rule == "both":
            return (f"the trial succeeds only if BOTH endpoints are significant, each at "
                    f"one-sided alpha {a:g} (intersection-union test: no adjustment)")
        lo_r, hi_r, lo_t, hi_t = self.levels
        if self.alpha_split == "holm":
            how = (f"Holm: the smaller p-value at {a / 2:g}; if significant, the other at {a:g}")
        elif self.alpha_split == "bonferroni":
            how = f"Bonferroni: each at {a / 2:g}"
        else:
            how = f"split: response at {lo_r:g}, time to event at {lo_t:g}"
        return (f"the trial succeeds if EITHER endpoint is significant (family-wise one-sided "
                f"alpha {a:g}; {how})")

    def __str__(self) -> str:
        return (f"n = {self.n}; response {self.p0:g} vs {self.p1:g}; {self.tte_test} test, "
                f"median {self.tte.setting.null_median:.4g} vs {float(self.tte.alt.median):.4g} "
                f"months; "
                f"rule {self.rule}{'' if self.alpha_split is None else ' (' + self.alpha_split + ')'}"
                f"; correlation {self.correlation:g}")

    def protocol_text(self) -> str:
        lo_r, hi_r, lo_t, _ = self.levels
        r = self.response_critical(lo_r)
        tte_row = dataclasses.replace(self.tte, alpha=lo_t).sentence()
        tte_row = tte_row[0].lower() + tte_row[1:]
        if self.tte_z is not None:
            tte_row += (f" (critical value calibrated by simulation: z = {self.tte_z[0]:.2f}, "
                        f"nominal level {self.tte_levels[0]:.4f}, for a simulated size <= "
                        f"{lo_t:g})")
        return (f"Co-primary endpoints on the same {self.n} patients; {self.rule_text()}. "
                f"Response: exact one-sided binomial test of p0 = {self.p0:g} against "
                f"p1 = {self.p1:g}, significant at level {lo_r:g} if at least {r + 1} of "
                f"{self.n} respond. Time to event: {tte_row} Joint model: Gaussian copula "
                f"between response and event time with correlation {self.correlation:g} "
                f"(0 = independent; > 0: responders progress later).")

    # --- platform hooks ----------------------------------------------------------------
    @staticmethod
    def _no_scenarios(scenarios, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the coprimary family")
        if scenarios is not None and (not hasattr(scenarios, "__len__") or len(scenarios)):
            raise ValueError("scenarios: a coprimary design holds its own hypotheses (H1, the "
                             "global null and the two partial nulls); give no scenarios")

    def _truth(self, resp_alt: bool, tte_alt: bool) -> tuple:
        return (self.p1 if resp_alt else self.p0), (self.tte.setting.hr if tte_alt else 1.0)

    def _marginals(self, resp_alt: bool, tte_alt: bool) -> tuple:
        """``(R_lo, R_hi, T_lo, T_hi)``: each test's rejection probability at its levels
        (exact binomial; analytic time-to-event power and nominal level under the null curve,
        or exact ones: see :meth:`tte_power`)."""
        from designcalc.core import binom as _binom

        lo_r, hi_r, _, _ = self.levels
        lo_t, hi_t = self.tte_levels
        p = self.p1 if resp_alt else self.p0
        r_lo = float(_binom.sf(self.response_critical(lo_r), self.n, p))
        r_hi = r_lo if hi_r == lo_r else float(_binom.sf(self.response_critical(hi_r), self.n, p))
        t_lo = self.tte_power(lo_t, null=not tte_alt)
        t_hi = t_lo if hi_t == lo_t else self.tte_power(hi_t, null=not tte_alt)
        return r_lo, r_hi, t_lo, t_hi

    def _exact(self, scenarios=None, **options) -> dict:
        self._no_scenarios(scenarios, options)
        holm = self.alpha_split == "holm"
        rows = []
        for name, resp_alt, tte_alt in SCENARIOS:
            p, hr = self._truth(resp_alt, tte_alt)
            r_lo, r_hi, t_lo, t_hi = self._marginals(resp_alt, tte_alt)
            row = {"scenario": name, "p": p, "hr": hr}
            if self.correlation == 0.0:
                # independent endpoints: products of the marginals (see combine())
                row.update(reject_response=r_lo + (r_hi - r_lo) * t_lo,
                           reject_tte=t_lo + (t_hi - t_lo) * r_lo,
                           reject_both=r_lo * t_hi + t_lo * r_hi - r_lo * t_lo,
                           reject_either=r_lo + t_lo - r_lo * t_lo)
            else:
                # only the marginals of a one-step rule do not depend on the correlation
                row.update(reject_response=None if holm else r_lo,
                           reject_tte=None if holm else t_lo,
                           reject_both=None, reject_either=None)
            rows.append(_finish_row(row, self.rule, name))
        return {"rows": rows, "keys": ("scenario",), "extra": self._extra()}

    def _extra(self) -> dict:
        lo_r, hi_r, lo_t, hi_t = self.levels
        return {"levels": {"response": [lo_r, hi_r], "tte": [lo_t, hi_t]},
                "response_critical": [self.response_critical(lo_r),
                                      self.response_critical(hi_r)],
                "association": implied_association(self.p1, self.tte.alt, self.correlation)}

    def kernel(self, which=None):
        """The vectorised simulation kernel (a picklable ``functools.partial``)."""
        lo_r, hi_r, lo_t, hi_t = self.levels
        s = self.tte.setting
        z = self.tte_z or (_N.inv_cdf(1 - lo_t), _N.inv_cdf(1 - hi_t))
        return partial(coprimary_kernel, n=self.n, p0=self.p0, p1=self.p1, null=s.null,
                       alt=s.alt, study=s.study(self.n), rho=self.correlation,
                       r_crit=(self.response_critical(lo_r), self.response_critical(hi_r)),
                       z_crit=tuple(z),
                       test=self.tte_test, t0=self.landmark,
                       which=tuple(range(len(SCENARIOS))) if which is None else tuple(which))

    def _simulate(self, scenarios, n_sims, sim, **options) -> dict:
        from designcalc.core import simulate
        from designcalc.survival.simulation import chunk_size_for, refuse_early

        self._no_scenarios(scenarios, options)
        refuse_early(f"simulation of {self.n}-patient co-primary trials", n_sims, self.n,
                     len(SCENARIOS))
        chunk = chunk_size_for(self.n) if sim.chunk_size is None else \
            min(sim.chunk_size, chunk_size_for(self.n))
        kw = sim.run_kwargs()
        kw["chunk_size"] = chunk
        res = simulate.run(self.kernel(), n_sims, seed=sim.seed, **kw)
        rows = []
        for i, (name, resp_alt, tte_alt) in enumerate(SCENARIOS):
            p, hr = self._truth(resp_alt, tte_alt)
            row = {"scenario": name, "p": p, "hr": hr}
            for q in QUANTITIES:
                row[q + "_sim"] = float(res.estimate[f"{i}:{q}"])
                row[q + "_sim_se"] = float(res.se[f"{i}:{q}"])
            rows.append(_finish_row(row, self.rule, name, suffixes=("_sim", "_sim_se")))
        return {"rows": rows, "keys": ("scenario",), "seed": res.seed}

    def _check(self, result) -> tuple:
        out = []
        if self.correlation != 0.0 and not result.simulated:
            out.append(f"correlation {self.correlation:g}: the joint quantities (P(both), "
                       "P(either), the family-wise error) need simulation (n_sims)")
        for row in result.rows:
            est, se = row.get("fwer_sim"), row.get("fwer_sim_se")
            if est is not None and se is not None and est - 4 * se > self.alpha:
                out.append(f"{row['scenario']}: simulated family-wise error {est:.4f} exceeds "
                           f"alpha = {self.alpha:g}")
        if self.n < 200 and not result.simulated and not self.tte_exact:
            out.append(f"{self.tte_test}: the analytic power is a large-sample approximation; "
                       f"check n = {self.n} by simulation (n_sims)")
        return tuple(out)


def _finish_row(row: dict, rule: str, scenario: str, suffixes=("",)) -> dict:
    """Add ``success`` (the rule's) and ``fwer`` (the family-wise type I error) to a row."""
    # rule both claims only "both endpoints work": its error is P(success) under any null;
    # rule either claims each endpoint rejected: P(rejecting a true null)
    fwer = {"H1": None, "global null": "reject_either", "response null": "reject_response",
            "tte null": "reject_tte"}[scenario]
    if rule == "both" and fwer is not None:
        fwer = "reject_both"
    for sfx in suffixes:
        row["success" + sfx] = row["reject_both" + sfx] if rule == "both" \
            else row["reject_either" + sfx]
    for sfx in suffixes:
        row["fwer" + sfx] = None if fwer is None else row[fwer + sfx]
    return row


# --- simulation ------------------------------------------------------------------------

def _tte_rejections(test, times, events, null, t0, z_crit):
    """Rejections of the time-to-event test at each critical value (longer is better)."""
    from designcalc.survival import landmark as lm, logrank

    if test == "logrank":
        _, _, z = logrank.statistic(times, events, null)
        ok = np.ones(z.shape, dtype=bool)
    else:
        km = lm.km_at(times, events, t0, ties=False)
        z = lm.loglog_z(km, float(null.survival(t0)))
        ok = (km.n_risk > 0) | (km.surv <= 0.0)
    with np.errstate(invalid="ignore"):
        return [(z < -c) & ok for c in z_crit]


def combine(r_lo, r_hi, t_lo, t_hi) -> dict:
    """The rule's events from each test's rejections at its two levels (booleans).

    ``response = R_lo or (R_hi and T_lo)``, ``tte = T_lo or (T_hi and R_lo)`` (Holm's
    step; one-step rules have lo = hi, so ``response = R``), ``both``, ``either``.
    """
    resp = r_lo | (r_hi & t_lo)
    tte = t_lo | (t_hi & r_lo)
    return {"reject_response": resp, "reject_tte": tte, "reject_both": resp & tte,
            "reject_either": resp | tte}


def coprimary_kernel(rng, size, *, n, p0, p1, null, alt, study, rho, r_crit, z_crit, test,
                     t0=None, which=(0, 1, 2, 3)) -> dict:
    """Simulate ``size`` trials of ``n`` patients under each scenario in ``which``.

    One ``(size, n)`` draw of the latent normal pair, entry and dropout serves
    every scenario (common random numbers): response ``U > Phi^{-1}(1 - p)``;
    event time ``Lambda^{-1}(-log Phi(-V))`` (``V``'s normal score mapped
    through the curve: Exp(1) cumulative hazard); no loop over trials.
    Returns 0/1 arrays ``"{scenario index}:{quantity}"``.
    """
    from scipy.special import log_ndtr, ndtri

    u = rng.standard_normal((size, n))
    v = rng.standard_normal((size, n))
    if rho != 0.0:
        v = rho * u + math.sqrt(1.0 - rho * rho) * v
    cens = study.sample_censoring(rng, (size, n))
    cumhaz = -log_ndtr(-v)                       # Exp(1), increasing in v
    resp, tte = {}, {}
    needed = {SCENARIOS[i][1] for i in which}, {SCENARIOS[i][2] for i in which}
    for alt_true in needed[0]:
        x = np.count_nonzero(u > -ndtri(p1 if alt_true else p0), axis=1)
        resp[alt_true] = (x > r_crit[0], x > r_crit[1])
    for alt_true in needed[1]:
        t = (alt if alt_true else null).inv_cumhaz(cumhaz)
        events = t <= cens
        times = np.minimum(t, cens)
        tte[alt_true] = _tte_rejections(test, times, events, null, t0, z_crit)
    out = {}
    for i in which:
        _, ra, ta = SCENARIOS[i]
        for q, arr in combine(*resp[ra], *tte[ta]).items():
            out[f"{i}:{q}"] = arr
    return out


# --- what a correlation means --------------------------------------------------------------

def implied_association(p: float, curve, rho: float) -> dict:
    """Event-time medians of responders and non-responders implied by the copula.

    With response ``U > c`` (``c = Phi^{-1}(1 - p)``) and ``T = F^{-1}(Phi(V))``,
    ``P(T > t, responder) = P(V > Phi^{-1}(F(t)), U > c)`` (bivariate normal,
    :func:`designcalc.survival.twostage.bvn_upper`).  Returns the medians
    (months) in each group, the point-biserial correlation
    ``rho phi(c) / sqrt(p (1 - p))`` between the response indicator and ``V``,
    and ``p``.
    """
    from scipy.optimize import brentq
    from scipy.special import ndtr

    from designcalc.survival.twostage import bvn_upper

    c = -_N.inv_cdf(p)

    def resp_surv(z):      # P(V > z | responder)
        return float(bvn_upper(z, c, rho)) / p

    def non_surv(z):       # P(V > z | non-responder)
        return (float(ndtr(-z)) - float(bvn_upper(z, c, rho))) / (1 - p)

    def median(fun):
        z = brentq(lambda z: fun(z) - 0.5, -12.0, 12.0, xtol=1e-12)
        return float(curve.inv_cumhaz(-math.log(float(ndtr(-z)))))

    phi_c = math.exp(-c * c / 2) / math.sqrt(2 * math.pi)
    return {"p": p, "median_responders": median(resp_surv),
            "median_nonresponders": median(non_surv),
            "biserial": rho * phi_c / math.sqrt(p * (1 - p))}


# --- the smallest n ------------------------------------------------------------------------

def _design_at(n, model):
    return CoprimaryDesign(n=n, **model)


def _success_analytic(d) -> float:
    """Analytic P(success | H1) at correlation 0."""
    return d.oc().rows[0]["success"]


def search(*, power: float = 0.8, nmax: int = 1000, n_sims: int | None = None, seed=None,
           workers: int = 1, calibrate: bool = False, **model) -> list:
    """The smallest ``n`` whose joint power P(success | H1) reaches ``power``.

    The joint power is **not monotone in n** (the exact binomial test's power
    saw-tooths), so ``designcalc.core.search.smallest_n`` (doubling and bisection)
    does not apply: every n is scanned upwards from a lower bound.  With
    ``correlation = 0`` the analytic joint power is scanned from n = 2; otherwise
    the scan starts at the smallest n whose correlation-free bound reaches the
    target (rule both: each marginal >= power, since P(both) <= each; rule
    either: R + T >= power, since P(either) <= R + T, at the first-step levels)
    and each n is simulated with ``n_sims`` trials under H1
    and the same ``seed`` (the n found is then subject to Monte-Carlo error).

    ``calibrate=True`` (needs ``n_sims``; any correlation) also chooses, at
    every n, the time-to-event test's critical values on simulated trials
    (:func:`designcalc.survival.calibrate.calibrated_at`: the smallest whose
    simulated size under the null curve is <= its level; exact landmark tests
    keep theirs) and judges the n by the simulated joint power with them; the
    scan then starts at half the correlation-free bound's n (calibration
    usually gives the large-sample test back some power).  The design found
    carries them in ``tte_z``.

    Returns
    -------
    list of CoprimaryDesign
        One design (the n found).
    """
    from designcalc.core import simulate
    from designcalc.core.validate import check_prob

    power = check_prob("power", power)
    nmax = check_int("nmax", nmax, min_value=2)
    if "n" in model:
        raise TypeError("n: not a requirement of the search (it is what the search finds)")
    probe = _design_at(max(2, nmax), model)
    if power <= probe.alpha:
        raise ValueError(f"power must be > alpha = {probe.alpha:g}, got {power:g}")
    rho = probe.correlation
    if rho != 0.0 or calibrate:
        if n_sims is None:
            raise ValueError("n_sims is required to search with correlation != 0 (the joint "
                             "power is simulated)")
        n_sims = check_int("n_sims", n_sims, min_value=2)
        seed = simulate.resolve_seed(seed)

    def build(n):
        try:
            return _design_at(n, model)
        except ValueError:
            return None      # e.g. a landmark nobody reaches yet with a small accrual

    def bound_ok(d):
        r_lo, _, t_lo, _ = d._marginals(True, True)
        if d.rule == "both":
            return min(r_lo, t_lo) >= power
        return r_lo + t_lo >= power

    _refuse_analytic_scan(nmax)
    if calibrate:
        return [_calibrated_scan(build, bound_ok, model, power, nmax, n_sims, seed, workers)]
    estimated = False
    for n in range(2, nmax + 1):
        d = build(n)
        if d is None:
            continue
        if rho == 0.0:
            if _success_analytic(d) >= power:
                return [d]
        elif bound_ok(d):
            if not estimated:
                _refuse_simulated_scan(d, model, power, nmax, n_sims, build)
                estimated = True
            res = simulate.run(d.kernel(which=(0,)), n_sims, seed=seed, workers=workers)
            if float(res.estimate["0:reject_both" if d.rule == "both"
                                  else "0:reject_either"]) >= power:
                return [d]
    raise ValueError(f"nmax: no n <= {nmax} reaches joint power {power:g}")


def calibrated_z(design, n_sims: int, seed: int, workers: int = 1) -> tuple | None:
    """The time-to-event test's critical values at ``design.n`` calibrated on simulated
    trials under the null curve (None for an exact landmark test)."""
    from designcalc.survival.calibrate import calibrated_at

    if design.tte_exact:
        return None
    setting = design.tte.setting
    lo_t, hi_t = design.levels[2:]
    z = [calibrated_at(setting, design.tte_test, design.n, n_sims, seed, workers,
                       alpha=level)["z_critical"] for level in dict.fromkeys((lo_t, hi_t))]
    return (z[0], z[-1])


def _calibrated_scan(build, bound_ok, model, power, nmax, n_sims, seed, workers):
    """``search(calibrate=True)``: see :func:`search`."""
    from designcalc.core import simulate

    first = next((n for n in range(2, nmax + 1)
                  if build(n) is not None and bound_ok(build(n))), None)
    if first is None:
        raise ValueError(f"nmax: no n <= {nmax} reaches joint power {power:g}")
    start = max(2, first // 2)
    while build(start) is None:
        start += 1
    _refuse_simulated_scan(build(start), model, power, nmax, 2 * n_sims, build)
    for n in range(start, nmax + 1):
        d = build(n)
        if d is None:
            continue
        d = dataclasses.replace(d, tte_z=calibrated_z(d, n_sims, seed, workers))
        res = simulate.run(d.kernel(which=(0,)), n_sims, seed=seed, workers=workers)
        if float(res.estimate["0:reject_both" if d.rule == "both"
                              else "0:reject_either"]) >= power:
            return d
    raise ValueError(f"nmax: no n <= {nmax} reaches simulated joint power {power:g} with "
                     f"calibrated critical values")


#: CPU seconds of one n of the analytic scan (design, marginals, analytic joint
#: power): 4-15 ms measured on a loaded 2-core machine; a lower bound
_ANALYTIC_N_SECONDS = 3e-3


def _refuse_analytic_scan(nmax: int) -> None:
    """Refuse at once a scan of n = 2..nmax whose analytic part alone exceeds the budget."""
    from designcalc.core import budget

    lim = budget.current()
    seconds = nmax * _ANALYTIC_N_SECONDS
    if not lim.force and seconds + (lim.spent if lim.accumulate else 0.0) > lim.max_seconds:
        budget.check_budget("co-primary sample-size scan", seconds=seconds,
                            detail=f"n = 2..{nmax}, at least "
                                   f"{_ANALYTIC_N_SECONDS * 1e3:.0f} ms per n")


def _refuse_simulated_scan(first, model, power, nmax, n_sims, build) -> None:
    """Refuse at once a simulated scan that cannot fit the budget.

    The scan simulates every n from ``first.n`` (the first n whose
    correlation-free bound reaches the target) until the simulated joint
    power does.  When the correlation can only help (rule both with a
    positive correlation, rule either with a negative one) the n at which
    the *independent* joint power (analytic, correlation 0) reaches the
    target is about where the scan ends (``nmax`` when it never does);
    otherwise one simulation is the lower bound.  Each simulation costs at
    least ``n_sims x n x`` :data:`~designcalc.survival.simulation.SECONDS_PER_PATIENT`.
    """
    from designcalc.survival.simulation import refuse_early

    helps = (first.rule == "both") == (first.correlation > 0)
    end = first.n
    if helps:
        end = nmax
        for n in range(first.n, nmax + 1):
            d = build(n)
            if d is not None and _success_analytic(
                    dataclasses.replace(d, correlation=0.0)) >= power:
                end = n
                break
    patients = (first.n + end) * (end - first.n + 1) // 2
    refuse_early(f"co-primary sample-size scan by simulation (n = {first.n}..{end})", n_sims,
                 patients, 1)


def attains(design, **requirements) -> bool:
    """True when ``design`` reaches the joint ``power`` as the search judged it."""
    from designcalc.core import simulate

    target = requirements.get("power", 0.8)
    if design.correlation == 0.0:
        return _success_analytic(design) >= target
    res = simulate.run(design.kernel(which=(0,)), requirements["n_sims"],
                       seed=requirements.get("seed"), workers=requirements.get("workers", 1))
    key = "0:reject_both" if design.rule == "both" else "0:reject_either"
    return float(res.estimate[key]) >= target
