"""What every `hiyoko` subcommand shares: settings loaded with one-line errors, the database
opened (and migrated when it is SQLite), and the error type that becomes exit code 2."""

from __future__ import annotations

import os

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


