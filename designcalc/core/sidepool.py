"""Tasks run in one worker process beside this one, and in this one.

:class:`SidePool` keeps one worker process (started with ``spawn``: no state
inherited, so it is safe beside threads and on every platform).  The worker
takes the submitted tasks oldest first; this process takes, when it has
nothing else to do, the newest task the worker has not started
(:meth:`SidePool.steal`), so the two finish together.  ``designcalc trial run``
hands it one task per trial (draw the figures, write the files) while it goes
on computing the next trial.

A task the worker cannot run (a family registered in this process at run time,
a module the worker cannot import, a worker that died) is run again here, where
a real error raises as usual.  Task functions and their arguments must be
picklable (module-level functions, plain data).
"""

from __future__ import annotations

__all__ = ["SidePool"]


class SidePool:
    """One spawned worker process, and this process, sharing keyed tasks.

    ``submit(key, fn, *args, **kwargs)`` queues ``fn(*args, **kwargs)`` (the
    worker starts on it as soon as it is free); ``steal()`` runs here the newest
    task the worker has not started; ``result(key)`` returns a task's value,
    waiting for the worker if it has started the task.  ``warm``, if given, is
    the worker's first task (imports, say), run while this process works.  Use it
    as a context manager: leaving it stops the worker.
    """

    def __init__(self, warm=None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"))
            if warm is not None:
                self._executor.submit(warm)         # starts the worker now
        except (OSError, NotImplementedError):      # no processes here: all run here
            self._executor = None
        self._tasks = {}                            # key -> (call, future or None)
        self._values = {}                           # key -> value, once known here

    def submit(self, key, fn, *args, **kwargs) -> None:
        """Queue ``fn(*args, **kwargs)`` under ``key``."""
        from concurrent.futures.process import BrokenProcessPool
        from functools import partial

        call = partial(fn, *args, **kwargs)
        try:
            future = self._executor.submit(call) if self._executor else None
        except BrokenProcessPool:                   # the worker died: run it here later
            future = None
        self._tasks[key] = (call, future)

    def steal(self) -> bool:
        """Run here the newest task the worker has not started; ``False`` when
        there is none left."""
        for key in reversed(list(self._tasks)):
            call, future = self._tasks[key]
            if key not in self._values and (future is None or future.cancel()):
                self._values[key] = call()
                return True
        return False

    def result(self, key):
        """The value of the task ``key``: run here if the worker has not started
        it, else the worker's (waiting for it; run here if the worker failed)."""
        if key not in self._values:
            call, future = self._tasks[key]
            if future is None or future.cancel():
                self._values[key] = call()
            else:
                try:
                    self._values[key] = future.result()
                except Exception:  # noqa: BLE001 - the worker lacks this process's state
                    # (or died): run it here, where a real error raises as usual
                    self._values[key] = call()
        return self._values[key]

    def close(self, wait: bool = True) -> None:
        """Stop the worker (cancelling tasks it has not started); with
        ``wait=False`` it exits while this process goes on."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
