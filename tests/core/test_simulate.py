"""The shared Monte-Carlo engine: reproducibility, MC error, validation, progress."""

import io
from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from designcalc.core import simulate
from designcalc.binary.simon import SimonDesign
from designcalc.binary.single_stage.design import single_stage_kernel


def _simon_kernel(rng, size, *, r1, n1, r, n, p):
    """An independent test kernel: numpy's binomial sampler, not the engine's."""
    x1 = rng.binomial(n1, p, size)
    x2 = rng.binomial(n - n1, p, size)
    go = x1 > r1
    return {"pet": ~go, "reject": go & (x1 + x2 > r), "en": np.where(go, n, n1)}


def _vector_kernel(rng, size):
    """Statistics with a second axis (e.g. one column per dose level) and floats."""
    u = rng.random((size, 3))
    return {"u": u, "max": u.max(axis=1)}


def test_workers_1_vs_2_bit_identical():
    kernel = single_stage_kernel(20, 9, 0.3)
    one = simulate.run(kernel, 50_000, seed=11, chunk_size=7_000, workers=1)
    two = simulate.run(kernel, 50_000, seed=11, chunk_size=7_000, workers=2)
    assert one.estimate["reject"] == two.estimate["reject"]
    assert one.se["reject"] == two.se["reject"]
    assert (one.n_sims, one.seed, one.chunk_size) == (two.n_sims, two.seed, two.chunk_size)


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = simulate.run(_vector_kernel, 10_000, seed=3, chunk_size=1_000)
    b = simulate.run(_vector_kernel, 10_000, seed=3, chunk_size=1_000)
    c = simulate.run(_vector_kernel, 10_000, seed=4, chunk_size=1_000)
    np.testing.assert_array_equal(a.estimate["u"], b.estimate["u"])
    assert not np.array_equal(a.estimate["u"], c.estimate["u"])
    assert a.estimate["u"].shape == (3,)


def test_fresh_seed_is_reported_and_reproduces():
    first = simulate.run(_vector_kernel, 2_000, chunk_size=500)
    again = simulate.run(_vector_kernel, 2_000, seed=first.seed, chunk_size=500)
    np.testing.assert_array_equal(first.estimate["max"], again.estimate["max"])
    assert first.designcalc_version == again.to_dict()["designcalc_version"]


def test_uniform_moments_within_4_se():
    # E[U] = 1/2 and E[max of 3 uniforms] = 3/4 exactly
    res = simulate.run(_vector_kernel, 40_000, seed=5, chunk_size=6_000)
    assert simulate.mc_agrees(res.estimate["u"], res.se["u"], [0.5] * 3)
    assert simulate.mc_agrees(res.estimate["max"], res.se["max"], 0.75)
    # SE is sd / sqrt(n): sd of U is 1/sqrt(12)
    np.testing.assert_allclose(res.sd["u"], 1 / np.sqrt(12), rtol=0.02)


@pytest.mark.parametrize("p", [0.2, 0.4])
def test_simon_simulation_agrees_with_exact(p):
    """Simon (1989) Table 1, p0 = 0.20, p1 = 0.40, alpha 0.05, beta 0.20:
    optimal design 3/13, 12/43 (EN0 = 20.6, PET0 = 0.75)."""
    design = SimonDesign(r1=3, n1=13, r=12, n=43)
    kernel = partial(_simon_kernel, r1=3, n1=13, r=12, n=43, p=p)
    res = simulate.run(kernel, 40_000, seed=17)
    for key, exact in (("pet", design.pet(p)), ("reject", design.reject(p)),
                       ("en", design.en(p))):
        assert simulate.mc_agrees(res.estimate[key], res.se[key], exact), key
    if p == 0.2:
        assert round(float(design.en(0.2)), 1) == 20.6
        assert round(float(design.pet(0.2)), 2) == 0.75


def test_simon_simulate_oc_through_engine_agrees_with_exact():
    design = SimonDesign(r1=6, n1=12, r=19, n=28)   # NALIRIFOX
    from designcalc.binary.simon import simulate_oc

    ps = [0.5, 0.65, 0.8]
    sim = simulate_oc(design, ps, 30_000, seed=2)
    exact = design.oc(ps).table()
    for col in ("pet", "en", "reject"):
        assert simulate.mc_agrees(sim[f"{col}_sim"], sim[f"{col}_sim_se"], exact[col]), col


def test_dose_simulation_agrees_with_exact():
    from designcalc.dose import rulebased as dose

    design = dose.preset("msc-deescalation", start_dose=2e6, factor=0.3, levels=3)
    tox = [0.30, 0.15, 0.05]
    ex = dose.exact_oc(design, tox)
    sim = dose.simulate_oc(design, tox, 30_000, seed=8)
    assert simulate.mc_agrees([r["select_sim"] for r in sim.rows],
                              [r["select_sim_se"] for r in sim.rows],
                              [r["select"] for r in ex.rows])
    # first level: select iff 0/3 TI at 2e6 cells/kg: (1 - 0.3)^3
    assert ex.rows[0]["select"] == pytest.approx(0.7 ** 3)


@given(st.integers(1, 60), st.floats(0.0, 1.0))
def test_draw_discrete_is_the_inverse_cdf(n, p):
    from designcalc.core import binom as _binom

    cdf = simulate.discrete_cdf(_binom.pmf(n, p))
    x = simulate.draw_discrete(np.random.default_rng(1), cdf, 2_000)
    u = np.random.default_rng(1).random(2_000)
    np.testing.assert_array_equal(x, np.searchsorted(cdf, u, side="left"))
    assert x.min() >= 0 and x.max() <= n


def test_draw_discrete_large_support_frequencies():
    from designcalc.core import binom as _binom

    n, p, size = 200, 0.3, 200_000
    x = simulate.draw_discrete(np.random.default_rng(4), simulate.discrete_cdf(
        _binom.pmf(n, p)), size)
    mean_se = np.sqrt(n * p * (1 - p) / size)
    assert abs(x.mean() - n * p) <= 4 * mean_se
    assert stats.chisquare(np.bincount(x, minlength=n + 1)[40:81],
                           _binom.pmf(n, p)[40:81] / _binom.pmf(n, p)[40:81].sum()
                           * np.bincount(x, minlength=n + 1)[40:81].sum()).pvalue > 1e-4


@given(st.integers(2, 5_000), st.integers(1, 2_000))
def test_chunks_cover_n_sims(n_sims, chunk):
    sizes = simulate._chunk_sizes(n_sims, chunk)
    assert sum(sizes) == n_sims and max(sizes) <= chunk and min(sizes) >= 1


@pytest.mark.parametrize("kwargs, first_word", [
    ({"n_sims": 1}, "n_sims"),
    ({"n_sims": 10, "chunk_size": 0}, "chunk_size"),
    ({"n_sims": 10, "workers": 0}, "workers"),
    ({"n_sims": 10, "backend": "spark"}, "backend"),
    ({"n_sims": 10, "scheduler": "tcp://x:1"}, "scheduler"),
    ({"n_sims": 10, "seed": -1}, "seed"),
    ({"n_sims": 2.5}, "n_sims"),
])
def test_bad_arguments_name_the_parameter(kwargs, first_word):
    with pytest.raises((ValueError, TypeError)) as err:
        simulate.run(_vector_kernel, **kwargs)
    assert str(err.value).startswith(first_word)


def test_bad_kernels():
    with pytest.raises(TypeError, match="^kernel"):
        simulate.run("not callable", 10)
    with pytest.raises(ValueError, match="first axis"):
        simulate.run(lambda rng, size: {"x": np.zeros(size + 1)}, 10)
    with pytest.raises(TypeError, match="^kernel must return"):
        simulate.run(lambda rng, size: [1, 2], 10)


def test_indicator_and_integer_statistics_reduce_exactly():
    def kernel(rng, size):
        k = np.arange(size)
        return {"even": k % 2 == 0, "k": k, "kf": k.astype(float)}

    res = simulate.run(kernel, 10, seed=1, chunk_size=10)
    assert res.estimate["even"] == 0.5
    assert res.estimate["k"] == res.estimate["kf"] == 4.5
    assert res.se["k"] == pytest.approx(np.std(np.arange(10), ddof=1) / np.sqrt(10))


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_tty_only(monkeypatch):
    clock = iter(np.arange(0.0, 1000.0, 2.0))
    monkeypatch.setattr(simulate.time, "monotonic", lambda: next(clock))
    fake = _FakeTTY()
    monkeypatch.setattr(simulate.sys, "stderr", fake)
    simulate.run(_vector_kernel, 100, seed=1, chunk_size=25, progress=True)
    assert "simulating [" in fake.getvalue() and "4/4 chunks" in fake.getvalue()
    plain = io.StringIO()                      # not a terminal: silent
    monkeypatch.setattr(simulate.sys, "stderr", plain)
    simulate.run(_vector_kernel, 100, seed=1, chunk_size=25, progress=True)
    assert plain.getvalue() == ""
    fake2 = _FakeTTY()                         # progress=False: silent
    monkeypatch.setattr(simulate.sys, "stderr", fake2)
    simulate.run(_vector_kernel, 100, seed=1, chunk_size=25, progress=False)
    assert fake2.getvalue() == ""


def test_dask_local_cluster_equals_local_run():
    pytest.importorskip("distributed")
    kernel = single_stage_kernel(50, 6, 0.2)
    local = simulate.run(kernel, 40_000, seed=21, chunk_size=10_000)
    dask = simulate.run(kernel, 40_000, seed=21, chunk_size=10_000, backend="dask",
                        workers=1)
    assert dask.estimate["reject"] == local.estimate["reject"]
    assert dask.se["reject"] == local.se["reject"]


def test_dask_scheduler_address_equals_local_run():
    distributed = pytest.importorskip("distributed")
    kernel = single_stage_kernel(20, 9, 0.3)
    local = simulate.run(kernel, 30_000, seed=4, chunk_size=10_000)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = simulate.run(kernel, 30_000, seed=4, chunk_size=10_000, backend="dask",
                              scheduler=cluster.scheduler_address)
    assert remote.estimate["reject"] == local.estimate["reject"]
    assert remote.seed == local.seed == 4


def test_mc_agrees_binomial_floor_for_rare_events():
    # 0 successes in 2 000 trials of an event with probability 1e-4: sample SE 0,
    # but 0 is well within 4 binomial SEs (sqrt(1e-4 / 2000) = 2.2e-4)
    assert not simulate.mc_agrees(0.0, 0.0, 1e-4)
    assert simulate.mc_agrees(0.0, 0.0, 1e-4, n_sims=2_000)
    assert not simulate.mc_agrees(0.0, 0.0, 0.01, n_sims=2_000)   # 9 SE away
    assert simulate.mc_agrees([0.5, 0.2], [0.01, 0.01], [0.52, 0.21])
    assert not simulate.mc_agrees([0.5, 0.2], [0.01, 0.01], [0.55, 0.21])

