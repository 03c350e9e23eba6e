"""The `hiyoko` subcommands of adoption."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `doctor` and `import` to the `hiyoko` command."""
    from adoption import doctor, importer

    check = commands.add_parser("doctor", help="check the installation: settings, Slack, sheet, database")
    check.add_argument("--lang", choices=("ja", "en"), help="language of the report (default: HIYOKO_LANGUAGE)")
    check.add_argument("--manifest", help="the manifest.yml whose bot scopes must be granted (default: the app's)")
    check.set_defaults(func=doctor.run)

    bring = commands.add_parser("import", help="import an old signal sheet (.xlsx, .csv or a Google Sheet)")
    bring.add_argument("source", metavar="PATH_OR_SPREADSHEET",
                       help="a .xlsx or .csv file, or a Google Sheet's id or URL")
    bring.add_argument("--tab", help="the tab to read (default: the first)")
    bring.add_argument("--map", action="append", metavar="'HEADER=field'",
                       help=f"read the column HEADER as field ({', '.join(importer.FIELDS)}); "
                            "an empty field ignores the column; may be repeated")
    bring.add_argument("--dry-run", action="store_true", help="print a preview table and write nothing")
    bring.add_argument("--announce", action="store_true",
                       help="post a card in the signals channel for each imported signal (default: quiet)")
    bring.set_defaults(func=importer.run)
