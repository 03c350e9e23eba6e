"""`hiyoko run`: the Slack app (Socket Mode or HTTP) — what `python app.py` runs."""

from __future__ import annotations

import argparse

import app
from ops.startup import load_settings


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("run", help="run the Slack app (Socket Mode or HTTP)").set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    app.run(load_settings())
    return 0
