"""The `hiyoko` command: every subcommand, one module each. Nothing imports this package (but the
tests); it sits on top of the app.

Every command exits non-zero with a one-line reason on bad input; none prints a traceback
(set HIYOKO_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from cli import accounts, db, doctor, hear, importing, jobs, lists, outbox, run, sheet
from ops import logs
from ops.startup import exit_code


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="hiyoko", description="Upsell signals from Slack to sales and the sheet.")
    commands = root.add_subparsers(dest="command", required=True)
    for command in (run, db, sheet, accounts, doctor, importing, jobs, outbox, lists, hear):
        command.add_command(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure(json_lines=False)  # `run` switches to JSON lines (HIYOKO_LOG_FORMAT)
    args = parser().parse_args(argv)
    return exit_code(lambda: int(args.func(args)))
