"""The shared plotting toolkit: styles, new axes, saving, reference lines, error bars.

matplotlib is imported lazily with the Agg backend (:func:`_plt`), so importing
this module costs nothing on the CLI start-up path and works on machines with
no screen.
"""

from __future__ import annotations

import os

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
           "#56B4E9", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "x", "P", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--", "oo")
SUFFIXES = (".png", ".svg", ".pdf")


def _plt():
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def style(i: int) -> dict:
    """Line style number ``i``: colour, line style and marker all differ."""
    return {"color": PALETTE[i % len(PALETTE)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


def bar_style(i: int) -> dict:
    """Bar style number ``i``: colour and hatch both differ (grayscale-safe)."""
    return {"color": PALETTE[(i + 1) % len(PALETTE)], "hatch": HATCHES[i % len(HATCHES)],
            "edgecolor": "black", "linewidth": 0.6}


def new_axes(ax=None, figsize=(6.4, 4.4)):
    """Return ``ax`` or a fresh axes on a new figure."""
    if ax is not None:
        return ax
    plt = _plt()
    fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def check_plot_path(path) -> str:
    """Validate a plot file name: its extension must be .png, .svg or .pdf."""
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"plot file must end in .png, .svg or .pdf, got {path!r}")
    return path


def save(fig_or_ax, path, dpi: int = 150) -> str:
    """Save a figure (or an axes' figure) by extension, atomically, and close it.

    The figure is written to a temporary file beside ``path`` and renamed over
    it (:func:`designcalc.core.outputs.atomic_file`): a failed or killed save leaves
    the previous file as it was.
    """
    from designcalc.core.outputs import atomic_file

    path = check_plot_path(path)
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    try:
        fmt = os.path.splitext(path)[1][1:].lower()
        with atomic_file(path, "wb") as fh:
            fig.savefig(fh, dpi=dpi, format=fmt,
                        **({"pil_kwargs": PNG_OPTIONS} if fmt == "png" else {}))
    finally:
        _plt().close(fig)
    return path


# zlib level 3 instead of PIL's default 6 for PNG files: on the 22 figures of
# ``trial run --all`` the encoding takes 0.62 s of CPU instead of 1.01 s, for
# files 5 % larger (measured with PIL 13, 960 x 660 pixels)
PNG_OPTIONS = {"compress_level": 3}


def draw_png(result, dpi: int = 150) -> bytes:
    """The result's figure (its family's first plot kind) as PNG bytes, drawn once.

    Agg is deterministic, so the bytes are the same in every process.
    """
    import io

    ax = result.plot()
    fig = ax.figure
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs=PNG_OPTIONS)
    finally:
        _plt().close(fig)
    return buf.getvalue()


def mark_hypotheses(ax, p0=None, p1=None):
    """Vertical reference lines at p0 and p1 (labelled)."""
    if p0 is not None:
        ax.axvline(p0, color="0.4", linestyle=":", linewidth=1, label=f"p0 = {p0:g}")
    if p1 is not None:
        ax.axvline(p1, color="0.4", linestyle="--", linewidth=1, label=f"p1 = {p1:g}")
    return ax


def errorbars(ax, x, y, se, i, label):
    """Simulated points with +-2 SE bars (markers only, style ``i``)."""
    st = style(i)
    ax.errorbar(x, y, yerr=2 * se, fmt=st["marker"], color=st["color"], markersize=4,
                capsize=2, linewidth=0.8, label=label)

