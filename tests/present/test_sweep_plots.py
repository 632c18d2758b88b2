"""Heat maps of a sweep: the cells show the table's values, blank where there is none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from designcalc.present.plots.base import _plt
from designcalc.present.plots.sweep import sweep_heatmap, sweep_heatmaps


def _table(power_b):
    """Two panels (g = a, b) over n x p; panel b's exact power is ``power_b``."""
    return pd.DataFrame({"n": [10, 20, 10, 20] * 2, "p": [0.1, 0.1, 0.2, 0.2] * 2,
                         "g": ["a"] * 4 + ["b"] * 4,
                         "power": [0.1, 0.2, 0.3, 0.4] + list(power_b)})


def _cells(ax):
    return np.asarray(ax.images[0].get_array(), dtype=float)


def test_cells_are_the_table_values_rows_p_columns_n():
    ax = sweep_heatmap(_table([0.5] * 4).query("g == 'a'"), "n", "p", "power")
    assert np.array_equal(_cells(ax), [[0.1, 0.2], [0.3, 0.4]])
    _plt().close(ax.figure)


def test_a_panel_without_values_is_blank_not_an_error():
    """Used to raise KeyError('power_sim') when one panel's exact column was all NaN
    and the sweep had no simulated column."""
    fig = sweep_heatmaps(_table([np.nan] * 4), "n", "p", "power", groups=("g",))
    a, b = fig.axes[:2]                        # the panels, then their colour bars
    assert np.array_equal(_cells(a), [[0.1, 0.2], [0.3, 0.4]])
    assert _cells(b).shape == (2, 2) and np.isnan(_cells(b)).all()
    _plt().close(fig)


def test_panels_show_the_same_column():
    """The simulated column is shown only when no panel has an exact value."""
    table = _table([np.nan] * 4).assign(power_sim=0.9)
    fig = sweep_heatmaps(table, "n", "p", "power", groups=("g",))
    assert np.isnan(_cells(fig.axes[1])).all()
    _plt().close(fig)
    fig = sweep_heatmaps(table.assign(power=np.nan), "n", "p", "power", groups=("g",))
    assert (_cells(fig.axes[0]) == 0.9).all() and "simulated" in fig.axes[2].get_ylabel()
    _plt().close(fig)


def test_an_unknown_quantity_is_a_value_error():
    with pytest.raises(ValueError, match="'nope'"):
        sweep_heatmap(_table([0.5] * 4), "n", "p", "nope")
