"""One Monte-Carlo engine shared by every design family.

A *kernel* simulates a batch of independent trials, vectorised with numpy::

    def kernel(rng: numpy.random.Generator, size: int) -> dict[str, numpy.ndarray]

and returns, for each statistic, an array whose first axis has length ``size``
(one value per simulated trial; further axes, e.g. one column per dose level,
are allowed).  The engine never loops over trials in Python: it splits
``n_sims`` into fixed-size chunks, runs the kernel once per chunk, and keeps
only the per-chunk sums and sums of squares, so memory stays flat in
``n_sims``.

Reproducibility: chunk ``i`` draws from ``numpy.random.default_rng(children[i])``
where ``children = SeedSequence(seed).spawn(n_chunks)``.  The chunking depends
only on ``n_sims`` and ``chunk_size`` -- never on the number of workers -- and
chunk sums are combined in chunk order, so the same seed gives bit-identical
results with 1 worker, N local processes or a Dask cluster.

Backends: ``workers=1`` runs in-process; ``workers=N`` uses N local processes
(``forkserver``; call from under ``if __name__ == "__main__":`` in scripts);
``backend="dask"`` sends the same chunk tasks to the Dask scheduler at
``scheduler`` or, without one, to a ``LocalCluster`` of ``workers`` processes
(``pip install 'designcalc[dask]'``).

Each :class:`SimResult` carries the estimates, their Monte-Carlo SEs (sample
SD / sqrt(n_sims)), ``n_sims``, the root ``seed`` (drawn from fresh entropy
and reported when not given) and the designcalc version.  ``progress=True``
shows a one-line bar on stderr for runs longer than about a second, only when
stderr is a terminal.

Helpers for kernels: :func:`discrete_cdf` / :func:`draw_discrete` draw
binomial (or any finite-support) counts by inversion, the fastest exact path
measured here; :func:`mc_agrees` is the project's 4-SE agreement bar.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from designcalc import __version__
from designcalc.core.validate import check_int

Kernel = Callable[[np.random.Generator, int], Mapping[str, np.ndarray]]

DEFAULT_CHUNK = 100_000
BACKENDS = ("local", "dask")


@dataclass(frozen=True)
class SimResult:
    """Monte-Carlo estimates (means over simulated trials) and their SEs.

    ``estimate[k]`` is the mean of statistic ``k`` over ``n_sims`` trials and
    ``se[k]`` its Monte-Carlo standard error ``sd / sqrt(n_sims)``.
    """

    estimate: dict
    se: dict
    n_sims: int
    seed: int
    chunk_size: int
    designcalc_version: str = __version__
    sd: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.estimate[key]

    def to_dict(self) -> dict:
        """Plain-Python record: estimates, SEs, ``n_sims``, ``seed``, version."""
        def plain(d):
            return {k: np.asarray(v).tolist() for k, v in d.items()}

        return {"estimate": plain(self.estimate), "se": plain(self.se),
                "n_sims": self.n_sims, "seed": self.seed, "chunk_size": self.chunk_size,
                "designcalc_version": self.designcalc_version}


def _chunk_sizes(n_sims: int, chunk_size: int) -> list[int]:
    full, rest = divmod(n_sims, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


def _run_chunk(kernel: Kernel, seed_seq: np.random.SeedSequence, size: int) -> dict:
    """Simulate one chunk and reduce it to sums and sums of squares."""
    rng = np.random.default_rng(seed_seq)
    stats = kernel(rng, size)
    if not isinstance(stats, Mapping) or not stats:
        raise TypeError("kernel must return a non-empty dict of per-trial arrays, "
                        f"got {type(stats).__name__}")
    out = {}
    for key, values in stats.items():
        arr = np.asarray(values)
        if arr.shape[:1] != (size,):
            raise ValueError(f"kernel statistic {key!r} has shape {arr.shape}; "
                             f"its first axis must be the {size} simulated trials")
        if arr.dtype == bool:
            # Indicators (the common case): x**2 == x, and counting is ~10x
            # faster than converting to float and summing twice.
            total = np.asarray(np.count_nonzero(arr, axis=0), dtype=float)
            out[key] = (total, total.copy())
        elif np.issubdtype(arr.dtype, np.integer):
            wide = arr.astype(np.int64, copy=False)
            out[key] = (wide.sum(axis=0).astype(float),
                        np.square(wide).sum(axis=0).astype(float))
        else:
            arr = arr.astype(float, copy=False)
            out[key] = (arr.sum(axis=0), np.square(arr).sum(axis=0))
    return out


class _Progress:
    """A one-line progress bar on stderr, shown only for interactive runs that are
    expected to take more than about 2 s (or have already taken 1 s)."""

    def __init__(self, total: int, enabled: bool, expected: float = 0.0):
        self.total = total
        self.enabled = bool(enabled) and _isatty(sys.stderr)
        self.start = time.monotonic()
        self.shown = False
        if self.enabled and expected > 2.0:
            self.update(0)

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        if elapsed < 1.0 and not self.shown and done:
            return
        self.shown = True
        width = 30
        filled = int(width * done / self.total)
        eta = f"~{elapsed / done * (self.total - done):.0f} s left" if done else "starting"
        sys.stderr.write(f"\rsimulating [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done}/{self.total} chunks, {elapsed:.0f} s elapsed, {eta} ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


#: the calibration chunk's own stream (never one of a run's chunk streams)
_CALIBRATION_SEED = 0x5EED_CA1


def _calibrate(kernel, rng, size, measure_memory):
    """(seconds, peak bytes or None) of one calibration chunk of ``size`` trials."""
    import tracemalloc

    measure = measure_memory and not tracemalloc.is_tracing()
    if measure:
        tracemalloc.start()
    t0 = time.perf_counter()
    try:
        kernel(rng, size)
    finally:
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if measure else None
        if measure:
            tracemalloc.stop()
    return elapsed, peak


def _check_cost(kernel, n_sims, chunk_size, workers, bytes_per_trial, name) -> float:
    """Estimate the run's seconds (and one chunk's memory) and check the budget.

    Cost model: a chunk of ``s`` trials takes ``a + b s`` seconds (``a``: the
    kernel's fixed cost per call) and ``m0 + m s`` bytes.  One trial is
    simulated from a separate random stream (``a + b`` and ``m0 + m`` at once);
    when ``n_sims`` such trials could exceed a second, a second chunk (up to
    4096 trials, at most a tenth of the run) separates ``b`` from ``a``.
    Returns the estimated seconds.
    """
    from designcalc.core import budget

    chunk = min(chunk_size, n_sims)
    n_chunks = -(-n_sims // chunk_size)
    if bytes_per_trial is not None:
        budget.check_budget(name, bytes=float(bytes_per_trial) * chunk,
                            detail=f"{chunk} trials per chunk x "
                                   f"{budget.format_bytes(bytes_per_trial)}")
    if budget.current().force:
        return 0.0
    parallel = max(1, min(workers, os.cpu_count() or 1))
    measure = bytes_per_trial is None
    rng = np.random.default_rng(_CALIBRATION_SEED)
    t1, m1 = _calibrate(kernel, rng, 1, measure)
    if n_sims * t1 > 1.0:            # warm-up effects: the faster of two single trials
        t1 = min(t1, _calibrate(kernel, rng, 1, False)[0])
    if n_sims * t1 <= 1.0:             # an upper bound of the whole run: small, go
        return n_sims * t1 / parallel
    detail = f"{n_sims:.3g} trials in {n_chunks:.3g} chunks"
    budget.check_budget(name, seconds=0.5 * n_chunks * t1 / parallel,   # lower bound
                        detail=detail + f" x at least {0.5 * t1 * 1e3:.3g} ms per chunk")
    size = int(min(4096, max(2, min(chunk, n_sims // 10))))
    # a chunk needs at most chunk x m1 bytes (m0 + m s <= s (m0 + m) for s >= 1):
    # within the limit, its memory is not measured (tracemalloc slows the kernel)
    if m1 is not None and chunk * m1 <= budget.current().max_bytes:
        measure = False
    t2, m2 = _calibrate(kernel, rng, size, measure)
    # the slope, but never below half the chunk's average: timing noise (a slow first
    # call) must not make a large run look free
    per_trial = max(max(t2 - t1, 0.0) / (size - 1), 0.5 * t2 / size)
    fixed = max(t1 - per_trial, 0.0)
    if m1 is not None and m2 is not None:
        per_bytes = max(m2 - m1, 0) / (size - 1)
        budget.check_budget(name, bytes=m1 + per_bytes * chunk,
                            detail=f"{chunk} trials per chunk")
    seconds = (n_chunks * fixed + n_sims * per_trial) / parallel
    budget.check_budget(name, seconds=seconds,
                        detail=f"{detail}: {per_trial * 1e6:.3g} us per trial + "
                               f"{fixed * 1e3:.3g} ms per chunk"
                               + (f", {parallel} workers" if parallel > 1 else ""))
    return seconds


def resolve_seed(seed) -> int:
    """The root seed: the user's, or fresh entropy reported back for reproducibility."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    seed = check_int("seed", seed, min_value=0)
    return seed


def run(kernel: Kernel, n_sims: int, *, seed=None, chunk_size: int = DEFAULT_CHUNK,
        workers: int = 1, backend: str = "local", scheduler: str | None = None,
        progress: bool | None = None, bytes_per_trial: float | None = None,
        name: str = "simulation") -> SimResult:
    """Simulate ``n_sims`` trials with ``kernel`` and return means and Monte-Carlo SEs.

    Parameters
    ----------
    kernel : callable
        ``kernel(rng, size) -> {name: array}``; must be picklable (a module-level
        function or a ``functools.partial`` of one) when ``workers > 1`` or with Dask.
    n_sims : int
        Number of simulated trials (>= 2).
    seed : int, optional
        Root seed.  ``None`` draws fresh entropy; the seed used is in the result.
    chunk_size : int
        Trials per chunk (memory per worker is proportional to it).
    workers : int
        1 runs in-process; N > 1 uses N local processes.
    backend : {"local", "dask"}
        "dask" runs the same chunk tasks on a Dask cluster: ``scheduler`` is its
        address, or a ``LocalCluster`` is started when it is None.
    progress : bool, optional
        Show a progress bar on stderr for runs longer than about a second
        (never when stderr is not a terminal).  None: as the budget block in
        force says (:func:`designcalc.core.budget.allow`; the CLI turns it on
        unless ``--quiet``), else off.
    bytes_per_trial : float, optional
        The kernel's declared memory per simulated trial (e.g. patients x
        8 bytes x arrays); checked against the memory budget for one chunk
        before anything runs.  Without it the calibration chunk measures it.
    name : str
        What is simulated, for the budget's refusal message.

    Before the run, a small calibration chunk (its own random stream: the
    results do not change) estimates the time per trial; ``n_sims`` x that
    time (shared among the workers) and one chunk's memory are checked with
    :func:`designcalc.core.budget.check_budget`, so an oversized run is refused
    with the estimate (``BudgetError``, a ``ValueError``) instead of started.

    Returns
    -------
    SimResult
    """
    if not callable(kernel):
        raise TypeError(f"kernel must be callable as kernel(rng, size), got {kernel!r}")
    n_sims = check_int("n_sims", n_sims, min_value=2)
    chunk_size = check_int("chunk_size", chunk_size, min_value=1)
    workers = check_int("workers", workers, min_value=1)
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if scheduler is not None and backend != "dask":
        raise ValueError(f"scheduler is only used with backend='dask', got backend={backend!r}")
    root = resolve_seed(seed)
    estimate = _check_cost(kernel, n_sims, chunk_size, workers, bytes_per_trial, name)
    from designcalc.core.budget import progress_enabled

    progress = bool(progress) or progress_enabled(False)
    n_chunks = -(-n_sims // chunk_size)
    bar = _Progress(n_chunks, progress, expected=estimate)
    try:
        if backend == "dask":
            sizes = _chunk_sizes(n_sims, chunk_size)
            children = np.random.SeedSequence(root).spawn(len(sizes))
            partials = _run_dask(kernel, children, sizes, scheduler, workers, bar)
        elif workers == 1 or n_chunks == 1:
            # Chunk i's stream is SeedSequence(root).spawn(n_chunks)[i], built lazily, and
            # the running sums are added in chunk order (as sum() over a list would):
            # memory stays flat in n_sims.
            running = None
            for i in range(n_chunks):
                size = min(chunk_size, n_sims - i * chunk_size)
                part = _run_chunk(kernel, np.random.SeedSequence(root, spawn_key=(i,)), size)
                if running is None:
                    running = {k: (0 + a, 0 + b) for k, (a, b) in part.items()}
                else:
                    running = {k: (running[k][0] + part[k][0], running[k][1] + part[k][1])
                               for k in running}
                bar.update(i + 1)
            partials = [running]
        else:
            sizes = _chunk_sizes(n_sims, chunk_size)
            children = np.random.SeedSequence(root).spawn(len(sizes))
            partials = _run_processes(kernel, children, sizes, workers, bar)
    finally:
        bar.close()
    return _combine(partials, n_sims, root, chunk_size)


def _run_processes(kernel, children, sizes, workers, bar):
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from concurrent.futures.process import BrokenProcessPool

    # forkserver (spawn elsewhere) rather than fork: safe when threads are running
    ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(_run_chunk, kernel, c, s) for c, s in zip(children, sizes)]
            partials = []
            for i, fut in enumerate(futures):  # in chunk order: deterministic sums
                partials.append(fut.result())
                bar.update(i + 1)
    except BrokenProcessPool:
        raise RuntimeError(
            "worker processes failed to start; from a script, call the simulation "
            "under `if __name__ == \"__main__\":` (or use workers=1)") from None
    return partials


def _run_dask(kernel, children, sizes, scheduler, workers, bar):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ValueError("backend 'dask' needs the optional extra: "
                         "pip install 'designcalc[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(_run_chunk, [kernel] * len(sizes), children, sizes, pure=False)
        partials = []
        for i, fut in enumerate(futures):
            partials.append(fut.result())
            bar.update(i + 1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return partials


def _combine(partials: list[dict], n_sims: int, root: int, chunk_size: int) -> SimResult:
    keys = list(partials[0])
    estimate, se, sd = {}, {}, {}
    for key in keys:
        total = sum(p[key][0] for p in partials)
        total_sq = sum(p[key][1] for p in partials)
        mean = total / n_sims
        var = np.maximum(total_sq / n_sims - np.square(mean), 0.0) * n_sims / (n_sims - 1)
        estimate[key] = mean
        sd[key] = np.sqrt(var)
        se[key] = np.sqrt(var / n_sims)
    return SimResult(estimate=estimate, se=se, n_sims=n_sims, seed=root,
                     chunk_size=chunk_size, sd=sd)


def discrete_cdf(pmf) -> np.ndarray:
    """Cumulative probabilities ``F(0..K-2)`` of a finite distribution on ``0..K-1``.

    The table for :func:`draw_discrete` (the last value, 1, is not needed).
    """
    pmf = np.asarray(pmf, dtype=float)
    if pmf.ndim != 1 or pmf.size == 0 or not np.isfinite(pmf).all() or np.any(pmf < 0):
        raise ValueError("pmf must be a non-empty 1-d array of non-negative numbers")
    total = pmf.sum()
    if total <= 0:
        raise ValueError("pmf must have a positive sum")
    return np.cumsum(pmf / total)[:-1]


def draw_discrete(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """``size`` draws from the distribution with cumulative table ``cdf`` (inversion).

    ``X = #{k : U > F(k)}`` for ``U ~ Uniform(0, 1)``, which is the exact
    inverse-CDF draw.  For small supports (binomial counts of a phase 2 trial)
    counting the thresholds one vectorised comparison at a time is the
    fastest path measured on this machine: ~3.5 ns per draw for Bin(12, p)
    against ~37 ns for ``Generator.binomial`` and ~19 ns for
    ``numpy.searchsorted``; larger supports use ``searchsorted``.
    """
    u = rng.random(size)
    if cdf.size > 64:
        return np.searchsorted(cdf, u, side="left").astype(np.int64)
    dtype = np.int16 if cdf.size < 32767 else np.int64
    x = np.zeros(size, dtype=dtype)
    for threshold in cdf:
        x += u > threshold
    return x


def mc_agrees(estimate, se, exact, k: float = 4.0, floor: float = 1e-12,
              n_sims: int | None = None) -> bool:
    """True when every ``|estimate - exact| <= k * se`` (the project's 4-SE bar).

    ``floor`` keeps the check meaningful when the SE is 0.  For probabilities,
    pass ``n_sims``: the SE used is then at least the binomial SE under the
    exact value, ``sqrt(q (1 - q) / n_sims)``, because a rare event simulated
    zero times has a sample SE of 0 although its exact probability is not 0.
    """
    estimate, se, exact = (np.asarray(x, dtype=float) for x in (estimate, se, exact))
    if n_sims is not None:
        q = np.clip(exact, 0.0, 1.0)
        se = np.maximum(se, np.sqrt(q * (1.0 - q) / n_sims))
    return bool(np.all(np.abs(estimate - exact) <= k * np.maximum(se, floor) + floor))


__all__ = ["SimResult", "run", "mc_agrees", "resolve_seed", "discrete_cdf", "draw_discrete",
           "DEFAULT_CHUNK"]
