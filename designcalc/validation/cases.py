"""The requirements list and the validation cases that the installed package ships.

* :func:`requirements` reads ``designcalc/validation/requirements.toml`` (one
  table per requirement, stable IDs);
* :func:`family_cases` finds each registered family's cases by convention: the
  file ``validation.toml`` in the folder of the family's spec module (e.g.
  ``designcalc/binary/simon/validation.toml``), so a family adds its cases in its
  own folder and the registry line that registers it is all it costs;
* :func:`run_case` computes a case's observed value and compares it with the
  published (or peer) value within the case's tolerance.

A case (a ``[[case]]`` table; docs/validation.md)::

    [[case]]
    id = "simon-optimal-p0.2-p1.4"      # unique, stable
    family = "simon"                    # a registered family
    requirement = "FR-01"               # an ID of requirements.toml
    source = "Simon R (1989). Control Clin Trials 10:1-10, Table 1."
    kind = "search"                     # design | oc | simulate | search | call
    search = {p0 = 0.2, p1 = 0.4, alpha = 0.05, power = 0.8}
    pick = ["0/n1", "0/n"]              # paths into the result
    expected = [13, 43]
    tolerance = 0                       # absolute; 0: equal

``kind`` says what is computed: ``design`` -- the design ``spec.build(design)``
itself (its boundaries, say); ``oc`` -- ``spec.build(design).oc(scenarios,
**options)``; ``simulate`` -- ``spec.build(design).simulate(scenarios,
n_sims=..., seed=..., **options)``; ``search`` -- the family's search with
``search`` as requirements; ``call`` -- ``target`` (``"designcalc.module:function"``)
called with ``kwargs``.  Each path of ``pick`` (steps separated by ``/``) walks the result: a dict key,
an attribute (a method is called without arguments), a list index, ``key=value`` (the first row whose ``key``
equals ``value``, e.g. ``rows/p=0.2/pet``) or ``*`` (the rest of the path
for every item of a list, e.g. ``extra/boundaries/*/futility``).  The case passes when every
picked value is within ``tolerance`` of ``expected`` (strings and booleans:
equal).  ``method`` (with ``method_kwargs``) calls a method of what was computed
first, e.g. ``method = "fit"`` of a design.  ``level = "full"`` keeps a slow case out of ``--level quick``.

Examples
--------
>>> [r["id"] for r in requirements()][:2]
['IQ-01', 'IQ-02']
>>> _walk({"rows": [{"p": 0.1, "q": 1}, {"p": 0.2, "q": 2}]}, "rows/p=0.2/q")
2
"""

from __future__ import annotations

import math
import os

from designcalc.core import registry

__all__ = ["requirements", "family_cases", "all_cases", "cases_file", "run_case",
           "CASE_FILE", "KINDS", "CaseError"]

#: the file name of a family folder's validation cases
CASE_FILE = "validation.toml"
#: what a case computes
KINDS = ("design", "oc", "simulate", "search", "call")
_REQUIRED = ("id", "family", "requirement", "source", "kind", "pick", "expected")
_VERIFIED_BY = ("iq", "cases", "conformance", "tests")


class CaseError(ValueError):
    """A requirements list or validation case file that is malformed (names the file)."""


def _load_toml(path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with open(path, "rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise CaseError(f"{path}: {exc}") from None


def requirements_file() -> str:
    """The path of the shipped requirements list."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "requirements.toml")


def requirements() -> list:
    """The requirements, in file order: dicts with ``id``, ``title``, ``verified_by``
    and, for ``conformance``, the ``checks`` that verify it.

    Raises
    ------
    CaseError
        A duplicate ID, an unknown ``verified_by`` or a missing field.
    """
    path = requirements_file()
    rows = _load_toml(path).get("requirement", [])
    seen = set()
    for row in rows:
        for key in ("id", "title", "verified_by"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise CaseError(f"{path}: a requirement has no {key}: {row!r}")
        if row["id"] in seen:
            raise CaseError(f"{path}: requirement {row['id']} is listed twice")
        if row["verified_by"] not in _VERIFIED_BY:
            raise CaseError(f"{path}: requirement {row['id']}: verified_by must be one of "
                            f"{', '.join(_VERIFIED_BY)}, got {row['verified_by']!r}")
        seen.add(row["id"])
    return [r for r in rows if not r.get("retired")]


def cases_file(family: str) -> str:
    """``validation.toml`` in the folder of ``family``'s spec module (it may not exist)."""
    import importlib

    registry.get(family)                                   # a ValueError if unknown
    module = importlib.import_module(registry.FAMILY_SPECS[family].partition(":")[0])
    return os.path.join(os.path.dirname(os.path.abspath(module.__file__)), CASE_FILE)


def _check_case(case: dict, path: str, known: set) -> dict:
    missing = [k for k in _REQUIRED if k not in case]
    if missing:
        raise CaseError(f"{path}: case {case.get('id', '?')!r} lacks {', '.join(missing)}")
    where = f"{path}: case {case['id']!r}"
    if case["kind"] not in KINDS:
        raise CaseError(f"{where}: kind must be one of {', '.join(KINDS)}, got {case['kind']!r}")
    if case["requirement"] not in known:
        raise CaseError(f"{where}: requirement {case['requirement']!r} is not in "
                        f"{os.path.basename(requirements_file())}")
    pick = case["pick"] if isinstance(case["pick"], list) else [case["pick"]]
    expected = case["expected"] if isinstance(case["pick"], list) else [case["expected"]]
    if len(pick) != len(expected):
        raise CaseError(f"{where}: pick and expected differ in length")
    if case["kind"] == "call" and not str(case.get("target", "")).startswith("designcalc."):
        raise CaseError(f"{where}: a call case needs target = 'designcalc.module:function'")
    if not isinstance(case.get("tolerance", 0), (int, float)) or case.get("tolerance", 0) < 0:
        raise CaseError(f"{where}: tolerance must be a number >= 0")
    return {**case, "file": path}


def family_cases(family: str) -> list:
    """The validation cases of ``family`` (from its folder's ``validation.toml``; the
    file may hold the cases of several families of the folder)."""
    path = cases_file(family)
    if not os.path.isfile(path):
        return []
    known = {r["id"] for r in requirements()}
    return [_check_case(c, path, known) for c in _load_toml(path).get("case", [])
            if c.get("family") == family]


def all_cases(families=None) -> list:
    """Every registered family's cases, in registry order (IDs unique across files)."""
    out, seen = [], {}
    for family in (registry.families() if families is None else families):
        for case in family_cases(family):
            if case["id"] in seen:
                raise CaseError(f"{case['file']}: case id {case['id']!r} is also in "
                                f"{seen[case['id']]}")
            seen[case["id"]] = case["file"]
            out.append(case)
    return out


# --- running a case ---------------------------------------------------------------------

def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


def _step(obj, step: str):
    """One step of a pick path (:func:`_walk`)."""
    if "=" in step:
        key, _, value = step.partition("=")
        want = _number(value)
        rows = obj.rows if hasattr(obj, "rows") and not isinstance(obj, (list, tuple)) else obj
        found = [r for r in rows if _same(_walk(r, key), want)]
        if not found:
            raise LookupError(f"no row with {key} = {value}")
        return found[0]
    if isinstance(obj, dict):
        return obj[step] if step in obj else obj[_number(step)]
    if isinstance(obj, (list, tuple)) and step.lstrip("-").isdigit():
        return obj[int(step)]
    if hasattr(obj, "iloc") and step.lstrip("-").isdigit():          # a DataFrame row
        return obj.iloc[int(step)]
    if hasattr(obj, "__getitem__") and not hasattr(obj, step) and not isinstance(obj, list):
        return obj[step]
    value = getattr(obj, step)
    return value() if callable(value) and not isinstance(value, type) else value


def _walk(obj, path: str):
    """Follow ``path`` (``/``-separated keys, attributes, indices, ``key=value``, ``*``)
    into ``obj``; a step that is not there is a LookupError naming it."""
    steps = str(path).split("/")
    for i, step in enumerate(steps):
        if step == "*":
            rest = "/".join(steps[i + 1:])
            return [_walk(item, rest) for item in obj]
        if step == "":
            continue
        try:
            obj = _step(obj, step)
        except (KeyError, IndexError, AttributeError, TypeError) as exc:
            raise LookupError(f"pick {path!r}: no {step!r} in a {type(obj).__name__} "
                              f"({type(exc).__name__})") from None
    if hasattr(obj, "tolist"):
        obj = obj.tolist()
    if isinstance(obj, tuple):
        obj = list(obj)
    return obj


def _compute(case: dict):
    result = _computed(case)
    if "method" in case:
        return getattr(result, case["method"])(**case.get("method_kwargs", {}))
    return result


def _computed(case: dict):
    kind = case["kind"]
    if kind == "call":
        return registry.load(case["target"])(**case.get("kwargs", {}))
    spec = registry.get(case["family"])
    if kind == "search":
        return spec.run_search(**case.get("search", {}))
    design = spec.build(case.get("design", {}))
    if kind == "design":
        return design
    scenarios = case.get("scenarios")
    options = case.get("options", {})
    if kind == "oc":
        return design.oc(scenarios, **options)
    return design.simulate(scenarios, n_sims=int(case.get("n_sims", 10_000)),
                           seed=case.get("seed", 1), **options)


def _within(observed, expected, tolerance) -> bool:
    if isinstance(expected, list):
        return (isinstance(observed, list) and len(observed) == len(expected)
                and all(_within(o, e, tolerance) for o, e in zip(observed, expected)))
    if isinstance(expected, (bool, str)) or expected is None:
        return observed == expected
    try:
        observed = float(observed)
    except (TypeError, ValueError):
        return False
    return math.isfinite(observed) and abs(observed - float(expected)) <= tolerance + 1e-12


def run_case(case: dict) -> dict:
    """Compute ``case`` and compare: the case's fields plus ``observed``, ``passed``
    and, when the computation failed, ``error`` (the case then fails)."""
    import time
    import warnings

    single = not isinstance(case["pick"], list)
    picks = [case["pick"]] if single else case["pick"]
    expected = [case["expected"]] if single else case["expected"]
    tolerance = float(case.get("tolerance", 0))
    start = time.perf_counter()
    out = {k: v for k, v in case.items() if k not in ("file",)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = _compute(case)
        observed = [_walk(result, p) for p in picks]
    except Exception as exc:  # noqa: BLE001 - a case that cannot run fails, with the reason
        out.update(observed=None, passed=False, error=f"{type(exc).__name__}: {exc}")
    else:
        passed = all(_within(o, e, tolerance) for o, e in zip(observed, expected))
        out.update(observed=observed[0] if single else observed, passed=passed)
    out["seconds"] = round(time.perf_counter() - start, 3)
    return out
