"""designcalc.core.sidepool: tasks shared by a spawned worker and this process."""

from __future__ import annotations

import math

from designcalc.core.sidepool import SidePool


def test_with_a_worker_every_task_gives_its_value_wherever_it_ran():
    with SidePool() as pool:
        for n in range(6):
            pool.submit(n, round, 10 / (n + 1), ndigits=3)
        while pool.steal():                      # this process takes what is left
            pass
        assert {n: pool.result(n) for n in range(6)} == {n: round(10 / (n + 1), 3)
                                                         for n in range(6)}


def test_without_a_worker_steal_runs_the_newest_first_and_nothing_twice():
    ran = []
    pool = SidePool(worker=False)
    for key in "abc":
        pool.submit(key, lambda k=key: ran.append(k) or k.upper())
    assert pool.steal() and ran == ["c"]
    assert pool.result("a") == "A" and ran == ["c", "a"]
    assert pool.steal() and ran == ["c", "a", "b"]
    assert not pool.steal()
    assert [pool.result(k) for k in "abc"] == ["A", "B", "C"] and len(ran) == 3


def test_a_task_the_worker_cannot_run_is_run_here():
    """A lambda cannot be sent to the worker: once the worker's future has failed,
    the value comes from this process."""
    from concurrent.futures import wait

    with SidePool() as pool:
        pool.submit("x", lambda: 42)
        with pool._cond:                         # until the worker has been handed it
            assert pool._cond.wait_for(lambda: pool._futures.get("x") is not None, 60)
        wait([pool._futures["x"]], timeout=60)
        assert pool._futures["x"].exception() is not None
        assert pool.result("x") == 42


def test_the_worker_is_handed_one_task_at_a_time_so_the_rest_can_be_stolen():
    """While the worker is busy with one task, every other task can still be taken
    here (``concurrent.futures`` alone would queue a second one and mark it
    started).  The worker's task waits for an event this test sets at the end."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Manager() as manager, SidePool() as pool:
        release = manager.Event()
        pool.submit("first", release.wait, 60)
        with pool._cond:                        # until the worker has been handed it
            assert pool._cond.wait_for(lambda: pool._futures.get("first") is not None, 60)
        for n in range(3):
            pool.submit(n, abs, -n)
        stolen = 0
        while pool.steal():
            stolen += 1
        assert stolen == 3 and [pool.result(n) for n in range(3)] == [0, 1, 2]
        release.set()
        assert pool.result("first") is True


def test_close_without_waiting_then_leaving_the_block_is_fine():
    with SidePool() as pool:
        pool.submit(1, math.factorial, 5)
        assert pool.result(1) == 120
        pool.close(wait=False)
        pool.close()                             # a second close does nothing
