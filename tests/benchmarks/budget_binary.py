"""Estimated against measured time of the binary enumerating paths (issue #21).

Not a test (not collected): run it by hand on an idle machine,

    PYTHONPATH=. python tests/benchmarks/budget_binary.py [--per-path 20] [--seed 21]

For ~20 random feasible inputs per path it reads the seconds the path's
``check_budget`` calls estimated (the ``spent`` of a ``budget.allow`` block) and
times the call; it prints the ratio estimated / measured per path (min, median,
max), against wall-clock and against CPU time (on a loaded machine the wall
clock runs slower than the estimates, which are for an unloaded one).  The per-unit costs in the code were fitted on the 2-core reference
machine; on another machine the ratios move together.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from designcalc.core import budget


def _measure(fn):
    """``(estimated seconds, wall seconds, CPU seconds)`` of one call."""
    with budget.allow(max_seconds=1e12, max_bytes=1e15) as lim:
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return lim.spent, wall, cpu


def _looks(rng, k, n_max):
    n_max = max(n_max, k)
    return tuple(int(v) for v in np.sort(rng.choice(np.arange(1, n_max + 1), k,
                                                    replace=False)))


def paths(rng):
    """name -> function of the case number returning a zero-argument call."""
    from designcalc.binary.bayes.bop2 import BOP2Design, bop2_calibrate
    from designcalc.binary.bayes.posterior import PosteriorDesign
    from designcalc.binary.bayes.pp import PPDesign, pp_search
    from designcalc.binary.bayes.predictive import predictive_probability
    from designcalc.binary.monitor.boundaries import futility_boundary, toxicity_boundary
    from designcalc.binary.multistage import MultiStageDesign
    from designcalc.binary.multistage.inference import analyze_rule
    from designcalc.binary.multistage.sargent import sargent

    def multistage_oc(i):
        k = int(rng.choice([1, 2, 3, 5, 20, 200, 1000]))
        looks = _looks(rng, k, int(10 ** rng.uniform(3, 4.7)))
        fut = (-1,) * (k - 1) + (looks[-1] // 4,)
        ps = list(rng.uniform(0.05, 0.95, int(rng.choice([1, 2, 7]))))
        return lambda: MultiStageDesign(looks, fut).oc(ps)

    def bop2_design(i):
        n = int(rng.integers(2000, 30000))
        looks = tuple(int(n * f) for f in (0.25, 0.5, 0.75, 1.0)[-int(rng.integers(2, 5)):])
        return lambda: BOP2Design(0.2, looks, 0.9, 1.0).oc([0.2, 0.3])

    def bop2_calibration(i):
        n = int(rng.integers(200, 1500))
        looks = tuple(int(n * f) for f in (0.25, 0.5, 0.75, 1.0))
        return lambda: bop2_calibrate(0.2, 0.35, looks, 0.1,
                                      lambdas=np.round(np.arange(50, 100, 5) / 100, 2),
                                      gammas=[0.5, 1.0, 1.5])

    def posterior(i):
        n = int(rng.integers(2000, 25000))
        looks = tuple(int(n * f) for f in (0.3, 0.6, 1.0))
        return lambda: PosteriorDesign("toxicity", 0.2, looks, 0.9).oc([0.2, 0.3])

    def pp_design(i):
        n = int(rng.integers(60, 400))
        looks = tuple(range(n // 4, n, n // 4))[:3] + (n,)
        return lambda: PPDesign(0.3, looks, 0.9, 0.05).oc([0.3, 0.5])

    def pp_searching(i):
        nmax = int(rng.integers(30, 60))
        every = int(rng.choice([2, 5, 10]))
        return lambda: pp_search(0.2, 0.4, 0.1, 0.8, nmax, nmin=nmax - 5, every=every)

    def predprob(i):
        nmax = int(10 ** rng.uniform(4.5, 6))
        return lambda: predictive_probability(3, 10, nmax, 0.2, 0.9)

    def monitor(i):
        # futility at 0.1 vs 0.3 has no boundary beyond ~20 looks (the level underflows)
        k = int(rng.integers(4, 60)) if i % 2 else int(rng.integers(4, 20))
        looks = tuple(range(10, 10 * k + 1, 10))
        if i % 2:
            return lambda: toxicity_boundary(0.2, 0.35, looks)
        return lambda: futility_boundary(0.1, 0.3, looks)

    def analyze(i):
        n = int(rng.integers(300, 1500))
        d = MultiStageDesign((n // 2, n), (n // 10, n // 4))
        return lambda: analyze_rule(d, 2, n // 4 + 5, p0=0.2)

    def sargent2(i):
        lo = int(rng.integers(20, 60))
        return lambda: sargent(0.1, 0.3, 0.05, 0.1, 0.8, 0.8, nmin=lo,
                               nmax=lo + int(rng.integers(5, 30)))

    return {"multistage oc": multistage_oc, "bop2 design": bop2_design,
            "bop2 calibration": bop2_calibration, "posterior": posterior,
            "pp design": pp_design, "pp search": pp_searching, "predprob": predprob,
            "monitor": monitor, "multistage analyze": analyze, "sargent 2-stage": sargent2}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-path", type=int, default=20)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--only", default=None, help="one path name")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    table = paths(rng)
    _measure(table["posterior"](0))            # imports scipy once, outside the timings
    for name, make in table.items():
        if args.only and name != args.only:
            continue
        wall, cpu = [], []
        for i in range(args.per_path):
            est, took, used = _measure(make(i))
            wall.append(est / took)
            cpu.append(est / used)
        print(f"{name:20s} n={len(wall):3d}  estimated/wall: min {min(wall):.2f} median "
              f"{statistics.median(wall):.2f} max {max(wall):.2f};  estimated/CPU: min "
              f"{min(cpu):.2f} median {statistics.median(cpu):.2f} max {max(cpu):.2f}",
              flush=True)


if __name__ == "__main__":
    main()
