"""Presentation of the ``combination`` family: its columns and the grid heat maps."""

from __future__ import annotations

from designcalc.dose.present import LABELS as DOSE_LABELS
from designcalc.present.labels import Label
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import new_axes

__all__ = ["LABELS", "selection_map", "allocation_map"]

#: The combination family's columns (see :mod:`designcalc.present.labels`).
LABELS = {
    **DOSE_LABELS,
    "combination": Label("combination (A level, B level)"),
    "dose_a": _i("level of drug A"),
    "dose_b": _i("level of drug B"),
    "p_select_above": _p("P(select a combination above the MTDs)"),
    "share_mtd": _p("mean share of patients at the MTDs"),
    "share_above": _p("mean share of patients above the MTDs"),
    "p_stop_earlystop": _p("P(stop at n_earlystop)"),
}


def _grid(result, column):
    """The first scenario's values of ``column`` (else ``column_sim``) as a J x K list,
    with the scenario's name and the column used."""
    rows = [r for r in result.rows if r.get("dose_a") is not None]
    name = rows[0]["scenario"]
    rows = [r for r in rows if r["scenario"] == name]
    col = column if rows[0].get(column) is not None else f"{column}_sim"
    J = max(r["dose_a"] for r in rows)
    K = max(r["dose_b"] for r in rows)
    grid = [[0.0] * K for _ in range(J)]
    tox = [[0.0] * K for _ in range(J)]
    for r in rows:
        grid[r["dose_a"] - 1][r["dose_b"] - 1] = r[col]
        tox[r["dose_a"] - 1][r["dose_b"] - 1] = r["tox"]
    return name, col, grid, tox


def _heat(result, column, what, fmt, ax):
    ax = new_axes(ax)
    name, col, grid, tox = _grid(result, column)
    top = max(max(row) for row in grid) or 1.0
    J, K = len(grid), len(grid[0])
    img = ax.imshow(grid, cmap="Greys", vmin=0, vmax=top, origin="lower", aspect="auto")
    target = (result.extra or {}).get("target")
    for i in range(J):
        for j in range(K):
            v = grid[i][j]
            dark = v > 0.55 * top
            ax.text(j, i, fmt(v) + f"\n(p={tox[i][j]:.2f})", ha="center", va="center",
                    fontsize=8, color="white" if dark else "black",
                    fontweight="bold" if target is not None and
                    abs(tox[i][j] - target) < 1e-9 else "normal")
    ax.set_xticks(range(K), [str(k + 1) for k in range(K)])
    ax.set_yticks(range(J), [str(i + 1) for i in range(J)])
    ax.set_xlabel("level of drug B")
    ax.set_ylabel("level of drug A")
    sim = " (simulated)" if col.endswith("_sim") else ""
    ax.set_title(f"{what}{sim}{': ' + name if name else ''}\n{result.design}", fontsize=9)
    ax.figure.colorbar(img, ax=ax, label=what)
    return ax


def selection_map(result, ax=None):
    """Heat map (grayscale) of P(select) per combination, the true DLT probability in each
    cell; the first scenario."""
    return _heat(result, "select", "P(select as MTD)", lambda v: f"{100 * v:.1f}%", ax)


def allocation_map(result, ax=None):
    """Heat map (grayscale) of the expected patients per combination; the first scenario."""
    return _heat(result, "n_treated", "expected patients treated", lambda v: f"{v:.1f}", ax)
