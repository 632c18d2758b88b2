"""``designcalc serve``: the local web interface (:mod:`designcalc.web`)."""

from __future__ import annotations

import click

from designcalc.web.app import LOOPBACK_HOSTS

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. The default serves this machine only; any other "
                   "address serves the network (no authentication: do so only on a "
                   "trusted network).")
def serve(port, host):
    """Serve the web interface: one page per registered design family.

    Needs the optional dependencies: pip install "designcalc[web]".  Bound to
    127.0.0.1 by default (this machine only), with Host-header checks.  Every
    computation runs the designcalc command line under the budget given here
    (--max-seconds, --max-memory, --force; default: the CLI's).
    """
    try:
        import uvicorn
    except ImportError:
        raise click.UsageError('the web interface needs its extra: pip install '
                               '"designcalc[web]"') from None
    from designcalc.web.app import create_app

    from designcalc.core import budget

    limits = budget.current()       # serve's --max-seconds/--max-memory/--force
    budget_args = ["--force"] if limits.force else []
    if not limits.force and limits.max_seconds != budget.DEFAULT_MAX_SECONDS:
        budget_args += ["--max-seconds", repr(limits.max_seconds)]
    if not limits.force and limits.max_bytes != budget.DEFAULT_MAX_BYTES:
        budget_args += ["--max-memory", repr(limits.max_bytes / 2 ** 30)]
    local = host in _LOOPBACK
    app = create_app(allowed_hosts=LOOPBACK_HOSTS if local else None, budget=budget_args)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"designcalc web interface on http://{shown}:{port}/ "
               + ("(bound to this machine only)" if local else
                  f"(bound to {host}: reachable from the network, no authentication)"),
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
