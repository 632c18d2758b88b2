"""Each integral of the survival formulas computed once per call.

One ``survival design`` computes the log-rank integrals for the sample size,
for the events-based n, for the expected events and for the power -- the
same integrals of the same curves and calendar.  Inside :func:`scope` (a
``with`` block or the :func:`scoped` decorator of an entry point), results
are remembered by their exact inputs; the memo lives only until the
outermost scope ends, so nothing is kept between calls and a result is the
one the computation gives (the value is that of the first computation with
the same inputs).  Outside a scope nothing is remembered.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

_MEMO: contextvars.ContextVar = contextvars.ContextVar("designcalc_survival_memo",
                                                       default=None)


@contextlib.contextmanager
def scope():
    """Remember integrals until the outermost ``with scope()`` block ends."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def scoped(func):
    """Run ``func`` inside :func:`scope`."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with scope():
            return func(*args, **kwargs)

    return wrapper


def remember(key: tuple, compute):
    """``compute()``, or its remembered value for ``key`` inside a scope.

    ``key`` must identify the inputs exactly (curve objects compare by their
    fields); an unhashable key (a user's own curve class) is not remembered.
    """
    memo = _MEMO.get()
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value
    except TypeError:   # unhashable input
        return compute()
