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


def _start_worker(warm) -> None:
    """The worker's first task: a quick exit (its final garbage collections skip
    the objects alive then, :func:`gc.freeze`; 0.3 s with matplotlib loaded), then
    ``warm()`` if given."""
    import atexit
    import gc

    atexit.register(gc.freeze)
    if warm is not None:
        warm()


class SidePool:
    """One spawned worker process, and this process, sharing keyed tasks.

    ``submit(key, fn, *args, **kwargs)`` queues ``fn(*args, **kwargs)`` (the
    worker starts on it as soon as it is free); ``steal()`` runs here the newest
    task the worker has not started; ``result(key)`` returns a task's value,
    waiting for the worker if it has started the task.  ``warm``, if given, is
    the worker's first task (imports, say), run while this process works;
    ``worker=False`` runs every task here.  Use it as a context manager: leaving it
    stops the worker.

    The worker is handed one task at a time, by a thread of this process, when it
    has finished the previous one: ``concurrent.futures`` would queue a second
    task ahead of the worker and mark it started, so that this process could no
    longer take it.
    """

    def __init__(self, warm=None, worker: bool = True):
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        self._cond = threading.Condition()
        self._calls = {}                            # key -> the task's call
        self._queue = []                            # keys nobody has taken, oldest first
        self._futures = {}                          # key -> worker's future (None: being handed)
        self._values = {}                           # key -> value, once known here
        self._closing = False
        self._executor = None
        if not worker:
            return
        try:
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"))
        except (OSError, NotImplementedError):      # no processes here: all run here
            return
        self._feeder = threading.Thread(target=self._feed, args=(warm,), daemon=True,
                                        name="designcalc-sidepool")
        self._feeder.start()

    def _feed(self, warm) -> None:
        """Hand the worker the oldest task nobody has taken, one at a time."""
        from concurrent.futures import wait

        try:
            wait([self._executor.submit(_start_worker, warm)])
            while True:
                with self._cond:
                    while not self._queue and not self._closing:
                        self._cond.wait()
                    if self._closing:
                        return
                    key = self._queue.pop(0)
                    self._futures[key] = None
                try:
                    future = self._executor.submit(self._calls[key])
                except Exception:  # noqa: BLE001 - a dead or closed worker: run it here
                    future = None
                with self._cond:
                    if future is None:
                        del self._futures[key]
                        self._queue.insert(0, key)
                        self._closing = True
                    else:
                        self._futures[key] = future
                    self._cond.notify_all()
                if future is None:
                    return
                wait([future])
        except Exception:  # noqa: BLE001 - never let the feeder die silently: this
            with self._cond:                        # process runs what is left
                for key in [k for k, f in self._futures.items() if f is None]:
                    del self._futures[key]
                    self._queue.insert(0, key)
                self._closing = True
                self._cond.notify_all()

    def submit(self, key, fn, *args, **kwargs) -> None:
        """Queue ``fn(*args, **kwargs)`` under ``key``."""
        from functools import partial

        with self._cond:
            self._calls[key] = partial(fn, *args, **kwargs)
            self._queue.append(key)
            self._cond.notify_all()

    def _take(self, key=None):
        """Remove ``key`` (or, with no key, the newest) from the queue of tasks nobody
        has taken and return it (this process runs it); ``None`` if it is not there."""
        with self._cond:
            if key is None:
                return self._queue.pop() if self._queue else None
            if key in self._queue:
                self._queue.remove(key)
                return key
            return None

    def steal(self) -> bool:
        """Run here the newest task the worker has not started; ``False`` when
        there is none left."""
        key = self._take()
        if key is None:
            return False
        self._values[key] = self._calls[key]()
        return True

    def result(self, key):
        """The value of the task ``key``: run here if the worker has not started
        it, else the worker's (waiting for it; run here if the worker failed)."""
        if key in self._values:
            return self._values[key]
        if self._take(key) is not None:
            self._values[key] = self._calls[key]()
            return self._values[key]
        with self._cond:
            while self._futures.get(key, 0) is None:     # being handed to the worker
                self._cond.wait()
            future = self._futures.get(key)
        if future is None:                          # never handed over: run it here
            self._take(key)
            self._values[key] = self._calls[key]()
            return self._values[key]
        try:
            self._values[key] = future.result()
        except Exception:  # noqa: BLE001 - the worker lacks this process's state
            # (or died): run it here, where a real error raises as usual
            self._values[key] = self._calls[key]()
        return self._values[key]

    def close(self, wait: bool = True) -> None:
        """Stop the worker (tasks nobody has taken stay with this process); with
        ``wait=False`` it exits while this process goes on."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
