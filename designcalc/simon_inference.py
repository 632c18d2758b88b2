"""Alias of :mod:`designcalc.simon.inference` (inference after a Simon two-stage trial)."""
from designcalc.simon.inference import *  # noqa: F401,F403
from designcalc.simon.inference import __all__  # noqa: F401
