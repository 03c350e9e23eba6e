"""`hiyoko hear [FILE|-]`: the detector over JSON lines, one answer line per input line, in order.

Input: `{"text": "...", "date": "YYYY-MM-DD"}` (date optional: today in HIYOKO_TIMEZONE).
Output: `{"hint", "kind", "category", "timing", "score", "evidence"}`, or `{"error": "…"}` for a
line that cannot be read. Exit 0 whatever the lines hold. HIYOKO_PRODUCTS / HIYOKO_PLANS and the
team's newest model (when the database has one) are used as the app uses them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from hearing.detector import Detector
from hearing.learning import TeamModel
from i18n import t
from models.offerings import parse_offerings
from ops.startup import CommandError, load_settings
from settings import Settings
from store.db import Database, is_up_to_date
from store.hearing import latest_model


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `hear [FILE|-]` to the `hiyoko` command."""
    hear = commands.add_parser("hear", help=t("hear.help", "en"))
    hear.add_argument("file", nargs="?", default="-", help="JSON lines to read (default: - for stdin)")
    hear.set_defaults(func=cmd_hear)


def _team_model(settings: Settings) -> TeamModel | None:
    """The newest team model, or None (none trained yet, or unreadable: said once on stderr). Only
    reads: hearing a file makes no database and migrates none."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return None  # no database here: nothing learnt yet
    try:
        db = Database(settings.database_url)
        try:
            text = latest_model(db) if is_up_to_date(db.engine) else None
        finally:
            db.dispose()
        return TeamModel.from_json(text) if text else None
    except Exception as error:  # a database we cannot read must not stop hearing with the rules
        print(t("hear.model_unreadable", settings.hiyoko_language, reason=str(error).splitlines()[0]), file=sys.stderr)
        return None


def answer(line: str, detector: Detector, today: date, lang: str) -> dict[str, object]:
    """The output object for one input line."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": t("hear.error.json", lang, reason=str(error))}
    if not isinstance(row, dict):
        return {"error": t("hear.error.object", lang)}
    text = row.get("text")
    if not isinstance(text, str):
        return {"error": t("hear.error.text", lang)}
    on = today
    if row.get("date") is not None:
        try:
            on = date.fromisoformat(str(row["date"]))
        except ValueError:
            return {"error": t("hear.error.date", lang, value=str(row["date"])[:40])}
    return detector.hear(text, on).as_json()


def hear_lines(lines: Iterable[str], out: TextIO, detector: Detector, today: date, lang: str) -> None:
    for line in lines:
        if not line.strip():
            continue
        out.write(json.dumps(answer(line, detector, today, lang), ensure_ascii=False) + "\n")
        out.flush()


def cmd_hear(args: argparse.Namespace) -> int:
    settings = load_settings()
    lang = settings.hiyoko_language
    detector = Detector(
        parse_offerings(settings.hiyoko_products), parse_offerings(settings.hiyoko_plans), _team_model(settings)
    )
    today = datetime.now(settings.timezone).date()
    if args.file == "-":
        hear_lines(sys.stdin, sys.stdout, detector, today, lang)
        return 0
    try:
        with open(args.file, encoding="utf-8", errors="replace") as source:
            hear_lines(source, sys.stdout, detector, today, lang)
    except OSError:
        raise CommandError(t("hear.no_file", lang, path=args.file)) from None
    return 0
