"""The process that runs one computation of the web interface: ``designcalc`` itself.

``python -m designcalc.web.worker`` imports the CLI, then reads a JSON list
of argument lists on stdin (an empty stdin: the server has gone) and runs the ``designcalc`` command line once per list, in this one
process (the imports are paid once), in order, stopping at the first that
fails; its exit code is that command's (0, 2 bad input, 1 a bug).  Messages
go to stderr exactly as on a terminal: the server reads the error line and
the simulation progress bar from there (its stderr is a terminal, so the bar
shows), and the results from the files the arguments name in the worker's
folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys


def main() -> int:
    from designcalc.cli import cli

    text = sys.stdin.read()          # a spare worker waits here, its imports done
    if not text.strip():             # the server went away: leave no empty folder
        folder = os.getcwd()
        if os.path.basename(folder).startswith("designcalc-web-"):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        return 0
    for args in json.loads(text):
        code = cli.main(args=[str(a) for a in args], prog_name="designcalc",
                        standalone_mode=False)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
