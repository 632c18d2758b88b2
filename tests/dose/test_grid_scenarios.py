"""Random toxicity grids for sweeps of drug-combination designs (issue #23, "random
scenarios on the grid"): designcalc.dose.scenarios.random_grid and GridRandomScenarios.

The properties are those the generator promises (no published numbers): the grid
increases in both drugs, the chosen combination is the unique one closest to the
target, every value lies in (low, high), and the same seed gives the same grid.
"""

import itertools

import numpy as np
import pytest

from designcalc.core import registry
from designcalc.dose.scenarios import GridRandomScenarios, random_grid


@pytest.mark.parametrize("rows,cols", [(1, 4), (2, 3), (3, 5)])
def test_grid_increases_and_has_its_mtd(rows, cols):
    for a, b, rep in itertools.product(range(1, rows + 1), range(1, cols + 1), (1, 2, 3)):
        g = np.array(random_grid(rows, cols, 0.3, (a, b), seed=7, replicate=rep))
        assert g.shape == (rows, cols)
        assert np.all(np.diff(g, axis=0) > 0) and np.all(np.diff(g, axis=1) > 0)
        dist = np.abs(g - 0.3)
        assert np.argmin(dist) == (a - 1) * cols + b - 1
        assert np.sum(dist <= dist.min() + 1e-12) == 1
        assert g.min() > 0.01 and g.max() < 0.9
        assert abs(g[a - 1, b - 1] - 0.3) <= 0.5 * 0.3


def test_grid_is_seeded():
    one = random_grid(2, 3, 0.25, (1, 2), seed=11, replicate=4)
    assert one == random_grid(2, 3, 0.25, (1, 2), seed=11, replicate=4)
    assert one != random_grid(2, 3, 0.25, (1, 2), seed=11, replicate=5)
    assert one != random_grid(2, 3, 0.25, (1, 2), seed=12, replicate=4)


def test_grid_errors_name_the_parameter():
    with pytest.raises(ValueError, match="^mtd"):
        random_grid(2, 2, 0.3, (3, 1), seed=1)
    with pytest.raises(ValueError, match="^halfwidth"):
        random_grid(2, 2, 0.3, (1, 1), seed=1, halfwidth=0.5)
    with pytest.raises(ValueError, match="^target"):
        random_grid(2, 2, 0.95, (1, 1), seed=1)


def _table(**kw):
    from designcalc.sweep import _axis_values, _check_kind

    raw = {"rows": 2, "cols": 2, "target": 0.3, "per_mtd": 2, **kw}
    return GridRandomScenarios.from_table(raw, 5, _check_kind, _axis_values)


def test_table_and_errors():
    gen = _table(mtd=["1,2", "2.2"])
    assert gen.mtd == ((1, 2), (2, 2)) and gen.seed == 5
    assert [c["mtd"] for c in gen.coordinates()] == ["A1B2", "A1B2", "A2B2", "A2B2"]
    scen, truth, flat = gen.scenario({"mtd": "A2B2", "replicate": 1}, False)
    assert truth == "A2B2" and scen[0][1] == list(flat) and len(flat) == 4
    assert len(_table().coordinates()) == 8                  # mtd "all": 4 cells x 2
    for kw, key in (({"mtd": ["3,1"]}, "mtd"), ({"halfwidth": 0.4}, "halfwidth"),
                    ({"rows": 0}, "rows"), ({"colour": 1}, "colour")):
        with pytest.raises(ValueError, match=f"^random_scenarios.{key}"):
            _table(**kw)


def test_a_sweep_of_a_grid_family():
    """The combination family names the generator in its spec: it is swept on random
    grids, and pcs is the design's P(select) of the true MTD combination, which the
    family's own pcs (the combinations closest to the target) equals."""
    from designcalc import sweep

    spec = registry.get("combination")
    assert spec.random_scenarios == "designcalc.dose.scenarios:GridRandomScenarios"
    text = """
[sweep]
family = "combination"
seed = 23
quantities = ["pcs", "en"]
[fixed]
target = 0.3
rows = 2
cols = 2
cohorts = 3
[axes]
cohort_size = [2, 3]
[random_scenarios]
rows = 2
cols = 2
target = 0.3
mtd = ["1,2", "2,2"]
per_mtd = 2
"""
    res = sweep.run_sweep(sweep.parse_spec(text), progress=False, plots=False)
    rows = res.rows
    assert len(rows) == 2 * 2 * 2
    for r in rows:
        assert r["mtd"] in ("A1B2", "A2B2") and 0.0 <= r["pcs"] <= 1.0
    # the same scenario for both cohort sizes (one stream per scenario)
    curves = {(r["mtd"], r["replicate"]): set() for r in rows}
    for r in rows:
        curves[(r["mtd"], r["replicate"])].add(r["curve"])
    assert all(len(v) == 1 for v in curves.values())
    d = spec.build({"target": 0.3, "rows": 2, "cols": 2, "cohorts": 3, "cohort_size": 3})
    r = next(r for r in rows if r["cohort_size"] == 3 and r["mtd"] == "A2B2"
             and r["replicate"] == 1)
    grid = [float(v) for v in r["curve"].split()]
    gen = _table(mtd=["2,2"], seed=23)          # the sweep's seed
    exact = [x for x in d.oc({"s": gen.scenario({"mtd": "A2B2", "replicate": 1},
                                                 False)[2]}).rows
             if x["combination"] == "A2B2"][0]["select"]
    assert r["pcs"] == pytest.approx(exact, abs=1e-12)
    assert grid == pytest.approx(list(gen.scenario({"mtd": "A2B2", "replicate": 1},
                                                   False)[2]), abs=5e-4)
