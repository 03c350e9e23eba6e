"""Delivery through the outbox: faults in Slack and Sheets, restarts, dead letters.

After every drill each signal is in Slack once (one card, one owner reply) and in the sheet once.
The clock is moved past the backoff instead of waiting for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import cli
from app import Hiyoko
from bot.blocks.card import EVENT_LINE, OWNER_NOTICE_EVENT
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import modal_state, view_submission
from jobs.heartbeat import Heartbeat
from models.clock import FixedClock, SystemClock
from store import ChangeRequest, Note
from store.outbox import Target, backoff, enqueue
from tests.conftest import AE, CHANNEL, CSM, SPREADSHEET, build, dispatch, make_settings


def submit_many(hiyoko: Hiyoko, count: int, prefix: str = "V") -> None:
    for index in range(count):
        payload = view_submission(CSM, modal_state(customer=f"顧客{index:03d}"), view_id=f"{prefix}{index}")
        assert dispatch(hiyoko, payload).status == 200


def settle(hiyoko: Hiyoko, clock: FixedClock, rounds: int = 30) -> None:
    """Run the relay, moving the clock to each next due time, until nothing is pending."""
    for _ in range(rounds):
        hiyoko.relay.drain()
        due = hiyoko.outbox.next_due()
        if due is None:
            return
        clock.at = max(clock.at, due + timedelta(seconds=1))
    raise AssertionError(f"outbox not settled: {hiyoko.outbox.counts()}")


def assert_delivered_once(hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets | None) -> None:
    signals = hiyoko.store.all()
    cards = fake_slack.messages(CHANNEL)
    card_ids = Counter(card["metadata"]["event_payload"]["signal_id"] for card in cards)
    assert card_ids == Counter({s.id: 1 for s in signals}), "every signal has exactly one card"
    for card in cards:
        replies = fake_slack.replies(CHANNEL, card["ts"])
        assert len(replies) == 1, (card["ts"], replies)
    if fake_sheets is not None:
        ids = [row[0] for row in fake_sheets.values(SPREADSHEET, "Signals")[1:]]
        assert sorted(ids) == sorted(s.id for s in signals) and len(ids) == len(set(ids))
    assert hiyoko.outbox.counts() == {"done": hiyoko.outbox.counts().get("done", 0)}, "nothing pending or dead"
    for signal in signals:
        stored = hiyoko.store.get(signal.number)
        assert stored and stored.card_ts and stored.card_permalink


def test_slack_500s_for_a_while_then_everything_once(
    hiyoko: Hiyoko, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    submit_many(hiyoko, 3)
    fake_slack.fail_next(5, status=500)
    first = hiyoko.relay.run_once()
    assert first.failed >= 1 and first.by_target.get("sync_sheet") == 3  # the sheet does not wait for Slack
    settle(hiyoko, clock)
    assert_delivered_once(hiyoko, fake_slack, fake_sheets)
    failed = [r for r in hiyoko.outbox.rows() if r.attempts > 1]
    assert failed and all("slack 500" in r.last_error or r.last_error == "" for r in failed)


def test_slack_429_with_retry_after_is_honoured(
    hiyoko: Hiyoko, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    submit_many(hiyoko, 1)
    # The client retries twice on 429 itself (waiting Retry-After); the third 429 reaches the
    # relay, which then waits at least Retry-After before the next attempt.
    fake_slack.rate_limit_next(3, retry_after=1, method="chat.postMessage")
    stats = hiyoko.relay.run_once()
    assert stats.failed == 1
    [row] = [r for r in hiyoko.outbox.rows() if r.target == "post_card"]
    assert row.state == "pending" and row.next_attempt_at >= clock.now() + timedelta(seconds=1)
    assert "slack 429 ratelimited" in row.last_error
    settle(hiyoko, clock)
    assert_delivered_once(hiyoko, fake_slack, fake_sheets)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2 + 3  # 3 refused + card + reply


def test_sheets_500_429_and_timeouts_then_one_row_each(
    tmp_path: Path, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_sheets_timeout=0.3), clock)
    submit_many(hiyoko, 4)
    fake_sheets.fail_next(1, status=500)
    assert hiyoko.relay.run_once().failed == 4  # the whole batch fails together and is retried together
    clock.advance(minutes=1)
    fake_sheets.fail_next(1, status=429)
    hiyoko.relay.run_once()
    clock.advance(minutes=1)
    fake_sheets.hang_next(1, seconds=1.0)
    hiyoko.relay.run_once()
    rows = [r for r in hiyoko.outbox.rows() if r.target == "sync_sheet"]
    errors = {r.last_error.split(":")[0] for r in rows if r.last_error}
    assert errors & {"APIError", "ReadTimeout", "ConnectionError"}, errors
    settle(hiyoko, clock)
    assert_delivered_once(hiyoko, fake_slack, fake_sheets)


def test_a_ten_minute_sheets_outage_loses_nothing(
    hiyoko: Hiyoko, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    fake_sheets.set_outage(True)
    submit_many(hiyoko, 5)
    end = clock.now() + timedelta(minutes=10)
    while clock.now() < end:
        hiyoko.relay.run_once()
        clock.advance(seconds=30)
    assert "Signals" not in fake_sheets.sheet_titles(SPREADSHEET)
    waiting = [r for r in hiyoko.outbox.rows() if r.target == "sync_sheet"]
    assert waiting and all(r.state == "pending" and r.attempts >= 3 for r in waiting)
    assert len(fake_slack.messages(CHANNEL)) == 5  # Slack did not wait for the sheet
    fake_sheets.set_outage(False)
    settle(hiyoko, clock)
    assert_delivered_once(hiyoko, fake_slack, fake_sheets)


def test_a_post_slack_accepted_but_we_never_heard_of_is_adopted_not_repeated(
    tmp_path: Path, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_slack_timeout=1), clock)
    submit_many(hiyoko, 1)
    # Slack takes the message but answers too late: the client gives up, the card exists.
    fake_slack.hang_next(1, seconds=1.5, method="chat.postMessage")
    assert hiyoko.relay.run_once().failed >= 1
    assert hiyoko.store.all()[0].card_ts is None
    settle(hiyoko, clock)
    assert_delivered_once(hiyoko, fake_slack, fake_sheets)
    assert fake_slack.calls_to("conversations.history"), "the retry looked for its earlier post"


def test_restart_mid_backlog_loses_and_duplicates_nothing(
    settings_path: Path, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    settings = make_settings(settings_path, fake_slack, fake_sheets)
    first = build(settings, clock)
    first.relay.batch_size = 2
    submit_many(first, 7)
    first.relay.run_once()  # some delivered …
    first.outbox.claim(clock.now(), limit=3)  # … and some claimed by a relay that then died
    first.db.dispose()

    second = build(settings, clock)  # a new process on the same database
    second.relay.drain()
    assert any(r.state == "pending" for r in second.outbox.rows()), "leased rows wait for their lease"
    clock.advance(seconds=61)
    settle(second, clock)
    assert_delivered_once(second, fake_slack, fake_sheets)
    assert len(second.store.all()) == 7


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path


def test_dead_letter_after_max_attempts_is_logged_loudly(
    tmp_path: Path,
    clock: FixedClock,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_outbox_max_attempts=3), clock)
    submit_many(hiyoko, 1)
    fake_slack.add_channel("CGONE", "archived")
    hiyoko.relay.slack.channel = "CNOWHERE"  # the signals channel was deleted
    with caplog.at_level(logging.ERROR):
        for _ in range(5):
            hiyoko.relay.run_once()
            clock.advance(hours=1)
    card_row = next(r for r in hiyoko.outbox.rows() if r.target == "post_card")
    assert card_row.state == "dead" and card_row.attempts == 3
    assert "channel_not_found" in card_row.last_error
    assert any("DEAD LETTER" in r.getMessage() and "post_card" in r.getMessage() for r in caplog.records)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    import random

    rng = random.Random(7)
    delays = [backoff(n, rng).total_seconds() for n in range(1, 12)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(900, 2 * 2 ** (attempt - 1))
        assert ceiling * 0.5 <= delay <= ceiling
    assert delays[-1] <= 900


# --- fenced delivery: leases, heartbeats, tokens ------------------------------------------------


def test_two_relays_with_a_slow_slack_and_a_short_lease_post_each_card_once(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str
) -> None:
    # The batch (8 cards and 8 replies at 0.5 s each) outlasts the 2 s lease many times over: the
    # first relay's heartbeat keeps its rows, so the second relay, started after 2.5 s, posts none
    # of them.
    settings = make_settings(
        tmp_path, fake_slack, fake_sheets, database_url=database_url, hiyoko_outbox_lease_seconds=2
    )
    first, second = build(settings, SystemClock()), build(settings, SystemClock())
    submit_many(first, 8)
    fake_slack.hang_next(16, seconds=0.5, method="chat.postMessage")
    worker = threading.Thread(target=first.relay.run_once)
    worker.start()
    time.sleep(2.5)
    second.relay.run_once()
    worker.join()
    for relay in (first.relay, second.relay, first.relay):
        relay.drain()
    assert_delivered_once(first, fake_slack, fake_sheets)
    assert not [r for r in first.outbox.rows() if r.claim_token], "no row is left holding a claim"
    first.db.dispose()
    second.db.dispose()


def test_a_relay_whose_claim_was_taken_over_cannot_send_or_mark_it(
    hiyoko: Hiyoko, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    submit_many(hiyoko, 1)
    stale = hiyoko.outbox.claim(clock.now(), targets=[Target.POST_CARD])
    clock.advance(seconds=hiyoko.outbox.lease.total_seconds() + 1)  # its relay stalled past the lease
    fresh = hiyoko.outbox.claim(clock.now(), targets=[Target.POST_CARD])
    assert [d.id for d in fresh] == [d.id for d in stale] and fresh[0].token != stale[0].token
    hiyoko.relay._deliver_to_slack(stale)  # the stalled relay wakes up: it must not post
    assert fake_slack.messages(CHANNEL) == []
    assert hiyoko.outbox.done(stale, clock.now()) == 0
    assert not hiyoko.outbox.failed(stale[0], "late", clock.now())
    hiyoko.outbox.release(stale[0], clock.now(), timedelta(seconds=2))
    [row] = [r for r in hiyoko.outbox.rows() if r.id == fresh[0].id]
    assert (row.state, row.claim_token, row.attempts, row.last_error) == ("pending", fresh[0].token, 2, "")
    assert hiyoko.outbox.owned(fresh, clock.now()) == {row.id}
    assert hiyoko.outbox.renew(stale[0].token, clock.now()) == 0
    hiyoko.relay._deliver_to_slack(fresh)  # the relay holding the claim posts it, once
    assert len(fake_slack.messages(CHANNEL)) == 1
    assert [r.state for r in hiyoko.outbox.rows() if r.id == row.id] == ["done"]


def test_the_heartbeat_keeps_a_long_claim_and_stops_with_it(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str
) -> None:
    settings = make_settings(
        tmp_path, fake_slack, fake_sheets, database_url=database_url, hiyoko_outbox_lease_seconds=1
    )
    hiyoko = build(settings, SystemClock())
    submit_many(hiyoko, 1)
    claimed = hiyoko.outbox.claim(SystemClock().now(), targets=[Target.POST_CARD])
    with Heartbeat(hiyoko.relay._renewal(claimed[0].token), 0.3):
        time.sleep(1.6)  # well past the 1 s lease
        assert hiyoko.outbox.claim(SystemClock().now(), targets=[Target.POST_CARD]) == []
        assert hiyoko.outbox.owned(claimed, SystemClock().now()) == {claimed[0].id}
    time.sleep(1.2)  # no heartbeat: the lease runs out and another relay may take the row
    assert [d.id for d in hiyoko.outbox.claim(SystemClock().now(), targets=[Target.POST_CARD])] == [claimed[0].id]
    hiyoko.db.dispose()


# --- chains die together ------------------------------------------------------------------------


def test_a_card_that_cannot_be_posted_takes_its_thread_along_and_one_retry_brings_all_back(
    tmp_path: Path,
    clock: FixedClock,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.add_channel("CADMIN", "hiyoko-admins")
    fake_slack.add_channel(CHANNEL, "upsell-signals", bot_is_member=False)  # someone removed the bot
    settings = make_settings(
        tmp_path,
        fake_slack,
        fake_sheets,
        database_url=database_url,
        hiyoko_outbox_max_attempts=3,
        hiyoko_admin_channel_id="CADMIN",
    )
    hiyoko = build(settings, clock)
    submit_many(hiyoko, 1)
    hiyoko.store.change(1, ChangeRequest(Note("来週訪問"), AE), managers=frozenset(), today=clock.now().date())
    for _ in range(8):
        hiyoko.relay.drain()
        clock.advance(minutes=30)
    rows = {r.target: r for r in hiyoko.outbox.rows() if r.target in ("post_card", "notify_owner", "thread_line")}
    card = rows["post_card"]
    assert card.state == "dead" and "not_in_channel" in card.last_error and card.attempts == 3
    for target in ("notify_owner", "thread_line"):
        assert rows[target].state == "dead" and f"outbox #{card.id}" in rows[target].last_error, rows[target]
    [alert] = fake_slack.messages("CADMIN")
    assert "S-000001" in alert["text"] and "not_in_channel" in alert["text"]
    assert "/invite @hiyoko" in alert["text"] and f"<#{CHANNEL}>" in alert["text"]
    assert f"hiyoko outbox retry {card.id}" in alert["text"]
    assert hiyoko.outbox.counts().get("pending", 0) == 0, "nothing is left cycling"

    fake_slack.add_channel(CHANNEL, "upsell-signals")  # /invite @hiyoko
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["outbox", "retry", str(card.id)]) == 0
    assert "2 row(s) of its chain" in capsys.readouterr().out
    clock.at = datetime.now(clock.at.tzinfo) + timedelta(seconds=1)  # the command requeued for the real now
    settle(hiyoko, clock)
    [posted] = fake_slack.messages(CHANNEL)
    replies = fake_slack.replies(CHANNEL, posted["ts"])
    assert [r["metadata"]["event_type"] for r in replies] == [OWNER_NOTICE_EVENT, EVENT_LINE]
    assert hiyoko.outbox.counts().get("dead", 0) == 0
    assert len(fake_slack.messages("CADMIN")) == 1
    hiyoko.db.dispose()


def test_a_thread_row_waiting_on_a_card_still_trying_keeps_its_attempts(
    hiyoko: Hiyoko, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    submit_many(hiyoko, 1)
    fake_slack.fail_next(6, status=500, method="chat.postMessage")
    for _ in range(3):
        hiyoko.relay.run_once()
        clock.advance(minutes=5)
    rows = {r.target: r for r in hiyoko.outbox.rows()}
    assert rows["post_card"].attempts >= 2 and rows["post_card"].state == "pending"
    assert rows["notify_owner"].attempts == 0 and rows["notify_owner"].state == "pending"
    fake_slack.reset_faults()
    settle(hiyoko, clock)
    assert_delivered_once(hiyoko, fake_slack, fake_sheets)


def test_a_thread_line_for_a_signal_whose_card_is_dead_joins_it(
    hiyoko: Hiyoko, clock: FixedClock, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    fake_slack.add_channel(CHANNEL, "upsell-signals", bot_is_member=False)
    submit_many(hiyoko, 1)
    for _ in range(14):
        hiyoko.relay.drain()
        clock.advance(minutes=30)
    card = next(r for r in hiyoko.outbox.rows() if r.target == "post_card")
    assert card.state == "dead"
    # A thread line owed after the card died must not wait for a card that will never come.
    [event] = hiyoko.store.events(1)
    with hiyoko.db.transaction() as session:
        enqueue(session, 1, [Target.THREAD_LINE], clock.now(), event_id=event.id)
    for _ in range(3):
        hiyoko.relay.drain()
        clock.advance(seconds=5)
    line = next(r for r in hiyoko.outbox.rows() if r.target == "thread_line")
    assert line.state == "dead" and f"outbox #{card.id}" in line.last_error and line.attempts <= 1
