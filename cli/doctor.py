"""`hiyoko doctor [--lang ja|en] [--manifest PATH]`: check the installation (ops/doctor.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from ops.doctor import FAIL, MANIFEST, Doctor, language, render, settings_problems
from settings import Settings


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser("doctor", help="check the installation: settings, Slack, sheet, database")
    check.add_argument("--lang", choices=("ja", "en"), help="language of the report (default: HIYOKO_LANGUAGE)")
    check.add_argument("--manifest", help="the manifest.yml whose bot scopes must be granted (default: the app's)")
    check.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """0 when every check passes, else 1."""
    try:
        settings = Settings()
    except ValidationError as error:
        lang = language(args.lang)
        print(render(settings_problems(error, lang), lang))
        return 1
    lang = args.lang or settings.hiyoko_language
    checks = Doctor(settings, lang, Path(args.manifest) if args.manifest else MANIFEST).run()
    print(render(checks, lang))
    return 0 if all(check.status != FAIL for check in checks) else 1
