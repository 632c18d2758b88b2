"""Results are never half-written: atomic files and result folders.

Every file designcalc writes goes through :func:`atomic_file`: the content is
written to a temporary file in the target's folder, flushed and fsynced, then
renamed over the target (``os.replace`` is atomic on POSIX and Windows).
A target that exists and is not a regular file (a device such as
``/dev/null``, a FIFO, a socket, a symbolic link) is refused, never replaced.  A
write that fails (full disk, file-size limit, killed process) leaves the
previous file byte-identical and removes its temporary file; a process killed
before the rename leaves at most a hidden ``.designcalc-<pid>-*.tmp`` file beside it.

A whole result set (``designcalc trial run --out DIR``) is built by
:class:`ResultFolder` in a temporary sibling folder and swapped in only when
every file is written, ``manifest.json`` (every file with its SHA-256, the
seed, the version and the command) last.  The previous folder is kept until
the swap succeeds, so a run that cannot complete leaves it as it was.  What a
killed run leaves (``.<name>-<pid>-*.partial`` and ``.old`` folders, temporary
files) is removed by the next run into the same folder (:func:`remove_stale`):
only names of that pattern, older than the running process, whose process
has ended.

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "out.txt")
>>> with atomic_file(path, "w") as fh:
...     _ = fh.write("hello")
>>> open(path).read()
'hello'
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time

# hashlib, json, shutil and tempfile are imported where a file is written: a command that
# only prints starts ~10 ms faster (docs/performance.md, start-up)

__all__ = ["OutputError", "check_target", "atomic_file", "write_text", "ResultFolder", "MANIFEST",
           "sha256_file", "remove_stale"]

MANIFEST = "manifest.json"
_IMPORTED = time.time()

_KINDS = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symbolic link"}


class OutputError(ValueError):
    """An output path that cannot be written (bad input: the user chose it)."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_target(path) -> str:
    """``path`` if designcalc may write it, else an :class:`OutputError` naming it.

    Refused: a folder; a target that exists and is not a regular file (a
    device such as ``/dev/null``, a FIFO, a socket, a symbolic link: replacing
    it would destroy it); a read-only file; a folder that does not exist.  The
    CLI checks ``--out``, ``--plot`` and ``--report`` this way while it parses,
    so that a bad target fails before anything is computed or written.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise OutputError(f"cannot write {path!r}: it is a directory")
    if os.path.lexists(path):
        mode_bits = os.lstat(path).st_mode
        if not stat.S_ISREG(mode_bits):
            # renaming a file over a device (/dev/null), FIFO, socket or link would
            # destroy it (as root, the system's own device): refuse instead
            raise OutputError(f"cannot write {path!r}: it exists and is not a regular file "
                              f"(it is {_KINDS.get(stat.S_IFMT(mode_bits), 'a special file')})")
        if not mode_bits & 0o222:
            raise OutputError(f"cannot write {path!r}: it is read-only (no write permission)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {path!r}: the folder {folder!r} does not exist")
    return path


@contextlib.contextmanager
def atomic_file(path, mode: str = "w"):
    """Open a temporary file that replaces ``path`` only when the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The target file.
    mode : {"w", "wb"}
        Text (UTF-8, no newline translation) or binary.

    Raises
    ------
    OutputError
        The folder does not exist or cannot be written, the target is a
        folder or another non-regular file (device, FIFO, socket, symbolic
        link), or writing failed (the message names the path and the reason).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    path = check_target(path)
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile

    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".designcalc-{os.getpid()}-", suffix=".tmp",
                                   dir=folder)
        os.chmod(tmp, 0o666 & ~_umask())
        kwargs = {"encoding": "utf-8", "newline": ""} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_folder(folder)             # the rename itself survives a power cut
    except OSError as exc:
        raise OutputError(f"cannot write {path!r}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _fsync_folder(folder: str) -> None:
    """fsync a folder, so that a rename in it is on disk (POSIX; a no-op elsewhere)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(path, text: str) -> str:
    """Write ``text`` to ``path`` atomically; returns the path."""
    with atomic_file(path, "w") as fh:
        fh.write(text)
    return os.fspath(path)


def sha256_file(path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_result_folder(path: str) -> bool:
    """True for a folder designcalc wrote before (it holds a manifest or a summary)."""
    names = os.listdir(path)
    return MANIFEST in names or any(n.startswith("summary.") for n in names)


def _process_start() -> float:
    """When this process started (epoch seconds; Linux ``/proc``), else when this
    module was imported: the bound below which a leftover cannot be this run's."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as fh:
            boot = next(int(line.split()[1]) for line in fh if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED


def _running(pid: int) -> bool:
    """True when process ``pid`` exists (or may: we cannot tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                       # EPERM: someone else's live process
        return True
    return True


def remove_stale(folder, name: str) -> list:
    """Remove what killed runs left in ``folder``; returns the names removed.

    A killed ``trial run --out folder/name`` leaves ``.name-<pid>-XXXXXXXX.partial``
    or ``.old`` folders (:class:`ResultFolder`, older versions without ``<pid>-``) and
    ``.designcalc-<pid>-XXXXXXXX.tmp`` files (:func:`atomic_file`).  Removed are
    only entries of exactly these name patterns, last modified before this
    process started, whose writing process (when the name says) has ended:
    never a user's file, nor a concurrent run's.
    """
    import shutil

    folder = os.fspath(folder)
    patterns = (re.compile(rf"\.{re.escape(name)}-(?:(\d+)-)?[a-z0-9_]{{8}}\.(?:partial|old)"),
                re.compile(r"\.designcalc-(?:(\d+)-)?[a-z0-9_]{8}\.tmp"))
    started = _process_start()
    removed = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = next((m for m in (p.fullmatch(entry) for p in patterns) if m), None)
        if match is None:
            continue
        path = os.path.join(folder, entry)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        is_dir = stat.S_ISDIR(info.st_mode)
        if (is_dir != entry.endswith((".partial", ".old")) or info.st_mtime >= started
                or (match.group(1) is not None and _running(int(match.group(1))))):
            continue
        try:
            if is_dir:
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            continue
        removed.append(entry)
    return removed


class ResultFolder:
    """Build a result folder beside ``target`` and swap it in when complete.

    Use as a context manager: write files below :attr:`path` (the temporary
    folder); on a clean exit :meth:`commit` writes ``manifest.json`` and
    swaps the folder in; on an error the temporary folder is removed and
    ``target`` is untouched.

    An existing ``target`` is replaced only when it is empty or is itself a
    designcalc result folder (it holds ``manifest.json`` or ``summary.*``):
    ``--out .`` never wipes a working directory.  Leftovers of killed runs into
    the same target are removed first (:func:`remove_stale`); :attr:`removed`
    names them.
    """

    def __init__(self, target, *, seed=None, command: str = "", version: str | None = None):
        import tempfile

        from designcalc import __version__

        self.target = os.path.abspath(os.fspath(target))
        self.seed = seed
        self.command = command
        self.version = version or __version__
        if os.path.exists(self.target):
            if not os.path.isdir(self.target):
                raise OutputError(f"cannot write {os.fspath(target)!r}: it exists and is "
                                  "not a folder")
            if not os.stat(self.target).st_mode & 0o222:
                raise OutputError(f"cannot write {os.fspath(target)!r}: the folder is read-only "
                                  "(no write permission)")
            if os.listdir(self.target) and not _is_result_folder(self.target):
                raise OutputError(f"{os.fspath(target)!r} exists and is not a designcalc "
                                  "result folder (no manifest.json or summary.*): choose a "
                                  "new or empty folder")
        parent = os.path.dirname(self.target)
        try:
            os.makedirs(parent, exist_ok=True)
            self.removed = remove_stale(parent, os.path.basename(self.target))
            self.path = tempfile.mkdtemp(prefix=self._prefix(), suffix=".partial", dir=parent)
            os.chmod(self.path, 0o777 & ~_umask())
        except OSError as exc:
            raise OutputError(f"cannot write {os.fspath(target)!r}: "
                              f"{exc.strerror or exc}") from None

    def _prefix(self) -> str:
        """``.<name>-<pid>-``: the name of a leftover says whose run it was."""
        return f".{os.path.basename(self.target)}-{os.getpid()}-"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.discard()
        return False

    def discard(self) -> None:
        """Remove the temporary folder (the target stays as it was)."""
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)

    def files(self) -> list:
        """Relative paths of every file written so far, sorted."""
        out = []
        for root, _, names in os.walk(self.path):
            for name in names:
                rel = os.path.relpath(os.path.join(root, name), self.path)
                out.append(rel.replace(os.sep, "/"))
        return sorted(out)

    def manifest(self) -> dict:
        """The manifest: every file with its size and SHA-256, seed, version, command."""
        files = [f for f in self.files() if f != MANIFEST]
        return {"designcalc_version": self.version, "command": self.command,
                "seed": self.seed,
                "files": [{"path": f, "bytes": os.path.getsize(os.path.join(self.path, f)),
                           "sha256": sha256_file(os.path.join(self.path, f))}
                          for f in files]}

    def commit(self) -> None:
        """Write ``manifest.json`` last, then swap the folder in (the old one is
        removed only after the new one is in place)."""
        import json
        import shutil
        import tempfile

        try:
            write_text(os.path.join(self.path, MANIFEST),
                       json.dumps(self.manifest(), indent=2) + "\n")
            old = None
            if os.path.exists(self.target):
                old = tempfile.mkdtemp(prefix=self._prefix(), suffix=".old",
                                       dir=os.path.dirname(self.target))
                os.rmdir(old)
                os.replace(self.target, old)
            try:
                os.replace(self.path, self.target)
            except OSError:
                if old is not None:
                    os.replace(old, self.target)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {self.target!r}: {exc.strerror or exc}") from None
        except BaseException:
            self.discard()
            raise
