"""Reading the files a user names (configs, decision tables) without surprises.

:func:`read_text` checks the path with ``os.stat`` *before* opening it: only a
regular file is read, so a FIFO with no writer, a device or a socket never
blocks or streams forever; a directory, a trailing slash after a file name, a
missing or unreadable file, a name too long for the file system, a file too
large or not UTF-8 text are each a ``ValueError`` (:class:`InputFileError`)
whose one-line message names the file.
"""

from __future__ import annotations

import os
import stat

__all__ = ["InputFileError", "read_text", "MAX_INPUT_BYTES", "show_path"]

#: largest config or table file read (bytes)
MAX_INPUT_BYTES = 16 * 2 ** 20


class InputFileError(ValueError):
    """A file the user named cannot be read as text (bad input: exit code 2)."""


def show_path(path, limit: int = 120) -> str:
    """``repr(path)``, shortened in the middle when longer than ``limit``."""
    text = repr(str(path))
    return text if len(text) <= limit else text[:limit - 20] + "..." + text[-15:]


def read_text(path, what: str = "file", label: str | None = None,
              max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The UTF-8 text of the regular file ``path`` (a BOM is dropped).

    ``what`` names the kind of file in messages ("config file", "table");
    ``label`` is the message prefix (default: the quoted path).
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a path, got {type(path).__name__}")
    path = os.fsdecode(os.fspath(path))
    label = label if label is not None else show_path(path)
    if path == "":
        raise InputFileError(f"{what}: the path is empty")
    if "\x00" in path:
        raise InputFileError(f"{label}: a {what} path cannot contain a NUL character")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(f"{label}: no such {what} (file not found)") from None
    except NotADirectoryError:
        raise InputFileError(f"{label}: not a {what} (a part of the path before the last "
                             "'/' is a file, not a folder)") from None
    except OSError as exc:
        raise InputFileError(f"{label}: cannot read the {what} "
                             f"({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{label}: is a directory, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{label}: not a regular file (a FIFO, device or socket); "
                             f"give a {what} on disk")
    if st.st_size > max_bytes:
        raise InputFileError(f"{label}: the {what} is too large ({st.st_size} bytes; at most "
                             f"{max_bytes})")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputFileError(f"{label}: cannot read the {what} "
                             f"({exc.strerror or type(exc).__name__})") from None
    if len(data) > max_bytes:
        raise InputFileError(f"{label}: the {what} is too large (more than {max_bytes} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{label}: the {what} is not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputFileError(f"{label}: the {what} is binary, not text (it holds NUL bytes)")
    return text
