"""The web application (Starlette): pages generated from the registry, run by the CLI.

Routes
------
``/``
    The families, by CLI group.
``/family/NAME/COMMAND``
    The form of a command on a family's page (:mod:`designcalc.web.forms`).
    With ``run=1`` in the query the form's values are run: the query string is
    the permalink (inputs and seed), and a result page shows the OC table, the
    figure (inline SVG), the warnings, the equivalent command line, the downloads
    and the HTML report (its protocol text: the design sentence), written when the
    page shows it (``download/html?...&inline=1``, in a sandboxed frame).  Bad input
    gives the form again with the CLI's message beside the field (status 422).
``/family/NAME/COMMAND/download/FORMAT``
    (same query) ``json``, ``csv``, ``svg``, ``md``, ``html`` or ``docx``: the files
    the CLI writes for that command line (``--format json``, ``--format csv``,
    ``--plot``, ``--report``).
``/job/cancel`` (POST)
    Cancels the browser session's running computation.  While a computation
    runs, its permalink answers with a progress page that reloads itself.

Every computation runs the ``designcalc`` command line in a worker process
(:class:`designcalc.web.jobs.Job`): the same validation, budget, numbers and
files as on a terminal.  One computation per browser session at a time (a
cookie names the session); finished outcomes are kept in a
:class:`~designcalc.web.jobs.BoundedCache` keyed by the command line (the only
state sessions share).

Safety: nothing from the browser is a path (the server picks every file
name), every page is rendered by Jinja2 with autoescape, requests are
limited in size (:class:`LimitRequests`), requests other web sites make the
browser send are refused (:class:`RefuseCrossSite`), and when the server is bound to
the loopback interface the ``Host`` header must name it (Starlette's
``TrustedHostMiddleware``), which defeats DNS rebinding.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from designcalc.web import forms as web_forms
from designcalc.web.jobs import CANCELLED, BoundedCache, Job

__all__ = ["create_app", "LimitRequests", "RefuseCrossSite", "LOOPBACK_HOSTS", "DOWNLOADS"]

#: Host headers accepted when the server is bound to the loopback interface
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
#: download format -> (file the CLI writes, media type)
DOWNLOADS = {
    "json": ("out.json", "application/json"),
    "csv": ("out.csv", "text/csv; charset=utf-8"),
    "svg": ("plot.svg", "image/svg+xml"),
    "md": ("report.md", "text/markdown; charset=utf-8"),
    "html": ("report.html", "text/html; charset=utf-8"),
    "docx": ("report.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
COOKIE = "designcalc_session"
#: browser sessions remembered (their running computation); the oldest idle go first
MAX_SESSIONS = 256


class LimitRequests:
    """ASGI middleware: refuse a query string over ``max_query`` bytes (414) and a body
    over ``max_body`` bytes (413), counted as it arrives."""

    def __init__(self, app, max_query: int = 16 * 1024, max_body: int = 64 * 1024):
        self.app, self.max_query, self.max_body = app, max_query, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if len(scope.get("query_string", b"")) > self.max_query:
            return await Response("request too long", status_code=414)(scope, receive, send)
        length = dict(scope.get("headers", ())).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await Response("request body too large", status_code=413)(
                scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise ValueError("request body too large")
            return message

        return await self.app(scope, limited, send)


class RefuseCrossSite:
    """ASGI middleware: refuse requests another web site makes the browser send (403).

    Browsers say where a request comes from in the Fetch Metadata headers
    (W3C Fetch Metadata Request Headers): ``Sec-Fetch-Site`` is ``same-origin``
    for the pages of this server and ``none`` for a typed or bookmarked address;
    those pass.  From anywhere else (another site, or another port of this
    machine) only a navigation the user made by a click (``Sec-Fetch-Mode:
    navigate``, ``Sec-Fetch-User: ?1``, GET), such as a permalink opened from an
    e-mail, passes: a page cannot start a computation here from an image, a
    script or a form, nor cancel one.  Requests without these headers (older
    browsers, curl, scripts) pass: they are not a browser acting for a web page.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers", ()))
            site = headers.get(b"sec-fetch-site")
            if site not in (None, b"same-origin", b"none") and not (
                    scope.get("method") == "GET"
                    and headers.get(b"sec-fetch-mode") == b"navigate"
                    and headers.get(b"sec-fetch-user") == b"?1"):
                return await Response("cross-site request refused: open designcalc's "
                                      "page directly", status_code=403)(scope, receive, send)
        return await self.app(scope, receive, send)


def _templates():
    import jinja2

    import base64

    env = jinja2.Environment(loader=jinja2.PackageLoader("designcalc.web", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii")
    env.globals["zip"] = zip
    return env


class _State:
    """The server's state: templates, the cache, each session's computation."""

    def __init__(self, wait, cache_entries, cache_bytes):
        self.env = _templates()
        self.wait = wait
        self.cache = BoundedCache(cache_entries, cache_bytes)
        self.sessions: OrderedDict = OrderedDict()     # session id -> Job
        self.lock = threading.Lock()

    def job(self, sid):
        with self.lock:
            return self.sessions.get(sid)

    def start(self, sid, runs, key) -> Job:
        job = Job(runs, key=key)
        with self.lock:
            self.sessions[sid] = job
            self.sessions.move_to_end(sid)
            idle = [s for s, j in self.sessions.items() if not j.running]
            while len(self.sessions) > MAX_SESSIONS and idle:
                self.sessions.pop(idle.pop(0), None)
        return job


def _session(request):
    sid = request.cookies.get(COOKIE, "")
    return sid if 16 <= len(sid) <= 64 and sid.isascii() else secrets.token_urlsafe(24)


def _respond(request, response, sid):
    if request.cookies.get(COOKIE) != sid:
        response.set_cookie(COOKIE, sid, httponly=True, samesite="strict")
    return response


def _values(request) -> dict:
    """The submitted values (a field given twice: the last)."""
    return {k: v for k, v in request.query_params.multi_items()}


def _key(form, argv) -> tuple:
    return (form.group, form.command, tuple(argv))


def _main_run(form, argv, budget=()) -> list:
    """The arguments of a form's computation: its JSON and figure, under ``budget``."""
    run = list(argv) + list(budget)
    if "out" in form.outputs:
        run += ["--format", "json", "--out", "out.json"]
    if "plot" in form.outputs:
        run += ["--plot", "plot.svg"]
    return [form.group, form.command] + run


def _table(envelope) -> dict:
    """Columns (name, caption) and formatted rows of an envelope's ``results``."""
    from designcalc.present.labels import caption, format_value
    from designcalc.present.render import columns_of

    rows = envelope.get("results") or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return {"columns": [], "rows": []}
    columns = columns_of(rows)
    return {"columns": [(c, caption(c)) for c in columns],
            "rows": [[format_value(c, r.get(c)) for c in columns] for r in rows]}


def _extra(envelope) -> list:
    """``(key, text)`` of an envelope's other scalar values (a search's choice, ...)."""
    skip = {"designcalc_version", "command", "inputs", "seed", "warnings", "results"}
    out = []
    for key, value in envelope.items():
        if key not in skip and not isinstance(value, (dict, list)):
            out.append((key, value))
    return out


def create_app(*, allowed_hosts=LOOPBACK_HOSTS, wait: float = 2.0, cache_entries: int = 32,
               cache_bytes: int = 256 * 2 ** 20, max_query: int = 16 * 1024,
               max_body: int = 64 * 1024, budget=()) -> Starlette:
    """The application.

    Parameters
    ----------
    allowed_hosts : sequence of str or None
        ``Host`` headers accepted (None: any, for a server bound to another
        interface).
    wait : float
        Seconds a submission waits for its computation before answering with
        the progress page (which then follows the computation).
    cache_entries, cache_bytes : int
        Bounds of the cache of finished computations.
    max_query, max_body : int
        Request size limits in bytes.
    budget : sequence of str
        Budget options added to every command line (``--max-seconds S``,
        ``--max-memory GB`` or ``--force``); empty: the CLI's defaults.
    """
    from designcalc import __version__
    from designcalc.core import registry

    state = _State(wait, cache_entries, cache_bytes)

    def page(name, status=200, **context):
        text = state.env.get_template(name).render(version=__version__, **context)
        return HTMLResponse(text, status_code=status)

    def not_found(what):
        return page("error.j2", 404, title="Not found", message=what)

    def index(request):
        groups = registry.groups()
        listing = [(group, text, [s for s in registry.specs()
                                  if (s.cli_group or s.name) == group])
                   for group, text in groups.items()]
        return page("index.j2", groups=[g for g in listing if g[2]])

    def _form_of(request):
        family = request.path_params["family"]
        if family not in registry.families():
            return None, None
        spec = registry.get(family)
        command = request.path_params.get("command")
        forms = web_forms.family_forms(spec)
        if command is None:
            return spec, forms[0] if forms else None
        return spec, next((f for f in forms if f.command == command), None)

    def family_page(request):
        spec, form = _form_of(request)
        if form is None:
            return not_found("no such family")
        return RedirectResponse(f"/family/{spec.name}/{form.command}", status_code=303)

    def render_form(spec, form, values, status=200, error="", errors=None, result=None,
                    argv=None):
        forms = web_forms.family_forms(spec)
        shown = {f.name: (values.get(f.name) if f.name in values else f.default)
                 for f in form.fields}
        if form.design and not shown.get("design"):
            shown["design"] = form.design
        example = form.example_values(spec)
        return page("family.j2", status, spec=spec, forms=forms, form=form, values=shown,
                    example=f"?{urlencode(example)}" if example else "",
                    error=error, errors=errors or {}, result=result,
                    command=form.command_line(argv) if argv is not None else "")

    def command_page(request):
        spec, form = _form_of(request)
        if form is None:
            return not_found("no such family or command")
        sid = _session(request)
        values = _values(request)
        if "run" not in values:
            return _respond(request, render_form(spec, form, values), sid)
        if form.needs_seed(values):
            values["seed"] = str(secrets.randbelow(2 ** 31))
            return RedirectResponse(f"{request.url.path}?{urlencode(values)}", status_code=303)
        argv = form.argv(values)
        key = _key(form, argv)
        outcome = state.cache.get(key)
        if outcome is None:
            job = state.job(sid)
            if job is not None and job.running and job.key != key:
                return _respond(request, page(
                    "job.j2", 409, job=job, busy=True, spec=spec, form=form,
                    command=form.command_line(list(job.key[2]))), sid)
            if job is None or job.key != key or not job.running:
                job = state.start(sid, [_main_run(form, argv, budget)], key)
            outcome = job.wait(state.wait)
            if outcome is None:
                return _respond(request, page("job.j2", 202, job=job, busy=False, spec=spec,
                                              form=form, command=form.command_line(argv)),
                                sid)
            if outcome.code == 0:
                state.cache.put(key, outcome)
        if outcome.code == CANCELLED:
            return _respond(request, render_form(spec, form, values, error="cancelled",
                                                 argv=argv), sid)
        if outcome.code != 0:
            errors = form.field_errors(outcome.message, outcome.option)
            status = 422 if outcome.code == 2 else 500
            return _respond(request, render_form(spec, form, values, status, outcome.message,
                                                 errors, argv=argv), sid)
        envelope = outcome.json() or {}
        query = urlencode({k: v for k, v in values.items() if v != ""})
        result = {
            "table": _table(envelope), "extra": _extra(envelope),
            "warnings": envelope.get("warnings") or [], "seed": envelope.get("seed"),
            "svg": outcome.files.get("plot.svg", b"").decode("utf-8", "replace"),
            "report": (f"{request.url.path}/download/html?{query}&inline=1"
                       if "report" in form.outputs else ""),
            "stdout": "" if "out.json" in outcome.files else outcome.stdout,
            "seconds": outcome.seconds,
            "permalink": f"{request.url.path}?{query}",
            "downloads": [(fmt, f"{request.url.path}/download/{fmt}?{query}")
                          for fmt in _formats(form, outcome)],
        }
        return _respond(request, render_form(spec, form, values, result=result, argv=argv),
                        sid)

    def _formats(form, outcome):
        out = []
        if "out.json" in outcome.files:
            out += ["json", "csv"]
        if "plot.svg" in outcome.files:
            out.append("svg")
        if "report" in form.outputs:
            out += ["md", "html", "docx"]
        return out

    def download(request):
        spec, form = _form_of(request)
        fmt = request.path_params["fmt"]
        if form is None or fmt not in DOWNLOADS:
            return not_found("no such download")
        values = _values(request)
        inline = values.pop("inline", None) == "1"
        argv = form.argv(values)
        outcome = state.cache.get(_key(form, argv))
        if fmt in ("json", "csv", "svg"):
            if outcome is None:
                return RedirectResponse(f"{request.url.path.rsplit('/download/', 1)[0]}?"
                                        f"{urlencode(values)}", status_code=303)
            if fmt == "csv" and "out.json" in outcome.files:
                from designcalc.present.render import render_csv

                data = render_csv((outcome.json() or {}).get("results") or []).encode()
            else:
                data = outcome.files.get(DOWNLOADS[fmt][0])
        else:        # md, html, docx: the CLI's --report of the same command line, now
            sid = _session(request)
            job = state.job(sid)
            if job is not None and job.running:
                return page("job.j2", 409, job=job, busy=True, spec=spec, form=form,
                            command=form.command_line(list(job.key[2])))
            run = ([form.group, form.command] + argv + list(budget)
                   + ["--report", DOWNLOADS[fmt][0]])
            if "out" in form.outputs:
                run += ["--format", "json", "--out", "out.json"]
            job = state.start(sid, [run], ("download", fmt) + _key(form, argv))
            done = job.wait(None)
            if done.code != 0:
                return page("error.j2", 422 if done.code == 2 else 500, title="Not written",
                            message=done.message or "cancelled")
            data = done.files.get(DOWNLOADS[fmt][0])
        if data is None:
            return not_found(f"this command writes no {fmt}")
        name = f"designcalc-{spec.name}-{form.command}.{fmt}"
        return Response(data, media_type=DOWNLOADS[fmt][1], headers={
            "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
            "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"})

    def cancel(request):
        sid = _session(request)
        job = state.job(sid)
        if job is not None:
            job.cancel()
            job.wait(5)
        back = request.query_params.get("next", "/")
        return RedirectResponse(back if back.startswith("/") and not back.startswith("//")
                                else "/", status_code=303)

    routes = [
        Route("/", index),
        Route("/family/{family}", family_page),
        Route("/family/{family}/{command}", command_page),
        Route("/family/{family}/{command}/download/{fmt}", download),
        Route("/job/cancel", cancel, methods=["POST"]),
    ]
    middleware = [Middleware(LimitRequests, max_query=max_query, max_body=max_body),
                  Middleware(RefuseCrossSite)]
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    return Starlette(routes=routes, middleware=middleware)
