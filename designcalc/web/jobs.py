"""Computations of the web interface: one worker process each, progress, cancel, cache.

A :class:`Job` runs ``designcalc`` in a process of its own
(:mod:`designcalc.web.worker`) inside a fresh temporary folder that the server
made: the browser never names a path, the command writes its JSON, figure
and report there under fixed names, and the folder is read and removed when
the process ends.  The worker's stderr is a pseudo-terminal, so the CLI's
simulation progress bar (``simulating [###...] 3/10 chunks``) appears there
and :meth:`Job.progress` reads it; :meth:`Job.cancel` ends the worker's
process group.  The CLI's budget holds as on a terminal: a computation
estimated above it is refused with the CLI's message.

:class:`BoundedCache` keeps finished outcomes by command line (bounded in
entries and bytes): the only state sessions share.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

__all__ = ["Outcome", "Job", "BoundedCache", "CANCELLED"]

#: the exit code of an outcome whose job was cancelled
CANCELLED = -1

_PROGRESS = re.compile(r"(\d+)/(\d+) chunks")
#: the largest output file read back from a worker's folder
MAX_FILE_BYTES = 64 * 2 ** 20


@dataclass
class Outcome:
    """What a finished job left: its exit code (0, 2 bad input, 1 a bug,
    :data:`CANCELLED`), the CLI's error message (without ``designcalc: error:``),
    the files it wrote (name -> bytes), what it printed (without the error line
    and the progress bar), how long it took and the option the error names
    (when the CLI says it: its JSON error object)."""

    code: int
    message: str = ""
    files: dict = field(default_factory=dict)
    stdout: str = ""
    seconds: float = 0.0
    option: str | None = None

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.files.values()) + len(self.stdout)

    def json(self) -> dict | None:
        data = self.files.get("out.json")
        return None if data is None else json.loads(data)


def _package_root() -> str:
    import designcalc

    return os.path.dirname(os.path.dirname(os.path.abspath(designcalc.__file__)))


def _error(text: str) -> tuple:
    """``(message, option)`` of the CLI's error in ``text``: its JSON error object
    (``--format json``: the message and the option it names) or its one line
    (``designcalc: error: X`` -> ``X``, no option); ``("", None)`` when there is none."""
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines()]
    for line in reversed(lines):
        if line.startswith('{"error"'):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            return str(obj.get("message") or ""), obj.get("option")
        for prefix in ("designcalc: error: ", "designcalc: "):
            if line.startswith(prefix):
                return line[len(prefix):], None
    return "", None


class _Worker:
    """A started worker process in a temporary folder of its own, its stderr a
    pseudo-terminal, waiting for its arguments on stdin (it imports the CLI first,
    so a spare one answers without the start-up cost)."""

    def __init__(self):
        import pty
        import tempfile

        self.dir = tempfile.mkdtemp(prefix="designcalc-web-")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_package_root(),
                                                          env.get("PYTHONPATH"))))
        env["COLUMNS"] = "120"
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "designcalc.web.worker"], cwd=self.dir,
            stdin=subprocess.PIPE, stdout=slave, stderr=slave, start_new_session=True,
            env=env)
        os.close(slave)


_spare: _Worker | None = None
_spare_lock = threading.Lock()


def _take_worker() -> _Worker:
    """The spare worker (a new one if there is none or it died), and a new spare."""
    global _spare
    with _spare_lock:
        worker, _spare = _spare, _Worker()
    if worker is None or worker.proc.poll() is not None:
        worker = _Worker()
    return worker


class Job:
    """One run of ``designcalc`` (``runs``: the argument lists, in order) in a worker
    process; ``key`` identifies it (the cache key of its outcome)."""

    def __init__(self, runs, key=None):
        self.key = key
        worker = _take_worker()
        self.dir, self.proc, self._master = worker.dir, worker.proc, worker.master
        self.started = time.monotonic()
        self.cancelled = False
        self.outcome: Outcome | None = None
        self._done = threading.Event()
        self._text = ""
        self.proc.stdin.write(json.dumps([list(r) for r in runs]).encode())
        self.proc.stdin.close()
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        while True:
            try:
                data = os.read(self._master, 4096)
            except OSError:            # EIO: the worker closed its terminal
                break
            if not data:
                break
            self._text = (self._text + data.decode("utf-8", "replace"))[-20000:]
        os.close(self._master)
        code = self.proc.wait()
        self.outcome = self._collect(code)
        self._done.set()

    def _collect(self, code: int) -> Outcome:
        import shutil

        files = {}
        try:
            for name in sorted(os.listdir(self.dir)):
                path = os.path.join(self.dir, name)
                if (name.startswith(".") or not os.path.isfile(path)
                        or os.path.getsize(path) > MAX_FILE_BYTES):
                    continue
                with open(path, "rb") as fh:
                    files[name] = fh.read()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        seconds = time.monotonic() - self.started
        if self.cancelled:
            return Outcome(CANCELLED, "cancelled", seconds=seconds)
        message, option = _error(self._text) if code else ("", None)
        if code and not message:
            message = f"the computation ended with exit code {code}"
        text = "\n".join(line for line in self._text.replace("\r\n", "\n").split("\n")
                         if "\r" not in line and not line.startswith(("designcalc: ", "{")))
        return Outcome(code if code >= 0 else 1, message, files, text.strip(), seconds,
                       option)

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def progress(self):
        """``(done, total)`` chunks of the running simulation, or None (not known)."""
        found = _PROGRESS.findall(self._text)
        return (int(found[-1][0]), int(found[-1][1])) if found else None

    def wait(self, timeout: float | None) -> Outcome | None:
        """The outcome, waiting up to ``timeout`` seconds (None: not finished)."""
        self._done.wait(timeout)
        return self.outcome

    def cancel(self) -> None:
        """End the worker (and anything it started); the outcome is :data:`CANCELLED`."""
        if not self.running:
            return
        self.cancelled = True
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # pragma: no cover - already gone
            pass


class BoundedCache:
    """Finished outcomes by key, least recently used first out, at most ``entries``
    and ``max_bytes`` in all."""

    def __init__(self, entries: int = 32, max_bytes: int = 256 * 2 ** 20):
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, outcome: Outcome) -> None:
        with self._lock:
            self._items[key] = outcome
            self._items.move_to_end(key)
            while self._items and (len(self._items) > self.entries or
                                   sum(o.size for o in self._items.values()) > self.max_bytes):
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
