"""Backlog drain: how fast the relay empties a backlog of cards and owner replies against Slack's
per-channel post limit, and how often Slack has to say 429.

Real Slack takes about one chat.postMessage a second per channel (short bursts allowed), so the
2,000 posts of 1,000 signals (a card and an owner reply each, all in the signals channel) take
about 33 minutes however fast hiyoko is. To measure that in minutes, the fake Slack's limit is
scaled up ``--scale`` times (20/s by default, a burst of 3) and the relay's per-channel interval
(``HIYOKO_SLACK_CHANNEL_INTERVAL``) is scaled down to match; the figures are then extrapolated
back to 1/s.

The backlog is written straight through the store (as 1,000 shares would leave it: card, owner
reply, sheet row, History row, App Homes), then a real `hiyoko run` process drains it — both relay
lanes, their heartbeats and fencing — on a SQLite file with the sheet in a local .xlsx.
Prints posts per second sustained, the share of chat.postMessage calls answered 429 (target
≤ 1 %), and minutes to drain, scaled and extrapolated. Exits 1 when a card or reply is missing or
duplicated.

Run from the repository root::

    python -m bench.backlog_drain                  # 1,000 signals, fake Slack at 20 posts/s
    python -m bench.backlog_drain --signals 200 --scale 50
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

import app
from bot.blocks.card import CARD_EVENT, OWNER_NOTICE_EVENT
from fakes.process import AppProcess, app_env, free_port
from fakes.slack_api import FakeSlack
from models.clock import SystemClock
from models.signal import Category, Kind, SignalDraft
from settings import Settings
from store import upgrade_database
from store.tables import OutboxRow

CHANNEL = "CSIGNALS"
CSM, AE = "UCSM", "UAE"
BURST = 3


def build_backlog(hiyoko: app.Hiyoko, signals: int) -> None:
    for index in range(signals):
        draft = SignalDraft(
            customer=f"顧客{index:04d}",
            kind=Kind.EGG,
            category=Category.SEATS,
            summary="他の工場でも使いたい",
            timing=None,
            owner_id=AE,
        )
        hiyoko.store.submit(
            draft, submitter_id=CSM, submitter_name="佐藤", owner_name="田中", submission_key=f"bench:{index}"
        )


def delivered(hiyoko: app.Hiyoko) -> int:
    """Cards and owner replies the outbox has marked done."""
    with hiyoko.db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(OutboxRow.state == "done", OutboxRow.target.in_(["post_card", "notify_owner"]))
            )
            or 0
        )


def posted(fake: FakeSlack) -> tuple[Counter[str], Counter[str]]:
    """Cards and owner replies in the channel, by signal id."""
    cards: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    for message in fake.messages(CHANNEL):
        meta = message.get("metadata") or {}
        if meta.get("event_type") == CARD_EVENT:
            cards[meta["event_payload"]["signal_id"]] += 1
        for reply in fake.replies(CHANNEL, message["ts"]):
            reply_meta = reply.get("metadata") or {}
            if reply_meta.get("event_type") == OWNER_NOTICE_EVENT:
                replies[reply_meta["event_payload"]["signal_id"]] += 1
    return cards, replies


def run(signals: int, scale: float, timeout: float) -> int:
    with (
        tempfile.TemporaryDirectory(prefix="hiyoko-drain-") as tmp,
        FakeSlack(channel_rate=scale, channel_burst=BURST).start() as fake,
    ):
        fake.add_user(CSM, "sato", display_name="佐藤")
        fake.add_user(AE, "tanaka", display_name="田中")
        fake.add_channel(CHANNEL, "upsell-signals")
        settings = Settings(
            _env_file=None,
            slack_bot_token="xoxb-test-token",  # type: ignore[call-arg]
            slack_signing_secret="bench",
            slack_api_url=fake.url,
            signals_channel_id=CHANNEL,
            database_url=f"sqlite:///{Path(tmp) / 'hiyoko.db'}",
            hiyoko_xlsx_path=Path(tmp) / "hiyoko.xlsx",
            hiyoko_slack_channel_interval=1.0 / scale,
        )
        hiyoko = app.build(settings, clock=SystemClock())
        upgrade_database(hiyoko.db.engine)
        print(f"writing a backlog of {signals} signals …", flush=True)
        build_backlog(hiyoko, signals)
        print(
            f"backlog: {hiyoko.outbox.counts().get('pending', 0)} outbox rows; fake Slack at {scale:g} posts/s "
            f"per channel (burst {BURST}), relay interval {1.0 / scale:.4f} s",
            flush=True,
        )
        hiyoko.db.dispose()
        # The relay runs in a real `hiyoko run` process, so it does not share this process's GIL
        # with the fake Slack.
        env = app_env(
            slack_url=fake.url,
            database_url=settings.database_url,
            channel=CHANNEL,
            port=free_port(),
            xlsx_path=Path(tmp) / "hiyoko.xlsx",
            HIYOKO_SLACK_CHANNEL_INTERVAL=str(1.0 / scale),
        )
        started = time.monotonic()
        relay = AppProcess(env, Path(tmp), Path(tmp) / "app.log")
        want = 2 * signals
        done_at: float | None = None
        try:
            while time.monotonic() - started < timeout:
                # The outbox says when the posts are done (cheap); the fake is counted once at the end.
                if delivered(hiyoko) >= want:
                    done_at = time.monotonic()
                    break
                time.sleep(0.2)
            time.sleep(1.0)  # anything still arriving would be a duplicate
        finally:
            relay.stop()
        cards, replies = posted(fake)
        calls = len(fake.calls_to("chat.postMessage"))
        stored = sum(len(fake.replies(CHANNEL, m["ts"])) + 1 for m in fake.messages(CHANNEL))
        refused = calls - stored  # every chat.postMessage not stored was answered 429 (no other fault here)
        hiyoko.db.dispose()
        warnings = sum(
            1
            for line in (Path(tmp) / "app.log").read_text().splitlines()
            if '"level": "WARNING"' in line or '"level": "ERROR"' in line
        )
    elapsed = (done_at or time.monotonic()) - started
    duplicated = sum(n - 1 for n in cards.values() if n > 1) + sum(n - 1 for n in replies.values() if n > 1)
    missing = (signals - len(cards)) + (signals - len(replies))
    rate = (sum(cards.values()) + sum(replies.values())) / elapsed
    # At Slack's real 1/s the limit binds whenever the relay sustains more than that here.
    minutes_at_1 = want / min(1.0, rate) / 60
    print()
    print(
        "| signals | fake limit | posts (cards + owner replies) | drained in | posts/s sustained | "
        "share of the limit | chat.postMessage calls | answered 429 | duplicated | missing | "
        "at 1/s: minutes to drain |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {signals:,} | {scale:g}/s (×{scale:g}) | {want:,} | {elapsed:.1f} s | {rate:.2f} | "
        f"{100 * rate / scale:.0f} % | {calls:,} | {refused} ({100 * refused / max(calls, 1):.2f} %) | "
        f"{duplicated} | {missing} | {minutes_at_1:.1f} |"
    )
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, including the app's start (~2 s). At ×{scale:g} the relay "
        f"sustained {rate:.1f} posts/s; at Slack's real 1 post/s per channel it is the limit that binds: "
        f"{want:,} posts in {minutes_at_1:.1f} minutes. Warnings and errors in the app's log: {warnings}."
    )
    return 0 if done_at is not None and not duplicated and not missing else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=20.0, help="the fake's posts/s per channel (real Slack: 1)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the drain")
    args = parser.parse_args(argv)
    return run(args.signals, args.scale, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
