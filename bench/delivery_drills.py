"""Delivery drills: faults that used to post a signal twice or strand it, and what happens now.

- **two relays, slow Slack, short lease**: 8 shares; chat.postMessage answers in 0.5 s, the lease
  is 2 s, so the first relay's batch outlasts it several times; a second relay (another replica,
  or `hiyoko import --announce` beside the app) starts after 2.5 s. On SQLite, and on PostgreSQL
  when ``HIYOKO_TEST_POSTGRES_URL`` is set.
- **SIGKILL mid-batch**: a real `hiyoko run` process (default 15 s lease) is killed while it posts
  12 cards to a slow Slack; a new process is started at once. Reports the seconds from the kill
  until every card and owner reply is posted.

Prints one table: faults, signals, delivered once, lost, duplicated (and the time to recover).
Exits 1 when a signal was lost or duplicated.

Run from the repository root::

    python -m bench.delivery_drills
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import app
from bot.blocks.card import CARD_EVENT, OWNER_NOTICE_EVENT
from fakes.process import AppProcess, app_env, free_port, post_signed, scratch_schema
from fakes.slack_api import FakeSlack
from fakes.slack_requests import bolt_request, interactive_body, modal_state, view_submission
from models.clock import SystemClock
from models.signal import format_signal_id
from settings import Settings
from store import upgrade_database

CHANNEL = "CSIGNALS"
CSM, AE = "UCSM", "UAE"
SPEEDUP = 50.0  # the fake's per-channel limit, scaled; the relay paces to match


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(channel_rate=SPEEDUP).start() as fake:
        fake.add_user(CSM, "sato", display_name="佐藤")
        fake.add_user(AE, "tanaka", display_name="田中")
        fake.add_channel(CHANNEL, "upsell-signals")
        fake.add_channel("CDIGEST", "upsell-managers")
        yield fake


def tally(fake: FakeSlack, signals: int) -> tuple[int, int, int]:
    """(delivered once, lost, duplicated): a signal counts once with exactly one card and one reply."""
    cards: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    for message in fake.messages(CHANNEL):
        meta = message.get("metadata") or {}
        if meta.get("event_type") != CARD_EVENT:
            continue
        signal = meta["event_payload"]["signal_id"]
        cards[signal] += 1
        replies[signal] += sum(
            1
            for r in fake.replies(CHANNEL, message["ts"])
            if (r.get("metadata") or {}).get("event_type") == OWNER_NOTICE_EVENT
        )
    ids = [format_signal_id(n) for n in range(1, signals + 1)]
    once = sum(1 for i in ids if cards[i] == 1 and replies[i] == 1)
    lost = sum(1 for i in ids if cards[i] == 0 or replies[i] == 0)
    duplicated = sum(1 for i in ids if cards[i] > 1 or replies[i] > 1)
    return once, lost, duplicated


def share(hiyoko: app.Hiyoko, index: int) -> None:

    body = interactive_body(view_submission(CSM, modal_state(customer=f"顧客{index:03d}"), view_id=f"VB{index}"))
    assert hiyoko.bolt.dispatch(bolt_request(body)).status == 200


def two_relays(database_url: str, tmp: Path) -> tuple[int, int, int, float]:
    signals = 8
    with fake_slack() as fake:
        settings = Settings(
            _env_file=None,
            slack_bot_token="xoxb-test-token",  # type: ignore[call-arg]
            slack_signing_secret="test-signing-secret",
            slack_api_url=fake.url,
            signals_channel_id=CHANNEL,
            database_url=database_url,
            hiyoko_xlsx_path=tmp / "two.xlsx",
            hiyoko_outbox_lease_seconds=2,
            hiyoko_slack_channel_interval=1.25 / SPEEDUP,
        )
        first, second = app.build(settings, clock=SystemClock()), app.build(settings, clock=SystemClock())
        upgrade_database(first.db.engine)
        for index in range(signals):
            share(first, index)
        fake.hang_next(2 * signals, seconds=0.5, method="chat.postMessage")
        started = time.monotonic()
        worker = threading.Thread(target=first.relay.run_once)
        worker.start()
        time.sleep(2.5)
        second.relay.run_once()
        worker.join()
        for relay in (first.relay, second.relay, first.relay):
            relay.drain()
        elapsed = time.monotonic() - started
        result = tally(fake, signals)
        first.db.dispose()
        second.db.dispose()
    return (*result, elapsed)


def sigkill(tmp: Path) -> tuple[int, int, int, float]:
    signals = 12
    with fake_slack() as fake:
        env = app_env(
            slack_url=fake.url,
            database_url=f"sqlite:///{tmp / 'kill.db'}",
            channel=CHANNEL,
            port=free_port(),
            xlsx_path=tmp / "kill.xlsx",
            HIYOKO_SLACK_CHANNEL_INTERVAL=str(1.25 / SPEEDUP),
        )
        fake.hang_next(400, seconds=0.2, method="chat.postMessage")
        first = AppProcess(env, tmp, tmp / "first.log")
        try:
            for index in range(signals):
                body = interactive_body(
                    view_submission(CSM, modal_state(customer=f"顧客{index:03d}"), view_id=f"VK{index}")
                )
                assert post_signed(first.base, body)[0] == 200
            deadline = time.monotonic() + 30
            while tally(fake, signals)[0] < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            first.kill()
        killed = time.monotonic()
        fake.reset_faults()
        second = AppProcess(env, tmp, tmp / "second.log")
        recovered = float("nan")
        try:
            while time.monotonic() - killed < 60:
                if tally(fake, signals)[1] == 0:
                    recovered = time.monotonic() - killed
                    break
                time.sleep(0.2)
            time.sleep(1.0)  # anything late would be a duplicate
        finally:
            second.stop()
        return (*tally(fake, signals), recovered)


def main() -> int:
    rows: list[tuple[str, int, tuple[int, int, int, float]]] = []
    with tempfile.TemporaryDirectory(prefix="hiyoko-drills-") as tmp:
        base = Path(tmp)
        rows.append(
            ("two relays + slow Slack (0.5 s) + 2 s lease, SQLite", 8, two_relays(f"sqlite:///{base / 'two.db'}", base))
        )
        postgres = os.environ.get("HIYOKO_TEST_POSTGRES_URL")
        if postgres:
            with scratch_schema(postgres, "drill") as url:
                rows.append(("two relays + slow Slack (0.5 s) + 2 s lease, PostgreSQL", 8, two_relays(url, base)))
        rows.append(("SIGKILL mid-batch (15 s lease), restart at once, SQLite", 12, sigkill(base)))
    print("| faults | signals | delivered once | lost | duplicated | seconds (drill / kill → all delivered) |")
    print("|---|---|---|---|---|---|")
    for name, signals, (once, lost, duplicated, seconds) in rows:
        print(f"| {name} | {signals} | {once} | {lost} | {duplicated} | {seconds:.1f} |")
    return 0 if all(r[2][1] == 0 and r[2][2] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
