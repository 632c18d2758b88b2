"""Progress on a terminal (a pseudo-terminal) and the budget convention (issue #14)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import numpy as np
import pytest

from designcalc.core import budget
from designcalc.core import simulate

pty = pytest.importorskip("pty")

_LONG = ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28", "--p", "0.5",
         "--n-sims", "3e9", "--seed", "1", "--force"]


def _stderr_on_a_tty(extra, seconds=60.0, until=b"simulating ["):
    """Run designcalc with stderr on a pseudo-terminal; return what it printed there
    (stopping the process as soon as ``until`` appears, or after ``seconds``: generous,
    since a loaded machine may take many seconds to start the process)."""
    master, slave = pty.openpty()
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "designcalc", *_LONG, *extra],
                            stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and until not in seen:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return seen


def test_progress_bar_shows_on_a_terminal_for_a_long_run():
    assert b"simulating [" in _stderr_on_a_tty([])


def test_quiet_turns_the_progress_bar_off():
    assert b"simulating [" not in _stderr_on_a_tty(["--quiet"], seconds=2.0)


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    res = subprocess.run([sys.executable, "-m", "designcalc", *_LONG[:-5], "--n-sims", "1000",
                          "--seed", "1"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    assert "simulating" not in res.stderr


def _kernel(rng, size):
    return {"x": rng.random(size) < 0.5}


def test_n_sims_1e12_is_refused_within_a_second_with_the_estimate():
    start = time.monotonic()
    with pytest.raises(budget.BudgetError, match=r"estimated .* of computation"):
        simulate.run(_kernel, 10 ** 12, seed=1)
    assert time.monotonic() - start < 1.0


def test_allow_raises_the_limit_and_force_removes_it():
    with budget.allow(max_seconds=1e-9):
        with pytest.raises(budget.BudgetError, match="limit"):
            budget.check_budget("x", seconds=1.0)
    with budget.allow(force=True):
        budget.check_budget("x", seconds=1e30, bytes=1e30)
    with pytest.raises(budget.BudgetError, match="memory"):
        budget.check_budget("x", bytes=1e30)


def test_estimates_add_up_inside_one_block():
    with budget.allow(max_seconds=10):
        budget.check_budget("a", seconds=6)
        with pytest.raises(budget.BudgetError, match="already estimated"):
            budget.check_budget("b", seconds=6)


def test_calibration_does_not_change_results():
    """The calibration chunk has its own stream: numbers equal those of the engine's
    documented chunk streams, and 1 vs 2 chunks' sums combine in order."""
    res = simulate.run(_kernel, 5000, seed=7, chunk_size=1000)
    total = 0
    for i in range(5):
        rng = np.random.default_rng(np.random.SeedSequence(7).spawn(5)[i])
        total = total + np.count_nonzero(_kernel(rng, 1000)["x"])
    assert res.estimate["x"] == total / 5000


def test_declared_memory_is_checked_before_anything_runs():
    def boom(rng, size):  # pragma: no cover - must not be called
        raise AssertionError("kernel ran")

    with pytest.raises(budget.BudgetError, match="memory"):
        simulate.run(boom, 1000, seed=1, bytes_per_trial=1e12)
