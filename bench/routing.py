"""Routing bench: what routing a share costs, at 5,000 accounts and a 10-member team.

1. `route` alone: 1,000 shares, each timed inside its own write transaction (half known customers
   — the account's person — half unknown — the team's least-loaded member, with its turn
   recorded), each followed by the signal's insert so loads grow as they would; p50/p99.
2. The share's ack through the real Bolt app in-process (fake Slack and Sheets, relay not running):
   signed `view_submission`s with an owner chosen (no routing) and with the owner left empty
   (routed); p50/p99 of `App.dispatch` until the ack.

Both on SQLite (a temporary file) and, when it can start or reach one, PostgreSQL (a scratch
schema of ``HIYOKO_TEST_POSTGRES_URL`` or what ``scripts/postgres-url`` prints)::

    python -m bench.routing                  # both databases
    python -m bench.routing --database sqlite --shares 500
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import app
from fakes.process import ROOT, scratch_schema
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import SIGNING_SECRET, bolt_request, interactive_body, modal_state, view_submission
from models.accounts import AccountRecord
from models.clock import SystemClock
from models.routing import Account, Role, parse_routing
from models.signal import Category, Status
from settings import Settings
from store import Database, upgrade_database
from store.accounts import AccountStore
from store.routing import route
from store.tables import SignalRow

ACCOUNTS = 5_000
TEAM = tuple(f"UCS{n:02d}" for n in range(10))
AE_TEAM = tuple(f"UAE{n:02d}" for n in range(10))
CSM = "UCSM"
CHANNEL = "CSIGNALS"


def accounts(count: int) -> list[AccountRecord]:
    return [
        AccountRecord(
            n + 2,
            Account(
                f"株式会社サンプル{n:05d}", ae=AE_TEAM[n % 10], csales=TEAM[n % 10], csm=CSM, channel=f"CCUST{n:05d}"
            ),
            [f"Sample {n:05d} Inc."],
        )
        for n in range(count)
    ]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def postgres_base() -> str | None:
    url = os.environ.get("HIYOKO_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        out = subprocess.run([str(ROOT / "scripts" / "postgres-url")], capture_output=True, text=True, timeout=120)
    except OSError:
        return None
    return out.stdout.strip() or None


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'routing.db'}"
        return
    base = postgres_base()
    if not base:
        raise SystemExit("no PostgreSQL: set HIYOKO_TEST_POSTGRES_URL")
    with scratch_schema(base, "bench_routing") as url:
        yield url


def bench_route(url: str, shares: int) -> tuple[float, float]:
    """p50/p99 (ms) of `route` inside a transaction, the signal inserted after it."""
    db = Database(url)
    upgrade_database(db.engine)
    now = datetime.now(UTC)
    AccountStore(db).replace_all(accounts(ACCOUNTS), now)
    routing = parse_routing("")
    teams = {Role.CSALES: frozenset(TEAM), Role.AE: frozenset(AE_TEAM)}
    rng = random.Random(12)
    samples: list[float] = []
    for n in range(shares):
        known = n % 2 == 0
        customer = f"ｻﾝﾌﾟﾙ{rng.randrange(ACCOUNTS):05d}" if known else f"未知の会社{n}"
        category = rng.choice(list(Category))
        with db.transaction() as session:
            started = time.perf_counter()
            owner, _ = route(
                session,
                category=category,
                customer=customer,
                routing=routing,
                teams=teams,
                today=date.today(),
                now=datetime.now(UTC),
            )
            samples.append(time.perf_counter() - started)
            assert owner is not None
            session.add(
                SignalRow(
                    customer=customer,
                    customer_key=customer,
                    kind="egg",
                    category=category.value,
                    status=Status.OPEN.value,
                    summary="bench",
                    size="",
                    source="",
                    submitter_id=CSM,
                    submitter_name=CSM,
                    owner_id=owner,
                    owner_name=owner,
                    close_reason="",
                    created_at=now,
                    updated_at=now,
                    last_activity_at=now,
                    nudge_count=0,
                )
            )
    db.dispose()
    return percentiles(samples)


def bench_acks(url: str, tmp: Path, shares: int) -> dict[str, tuple[float, float]]:
    """p50/p99 (ms) of the share's ack through the real Bolt app, chosen owner vs routed."""
    with FakeSlack().start() as slack, FakeSheets().start() as sheets:
        for user_id in (CSM, "UAE", *TEAM, *AE_TEAM):
            slack.add_user(user_id, user_id.lower())
        slack.add_channel(CHANNEL, "upsell-signals")
        sheets.create_spreadsheet("sheet-hiyoko", sheets=["Sheet1"])
        values: dict[str, Any] = {
            "slack_bot_token": "xoxb-test-token",
            "slack_signing_secret": SIGNING_SECRET,
            "slack_app_token": None,
            "slack_api_url": slack.url,
            "signals_channel_id": CHANNEL,
            "database_url": url,
            "spreadsheet_id": "sheet-hiyoko",
            "sheets_emulator_host": sheets.host,
            "hiyoko_xlsx_path": tmp / "hiyoko.xlsx",
            "hiyoko_timezone": "Asia/Tokyo",
            "hiyoko_team_csales": ",".join(TEAM),
            "hiyoko_team_ae": ",".join(AE_TEAM),
        }
        hiyoko = app.build(Settings(_env_file=None, **values), clock=SystemClock())  # type: ignore[call-arg]
        upgrade_database(hiyoko.db.engine)
        hiyoko.users.refresh(None)
        results: dict[str, tuple[float, float]] = {}
        rng = random.Random(7)
        known = iter(rng.sample(range(ACCOUNTS), min(ACCOUNTS, shares * 2)))  # no duplicate warnings
        for label, owner in (("chosen owner", "UAE"), ("routed", None)):
            samples: list[float] = []
            for n in range(shares):
                customer = f"ｻﾝﾌﾟﾙ{next(known):05d}" if n % 2 == 0 else f"未知の会社{label}{n}"
                state = modal_state(customer=customer, category=rng.choice(list(Category)).value, owner=owner)
                request = bolt_request(interactive_body(view_submission(CSM, state, view_id=f"V{label}{n}")))
                started = time.perf_counter()
                response = hiyoko.bolt.dispatch(request)
                samples.append(time.perf_counter() - started)
                assert response.status == 200 and not response.body, response.body  # stored, modal closed
            results[label] = percentiles(samples)
        assert len(hiyoko.store.all()) == 2 * shares
        hiyoko.db.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--shares", type=int, default=1000)
    parser.add_argument("--acks", type=int, default=300, help="shares per ack measurement")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"{ACCOUNTS} accounts, a {len(TEAM)}-member CSales team and a {len(AE_TEAM)}-member AE team")
    print("| database | measure | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
            p50, p99 = bench_route(url, args.shares)
            print(f"| {kind} | route() per share ({args.shares}, in its transaction) | {p50:.2f} | {p99:.2f} |")
        with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
            db = Database(url)
            upgrade_database(db.engine)
            AccountStore(db).replace_all(accounts(ACCOUNTS), datetime.now(UTC))
            db.dispose()
            for label, (p50, p99) in bench_acks(url, Path(tmp), args.acks).items():
                print(f"| {kind} | share ack, {label} ({args.acks}) | {p50:.2f} | {p99:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
