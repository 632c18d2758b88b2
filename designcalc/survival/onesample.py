"""One single-arm time-to-event design at a fixed n, on the design platform.

:class:`SurvivalDesign` (family ``survival``) is one test (one-sample
log-rank, landmark Kaplan-Meier, exponential MLE or exact binary at a
landmark) of one null curve against one proportional-hazards alternative,
with a given number of patients, accrual, follow-up and dropout.  Its fields
are the ``design`` table of a trial config (see ``examples/novaferon.toml``)
plus the other model inputs of ``designcalc survival`` as optional fields.

The design holds its own hypotheses (scenario kind ``"none"``): ``oc()`` and
``simulate()`` take no scenarios.  Columns (one row per design, key
``test``):

* ``power`` -- analytic power under the alternative (a large-sample
  approximation for logrank, landmark and exponential; exact for binary);
* ``alpha_actual`` -- the type I error: the nominal ``alpha`` for the
  large-sample tests (they are calibrated to it only asymptotically), the
  exact attained level ``P(reject | S0)`` for the binary test;
* ``power_sim``, ``power_sim_se``, ``alpha_actual_sim``,
  ``alpha_actual_sim_se`` -- the same by simulation (``evaluate(n_sims=...)``);
* descriptive columns: ``test``, ``n``, ``expected_events``, ``critical``
  (binary), ``hr``, ``median0``, ``median1``, ``landmark``, ``s0``, ``s1``,
  ``accrual``, ``followup``, ``study_duration``, ``dropout_rate``.

Helpers for several tests at once (the CLI's ``--test all``):
:func:`designs_for` builds one design per test, :func:`evaluate_designs`
evaluates a list of designs (simulating designs that differ only in the test
in one run: the same numbers as evaluating each alone with the same seed),
and :func:`size_designs` finds each test's sample size.

Examples
--------
>>> d = SurvivalDesign(test="logrank", n=48, median0=6, median1=9, accrual=24, followup=12)
>>> round(d.oc().rows[0]["power"], 3)
0.8
"""

from __future__ import annotations

import dataclasses
import numbers
from functools import cached_property

from designcalc.core.validate import check_int, check_positive, check_prob, check_real
from designcalc.survival._memo import scoped
from designcalc.survival.names import TEST_NAMES, TESTS
from designcalc.survival import planning
from designcalc.survival.planning import _numeric_guard
from designcalc.core.protocol import Design
from designcalc.core.result import OCResult

__all__ = ["SurvivalDesign", "TESTS", "TEST_NAMES", "designs_for", "evaluate_designs",
           "size_designs", "check_warnings", "calibrate"]

# Columns of a simulated row that are analytic quantities (left out of simulate()).
_ANALYTIC = ("power", "alpha_actual", "expected_events")

_ROW_ORDER = ("test", "n", "expected_events", "power", "alpha_actual", "power_sim",
              "power_sim_se", "alpha_actual_sim", "alpha_actual_sim_se", "critical", "hr",
              "median0", "median1", "landmark", "s0", "s1", "accrual", "followup",
              "study_duration", "max_followup", "dropout_rate")

# Below this n the CLI has always advised checking the log-rank and landmark
# approximations by simulation.
_LARGE_N = 200


def _floats(name, values):
    if values is None:
        return None
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = (values,)
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}")
    try:
        items = tuple(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from None
    return tuple(check_real(name, v) for v in items)


def _clean(rec: dict) -> dict:
    """A result record (as ``DataFrame.to_dict("records")`` gives it) as plain Python
    values (NaN -> None, counts as int)."""
    from designcalc.core.result import plain

    row = {}
    for key in _ROW_ORDER:
        if key not in rec:
            continue
        value = plain(rec[key])
        if key in ("n", "critical", "n_events_formula") and value is not None:
            value = int(value)
        row[key] = value
    for key, value in rec.items():
        if key not in row and key not in ("n_sims", "seed"):
            row[key] = plain(value)
    return row


@dataclasses.dataclass(frozen=True)
class SurvivalDesign(Design):
    """A single-arm time-to-event design at a fixed n (family ``survival``; months).

    Parameters
    ----------
    test : {"logrank", "landmark", "exponential", "binary"}
        The test: one-sample log-rank (power by Wu 2015), Kaplan-Meier S(t0)
        on the log(-log) scale, exponential (known-shape Weibull) MLE, or the
        exact binomial test of "event-free at t0".
    n : int
        Number of patients (>= 2).
    median0 : float
        Null (historical) median, months; with ``shape`` the null curve is a
        Weibull (exponential when ``shape = 1``).  Required unless
        ``null_hazards`` gives a piecewise-exponential null.
    median1, hr, s1 : float
        The alternative, a proportional-hazards change of the null -- exactly
        one of: the median (months), the hazard ratio, or S(landmark).
    accrual : float
        Uniform accrual duration, months (or ``accrual_rate``).
    followup : float
        Follow-up after the last patient enters, months.
    alpha : float
        One-sided nominal type I error (< 0.5).
    shape : float
        Weibull shape of both curves (1 = exponential).
    landmark : float, optional
        ``t0``, months (landmark and binary tests, and ``s1``).
    dropout_rate : float
        Exponential dropout hazard per month (0 = none).
    accrual_rate : float, optional
        Patients per month instead of ``accrual`` (accrual lasts ``n / rate``).
    direction : {"longer", "shorter"}
        Which times are better ("longer": ``median1 > median0``, ``hr < 1``).
    null_hazards, null_breaks : tuple of float, optional
        A piecewise-exponential null instead of ``median0``/``shape``: hazards
        per month on ``[0, b1), [b1, b2), ..., [bk, inf)``.
    max_followup : float, optional
        Per-patient follow-up, months: each patient followed at most this long
        after entry (censored at ``min(max_followup, time to the analysis)``);
        None = until the analysis.  Landmark tests need ``landmark <= max_followup``.

    Notes
    -----
    ``oc()`` gives ``power`` (analytic; exact for the binary test) and
    ``alpha_actual`` (the nominal alpha for the large-sample tests, the exact
    attained type I error for the binary test); ``simulate()`` gives
    ``power_sim``/``alpha_actual_sim`` and their SEs, simulated with
    ``seed`` as the root seed exactly as
    ``planning.power(n, n_sims=..., seed=...)``.  No scenarios: the design
    holds its own null and alternative.

    Examples
    --------
    >>> d = SurvivalDesign(test="binary", n=30, median0=6, median1=12, accrual=12,
    ...                    followup=12, landmark=6)
    >>> row = d.oc().rows[0]
    >>> row["critical"], round(row["alpha_actual"], 4)
    (19, 0.0494)
    """

    test: str
    n: int
    median0: float | None = None
    median1: float | None = None
    accrual: float | None = None
    followup: float | None = None
    alpha: float = 0.05
    shape: float = 1.0
    landmark: float | None = None
    dropout_rate: float = 0.0
    hr: float | None = None
    s1: float | None = None
    accrual_rate: float | None = None
    direction: str = "longer"
    null_hazards: tuple | None = None
    null_breaks: tuple | None = None
    max_followup: float | None = None

    family = "survival"
    method = "analytic"

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        if not isinstance(self.test, str) or self.test not in TESTS:
            raise ValueError(f"test must be one of {', '.join(TESTS)}, got {self.test!r}")
        set_("n", check_int("n", self.n, min_value=2))
        if self.followup is None:
            raise ValueError("followup is required (months of follow-up after the last entry)")
        hazards = _floats("null_hazards", self.null_hazards)
        breaks = _floats("null_breaks", self.null_breaks)
        if hazards is None:
            if breaks is not None:
                raise ValueError("null_breaks needs null_hazards")
        else:
            if self.median0 is not None:
                raise ValueError("median0: give either median0 or null_hazards, not both")
            if self.shape != 1.0:
                raise ValueError(f"shape: a Weibull shape does not apply to a piecewise-"
                                 f"exponential null (null_hazards), got {self.shape!r}")
            breaks = breaks or ()
        set_("null_hazards", hazards)
        set_("null_breaks", breaks)
        for name in ("median0", "median1", "accrual", "accrual_rate", "landmark", "hr",
                     "max_followup"):
            value = getattr(self, name)
            if value is not None:
                set_(name, check_positive(name, value))
        if self.s1 is not None:
            set_("s1", check_prob("s1", self.s1))
        set_("shape", check_positive("shape", self.shape))
        set_("followup", check_positive("followup", self.followup))
        set_("alpha", check_prob("alpha", self.alpha))
        set_("dropout_rate", 0.0 if self.dropout_rate is None
             else check_real("dropout_rate", self.dropout_rate, low=0.0))
        planning.check_n(self.setting, self.test, self.n)   # builds (and caches) the Setting

    # --- the model ----------------------------------------------------------------------
    @cached_property
    def setting(self):
        """The validated :class:`designcalc.survival.planning.Setting`: ``null`` and
        ``alt`` curves, ``hr``, the calendar (``study(n)``)."""
        null = None
        if self.null_hazards is not None:
            from designcalc.survival.models import PiecewiseExponential

            try:
                null = PiecewiseExponential(self.null_breaks, self.null_hazards)
            except ValueError as exc:
                raise ValueError(f"null_{exc}") from None
        return planning.Setting(
            median0=self.median0, median1=self.median1, hr=self.hr, s1=self.s1,
            shape=self.shape, landmark=self.landmark, accrual=self.accrual,
            accrual_rate=self.accrual_rate, followup=self.followup,
            dropout_rate=self.dropout_rate, alpha=self.alpha, direction=self.direction,
            null=null, max_followup=self.max_followup)

    @property
    def null(self):
        """The null survival curve (Weibull or piecewise exponential)."""
        return self.setting.null

    @property
    def alt(self):
        """The alternative survival curve (proportional hazards with ``hr``)."""
        return self.setting.alt

    @property
    def study(self):
        """The calendar of the trial (:class:`~designcalc.survival.models.Study`) at ``n``."""
        return self.setting.study(self.n)

    def model_kwargs(self) -> dict:
        """Keyword arguments of :func:`designcalc.survival.power` for this design's model."""
        return dict(median0=self.median0, median1=self.median1, hr=self.hr, s1=self.s1,
                    shape=self.shape, landmark=self.landmark, accrual=self.accrual,
                    accrual_rate=self.accrual_rate, followup=self.followup,
                    dropout_rate=self.dropout_rate, alpha=self.alpha,
                    direction=self.direction, null=self.null if self.null_hazards else None,
                    max_followup=self.max_followup)

    # --- words ----------------------------------------------------------------------
    def curve_label(self) -> str:
        """The shape of the curves in words."""
        if self.null_hazards is not None:
            return "piecewise-exponential null"
        return "exponential" if self.shape == 1.0 else f"Weibull shape {self.shape:g}"

    def __str__(self) -> str:
        if self.null_hazards is not None:
            null = f"piecewise null (median {self.setting.null_median:.4g})"
        else:
            null = f"median0 {self.median0:g}"
        alt = f"median1 {float(self.alt.median):.4g}"
        if self.shape != 1.0:
            null += f", shape {self.shape:g}"
        accrual = (f"accrual {self.accrual:g}" if self.accrual is not None
                   else f"accrual rate {self.accrual_rate:g}/month")
        lm = f", landmark {self.landmark:g}" if self.landmark is not None else ""
        cap = (f", each patient followed at most {self.max_followup:g} months"
               if self.max_followup is not None else "")
        return (f"{self.test}, n = {self.n}; {null} vs {alt} months (HR {self.setting.hr:.3f})"
                f"{lm}; {accrual}, follow-up {self.followup:g} months{cap}; "
                f"alpha {self.alpha:g}")

    def sentence(self, row: dict | None = None, what: str = "has") -> str:
        """The design and its operating characteristics in one sentence.

        ``row`` is a row of this design's result (default: the analytic row);
        simulated figures are added when the row has them.
        """
        if row is None:
            row = self._exact(None)["rows"][0]
        test = TEST_NAMES[row["test"]]
        if row["test"] in ("landmark", "binary"):
            target = (f"S({row['landmark']:g} months) = {row['s1']:.3f} vs {row['s0']:.3f} "
                      f"(median {row['median1']:.4g} vs {row['median0']:.4g} months")
        else:
            target = (f"median {row['median1']:.4g} vs {row['median0']:.4g} months "
                      f"(HR {row['hr']:.3f}")
        kind = "exact" if self.setting.is_exact(row["test"], row["n"]) else "analytic"
        cap = (f", each patient followed at most {row['max_followup']:.4g} months"
               if row.get("max_followup") is not None else "")
        text = (f"{test}: n = {row['n']} patients (accrual {row['accrual']:.4g} months, "
                f"follow-up {row['followup']:.4g} months after the last entry{cap}) {what} "
                f"{100 * row['power']:.1f}% power ({kind}) at one-sided alpha "
                f"{self.alpha:g} to detect {target}, {self.curve_label()}); expected events "
                f"{row['expected_events']:.1f}")
        if row.get("power_sim") is not None:
            text += (f"; simulated power {row['power_sim']:.3f} (SE {row['power_sim_se']:.3f}), "
                     f"simulated type I error {row['alpha_actual_sim']:.3f}")
        if row["test"] == "binary":
            text += (f"; reject H0 if more than {row['critical']} are event-free at t0 "
                     f"(exact type I error {row['alpha_actual']:.4f})"
                     if self.direction == "longer" else
                     f"; reject H0 if fewer than {row['critical']} are event-free at t0 "
                     f"(exact type I error {row['alpha_actual']:.4f})")
        return text + "."

    def protocol_text(self) -> str:
        """The design in words (with its analytic power)."""
        return self.sentence()

    # --- the platform hooks -----------------------------------------------------------
    @staticmethod
    def _no_scenarios(scenarios, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the survival family")
        if scenarios is not None and (not hasattr(scenarios, "__len__") or len(scenarios)):
            raise ValueError("scenarios: a survival design holds its own null and alternative "
                             "curves; give no scenarios")

    @scoped
    def _exact(self, scenarios=None, **options) -> dict:
        self._no_scenarios(scenarios, options)
        records, _ = planning._power_records(self.n, test=self.test, **self.model_kwargs())
        return {"rows": [_clean(rec) for rec in records], "keys": ("test",)}

    def _simulate(self, scenarios, n_sims, sim, **options) -> dict:
        rows, seed = self._simulate_rows([self.test], n_sims, sim.seed, sim.workers,
                                         sim.chunk_size, sim.backend, sim.scheduler,
                                         sim.progress, scenarios=scenarios, options=options)
        return {"rows": rows, "keys": ("test",), "seed": seed}

    def _simulate_rows(self, tests, n_sims, seed, workers=1, chunk_size=None,
                       backend="local", scheduler=None, progress=False, *, scenarios=None,
                       options=None):
        """Simulated rows of ``tests`` (this design's model and n) from one run."""
        self._no_scenarios(scenarios, options or {})
        records, used_seed = planning._power_records(
            self.n, test=list(tests), n_sims=n_sims, seed=seed, workers=workers,
            chunk_size=chunk_size, backend=backend, scheduler=scheduler, progress=progress,
            **self.model_kwargs())
        rows = [{k: v for k, v in _clean(rec).items() if k not in _ANALYTIC}
                for rec in records]
        return rows, used_seed

    def _check(self, result: OCResult) -> tuple:
        return check_warnings(result.rows, self.alpha, self.setting.is_exact)


def check_warnings(rows, alpha: float, is_exact=None) -> tuple:
    """Statistical warnings about survival result rows.

    * simulated type I error more than 4 SE above ``alpha``: "exceeds";
    * more than 4 SE below: "conservative at n = ...";
    * no simulation, log-rank or landmark test (unless ``is_exact(test, n)``:
      a landmark test with nobody censored before the landmark), n < 200: the
      analytic power is a large-sample approximation to be checked by simulation.
    """
    out = []
    for row in rows:
        if row.get("alpha_actual_sim") is not None:
            est, se = row["alpha_actual_sim"], row["alpha_actual_sim_se"]
            if est - 4 * se > alpha:
                out.append(f"{row['test']}: simulated type I error {est:.3f} "
                           f"exceeds alpha = {alpha:g} (n = {row['n']})")
            elif est + 4 * se < alpha:
                out.append(f"{row['test']}: conservative at n = {row['n']}: simulated type I "
                           f"error {est:.3f} < alpha = {alpha:g}")
        elif (row["test"] in ("logrank", "landmark") and row["n"] < _LARGE_N
              and not (is_exact is not None and is_exact(row["test"], row["n"]))):
            out.append(f"{row['test']}: the analytic power is a large-sample approximation; "
                       f"check n = {row['n']} by simulation (--n-sims)")
    return tuple(out)


# --- several tests ------------------------------------------------------------------------

def _setting(model: dict):
    """A planning Setting (and the null curve) from SurvivalDesign model fields."""
    probe = SurvivalDesign(test="logrank", n=2, **model)
    return probe.setting


def _tests(test, setting) -> list:
    return planning._tests(test, setting)


@_numeric_guard
def designs_for(test, n, **model) -> list:
    """One :class:`SurvivalDesign` per test at ``n``.

    ``test`` is a test name, a list of names or "all" (every test the model
    allows, as ``designcalc survival --test all``); ``model`` holds the other
    fields of :class:`SurvivalDesign`.
    """
    setting = _setting(model)
    return [SurvivalDesign(test=t, n=n, **model) for t in _tests(test, setting)]


def _group_key(d: SurvivalDesign):
    return tuple((f.name, getattr(d, f.name)) for f in dataclasses.fields(d)
                 if f.name != "test")


@scoped
def evaluate_designs(designs, *, n_sims: int = 0, seed=None, workers: int = 1,
                     chunk_size=None, backend: str = "local", scheduler=None,
                     progress: bool = False) -> list:
    """``evaluate()`` of several survival designs, with one root seed for all.

    Designs that differ only in their test are simulated in one run (the
    trials drawn do not depend on the tests), so every result is identical to
    ``d.evaluate(n_sims=n_sims, seed=seed)`` for the same seed, at a
    fraction of the cost.

    Returns
    -------
    list of OCResult
        In the order of ``designs``, each with its own warnings.
    """
    from designcalc.core.simulate import resolve_seed

    designs = list(designs)
    for d in designs:
        if not isinstance(d, SurvivalDesign):
            raise TypeError(f"designs must be SurvivalDesign objects, got {d!r}")
    if not n_sims:
        return [d.evaluate() for d in designs]
    n_sims = check_int("n_sims", n_sims, min_value=2)
    seed = resolve_seed(seed)
    sim_rows = {}
    groups: dict = {}
    for d in designs:
        groups.setdefault(_group_key(d), []).append(d)
    for members in groups.values():
        tests = list(dict.fromkeys(d.test for d in members))
        rows, _ = members[0]._simulate_rows(tests, n_sims, seed, workers, chunk_size,
                                            backend, scheduler, progress)
        for row in rows:
            sim_rows[(_group_key(members[0]), row["test"])] = row
    out = []
    for d in designs:
        sim = OCResult(design=d, method="simulation", rows=[sim_rows[(_group_key(d), d.test)]],
                       keys=("test",), n_sims=n_sims, seed=seed)
        res = d._raw_oc(None, {}).with_simulation(sim)
        out.append(d._finish(res))
    return out


@_numeric_guard
@scoped
def size_designs(*, test="logrank", power=0.8, nmax=10000, n_by="formula", n_sims=None,
                 seed=None, workers=1, calibrate=False, **model) -> list:
    """The design of each test at the smallest n reaching ``power``.

    Same inputs as :func:`designcalc.survival.design` (``model`` holds the
    :class:`SurvivalDesign` fields other than ``test`` and ``n``).  With
    ``n_by="simulation"`` pass a seed (or read it back from the
    ``"seed"`` entries): the same seed is used at every n.

    With ``calibrate=True`` (needs ``n_sims``) every test whose size is not
    exact gets the critical value and n of
    :func:`calibrate` (``n_method``
    "calibrated", with ``z_critical`` and ``alpha_target``; the design's
    ``alpha`` is the calibrated nominal level), the same seed for all.

    Returns
    -------
    list of dict
        ``{"design": SurvivalDesign, "n_method": ..., "n_events_formula": ...,
        "seed": ...}``, one per test (``n_events_formula`` for log-rank only).
    """
    from designcalc.core.simulate import resolve_seed
    setting = _setting(model)
    tests = _tests(test, setting)
    if calibrate:
        return _calibrated(tests, setting, power, nmax, n_sims, resolve_seed(seed), workers,
                           model)
    power, nmax, n_sims = planning._check_power_target(power, setting, nmax, n_sims, n_by)
    if n_by == "simulation":
        seed = resolve_seed(seed)
    found = planning.sample_sizes(setting, tests, power, nmax=nmax, n_by=n_by, n_sims=n_sims,
                                  seed=seed, workers=workers)
    out = []
    for f in found:
        entry = {"design": SurvivalDesign(test=f["test"], n=f["n"], **model),
                 "n_method": f["n_method"]}
        if "n_events_formula" in f:
            entry["n_events_formula"] = f["n_events_formula"]
        entry["seed"] = seed if n_by == "simulation" else None
        out.append(entry)
    return out


@_numeric_guard
@scoped
def calibrate(*, test: str = "logrank", power: float = 0.8, n_sims: int = 20_000, seed=None,
              nmax: int = 10000, workers: int = 1, **model) -> dict:
    """The design of ``test`` whose critical value and n are chosen on simulated trials:
    the smallest n whose simulated power reaches ``power`` with simulated type I
    error at most ``alpha`` (:mod:`designcalc.survival.calibrate`).

    ``model`` holds the :class:`SurvivalDesign` fields other than ``test`` and
    ``n`` (``alpha`` is the target type I error).

    Returns
    -------
    dict
        ``design`` (a SurvivalDesign whose ``alpha`` is the calibrated nominal
        level ``1 - Phi(z_critical)``), ``n``, ``z_critical``,
        ``alpha_nominal``, ``alpha_target``, ``power_sim``, ``alpha_sim``,
        ``n_formula`` and ``seed``.

    Examples
    --------
    >>> cal = calibrate(test="logrank", power=0.8, n_sims=2000, seed=1, median0=6,
    ...                 median1=12, accrual=12, followup=12)
    >>> cal["alpha_sim"] <= 0.05 <= cal["design"].alpha, cal["power_sim"] >= 0.8
    (True, True)
    """
    from designcalc.core.simulate import resolve_seed
    from designcalc.survival.calibrate import calibrate_setting

    setting = _setting(model)
    power, nmax, n_sims = planning._check_power_target(power, setting, nmax, n_sims,
                                                       "simulation")
    seed = resolve_seed(seed)
    cal = calibrate_setting(setting, test, power, n_sims, seed, nmax, workers)
    design = SurvivalDesign(test=test, n=cal["n"], **{**model, "alpha": cal["alpha_nominal"]})
    return {"design": design, **cal, "seed": seed}


def _calibrated(tests, setting, power, nmax, n_sims, seed, workers, model) -> list:
    """``size_designs(..., calibrate=True)``: calibrated designs, exact ones as they are."""
    if n_sims is None:
        raise ValueError("n_sims is required with calibrate=True (the critical value and n "
                         "are chosen on simulated trials)")
    out = []
    for t in tests:
        if setting.is_exact(t, 2):
            power, nmax, _ = planning._check_power_target(power, setting, nmax, None,
                                                          "formula")
            found = planning.sample_sizes(setting, [t], power, nmax=nmax)[0]
            out.append({"design": SurvivalDesign(test=t, n=found["n"], **model),
                        "n_method": found["n_method"], "seed": seed})
            continue
        cal = calibrate(test=t, power=power, n_sims=n_sims, seed=seed, nmax=nmax,
                        workers=workers, **model)
        out.append({"design": cal["design"], "n_method": "calibrated", "seed": seed,
                    "z_critical": cal["z_critical"], "alpha_target": cal["alpha_target"]})
    return out
