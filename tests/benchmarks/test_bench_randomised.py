"""Benchmarks: the randomised family's two-arm searches at ph2rand's defaults
(alpha 0.1, beta 0.2, delta 0.2, Pi0 0.1, nCmax 50, equal stages; issue #24: each
<= 5 s on one core).

Run: python -m pytest tests/benchmarks/test_bench_randomised.py -m bench
ph2rand 0.1.0 (R 4.2.2, this machine, loaded): barnard 315-891 s, fisher ~ minutes.
"""

import pytest


from designcalc.binary.randomised import comparative, twoarm

pytestmark = pytest.mark.bench


def test_search_binomial_defaults(benchmark):
    d = benchmark(comparative.search)
    assert d["nC"] == (17, 17)


@pytest.mark.parametrize("test,n", [("sat", (10, 10)), ("barnard", (17, 17)),
                                    ("fisher", (22, 22))])
def test_search_twoarm_defaults(benchmark, test, n):
    d = benchmark.pedantic(twoarm.search, args=(test,), rounds=1, iterations=1)
    assert d["nC"] == n
