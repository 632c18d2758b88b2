"""The Rolling-6 decision table (Skolnik et al. 2008, Table 1) and its use at a dose.

At the current level, with ``e`` patients enrolled (1 to 6), ``d`` DLTs
observed, ``c`` patients who completed the DLT window without a DLT and
``q = e - d - c`` whose data are pending, the table gives (Skolnik et al.
2008, J Clin Oncol 26:190, Table 1):

* ``d >= 2``: **de-escalate**;
* ``d = 0`` and ``c >= 3``, or ``d = 1`` and ``c >= 5`` (6 enrolled, none
  pending): **escalate**;
* otherwise, ``e < 6``: **stay** (enrol the next patient at this level);
* otherwise (6 enrolled, data pending): **suspend** accrual.

The table was typed from memory of the paper; two second sources (the R
package RollingSix and Frankel et al. 2020, JAMA Netw Open 3:e204787, Table 2)
agree with it except in 6 cells with no DLT and data pending
(``docs/rolling6.md`` lists them).  No patient enrolled yet (a fresh level): stay.  The table is :data:`TABLE`,
``TABLE[e, d, q]``; :func:`cells` lists it.

Around the table (the paper's footnote and its MTD definition, the 3+3 rule
with six patients at the MTD, as ``3+3-korn`` in
:mod:`designcalc.dose.rulebased.rules`):

* escalation is impossible at the top level and below a level with >= 2 DLTs:
  then stay while fewer than 6 are enrolled; with 6 enrolled, suspend while
  data are pending, else **select** the level (the MTD);
* de-escalation from level 1 stops the trial with **no MTD**; de-escalation
  to a level applies the table there (the level above now counts as too toxic).
"""

from __future__ import annotations

import numpy as np

__all__ = ["STAY", "ESCALATE", "DEESCALATE", "SUSPEND", "SELECT", "NONE", "ACTIONS", "TABLE",
           "action", "cells", "resolve"]

STAY, ESCALATE, DEESCALATE, SUSPEND, SELECT, NONE = range(6)
ACTIONS = ("stay", "escalate", "de-escalate", "suspend", "select", "stop-none")
#: most patients at one level
MAX_PER_LEVEL = 6


def action(e: int, d: int, q: int) -> int:
    """The table's action for ``e`` enrolled, ``d`` DLTs, ``q`` pending (codes above).

    Examples
    --------
    >>> ACTIONS[action(3, 0, 0)], ACTIONS[action(5, 1, 4)], ACTIONS[action(6, 1, 1)]
    ('escalate', 'stay', 'suspend')
    """
    c = e - d - q
    if d >= 2:
        return DEESCALATE
    if (d == 0 and c >= 3) or (d == 1 and c >= 5):
        return ESCALATE
    return STAY if e < MAX_PER_LEVEL else SUSPEND


#: ``TABLE[e, d, q]``: the action (-1 where ``d + q > e``); ``e = 0`` is a fresh level
TABLE = np.full((MAX_PER_LEVEL + 1,) * 3, -1, dtype=np.int64)
for _e in range(MAX_PER_LEVEL + 1):
    for _d in range(_e + 1):
        for _q in range(_e - _d + 1):
            TABLE[_e, _d, _q] = STAY if _e == 0 else action(_e, _d, _q)


def resolve(act, e, q, blocked):
    """The action once the level's context is known (arrays or scalars):
    ``escalate`` where escalation is ``blocked`` becomes stay (fewer than 6
    enrolled), suspend (data pending) or select."""
    held = np.where(e < MAX_PER_LEVEL, STAY, np.where(q > 0, SUSPEND, SELECT))
    return np.where((act == ESCALATE) & blocked, held, act)


def cells() -> list:
    """The table as rows ``(enrolled, dlt, without_dlt, pending, action)``, enrolled
    from 2 to 6 as published (1 enrolled: stay)."""
    out = []
    for e in range(2, MAX_PER_LEVEL + 1):
        for d in range(e + 1):
            for q in range(e - d + 1):
                out.append((e, d, e - d - q, q, ACTIONS[TABLE[e, d, q]]))
    return out
