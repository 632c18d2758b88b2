"""A local web interface: every registered family in a browser (``designcalc serve``).

Optional: ``pip install "designcalc[web]"`` (Starlette, uvicorn,
python-multipart).  The pages are generated from the registry
(:mod:`designcalc.web.forms`) and never name a family; every computation is
the ``designcalc`` command line itself, run in a worker process
(:mod:`designcalc.web.jobs`), so the checks, messages, numbers and files are
the CLI's.  :func:`designcalc.web.app.create_app` builds the application;
``designcalc serve`` (:mod:`designcalc.web.cli`) runs it with uvicorn.
"""
