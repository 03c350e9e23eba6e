"""Scheduled work with a fixed clock: stale-egg nudges, chick reminders, working days and hours,
the weekly digest and its chart, once-per-slot claims across schedulers, `hiyoko jobs`."""

from __future__ import annotations

import json
import threading
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib.ft2font
import pytest
from matplotlib import font_manager
from sqlalchemy import select

import cli
from app import Hiyoko
from bot.chart import font_file, font_name, weekly_chart
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import block_action
from jobs import tasks
from models.calendar import WorkCalendar
from models.clock import FixedClock
from models.metrics import compute_digest
from models.payloads import AdminAlertPayload, DigestPayload, DirectMessagePayload, OutboxPayload
from models.signal import Category, Kind, SignalDraft
from store import BackToEgg, ChangeRequest, Hatch, Lose, Win
from store.absences import AbsenceStore
from store.schedule import LostSlot, SlotClaim
from store.tables import OutboxRow
from tests.conftest import AE, CSM, DIGEST, OTHER_AE, build, dispatch, make_settings, wait_for

TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def seed(
    hiyoko: Hiyoko,
    created: str,
    kind: Kind = Kind.EGG,
    timing: date | None = None,
    owner: str = AE,
    submitter: str = CSM,
    customer: str = "株式会社サンプル",
    key: str | None = None,
) -> int:
    draft = SignalDraft(
        customer=customer, kind=kind, category=Category.SEATS, summary="もっと使いたい", timing=timing, owner_id=owner
    )
    result = hiyoko.store.submit(
        draft,
        submitter_id=submitter,
        submitter_name="佐藤",
        owner_name="田中",
        created_at=at(created),
        submission_key=key or f"seed:{created}:{customer}",
    )
    return result.signal.number


def run(hiyoko: Hiyoko, job: str, when: str) -> list[str]:
    hiyoko.clock.at = at(when)  # type: ignore[attr-defined]
    return hiyoko.scheduler.run(job, at(when)).lines


def dms(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [c for c in fake_slack.calls_to("chat.postMessage") if str(c["channel"]).startswith(("D", "G"))]


# --- the calendar ----------------------------------------------------------------------------


def test_work_calendar_knows_japanese_holidays_weekends_closures_and_hours() -> None:
    calendar = WorkCalendar(TOKYO, closures=[date(2026, 12, 29)])
    assert not calendar.is_business_day(date(2027, 1, 1))  # 元日
    assert not calendar.is_business_day(date(2027, 1, 11))  # 成人の日
    assert not calendar.is_business_day(date(2027, 1, 2))  # a Saturday
    assert not calendar.is_business_day(date(2026, 12, 29))  # the company's closure
    assert calendar.is_business_day(date(2027, 1, 4))
    assert calendar.next_working_moment(at("2026-12-31T19:00")) == at("2027-01-04T09:00")
    assert calendar.next_working_moment(at("2027-01-04T07:30")) == at("2027-01-04T09:00")
    assert calendar.next_working_moment(at("2027-01-04T17:59")) == at("2027-01-04T17:59")
    assert calendar.business_days_before(date(2027, 1, 15), 10) == date(2026, 12, 30)
    assert calendar.business_days_before(date(2027, 4, 12), 10) == date(2027, 3, 29)


# --- stale eggs ------------------------------------------------------------------------------


def test_an_egg_is_nudged_on_day_30_once(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    seed(hiyoko, "2026-09-01T10:00")  # a Tuesday; days 29–31 are business days
    assert run(hiyoko, "nudge_stale_eggs", "2026-09-30T10:00") == []  # day 29
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-01T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-01T11:00") == []  # the next hour
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-02T10:00") == []  # day 31
    hiyoko.relay.drain()
    [dm] = dms(fake_slack)
    assert dm["channel"].startswith("G")  # a group DM: the owner, the submitter in copy
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened["users"] == "UAE,UCSM"
    blocks = json.loads(dm["blocks"]) if isinstance(dm["blocks"], str) else dm["blocks"]
    assert "30日間動きがありません" in dm["text"] and "<@UAE>" in dm["text"]
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["signal_hatch", "signal_snooze", "signal_drop"]
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-31T10:00")[0].startswith("今は業務時間外")  # Saturday
    assert run(hiyoko, "nudge_stale_eggs", "2026-11-02T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]


def test_still_warming_snoozes_and_an_answer_resets_the_count(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    number = seed(hiyoko, "2026-09-01T10:00")
    run(hiyoko, "nudge_stale_eggs", "2026-10-01T10:00")
    hiyoko.relay.drain()
    [dm] = dms(fake_slack)
    click = block_action(AE, "signal_snooze", "S-000001", channel=dm["channel"])
    assert dispatch(hiyoko, click).status == 200
    wait_for(lambda: [e.action for e in hiyoko.store.events(number)][-1] == "snooze")
    signal_events = hiyoko.store.events(number)
    assert signal_events[-1].detail == {"until": "2026-10-31"}
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-30T10:00") == []  # snoozed (and 29 days since the snooze)
    assert run(hiyoko, "nudge_stale_eggs", "2026-11-02T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]


def test_a_nudge_due_at_night_or_on_a_holiday_waits_for_the_next_working_morning(hiyoko: Hiyoko) -> None:
    seed(hiyoko, "2026-12-02T23:00")  # day 30 is 2027-01-01 23:00: a holiday night
    assert run(hiyoko, "nudge_stale_eggs", "2027-01-01T23:00") == [
        "今は業務時間外です(次は 2027-01-04 09:00)。何も送りません。"
    ]
    assert run(hiyoko, "nudge_stale_eggs", "2027-01-02T10:00")[0].startswith("今は業務時間外")  # Saturday
    assert run(hiyoko, "nudge_stale_eggs", "2027-01-04T09:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]


def test_unanswered_nudges_reach_the_digest(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    seed(hiyoko, "2026-06-01T10:00")
    run(hiyoko, "nudge_stale_eggs", "2026-08-03T10:00")
    run(hiyoko, "nudge_stale_eggs", "2026-09-02T10:00")
    lines = run(hiyoko, "weekly_digest", "2026-09-07T09:00")
    assert lines and "digest" in lines[0]
    hiyoko.relay.drain()
    [digest] = fake_slack.messages(DIGEST)
    text = json.dumps(digest["blocks"], ensure_ascii=False)
    assert "2回以上リマインドに反応のない卵*: S-000001 (<@UAE>, 2)" in text


# --- chicks ----------------------------------------------------------------------------------


def test_a_chick_is_reminded_ten_business_days_before_and_overdue_once(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    seed(hiyoko, "2026-12-01T10:00", kind=Kind.CHICK, timing=date(2027, 1, 15))
    # 10 business days before 2027-01-15 (Jan 1 and the weekends do not count) is 2026-12-30.
    assert run(hiyoko, "remind_chicks", "2026-12-29T10:00") == []
    assert run(hiyoko, "remind_chicks", "2026-12-30T10:00") == ["remind_chick S-000001 (2027-01-15) → UAE"]
    assert run(hiyoko, "remind_chicks", "2027-01-05T10:00") == []
    assert run(hiyoko, "remind_chicks", "2027-01-15T17:00") == []  # the day itself: not overdue yet
    assert run(hiyoko, "remind_chicks", "2027-01-18T09:00") == ["overdue_chick S-000001 (2027-01-15) → UAE"]
    assert run(hiyoko, "remind_chicks", "2027-01-19T09:00") == []
    hiyoko.relay.drain()
    reminder, overdue = dms(fake_slack)
    assert reminder["channel"] == "DUAE" and "2027-01-15 ごろ" in reminder["text"]
    blocks = overdue["blocks"] if isinstance(overdue["blocks"], list) else json.loads(overdue["blocks"])
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["signal_won", "signal_lost", "signal_back_to_egg"]


def test_a_new_timing_gets_a_new_reminder(hiyoko: Hiyoko) -> None:
    number = seed(hiyoko, "2026-12-01T10:00", kind=Kind.CHICK, timing=date(2027, 1, 15))
    run(hiyoko, "remind_chicks", "2026-12-30T10:00")
    hiyoko.store.change(number, ChangeRequest(BackToEgg(), AE), managers=frozenset(), today=date(2027, 1, 5))
    hiyoko.store.change(
        number, ChangeRequest(Hatch(date(2027, 2, 1)), AE), managers=frozenset(), today=date(2027, 1, 5)
    )
    assert run(hiyoko, "remind_chicks", "2027-01-18T10:00") == ["remind_chick S-000001 (2027-02-01) → UAE"]


# --- the digest ------------------------------------------------------------------------------


def test_digest_numbers_on_a_seeded_history(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    monday = "2027-03-01T09:00"  # the digest covers 2027-02-22 09:00 – 2027-03-01 09:00
    a = seed(hiyoko, "2026-12-07T10:00", customer="A")  # egg, hatched after 10 days, then won this week
    seed(hiyoko, "2027-01-11T10:00", customer="B", submitter=OTHER_AE)  # egg, stale (never touched)
    seed(hiyoko, "2027-02-23T10:00", customer="C")  # new egg this week
    seed(hiyoko, "2027-02-24T10:00", customer="D", kind=Kind.CHICK, timing=date(2027, 6, 1))  # new chick
    e = seed(hiyoko, "2027-01-04T10:00", customer="E", kind=Kind.CHICK, timing=date(2027, 3, 1))  # lost this week

    def change(number: int, when: str, request: ChangeRequest) -> None:
        hiyoko.clock.at = at(when)  # type: ignore[attr-defined]
        hiyoko.store.change(number, request, managers=frozenset(), today=at(when).date())

    change(a, "2026-12-17T10:00", ChangeRequest(Hatch(date(2027, 2, 1)), AE))
    change(a, "2027-02-25T10:00", ChangeRequest(Win(), AE))
    change(e, "2027-02-26T10:00", ChangeRequest(Lose("予算"), AE))
    assert run(hiyoko, "weekly_digest", monday)[0].endswith("new eggs 1, new chicks 1, hatched 0, won 1, lost 1")
    hiyoko.relay.drain()
    [digest] = fake_slack.messages(DIGEST)
    text = "\n".join(b["text"]["text"] for b in digest["blocks"] if b["type"] == "section")
    # Open: eggs B (49 days) and C (6 days); chick D (5 days).
    assert "🥚 卵: 0-7: 1 · 8-30: 0 · 31-90: 1 · 91+: 0" in text
    assert "🐣 ひよこ: 0-7: 1 · 8-30: 0 · 31-90: 0 · 91+: 0" in text
    # Eggs shared: A, B, C → 1 hatched = 33%; A took 10 days; closed: A won, E lost → 50%;
    # 3 of 5 signals were eggs → 60%.
    assert "孵化率 33% · 卵→ひよこ 中央値 10.0日 · 受注率 50% · 卵の割合 60%" in text
    # Shared in the last 12 weeks (from 2026-12-07 09:00): A, B, C, D, E — four by UCSM, one by UAE2.
    assert "<@UCSM> 4 · <@UAE2> 1" in text
    assert "30日以上動きのない卵が多い担当*: <@UAE> 1" in text  # B
    [upload] = fake_slack.uploads
    assert upload["thread_ts"] == digest["ts"] and upload["channel_id"] == DIGEST
    assert upload["content"].startswith(b"\x89PNG\r\n\x1a\n")


def test_the_chart_is_a_png_with_two_bars_a_week() -> None:
    weeks = [(datetime(2027, 1, 4) + timedelta(weeks=i), i, 12 - i) for i in range(12)]
    png, bars = weekly_chart(weeks, "ja")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert bars == 24


def test_two_schedulers_on_one_database_send_each_digest_once(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    settings = make_settings(tmp_path, fake_slack, fake_sheets)
    one = build(settings, FixedClock(at("2027-03-01T09:00")))
    two = build(settings, FixedClock(at("2027-03-01T09:00")))
    results = [one.scheduler.run("weekly_digest"), two.scheduler.run("weekly_digest")]
    assert sorted(r.ran for r in results) == [False, True]
    assert {r.slot for r in results} == {"2027-03-01T09:00+09:00"}
    # Catching up at start (a replica restarted at 11:00) does not send it again either.
    assert all(not r.ran for r in two.scheduler.catch_up(at("2027-03-01T11:00")) if r.job == "weekly_digest")
    one.relay.drain()
    two.relay.drain()
    assert len(fake_slack.messages(DIGEST)) == 1


def test_a_process_that_was_down_catches_up_the_missed_digest(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    results = hiyoko.scheduler.catch_up(at("2027-03-01T15:00"))
    digest = [r for r in results if r.job == "weekly_digest"]
    assert digest and digest[0].ran and digest[0].slot == "2027-03-01T09:00+09:00"
    assert not [r for r in hiyoko.scheduler.catch_up(at("2027-03-03T15:00")) if r.job == "weekly_digest"]


def test_a_digest_whose_claimant_died_is_run_again_once_by_catch_up_and_queued_once(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    scheduler = hiyoko.scheduler
    jobs = scheduler.ctx.jobs
    slot = scheduler.slot_of(scheduler.specs["weekly_digest"], at("2027-03-01T09:00"))
    hiyoko.clock.at = at("2027-03-01T09:00")  # type: ignore[attr-defined]
    # A replica claimed the slot and was killed before the digest was queued.
    assert jobs.claim("weekly_digest", slot, "crashed:1", hiyoko.clock.now(), scheduler.lease)

    def digest_runs(when: str) -> list[bool]:
        hiyoko.clock.at = at(when)  # type: ignore[attr-defined]
        return [r.ran for r in scheduler.catch_up(at(when)) if r.job == "weekly_digest"]

    assert digest_runs("2027-03-01T09:00:05") == [False]  # its lease still runs: it may be alive
    assert scheduler._rechecks, "the process looks again when the lease runs out"
    assert digest_runs("2027-03-01T09:01:00") == [True]  # taken over: run again
    assert digest_runs("2027-03-01T09:05:00") == [False]  # and only once
    assert len([r for r in hiyoko.outbox.rows() if r.target == "digest"]) == 1
    state = jobs.slot_state("weekly_digest", slot)
    assert state is not None and state.finished and state.attempts == 2
    hiyoko.relay.drain()
    assert len(fake_slack.messages(DIGEST)) == 1


def test_a_slot_is_taken_over_once_never_by_two_at_a_time_and_the_old_claimant_is_fenced(hiyoko: Hiyoko) -> None:
    jobs = hiyoko.scheduler.ctx.jobs
    now, lease = hiyoko.clock.now(), timedelta(seconds=15)
    first = jobs.claim("weekly_digest", "W1", "a", now, lease)
    assert first is not None and first.attempts == 1
    assert jobs.claim("weekly_digest", "W1", "b", now + timedelta(seconds=5), lease) is None  # alive
    assert jobs.renew(first, now + timedelta(seconds=5), lease)
    assert jobs.claim("weekly_digest", "W1", "b", now + timedelta(seconds=16), lease) is None  # renewed
    later = now + timedelta(seconds=21)  # the first claimant stopped renewing: dead
    results: list[SlotClaim | None] = []
    barrier = threading.Barrier(2)

    def grab(holder: str) -> None:
        barrier.wait()
        results.append(jobs.claim("weekly_digest", "W1", holder, later, lease))

    threads = [threading.Thread(target=grab, args=(h,)) for h in ("b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [second] = [r for r in results if r is not None]
    assert second.attempts == 2
    # The first claimant was only slow: it can neither queue its digest nor mark the slot.
    queued = DigestPayload(compute_digest([], [], later, stale_days=30, unanswered_after=3), "W1", 30, 3)
    with pytest.raises(LostSlot):
        jobs.queue_digest(queued, later, first)
    assert not jobs.finish(first, later, "late")
    assert not [r for r in hiyoko.outbox.rows() if r.target == "digest"]
    # The second claimant dies too: a slot runs at most twice.
    assert jobs.claim("weekly_digest", "W1", "d", later + timedelta(minutes=5), lease) is None
    jobs.queue_digest(queued, later, second)
    assert len([r for r in hiyoko.outbox.rows() if r.target == "digest"]) == 1
    assert not jobs.finish(second, later, "again")  # finished with its digest, in one transaction
    # The job itself marks its slot with the digest: a crash right after it cannot run it again.
    third = jobs.claim("weekly_digest", "W2", "e", later, lease)
    tasks.weekly_digest(hiyoko.scheduler.ctx, later, False, "W2", third)
    state = jobs.slot_state("weekly_digest", "W2")
    assert state is not None and state.finished
    assert jobs.claim("weekly_digest", "W2", "f", later + timedelta(minutes=5), lease) is None


def test_the_real_apscheduler_timer_has_the_jobs_and_zone(hiyoko: Hiyoko) -> None:
    hiyoko.scheduler.start()
    try:
        timer = hiyoko.scheduler._timer
        assert timer is not None and str(timer.timezone) == "Asia/Tokyo"
        jobs = {job.id: job for job in timer.get_jobs()}
        assert set(jobs) == {
            "nudge_stale_eggs",
            "remind_chicks",
            "weekly_digest",
            "directory_refresh",
            "accounts_refresh",
            "sheet_readback",
            "crm_sync",
            "hearing_train",
        }
        digest_next = jobs["weekly_digest"].trigger.get_next_fire_time(None, at("2027-03-02T10:00"))
        assert digest_next == at("2027-03-08T09:00")
        nudge_next = jobs["nudge_stale_eggs"].trigger.get_next_fire_time(None, at("2027-03-05T17:30"))
        assert nudge_next == at("2027-03-08T09:00")  # Friday evening → Monday morning
    finally:
        hiyoko.scheduler.shutdown()


# --- hiyoko jobs -----------------------------------------------------------------------------


@pytest.fixture
def env(hiyoko: Hiyoko, monkeypatch: pytest.MonkeyPatch) -> Hiyoko:
    monkeypatch.setenv("DATABASE_URL", hiyoko.settings.database_url)
    monkeypatch.setenv("SIGNALS_CHANNEL_ID", "CSIGNALS")
    monkeypatch.chdir(hiyoko.settings.hiyoko_xlsx_path.parent)
    return hiyoko


def test_jobs_run_dry_run_sends_nothing(env: Hiyoko, capsys: pytest.CaptureFixture[str]) -> None:
    seed(env, "2026-09-01T10:00")
    before = len(env.outbox.rows())
    assert cli.main(["jobs", "run", "nudge_stale_eggs", "--now", "2026-10-01T10:00:00+09:00", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "[ドライラン] 送信しません: stale_egg S-000001 → UAE (cc UCSM)" in out
    assert len(env.outbox.rows()) == before and not env.scheduler.ctx.jobs.last_runs()
    assert cli.main(["jobs", "run", "weekly_digest", "--now", "2027-03-01T10:00:00+09:00", "--dry-run"]) == 0
    assert len(env.outbox.rows()) == before


def test_jobs_run_and_list(env: Hiyoko, capsys: pytest.CaptureFixture[str]) -> None:
    seed(env, "2026-09-01T10:00")
    assert cli.main(["jobs", "run", "nudge_stale_eggs", "--now", "2026-10-01T10:20:00+09:00"]) == 0
    assert "nudge_stale_eggs [2026-10-01T10:00+09:00]: 1" in capsys.readouterr().out
    assert cli.main(["jobs", "run", "nudge_stale_eggs", "--now", "2026-10-01T10:40:00+09:00"]) == 0
    assert "別のプロセスが実行済み" in capsys.readouterr().out  # same slot: claimed already
    assert cli.main(["jobs", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nudge_stale_eggs | hourly 09:00–18:00 on business days | 2026-10-01T10:00+09:00 (1 line(s))" in listing
    assert "weekly_digest | weekly, mon 09:00 | まだなし" in listing
    assert cli.main(["jobs", "run", "fly"]) == 2
    assert cli.main(["jobs", "run", "remind_chicks", "--now", "yesterday"]) == 2


def test_outbox_payloads_survive_their_json_and_an_old_digest_still_reads() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    digest = compute_digest([], [], datetime(2027, 3, 1, 9, tzinfo=tokyo), stale_days=30, unanswered_after=3)
    payloads: list[OutboxPayload] = [
        DigestPayload(digest, "2027-03-01T09:00+09:00", 30, 3),
        DirectMessagePayload("stale_egg", ("U1", "U2"), stale_days=30),
        DirectMessagePayload("remind_chick", ("U1",), timing=date(2027, 3, 5)),
        AdminAlertPayload(7, "post_card", 12, 1, "slack 200 not_in_channel", (8, 9)),
    ]
    for payload in payloads:
        assert type(payload).from_json(json.loads(json.dumps(payload.to_json()))) == payload
    # A digest queued before win_rate was renamed.
    old = {k: v for k, v in payloads[0].to_json().items() if k != "win_rate"} | {"chick_win_rate": 0.5}
    assert DigestPayload.from_json(old).digest.win_rate == 0.5


# --- issue 12: the load, who is away, and a chart that reads in Japanese ---------------------


def test_the_digest_shows_the_load_per_owner_who_is_away_and_the_eggs_hatched(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    monday = "2027-03-01T09:00"
    a = seed(hiyoko, "2027-02-01T10:00", customer="A")
    seed(hiyoko, "2027-02-02T10:00", customer="B")
    seed(hiyoko, "2027-02-03T10:00", customer="C", owner=OTHER_AE)
    won = seed(hiyoko, "2027-02-04T10:00", customer="D")
    hiyoko.clock.at = at("2027-02-24T10:00")  # type: ignore[attr-defined]
    hiyoko.store.change(a, ChangeRequest(Hatch(date(2027, 4, 1)), AE), managers=frozenset(), today=date(2027, 2, 24))
    hiyoko.store.change(won, ChangeRequest(Win(), AE), managers=frozenset(), today=date(2027, 2, 24))
    absences = AbsenceStore(hiyoko.db)
    absences.set_away(OTHER_AE, date(2027, 2, 26), date(2027, 3, 5), hiyoko.clock.now())
    absences.set_away(CSM, date(2027, 2, 1), date(2027, 2, 20), hiyoko.clock.now())  # over before the digest
    run(hiyoko, "weekly_digest", monday)
    hiyoko.relay.drain()
    [digest] = fake_slack.messages(DIGEST)
    text = "\n".join(b["text"]["text"] for b in digest["blocks"] if b["type"] == "section")
    assert "担当ごとの進行中の予兆(上位)*: <@UAE> 2件 · <@UAE2> 1件" in text  # the won one is not load
    assert "🌴 *不在*: <@UAE2>(2027-03-05 まで)" in text and "UCSM>(" not in text
    payload = DigestPayload.from_json(json.loads(json.dumps(tasks_payload(hiyoko))))
    assert payload.digest.hatched_weekly[-1] == 1 and sum(payload.digest.hatched_weekly) == 1


def tasks_payload(hiyoko: Hiyoko) -> dict[str, Any]:
    with hiyoko.db.read() as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.target == "digest"))
        payload: dict[str, Any] = json.loads(row.payload)
        return payload


def test_the_chart_reads_in_japanese_with_the_bundled_font(tmp_path: Path) -> None:
    path = font_file()
    assert path.is_file() and path.name == "ipaexg.ttf"
    family = font_name()
    resolved = Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    assert resolved == path  # the bundled IPAex Gothic, not DejaVu Sans nor a font of this machine
    for text in ("週ごとの予兆数", "卵", "ひよこ", "孵化", "進行中の予兆の経過日数", "日"):
        font = matplotlib.ft2font.FT2Font(str(resolved))
        assert all(font.get_char_index(ord(ch)) for ch in text), text  # a glyph for every character
    weeks = [(datetime(2027, 1, 4) + timedelta(weeks=i), i, 12 - i) for i in range(12)]
    ages = ({"0-7": 3, "8-30": 5, "31-90": 2, "91+": 1}, {"0-7": 1, "8-30": 2, "31-90": 0, "91+": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would be a tofu box
        png, bars = weekly_chart(weeks, "ja", hatched=[i % 3 for i in range(12)], ages=ages)
    assert bars == 24 and png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "chart.png").write_bytes(png)


def test_the_digest_payload_keeps_the_load_and_an_older_one_still_reads() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    digest = compute_digest(
        [],
        [],
        datetime(2027, 3, 1, 9, tzinfo=tokyo),
        stale_days=30,
        unanswered_after=3,
        away=[("U2", date(2027, 2, 1), date(2027, 3, 9)), ("U1", date(2027, 3, 1), date(2027, 3, 4))],
    )
    assert digest.away == [("U1", date(2027, 3, 4)), ("U2", date(2027, 3, 9))]  # soonest back first
    payload = DigestPayload(digest, "slot", 30, 3)
    assert DigestPayload.from_json(json.loads(json.dumps(payload.to_json()))) == payload
    old = {k: v for k, v in payload.to_json().items() if k not in ("hatched_weekly", "open_by_owner", "away")}
    assert DigestPayload.from_json(old).digest.away == []
