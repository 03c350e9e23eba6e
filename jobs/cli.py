"""The `hiyoko jobs` subcommands."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `jobs list` and `jobs run NAME` to the `hiyoko` command."""
