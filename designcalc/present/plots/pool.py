"""Figures as PNG bytes, drawn here or in a worker process beside this one.

:func:`draw_png` draws a result's figure (its family's first plot kind) once,
as PNG bytes.  :class:`FigurePool` draws the figures of many results while the
caller goes on working (``designcalc trial run`` computes the next trial
meanwhile): one worker process, started with ``spawn`` (no state inherited, so
it is safe beside threads and on every platform) and drawing with Agg only,
takes the submitted results oldest first, and this process draws those the
worker has not started, newest first (:meth:`FigurePool.draw_here`), when it has
nothing else to do: the caller writes the files of a trial whose figures are all
:meth:`~FigurePool.ready` before it draws.  Agg is deterministic, so a PNG is
byte-identical wherever it was drawn.
"""

from __future__ import annotations

__all__ = ["draw_png", "FigurePool"]


def draw_png(result, dpi: int = 150) -> bytes:
    """The result's figure (its family's first plot kind) as PNG bytes."""
    import io

    from designcalc.present.plots.base import _plt

    ax = result.plot()
    fig = ax.figure
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        _plt().close(fig)
    return buf.getvalue()


def _warm() -> None:
    """The worker's first job: import matplotlib (Agg) while the caller computes."""
    from designcalc.present.plots.base import _plt

    _plt()


class FigurePool:
    """Draw results' figures in one spawned worker process and in this one.

    ``submit(key, result)`` queues a figure (the worker starts on it at once);
    ``ready(keys)`` says whether figures are there, ``draw_here()`` draws one the
    worker has not started, ``take(keys)`` returns ``{key: png bytes}`` (waiting
    for the worker) and ``collect()`` all of them.  Use it as a context manager:
    leaving it stops the worker.
    """

    def __init__(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"))
            self._executor.submit(_warm)            # starts the worker now
        except (OSError, NotImplementedError):      # no processes here: collect() draws all
            self._executor = None
        self._jobs = []
        self._drawn = {}                            # key -> png drawn here or taken

    def submit(self, key, result) -> None:
        """Queue the figure of ``result`` under ``key``."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self._executor.submit(draw_png, result) if self._executor else None
        except BrokenProcessPool:                   # the worker died: collect() draws it
            future = None
        self._jobs.append((key, result, future))

    def ready(self, keys) -> bool:
        """Whether the figures of ``keys`` can be had without waiting (drawn here,
        or finished by the worker)."""
        jobs = {key: future for key, _, future in self._jobs}
        return all(key in self._drawn or (jobs[key] is not None and jobs[key].done())
                   for key in keys)

    def draw_here(self) -> bool:
        """Draw, in this process, the newest figure the worker has not started;
        ``False`` when there is none left."""
        for key, result, future in reversed(self._jobs):
            if key not in self._drawn and (future is None or future.cancel()):
                self._drawn[key] = draw_png(result)
                return True
        return False

    def take(self, keys) -> dict:
        """``{key: png}`` for ``keys``: drawn here, or the worker's (waiting for it)."""
        from concurrent.futures.process import BrokenProcessPool

        jobs = {key: (result, future) for key, result, future in self._jobs}
        pngs = {}
        for key in keys:
            if key not in self._drawn:
                result, future = jobs[key]
                if future is None or future.cancel():
                    self._drawn[key] = draw_png(result)
                else:
                    try:
                        self._drawn[key] = future.result()
                    except BrokenProcessPool:       # the worker died: draw it here
                        self._drawn[key] = draw_png(result)
                    except Exception:  # noqa: BLE001 - the worker lacks this process's state
                        # (a family registered at run time, a module it cannot import):
                        # draw it here, where a real error raises as usual
                        self._drawn[key] = draw_png(result)
            pngs[key] = self._drawn[key]
        return pngs

    def collect(self) -> dict:
        """``{key: png}`` of every submitted figure: drawn here when the worker has not
        started it (newest first), else the worker's."""
        while self.draw_here():
            pass
        return self.take([key for key, _, _ in self._jobs])

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
