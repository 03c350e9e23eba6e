"""The `hiyoko` subcommands of adoption."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `doctor` and `import` to the `hiyoko` command."""
