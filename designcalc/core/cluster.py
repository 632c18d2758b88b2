"""One Dask scheduler per run: reach the user's, or start one LocalCluster.

:func:`designcalc.core.simulate.run` opens a client for each call, and with
``backend="dask"`` and no scheduler it starts a ``LocalCluster`` for each
call.  A command that simulates many times (``trial run`` over several
analyses and scenarios, ``sweep`` over hundreds of points) therefore asks
:func:`dask_scheduler` once for an address:

* with ``scheduler`` given, its form is checked (``tcp://host:port``) and the
  scheduler is contacted first (``timeout`` seconds), so a malformed or
  unreachable address is one ``ValueError`` naming it (the CLI prints one
  line and exits 2) instead of a long wait per call;
* with ``backend="dask"`` and no scheduler, one ``LocalCluster`` of
  ``workers`` processes is started for the whole run and closed at the end;
* with ``backend="local"`` nothing happens (the address is None).

The numbers never depend on where chunks run (see :mod:`designcalc.core.simulate`).
"""

from __future__ import annotations

import contextlib

__all__ = ["check_scheduler", "dask_scheduler", "DEFAULT_TIMEOUT"]

#: Seconds to wait for a scheduler before calling it unreachable.
DEFAULT_TIMEOUT = 10.0


def _distributed():
    try:
        import dask.distributed as dd
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ValueError("backend 'dask' needs the optional extra: "
                         "pip install 'designcalc[dask]'") from None
    return dd


def _check_address(address) -> None:
    """Refuse an address that is not ``[protocol://]host:port`` (or ``inproc://``) at
    once, before anything is contacted: ``not-an-address`` is one line, not a wait."""
    from distributed.comm.addressing import parse_address, parse_host_port

    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"scheduler: give an address such as tcp://host:8786, got {address!r}")
    try:
        protocol, location = parse_address(address.strip())
        if protocol in ("tcp", "tls"):
            host, port = parse_host_port(location)
            if not host or not 0 < int(port) < 65536:
                raise ValueError("no host, or a port outside 1-65535")
    except (ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ValueError(f"scheduler: {address!r} is not a scheduler address such as "
                         f"tcp://host:8786 ({reason})") from None


def _reachable(address: str, timeout: float) -> None:
    """Open (and close) a TCP connection to a tcp/tls ``address`` within ``timeout``
    seconds, before a Dask client is made: a client that never connects cannot
    be closed cleanly (it waits 20 s at exit and prints a traceback)."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    protocol, location = parse_address(address.strip())
    if protocol not in ("tcp", "tls"):
        return
    host, port = parse_host_port(location)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
        raise ValueError(f"scheduler: cannot reach the Dask scheduler at {address} "
                         f"({reason})") from None


def _client_class(dd):
    """``dask.distributed.Client`` whose failed start leaves nothing to close: Client's
    own ``__del__`` then waits 20 s at exit and prints an "Exception ignored" traceback."""

    class Client(dd.Client):
        def __del__(self):
            if getattr(self, "status", None) == "running":
                super().__del__()

    return Client


def check_scheduler(address: str, timeout: float | None = None) -> int:
    """Connect to the Dask scheduler at ``address``; return its number of workers.

    Raises ``ValueError`` (message beginning ``scheduler:``) when the address
    is malformed (at once, nothing is contacted) or nothing answers within
    ``timeout`` seconds.
    """
    dd = _distributed()
    timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    _check_address(address)
    _reachable(address, timeout)
    try:
        client = _client_class(dd)(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - whatever answered, it is not a scheduler
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ValueError(f"scheduler: cannot reach the Dask scheduler at {address} "
                         f"({reason})") from None
    try:
        return len(client.scheduler_info().get("workers", {}))
    finally:
        client.close()


@contextlib.contextmanager
def dask_scheduler(backend: str = "local", scheduler: str | None = None, workers: int = 1,
                   timeout: float | None = None):
    """Yield the scheduler address a run should use (None for the local backend).

    See the module docstring: checks a given ``scheduler``, or starts one
    ``LocalCluster`` of ``workers`` single-threaded processes when
    ``backend == "dask"`` and no scheduler is given.
    """
    if scheduler:
        check_scheduler(scheduler, timeout)
        yield scheduler
        return
    if backend != "dask":
        yield None
        return
    dd = _distributed()
    cluster = dd.LocalCluster(n_workers=max(int(workers), 1), threads_per_worker=1,
                              processes=True, dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()
