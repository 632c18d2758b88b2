"""Reading the files a user names (configs, decision tables) without surprises.

:func:`read_text` checks the path with ``os.stat`` *before* opening it: only a
regular file is read, so a FIFO with no writer, a device or a socket never
blocks or streams forever; a directory, a trailing slash after a file name, a
missing or unreadable file, a name too long for the file system, a file too
large or not UTF-8 text are each a ``ValueError`` (:class:`InputFileError`)
whose one-line message names the file.

:func:`parse_toml` and :func:`read_csv` parse that text for every reader of
user files (trial configs, sweep specs, decision tables), so a TOML nested
thousands of levels deep or a CSV field above the :mod:`csv` module's limit is
the same one-line ``InputFileError`` everywhere, not a ``RecursionError`` or a
``csv.Error``.
"""

from __future__ import annotations

import os
import stat
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

__all__ = ["InputFileError", "read_text", "MAX_INPUT_BYTES", "show_path", "parse_toml",
           "read_csv", "MAX_NESTING", "tomllib"]

#: largest config or table file read (bytes)
MAX_INPUT_BYTES = 16 * 2 ** 20
#: deepest nesting of tables and arrays accepted in a TOML file (configs use 3)
MAX_NESTING = 32


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


def _depth(value) -> int:
    """Nesting depth of dicts and lists (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_NESTING:
            break
        stack.extend((v, level + 1) for v in item)
    return deepest


def parse_toml(text: str) -> dict:
    """``tomllib.loads(text)``; malformed or too deeply nested TOML is an :class:`InputFileError`
    (``"not valid TOML: ..."``, ``"nested more than 32 levels deep"``; the caller adds the
    file's name)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"not valid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputFileError(f"tables or arrays nested more than {MAX_NESTING} levels "
                             "deep") from None
    if _depth(raw) > MAX_NESTING:
        raise InputFileError(f"tables or arrays nested more than {MAX_NESTING} levels deep")
    return raw


def read_csv(path, what: str = "table file") -> tuple:
    """``(fieldnames, rows)`` of the CSV file at ``path`` (:func:`read_text`, then
    ``csv.DictReader``; ``rows`` is the list of its dicts).  A
    malformed row (a field above the csv module's size limit, a NUL) is an
    :class:`InputFileError` naming the file and line."""
    import csv
    from io import StringIO

    label = show_path(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else None
    with StringIO(read_text(path, what=what), newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            names = reader.fieldnames or []
            rows = list(reader)
        except csv.Error as exc:
            raise InputFileError(f"{label}: line {reader.line_num + 1} of the {what} cannot be "
                                 f"read ({exc})") from None
    return names, rows
