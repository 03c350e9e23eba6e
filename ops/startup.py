"""What starting any hiyoko process shares — `hiyoko run` (or `python app.py`) and every other
subcommand: settings loaded with one-line errors, the database opened (and migrated when it is
SQLite), the error that becomes exit code 2, and the exit codes themselves. None prints a
traceback (set HIYOKO_DEBUG=1 to see one)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from pydantic import ValidationError

from i18n import t
from settings import Settings
from store import Database, upgrade_database
from store.db import is_up_to_date


class CommandError(Exception):
    """A failure with a message for the operator; becomes exit code 2."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "?"
            lines.append(t("cli.invalid_setting", _lang(), name=name, reason=problem["msg"]))
        raise CommandError("\n".join(lines)) from None


def _lang() -> str:
    return "en" if os.environ.get("HIYOKO_LANGUAGE") == "en" else "ja"


def open_database(settings: Settings) -> Database:
    """The database, migrated when it is SQLite (one process owns the file)."""
    db = Database(settings.database_url)
    if db.is_sqlite:
        upgrade_database(db.engine)
    elif not is_up_to_date(db.engine):
        raise CommandError("the database is not migrated: run `hiyoko db upgrade` once, then start the replicas")
    return db


def exit_code(command: Callable[[], int]) -> int:
    """Run a command: its own code; 2 and one line for a CommandError; 130 when interrupted; 1 and
    one line for anything else (HIYOKO_DEBUG=1 raises it instead)."""
    try:
        return int(command())
    except CommandError as error:
        print(f"hiyoko: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if os.environ.get("HIYOKO_DEBUG"):
            raise
        print(f"hiyoko: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
