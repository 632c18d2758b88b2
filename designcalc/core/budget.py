"""Bounded work: estimate a computation's cost first, refuse it above a budget.

Every computation whose cost grows with the user's numbers (simulated trials,
exact-enumeration states, an audit grid, memory for a sample size) calls
:func:`check_budget` with its estimate *before* it starts.  Above the budget
it raises :class:`BudgetError` (a ``ValueError``: on the command line one
line and exit code 2) that gives the estimate and how to raise the limit.

Defaults: :data:`DEFAULT_MAX_SECONDS` (10 minutes of computation) and
:data:`DEFAULT_MAX_BYTES` (4 GiB of memory), sized for a 2-core, 24 GB
machine.  Raise them for a block of code with :func:`allow`::

    from designcalc.core import budget
    with budget.allow(max_seconds=3600):          # or force=True: no limit
        design.simulate(scenarios, n_sims=10**9)

On the command line every command accepts the same options (anywhere on the
line): ``--max-seconds S``, ``--max-memory GB`` and ``--force`` (no limit);
``--quiet`` turns the progress bar off.  Inside one command the estimates of
successive computations (one simulation per scenario, say) add up, so a
command that would exceed the budget in total is refused too.

How a family declares its cost: a simulation needs nothing --
:func:`designcalc.core.simulate.run` times a small calibration chunk of the
family's kernel (its own random stream, so results are unchanged) and checks
``n_sims x seconds per trial``; a kernel whose memory grows with the design
(patients per trial) passes ``bytes_per_trial`` to ``run`` so that the chunk's
memory is checked before anything is allocated.  Exact engines call
:func:`check_budget` with their own state counts.

Examples
--------
>>> check_budget("tiny computation", seconds=1.0)
>>> try:
...     check_budget("huge computation", seconds=1e9)
... except BudgetError as exc:
...     print(str(exc).split(",")[0])
huge computation: estimated 31.7 years of computation
>>> with allow(force=True):
...     check_budget("huge computation", seconds=1e9)
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from dataclasses import dataclass

__all__ = ["BudgetError", "check_budget", "allow", "current", "Limits",
           "DEFAULT_MAX_SECONDS", "DEFAULT_MAX_BYTES", "format_seconds", "format_bytes",
           "progress_enabled"]

#: default time budget of one command / one ``allow()`` block (seconds)
DEFAULT_MAX_SECONDS = 600.0
#: default memory budget of one computation (bytes)
DEFAULT_MAX_BYTES = 4 * 2 ** 30

_API_HINT = ("raise the limit with designcalc.core.budget.allow(max_seconds=..., max_bytes=...) "
             "or allow(force=True)")


class BudgetError(ValueError):
    """A computation estimated above the budget (bad input: the user chose the sizes)."""


@dataclass
class Limits:
    """The budget in force: limits, whether it is off, the CLI's hints, time spent so far."""

    max_seconds: float = DEFAULT_MAX_SECONDS
    max_bytes: float = DEFAULT_MAX_BYTES
    force: bool = False
    progress: bool | None = None      # None: the caller decides (API default: off)
    seconds_hint: str = _API_HINT
    bytes_hint: str = _API_HINT
    spent: float = 0.0                # estimated seconds already granted in this block
    accumulate: bool = False


_CURRENT: contextvars.ContextVar = contextvars.ContextVar("designcalc_budget", default=None)


def current() -> Limits:
    """The limits in force (the defaults outside any :func:`allow` block)."""
    lim = _CURRENT.get()
    return lim if lim is not None else Limits()


def _positive(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not (value > 0) or math.isnan(value):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


@contextlib.contextmanager
def allow(max_seconds=None, max_bytes=None, *, force: bool = False, progress=None,
          seconds_hint: str | None = None, bytes_hint: str | None = None):
    """Run a block under other limits (``force=True``: no limit).

    Estimated seconds of the computations inside the block add up: the
    block as a whole is held to ``max_seconds``.  ``progress`` (True/False)
    turns the simulation progress bar on or off inside the block (it is still
    shown only when stderr is a terminal).  ``seconds_hint``/``bytes_hint``
    replace the "how to raise the limit" text of the refusal (the CLI names
    its options there).
    """
    outer = current()
    lim = Limits(
        max_seconds=_positive("max_seconds", max_seconds) or outer.max_seconds,
        max_bytes=_positive("max_bytes", max_bytes) or outer.max_bytes,
        force=bool(force) or outer.force,
        progress=outer.progress if progress is None else bool(progress),
        seconds_hint=seconds_hint or outer.seconds_hint,
        bytes_hint=bytes_hint or outer.bytes_hint,
        accumulate=True)
    token = _CURRENT.set(lim)
    try:
        yield lim
    finally:
        _CURRENT.reset(token)


def progress_enabled(default: bool = False) -> bool:
    """Whether a progress bar is wanted in the current block."""
    lim = current()
    return default if lim.progress is None else lim.progress


def format_seconds(seconds: float) -> str:
    """``90`` -> ``'1.5 minutes'``; ``1e9`` -> ``'31.7 years'``."""
    if not math.isfinite(seconds):
        return "an unbounded time"
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600),
                       ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def format_bytes(n: float) -> str:
    """``4 * 2**30`` -> ``'4 GiB'``."""
    if not math.isfinite(n):
        return "unbounded memory"
    for unit, size in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} bytes"


def check_budget(name: str, *, seconds: float | None = None, bytes: float | None = None,
                 detail: str = "") -> None:
    """Refuse (``BudgetError``) a computation estimated above the budget in force.

    ``name`` says what is estimated (it starts the message); ``seconds`` is the
    estimated computing time, ``bytes`` the estimated peak memory; ``detail``
    (e.g. ``"1e12 trials x 2.1 us"``) is added to the message.  Within an
    :func:`allow` block the granted seconds add up.
    """
    lim = current()
    if lim.force:
        return
    how = f" ({detail})" if detail else ""
    if bytes is not None and not (bytes <= lim.max_bytes):
        raise BudgetError(f"{name}: needs an estimated {format_bytes(bytes)} of memory{how}, "
                          f"above the {format_bytes(lim.max_bytes)} limit; "
                          f"{lim.bytes_hint}")
    if seconds is not None:
        total = lim.spent + seconds if lim.accumulate else seconds
        if not (total <= lim.max_seconds):
            so_far = (f" (on top of {format_seconds(lim.spent)} already estimated for this "
                      f"command)" if lim.accumulate and lim.spent >= 1.0 else "")
            raise BudgetError(f"{name}: estimated {format_seconds(seconds)} of computation"
                              f"{how}{so_far}, above the {format_seconds(lim.max_seconds)} "
                              f"limit; {lim.seconds_hint}")
        if lim.accumulate:
            lim.spent = total
