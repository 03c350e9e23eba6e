"""Fault drills (issue: run it for a 500-person company). After each one every signal is in Slack
once (one card, one owner reply) and in the sheet once, and its history is complete.

Processes here are real `hiyoko run` processes in HTTP mode; the clock is the real one, so these
tests wait for the relay — a few seconds each."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fakes.process import ROOT, AppProcess, app_env, free_port, post_oversized, post_signed
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import interactive_body, modal_state, sign, view_submission
from tests.conftest import CHANNEL, CSM, DIGEST, SLACK_SPEEDUP, SPREADSHEET, build, dispatch, make_settings

TOKYO = ZoneInfo("Asia/Tokyo")


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def submission(index: int) -> str:
    return interactive_body(view_submission(CSM, modal_state(customer=f"顧客{index:03d}"), view_id=f"VD{index}"))


def share(hiyoko: Any, customer: str, view_id: str) -> None:
    response = dispatch(hiyoko, view_submission(CSM, modal_state(customer=customer), view_id=view_id))
    assert response.status == 200 and not response.body


def cards(fake_slack: FakeSlack) -> Counter[str]:
    return Counter(
        m["metadata"]["event_payload"]["signal_id"] for m in fake_slack.messages(CHANNEL) if m.get("metadata")
    )


def sheet_ids(fake_sheets: FakeSheets) -> list[str]:
    if "Signals" not in fake_sheets.sheet_titles(SPREADSHEET):
        return []
    return [row[0] for row in fake_sheets.values(SPREADSHEET, "Signals")[1:] if row and row[0]]


def complete(fake_slack: FakeSlack, fake_sheets: FakeSheets, count: int) -> bool:
    found = cards(fake_slack)
    if len(found) < count:
        return False
    replies = [len(fake_slack.replies(CHANNEL, m["ts"])) for m in fake_slack.messages(CHANNEL)]
    return all(r >= 1 for r in replies) and len(set(sheet_ids(fake_sheets))) >= count


def assert_once(fake_slack: FakeSlack, fake_sheets: FakeSheets, count: int) -> None:
    found = cards(fake_slack)
    assert len(found) == count and set(found.values()) == {1}, found
    for message in fake_slack.messages(CHANNEL):
        assert len(fake_slack.replies(CHANNEL, message["ts"])) == 1
    ids = sheet_ids(fake_sheets)
    assert len(ids) == count == len(set(ids)), ids


def env_for(fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, **extra: str) -> dict[str, str]:
    # Posts paced to the fake's scaled per-channel limit, as the in-process tests are.
    extra = {"HIYOKO_OUTBOX_LEASE_SECONDS": "2", "HIYOKO_SLACK_CHANNEL_INTERVAL": str(1.25 / SLACK_SPEEDUP), **extra}
    return app_env(
        slack_url=fake_slack.url,
        database_url=database_url,
        channel=CHANNEL,
        port=free_port(),
        sheets_host=fake_sheets.host,
        spreadsheet_id=SPREADSHEET,
        **extra,  # type: ignore[arg-type]
    )


def test_sigkill_in_the_middle_of_a_relay_batch(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> None:
    # The default 15 s lease: the dead relay's rows come back when it runs out (its heartbeat
    # stopped with it), and everything is delivered within 20 s of the kill.
    env = env_for(fake_slack, fake_sheets, f"sqlite:///{tmp_path / 'kill.db'}", HIYOKO_OUTBOX_LEASE_SECONDS="15")
    fake_slack.hang_next(400, seconds=0.2, method="chat.postMessage")  # a slow Slack: the batch takes a while
    first = AppProcess(env, tmp_path, tmp_path / "first.log")
    try:
        for index in range(12):
            assert post_signed(first.base, submission(index))[0] == 200
        wait_until(lambda: len(cards(fake_slack)) >= 3, 30, "a few cards")
    finally:
        first.kill()  # SIGKILL mid-batch: leases held, a post perhaps sent but not recorded
    killed = time.monotonic()
    assert not complete(fake_slack, fake_sheets, 12)
    fake_slack.reset_faults()
    second = AppProcess(env, tmp_path, tmp_path / "second.log")
    try:
        wait_until(
            lambda: complete(fake_slack, fake_sheets, 12),
            20 - (time.monotonic() - killed),
            "delivery within 20 s of the kill",
        )
        time.sleep(1.0)  # anything late would be a duplicate
    finally:
        second.stop()
    assert_once(fake_slack, fake_sheets, 12)


def test_two_replicas_on_postgresql(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, postgres_url: str
) -> None:
    # A digest slot two minutes ago: both replicas catch it up at start; one may send it.
    slot = datetime.now(TOKYO) - timedelta(minutes=2)
    env = env_for(
        fake_slack,
        fake_sheets,
        postgres_url,
        HIYOKO_DIGEST_DAY=slot.strftime("%a").lower(),
        HIYOKO_DIGEST_TIME=slot.strftime("%H:%M"),
    )
    upgrade = subprocess.run(
        [sys.executable, "-m", "cli", "db", "upgrade"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    second_env = {**env, "PORT": str(free_port())}
    replicas = [AppProcess(env, tmp_path, tmp_path / "a.log"), AppProcess(second_env, tmp_path, tmp_path / "b.log")]
    try:
        for index in range(30):
            assert post_signed(replicas[index % 2].base, submission(index))[0] == 200
        # A replayed submission (same view) to the other replica stores nothing new.
        assert post_signed(replicas[1].base, submission(0))[0] == 200
        wait_until(lambda: complete(fake_slack, fake_sheets, 30), 60, "delivery by two replicas")
        wait_until(lambda: len(fake_slack.messages(DIGEST)) >= 1, 30, "the digest")
        time.sleep(1.5)
    finally:
        for replica in replicas:
            replica.stop()
    assert_once(fake_slack, fake_sheets, 30)
    assert len(fake_slack.messages(DIGEST)) == 1, "each digest once across replicas"
    logs = "".join(p.read_text() for p in (tmp_path / "a.log", tmp_path / "b.log"))
    assert "Traceback" not in logs


def test_sqlite_locked_for_a_moment(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> None:
    from models.clock import FixedClock

    hiyoko = build(
        make_settings(tmp_path, fake_slack, fake_sheets), FixedClock(datetime(2026, 11, 23, 10, tzinfo=TOKYO))
    )
    locked = threading.Event()

    def hold_lock() -> None:
        connection = sqlite3.connect(tmp_path / "hiyoko.db", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(1.5)
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(5)
    started = time.monotonic()
    response = dispatch(hiyoko, view_submission(CSM, modal_state(), view_id="VLOCK"))
    assert response.status == 200 and not response.body  # waited for the lock, then stored
    assert time.monotonic() - started >= 1.0
    holder.join()
    hiyoko.relay.drain()
    assert_once(fake_slack, fake_sheets, 1)
    assert [e.action for e in hiyoko.store.events(1)] == ["submitted"]


@pytest.mark.skipif(
    subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() != "0",
    reason="restarting the local PostgreSQL needs root",
)
def test_postgresql_restarted_under_the_app(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, postgres_url: str
) -> None:
    from models.clock import SystemClock

    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, database_url=postgres_url), SystemClock())
    for index in range(3):
        share(hiyoko, f"前{index}", f"VB{index}")
    hiyoko.relay.drain()
    cluster = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout.split()
    subprocess.run(["pg_ctlcluster", cluster[0], cluster[1], "restart"], check=True, timeout=60)
    for index in range(3):  # the pool's pre-ping replaces the connections the restart cut
        share(hiyoko, f"後{index}", f"VA{index}")
    hiyoko.relay.drain()
    assert_once(fake_slack, fake_sheets, 6)
    assert [s.id for s in hiyoko.store.all()] == [f"S-{n:06d}" for n in range(1, 7)]
    hiyoko.db.dispose()


def test_slack_timing_out_for_a_while(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> None:
    from models.clock import FixedClock

    clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=TOKYO))
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_slack_timeout=1), clock)
    for index in range(3):
        share(hiyoko, f"T{index}", f"VT{index}")
    fake_slack.hang_next(4, seconds=1.3)  # every call times out for a while (the posts still land)
    hiyoko.relay.run_once()
    for _ in range(30):
        clock.advance(minutes=5)
        hiyoko.relay.drain()
        if hiyoko.outbox.counts().get("pending", 0) == 0:
            break
    time.sleep(1.5)  # let the fake finish the hung calls
    assert_once(fake_slack, fake_sheets, 3)


def test_forged_stale_and_oversized_requests_do_no_work(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    env = env_for(fake_slack, fake_sheets, f"sqlite:///{tmp_path / 'bad.db'}")
    app = AppProcess(env, tmp_path, tmp_path / "bad.log")
    try:
        body = submission(1)
        assert post_signed(app.base, body, sign(body, secret="wrong"))[0] == 401
        stale = sign(body, timestamp=int(time.time()) - 6 * 60)
        assert post_signed(app.base, body, stale)[0] == 401
        huge = "payload=" + "x" * 2_000_000
        assert post_oversized(app.base, huge) in (413, "closed")
        no_signature = post_signed(app.base, body, {"content-type": "application/x-www-form-urlencoded"})
        assert no_signature[0] == 401
        time.sleep(1.0)
        with urllib.request.urlopen(f"{app.base}/healthz") as response:
            assert b'"outbox_backlog":0' in response.read().replace(b" ", b"")
    finally:
        app.stop()
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if c["channel"] == CHANNEL]
    assert not sheet_ids(fake_sheets)
