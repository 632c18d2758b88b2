"""Installation qualification: the interpreter, the dependencies and the installed files.

How the installed files are checked (:func:`installed_files`):

* **an installed package** (``pip install .``, a wheel): the installer wrote
  the SHA-256 of every file it installed into the distribution's ``RECORD``
  (PEP 376 / PEP 627; pip computes it from the wheel at install time, and a
  wheel's ``RECORD`` is written when the wheel is built).  Every file of the
  ``designcalc`` package listed there is hashed again and compared; a file
  of the package folder that the record does not list (an added module) fails
  too;
* **an editable install or a source checkout** (the imported package is not
  the one the record lists): the package folder must be a clean ``git``
  checkout (``git status --porcelain`` empty), and the commit is reported;
  without ``git`` or with local changes the check fails, naming the reason.

In both cases the record also gives ``tree_sha256``, one SHA-256 over the
sorted ``path  sha256`` lines of every file of the package, which identifies
the code that was validated.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import sys

__all__ = ["environment", "installed_files", "python_check", "dependency_checks",
           "package_root", "MIN_PYTHON"]

#: the oldest supported Python (setup.cfg ``python_requires``)
MIN_PYTHON = (3, 10)
#: distribution name -> import name of the runtime dependencies
_IMPORT_NAMES = {"python-docx": "docx", "jinja2": "jinja2"}
_SKIP_DIRS = {"__pycache__"}


def package_root() -> str:
    """The folder of the imported ``designcalc`` package."""
    import designcalc

    return os.path.dirname(os.path.abspath(designcalc.__file__))


def _sha256(path: str) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def _package_files(root: str) -> list:
    """Every file of the package folder, as paths relative to its parent ('designcalc/...'),
    following the ``designcalc/examples`` link (the seed trials), skipping byte code."""
    out = []
    parent = os.path.dirname(root)
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in files:
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            out.append(os.path.relpath(os.path.join(folder, name), parent).replace(os.sep, "/"))
    return sorted(out)


def _tree_sha256(root: str, files: list) -> str:
    parent = os.path.dirname(root)
    lines = "".join(f"{path}  {_sha256(os.path.join(parent, path)).hex()}\n" for path in files)
    return hashlib.sha256(lines.encode()).hexdigest()


def _distribution(root: str):
    """The installed distribution whose record lists this package's ``__init__.py``, else None."""
    from importlib import metadata

    try:
        dist = metadata.distribution("designcalc")
    except metadata.PackageNotFoundError:
        return None
    init = os.path.join(root, "__init__.py")
    for path in dist.files or ():
        if str(path).replace("\\", "/") == "designcalc/__init__.py":
            located = os.path.abspath(str(dist.locate_file(path)))
            if os.path.exists(located) and os.path.samefile(located, init):
                return dist
    return None


def _record_check(dist, root: str, files: list) -> dict:
    listed, bad = set(), []
    for path in dist.files or ():
        name = str(path).replace("\\", "/")
        if not name.startswith("designcalc/") or path.hash is None:
            continue
        listed.add(name)
        local = str(dist.locate_file(path))
        if not os.path.isfile(local):
            bad.append(f"{name}: missing")
            continue
        if path.hash.mode != "sha256":  # pragma: no cover - pip writes sha256
            bad.append(f"{name}: record hash {path.hash.mode} not checked")
            continue
        got = base64.urlsafe_b64encode(_sha256(local)).rstrip(b"=").decode()
        if got != path.hash.value:
            bad.append(f"{name}: modified (SHA-256 differs from the install record)")
    bad += [f"{name}: not in the install record" for name in files if name not in listed]
    record = [str(dist.locate_file(p)) for p in dist.files or ()
              if str(p).replace("\\", "/").endswith(".dist-info/RECORD")]
    return {"mode": "install record", "checked": len(listed), "problems": bad,
            "record": record[0] if record else ""}


def _git_check(root: str) -> dict:
    import subprocess

    def git(*args):
        return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                              timeout=30)

    try:
        head = git("rev-parse", "HEAD")
        status = git("status", "--porcelain", "--untracked-files=all", "--", ".")
    except (OSError, subprocess.SubprocessError) as exc:
        return {"mode": "source tree", "checked": 0,
                "problems": [f"not an installed package and git is unavailable ({exc})"]}
    if head.returncode != 0:
        return {"mode": "source tree", "checked": 0,
                "problems": ["not an installed package (no install record lists it) and not a "
                             "git checkout: the files cannot be verified"]}
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    return {"mode": "source tree (git)", "commit": head.stdout.strip(), "checked": None,
            "problems": [f"{name}: differs from commit {head.stdout.strip()[:12]}"
                         for name in changed]}


def installed_files() -> dict:
    """Check the package's files (module docstring): ``mode``, ``checked`` (files compared),
    ``problems`` (one line each; empty: passed), ``tree_sha256``, ``files``."""
    root = package_root()
    files = _package_files(root)
    dist = _distribution(root)
    out = _record_check(dist, root, files) if dist is not None else _git_check(root)
    out.update(tree_sha256=_tree_sha256(root, files), files=len(files), root=root)
    return out


def python_check() -> dict:
    """IQ-01: the running interpreter is at least :data:`MIN_PYTHON`."""
    version = platform.python_version()
    return {"expected": ">= " + ".".join(map(str, MIN_PYTHON)), "observed": version,
            "passed": sys.version_info[:2] >= MIN_PYTHON}


def _requirements() -> list:
    """The runtime requirements: the installed distribution's metadata, else setup.cfg
    beside the source tree."""
    from importlib import metadata

    try:
        reqs = metadata.requires("designcalc")
    except metadata.PackageNotFoundError:
        reqs = None
    if reqs is not None:
        return [r for r in reqs if "extra ==" not in r]
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(os.path.dirname(package_root()), "setup.cfg"))
    text = cfg.get("options", "install_requires", fallback="")
    return [line.strip() for line in text.splitlines() if line.strip()]


def dependency_checks() -> list:
    """IQ-02: each runtime requirement (``numpy>=1.23`` ...) and the installed version."""
    from importlib import metadata

    from packaging.requirements import Requirement

    out = []
    for text in _requirements():
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            version = None
        ok = version is not None and req.specifier.contains(version, prereleases=True)
        out.append({"name": req.name, "expected": str(req.specifier) or "any",
                    "observed": version or "not installed", "passed": bool(ok)})
    return out


def environment() -> dict:
    """The platform, interpreter and package versions a validation record names."""
    from designcalc import __version__

    return {"designcalc": __version__, "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable, "platform": platform.platform(),
            "machine": platform.machine(), "package_root": package_root()}
