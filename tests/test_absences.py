"""Absences and departures (issue 12): `/hiyoko away` and `back`, routing skipping who is away,
nudges waiting for their owner's return, a deactivated owner's signals moving on, and the teams'
user groups kept fresh by Slack's events."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import Hiyoko
from bot.deps import team_groups
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import bolt_request, slash_command
from models.clock import FixedClock
from models.routing import Reason, Role, parse_routing
from models.signal import Category, Kind, SignalDraft
from store import ChangeRequest, Win
from store.absences import AbsenceStore
from store.outbox import Target
from store.routing import route
from store.tables import OutboxRow
from tests.conftest import AE, CSM, OTHER_AE, TOKYO, build, make_settings, wait_for
from tests.directory import fill_directory
from tests.test_user_directory import send_event, slack_user

REP1, REP2 = "UREP1", "UREP2"


def command(hiyoko: Hiyoko, text: str, user: str = AE) -> str:
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(user, text)))
    assert response.status == 200
    body: dict[str, Any] = json.loads(response.body)
    assert body["response_type"] == "ephemeral"  # only the caller sees it
    return str(body["text"])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def seed(hiyoko: Hiyoko, customer: str, owner: str = AE, kind: Kind = Kind.EGG, timing: date | None = None) -> int:
    draft = SignalDraft(
        customer=customer, kind=kind, category=Category.SEATS, summary="もっと使いたい", timing=timing, owner_id=owner
    )
    now = hiyoko.clock.now()
    result = hiyoko.store.submit(
        draft, submitter_id=CSM, submitter_name="佐藤", owner_name=owner, created_at=now, submission_key=customer
    )
    return result.signal.number


def team_hiyoko(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> Hiyoko:
    for user in (REP1, REP2, "UBOSS"):
        fake_slack.add_user(user, user.lower())
    team = f"{REP1},{REP2}"
    settings = make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_team_csales=team, database_url=database_url)
    return fill_directory(build(settings, clock))


# --- /hiyoko away, back ----------------------------------------------------------------------


def test_away_and_back_answer_privately_and_refuse_what_makes_no_sense(hiyoko: Hiyoko) -> None:
    today = hiyoko.clock.now().date()  # 2026-11-23
    assert "/hiyoko away" in command(hiyoko, "help") and "/hiyoko back" in command(hiyoko, "help")
    assert "2026-11-23 から 2026-11-30 まで不在" in command(hiyoko, "away 2026-11-30")
    assert AbsenceStore(hiyoko.db).current(today) == [(AE, today, date(2026, 11, 30))]
    assert "2026-12-24 から 2027-01-05 まで不在" in command(hiyoko, "away 2026-12-24 2027-01-05")
    assert AbsenceStore(hiyoko.db).current(today) == [(AE, date(2026, 12, 24), date(2027, 1, 5))]  # replaced
    assert "もう過ぎています" in command(hiyoko, "away 2026-11-20")
    assert "開始日 2026-12-10 より前" in command(hiyoko, "away 2026-12-10 2026-12-01")
    assert "「来週」は日付として読めません" in command(hiyoko, "away 来週")
    assert "「2026-13-01」は日付として読めません" in command(hiyoko, "away 2026-12-01 2026-13-01")
    assert "使い方" in command(hiyoko, "away")
    assert AbsenceStore(hiyoko.db).current(today) == [(AE, date(2026, 12, 24), date(2027, 1, 5))]  # untouched
    assert "おかえりなさい" in command(hiyoko, "back")
    assert AbsenceStore(hiyoko.db).current(today) == []
    assert "不在の登録はありません" in command(hiyoko, "back")


def test_away_answers_in_the_users_language(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> None:
    fake_slack.add_user("UEN", "en", locale="en-US")
    hiyoko = fill_directory(build(make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url), clock))
    assert "has already passed" in command(hiyoko, "away 2026-01-01", user="UEN")
    assert "You are away from 2026-11-23 to 2026-11-24" in command(hiyoko, "away 2026-11-24", user="UEN")
    hiyoko.db.dispose()


def test_an_away_rep_is_skipped_by_routing_and_gets_signals_again_after_back(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> None:
    hiyoko = team_hiyoko(tmp_path, fake_slack, fake_sheets, clock, database_url)
    teams = {Role.CSALES: frozenset({REP1, REP2})}

    def routed() -> str | None:
        clock.at += timedelta(minutes=1)  # turns are told apart by when they were taken
        with hiyoko.db.transaction() as session:
            owner, _ = route(
                session,
                category=Category.SEATS,
                customer="どこかの会社",
                routing=parse_routing(""),
                teams=teams,
                today=clock.now().date(),
                now=clock.now(),
            )
            return owner

    command(hiyoko, "away 2026-11-30", user=REP1)
    assert [routed() for _ in range(3)] == [REP2, REP2, REP2]
    command(hiyoko, "back", user=REP1)
    assert routed() == REP1  # back, and waiting longest
    command(hiyoko, "away 2026-11-25 2026-11-30", user=REP2)  # not yet away: still routed to
    assert routed() == REP2
    hiyoko.db.dispose()


# --- nudges wait for their owner -------------------------------------------------------------


def run(hiyoko: Hiyoko, job: str, when: str) -> list[str]:
    hiyoko.clock.at = at(when)  # type: ignore[attr-defined]
    return hiyoko.scheduler.run(job, at(when)).lines


def test_nudges_and_reminders_wait_while_away_and_come_once_after_back(hiyoko: Hiyoko) -> None:
    hiyoko.clock.at = at("2026-09-01T10:00")  # type: ignore[attr-defined]
    seed(hiyoko, "卵の会社")
    seed(hiyoko, "ひよこの会社", kind=Kind.CHICK, timing=date(2026, 10, 14))
    seed(hiyoko, "他の人の卵", owner=OTHER_AE)
    hiyoko.clock.at = at("2026-09-30T10:00")  # type: ignore[attr-defined]
    assert "2026-09-30 から 2026-10-20 まで不在" in command(hiyoko, "away 2026-10-20")
    # Day 30 of the eggs; 10 business days before the chick's timing (2026-10-14) is 2026-09-30.
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-01T10:00") == ["stale_egg S-000003 → UAE2 (cc UCSM)"]
    assert run(hiyoko, "remind_chicks", "2026-10-01T10:00") == []
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-02T10:00") == []
    assert run(hiyoko, "remind_chicks", "2026-10-15T10:00") == []  # overdue now, still away
    hiyoko.clock.at = at("2026-10-16T08:00")  # type: ignore[attr-defined]
    command(hiyoko, "back")
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-16T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]
    assert run(hiyoko, "remind_chicks", "2026-10-16T10:00") == ["overdue_chick S-000002 (2026-10-14) → UAE"]
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-16T11:00") == []  # once
    assert run(hiyoko, "remind_chicks", "2026-10-19T10:00") == []


def test_an_absence_that_ends_by_itself_lets_the_nudges_through(hiyoko: Hiyoko) -> None:
    hiyoko.clock.at = at("2026-09-01T10:00")  # type: ignore[attr-defined]
    seed(hiyoko, "卵の会社")
    command(hiyoko, "away 2026-10-05")
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-05T10:00") == []  # the last day away
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-06T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]
    assert run(hiyoko, "nudge_stale_eggs", "2026-10-07T10:00") == []


# --- departures ------------------------------------------------------------------------------


def thread_lines(fake_slack: FakeSlack, hiyoko: Hiyoko, number: int) -> list[str]:
    signal = hiyoko.store.get(number)
    assert signal is not None and signal.card_ts
    return [str(m["text"]) for m in fake_slack.replies(signal.card_channel or "", signal.card_ts)]


def test_a_deactivated_owners_open_signals_move_on_each_with_one_thread_line(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> None:
    hiyoko = team_hiyoko(tmp_path, fake_slack, fake_sheets, clock, database_url)
    first, second, closed = seed(hiyoko, "一社目"), seed(hiyoko, "二社目"), seed(hiyoko, "三社目")
    hiyoko.store.change(closed, ChangeRequest(Win(), AE), managers=frozenset(), today=clock.now().date())
    others = seed(hiyoko, "他の人の会社", owner=OTHER_AE)
    hiyoko.relay.drain()
    send_event(hiyoko, {"type": "user_change", "user": slack_user(AE, "田中", deleted=True)})
    wait_for(lambda: all(hiyoko.store.get(n).owner_id != AE for n in (first, second)))  # type: ignore[union-attr]
    hiyoko.relay.drain()
    owners = {n: hiyoko.store.get(n).owner_id for n in (first, second, closed, others)}  # type: ignore[union-attr]
    assert owners[first] in (REP1, REP2) and owners[second] in (REP1, REP2) and owners[first] != owners[second]
    assert owners[closed] == AE and owners[others] == OTHER_AE
    for number in (first, second):
        signal = hiyoko.store.get(number)
        assert signal is not None
        assert Reason.from_json(signal.owner_reason) == Reason("rerouted", Role.CSALES, by=AE)
        [event] = [e for e in hiyoko.store.events(number) if e.action == "rerouted"]
        assert event.detail == {"from": AE, "to": signal.owner_id}
        [line] = [text for text in thread_lines(fake_slack, hiyoko, number) if "🔀" in text]
        assert f"<@{AE}> さんが退職" in line and f"<@{signal.owner_id}> さんに引き継ぎました" in line
    assert not [e for e in hiyoko.store.events(closed) if e.action == "rerouted"]
    history = fake_sheets.values(hiyoko.settings.spreadsheet_id or "", "History")
    assert sum(1 for row in history if "rerouted" in row or "担当を引き継ぎ" in row) == 2
    # The same event again (Slack retries, a later profile change) moves nothing twice.
    send_event(hiyoko, {"type": "user_change", "user": slack_user(AE, "田中", deleted=True)})
    time.sleep(0.3)
    assert sum(1 for e in hiyoko.store.events(first) if e.action == "rerouted") == 1
    hiyoko.db.dispose()


def test_a_signal_nobody_can_take_stays_and_the_managers_are_told(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> None:
    fake_slack.add_user("UBOSS", "boss")
    settings = make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_managers="UBOSS", database_url=database_url)
    hiyoko = fill_directory(build(settings, clock))  # no team: nobody to route to
    number = seed(hiyoko, "一社目")
    hiyoko.relay.drain()
    send_event(hiyoko, {"type": "user_change", "user": slack_user(AE, "田中", deleted=True)})

    def dm_rows() -> list[OutboxRow]:
        with hiyoko.db.read() as session:
            return list(session.scalars(select(OutboxRow).where(OutboxRow.target == Target.DIRECT_MESSAGE.value)))

    [row] = wait_for(dm_rows)
    if True:
        assert json.loads(row.payload) == {"kind": "owner_left", "users": ["UBOSS"]}
    hiyoko.relay.drain()
    assert hiyoko.store.get(number).owner_id == AE  # type: ignore[union-attr]
    [dm] = [m for m in fake_slack.calls_to("chat.postMessage") if str(m["channel"]).startswith("D")]
    assert "引き継げる人が見つかりません" in dm["text"] and f"<@{AE}>" in dm["text"]
    hiyoko.db.dispose()


# --- the teams' groups -------------------------------------------------------------------------


def test_the_teams_groups_are_read_and_kept_fresh_by_subteam_events(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> None:
    fake_slack.add_usergroup("SCSALES", [REP1])
    fake_slack.add_usergroup("SAES", [OTHER_AE])
    settings = make_settings(
        tmp_path,
        fake_slack,
        fake_sheets,
        hiyoko_team_csales="SCSALES",
        hiyoko_team_ae="SAES",
        database_url=database_url,
    )
    hiyoko = build(settings, clock)
    assert team_groups(settings) == frozenset({"SCSALES", "SAES"})
    hiyoko.users.refresh(None, team_groups(settings))
    directory = hiyoko.users.directory
    assert directory.group_members("SCSALES") == frozenset({REP1})
    assert directory.group_members("SAES") == frozenset({OTHER_AE})
    send_event(
        hiyoko,
        {"type": "subteam_members_changed", "subteam_id": "SCSALES", "added_users": [REP2], "removed_users": [REP1]},
    )
    deadline = time.monotonic() + 5
    while directory.group_members("SCSALES") != frozenset({REP2}) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert directory.group_members("SCSALES") == frozenset({REP2})
    send_event(hiyoko, {"type": "subteam_updated", "subteam": {"id": "SAES", "users": [AE, OTHER_AE]}})
    while directory.group_members("SAES") != frozenset({AE, OTHER_AE}) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert directory.group_members("SAES") == frozenset({AE, OTHER_AE})
    hiyoko.db.dispose()
