"""Sheet read-back: people's columns of the Signals tab reach the signal's thread and history,
once per change, across restarts and replicas; edits of hiyoko's own cells become proposals."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from app import Hiyoko
from bot.blocks.card import card
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import bolt_request, modal_state, slash_command, view_submission
from models.clock import FixedClock
from sheets.readback import SheetReadback, observe
from store.outbox import Target, enqueue
from store.readback import ReadbackStore
from store.tables import EventRow, OutboxRow, ProposalRow, SheetCellRow
from tests.conftest import CHANNEL, CSM, SPREADSHEET, build, dispatch, make_settings

PEOPLE = "T"  # the first column right of hiyoko's A–S


def share(hiyoko: Hiyoko, count: int) -> None:
    for index in range(count):
        state = modal_state(customer=f"顧客{index:03d}")
        assert dispatch(hiyoko, view_submission(CSM, state, view_id=f"V{index}")).status == 200
    hiyoko.relay.drain()


def poll(hiyoko: Hiyoko, clock: FixedClock) -> list[str]:
    """The next slot of the job, as the timer runs it."""
    clock.advance(minutes=hiyoko.settings.hiyoko_sheet_readback_minutes)
    result = hiyoko.scheduler.run("sheet_readback")
    assert result.ran
    return result.lines


def type_in(fake_sheets: FakeSheets, a1: str, *rows: list[str]) -> None:
    fake_sheets.set_values(SPREADSHEET, "Signals", [list(r) for r in rows], start=a1)


def row_of(fake_sheets: FakeSheets, signal_id: str) -> int:
    ids = [row[0] if row else "" for row in fake_sheets.values(SPREADSHEET, "Signals")]
    return ids.index(signal_id) + 1


def thread(hiyoko: Hiyoko, fake_slack: FakeSlack, number: int) -> list[str]:
    signal = hiyoko.store.get(number)
    assert signal is not None and signal.card_ts
    return [m["text"] for m in fake_slack.replies(CHANNEL, signal.card_ts)[1:]]


def notes(fake_slack: FakeSlack) -> list[str]:
    return [m["text"] for m in fake_slack.calls_to("chat.postMessage") if m.get("text", "").startswith("📝")]


def test_edits_between_two_polls_become_one_thread_line_each_and_never_again(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 3)
    type_in(fake_sheets, f"{PEOPLE}1", ["進捗", "コメント", "営業メモ"], ["見積提出済み", "古いコメント", "x"])
    assert "0 note(s)" in poll(hiyoko, clock)[0]  # the first poll ever: a silent baseline
    hiyoko.relay.drain()
    assert notes(fake_slack) == []

    type_in(fake_sheets, f"{PEOPLE}2", ["契約書送付"])  # S-000001's Progress
    type_in(fake_sheets, "U3", ["来週お電話します"])  # S-000002's Comment
    type_in(fake_sheets, "V3", ["not read: not a read-back column"])
    before = len(fake_sheets.calls)
    assert "2 note(s)" in poll(hiyoko, clock)[0]
    assert len(fake_sheets.calls) - before == 1, "one read per poll"
    hiyoko.relay.drain()
    assert thread(hiyoko, fake_slack, 1)[-1] == "📝 シート · 進捗: 契約書送付"
    assert thread(hiyoko, fake_slack, 2)[-1] == "📝 シート · コメント: 来週お電話します"
    assert len(notes(fake_slack)) == 2
    history = fake_sheets.values(SPREADSHEET, "History")
    assert [r[3] for r in history].count("シートに記入") == 2
    assert any("value=契約書送付" in " ".join(r) for r in history)

    assert "0 note(s)" in poll(hiyoko, clock)[0]  # unchanged: nothing
    restarted = build(hiyoko.settings, clock)  # a restart: same database, fresh process state
    try:
        assert "0 note(s)" in poll(restarted, clock)[0]
        restarted.relay.drain()
    finally:
        restarted.db.dispose()
    hiyoko.relay.drain()
    assert len(notes(fake_slack)) == 2


def test_a_cleared_cell_is_told_once(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 1)
    type_in(fake_sheets, f"{PEOPLE}1", ["Progress"], ["quote sent"])
    poll(hiyoko, clock)
    type_in(fake_sheets, f"{PEOPLE}2", [""])
    assert "1 note(s)" in poll(hiyoko, clock)[0]
    assert "0 note(s)" in poll(hiyoko, clock)[0]
    hiyoko.relay.drain()
    assert thread(hiyoko, fake_slack, 1)[-1] == "📝 シート · Progress: (空欄にしました)"
    assert len(notes(fake_slack)) == 1


def test_rows_sorted_by_a_person_still_map_by_id(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 4)
    type_in(fake_sheets, f"{PEOPLE}1", ["次のアクション"], ["a"], ["b"], ["c"], ["d"])
    poll(hiyoko, clock)
    rows = fake_sheets.values(SPREADSHEET, "Signals")
    width = max(len(r) for r in rows)
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    type_in(fake_sheets, "A2", *reversed(body))  # a person sorts the tab Z→A
    assert row_of(fake_sheets, "S-000001") == 5
    assert "0 note(s)" in poll(hiyoko, clock)[0], "moved, not changed"
    type_in(fake_sheets, f"{PEOPLE}{row_of(fake_sheets, 'S-000003')}", ["デモ日程を調整"])
    assert "1 note(s)" in poll(hiyoko, clock)[0]
    hiyoko.relay.drain()
    assert thread(hiyoko, fake_slack, 3)[-1] == "📝 シート · 次のアクション: デモ日程を調整"
    assert len(notes(fake_slack)) == 1


def test_two_replicas_polling_at_once_tell_an_edit_once(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 2)
    type_in(fake_sheets, f"{PEOPLE}1", ["Comment"], ["old"], [""])
    poll(hiyoko, clock)
    type_in(fake_sheets, f"{PEOPLE}2", ["new"], ["first"])
    type_in(fake_sheets, "C2", ["失注"])  # and a status typed over hiyoko's
    other = build(hiyoko.settings, clock)
    try:
        start = threading.Barrier(2)
        lines: list[str] = []

        def run(replica: Hiyoko) -> None:
            readback = SheetReadback(replica.settings, ReadbackStore(replica.db, clock))
            start.wait()
            lines.append(readback.poll(clock.now()))

        threads = [threading.Thread(target=run, args=(r,)) for r in (hiyoko, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(lines) == 2
        assert sum(int(line.split(" note(s)")[0].rsplit(" ", 1)[1]) for line in lines) == 2
        assert sum(int(line.split(" proposal(s)")[0].rsplit(" ", 1)[1]) for line in lines) == 1
    finally:
        other.db.dispose()
    with hiyoko.db.read() as session:
        assert len(session.scalars(select(EventRow).where(EventRow.action == "sheet_note")).all()) == 2
        assert len(session.scalars(select(ProposalRow)).all()) == 1
    hiyoko.relay.drain()
    assert sorted(notes(fake_slack)) == ["📝 シート · Comment: first", "📝 シート · Comment: new"]


def test_a_429_skips_the_poll_slows_the_next_and_loses_no_edit(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 1)
    type_in(fake_sheets, f"{PEOPLE}1", ["コメント"], ["前"])
    poll(hiyoko, clock)
    type_in(fake_sheets, f"{PEOPLE}2", ["後"])
    fake_sheets.fail_next(1, status=429)
    assert "429" in poll(hiyoko, clock)[0]  # no crash
    # The writes go on meanwhile: a new signal reaches the sheet.
    state = modal_state(customer="新規")
    assert dispatch(hiyoko, view_submission(CSM, state, view_id="VNEW")).status == 200
    hiyoko.relay.drain()
    assert row_of(fake_sheets, "S-000002") == 3
    before = len(fake_sheets.calls)
    assert "slowed" in poll(hiyoko, clock)[0]  # the next slot waits
    assert len(fake_sheets.calls) == before, "no read while slowed"
    assert "1 note(s)" in poll(hiyoko, clock)[0]  # the slot after reads the edit
    hiyoko.relay.drain()
    assert thread(hiyoko, fake_slack, 1)[-1] == "📝 シート · コメント: 後"
    fake_sheets.fail_next(2, status=429)
    assert "429" in poll(hiyoko, clock)[0]
    poll(hiyoko, clock)  # slowed
    assert "429" in poll(hiyoko, clock)[0]  # the gap doubles: 4 intervals now
    assert all("slowed" in poll(hiyoko, clock)[0] for _ in range(3))
    assert "note(s)" in poll(hiyoko, clock)[0]


def test_a_status_typed_in_the_sheet_is_proposed_once_and_put_back(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 1)
    poll(hiyoko, clock)  # baseline
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][2] == "進行中"
    type_in(fake_sheets, "C2", ["受注"])
    assert "1 proposal(s)" in poll(hiyoko, clock)[0]
    with hiyoko.db.read() as session:
        proposals = session.scalars(select(ProposalRow)).all()
        assert [(p.field, p.value, p.state) for p in proposals] == [("status", "won", "pending")]
    hiyoko.relay.drain()
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][2] == "進行中", "hiyoko puts its value back"
    assert "受注" in thread(hiyoko, fake_slack, 1)[-1]
    assert "0 proposal(s)" in poll(hiyoko, clock)[0]
    with hiyoko.db.read() as session:
        assert len(session.scalars(select(ProposalRow)).all()) == 1


def test_a_sheet_behind_hiyoko_is_not_a_proposal(hiyoko: Hiyoko, fake_sheets: FakeSheets, clock: FixedClock) -> None:
    share(hiyoko, 1)
    poll(hiyoko, clock)
    type_in(fake_sheets, "C2", ["受注"])  # as if read before hiyoko's own write landed
    with hiyoko.db.transaction() as session:
        enqueue(session, 1, [Target.SYNC_SHEET], clock.now())
    assert "0 proposal(s)" in poll(hiyoko, clock)[0]


def test_observe_finds_columns_by_header_whatever_their_case_and_width() -> None:
    header: list[Any] = ["ID", "種別", "状態", *["x"] * 3, "想定時期", *["x"] * 4, "担当", *["x"] * 7]
    rows: list[list[Any]] = [
        [*header, "ＣＯＭＭＥＮＴ", "next  STEP", "Memo", "進捗"],
        ["S-000002", "", "受注", "", "", "", "2027-04-01", "", "", "", "", "佐藤", *[""] * 7, "c", "", "m"],
        ["no id", *[""] * 22],
        ["S-000002", *[""] * 22],
    ]
    (row,) = observe(rows, "ja", extra="memo")
    assert row.number == 2
    assert row.people == {"ＣＯＭＭＥＮＴ": "c", "next  STEP": "", "Memo": "m", "進捗": ""}
    assert row.own == {"status": "受注", "timing": "2027-04-01", "owner": "佐藤"}


def test_the_xlsx_is_read_back_too(tmp_path: Path, fake_slack: FakeSlack, database_url: str, clock: FixedClock) -> None:
    settings = make_settings(tmp_path, fake_slack, None, database_url=database_url)
    hiyoko = build(settings, clock)
    try:
        share(hiyoko, 2)

        def edit(cells: dict[str, str]) -> None:
            workbook = load_workbook(settings.hiyoko_xlsx_path)
            for a1, value in cells.items():
                workbook["Signals"][a1] = value or None
            workbook.save(settings.hiyoko_xlsx_path)

        edit({"T1": "コメント", "T2": "古い"})
        poll(hiyoko, clock)
        edit({"T2": "", "T3": "新しい"})
        assert "2 note(s)" in poll(hiyoko, clock)[0]
        assert "0 note(s)" in poll(hiyoko, clock)[0]
        hiyoko.relay.drain()
        assert thread(hiyoko, fake_slack, 1)[-1] == "📝 シート · コメント: (空欄にしました)"
        assert thread(hiyoko, fake_slack, 2)[-1] == "📝 シート · コメント: 新しい"
        with hiyoko.db.read() as session:
            assert session.scalar(select(SheetCellRow.value).where(SheetCellRow.signal_number == 2)) is not None
    finally:
        hiyoko.db.dispose()


def test_the_line_reads_in_english_too(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    settings = make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url, hiyoko_language="en")
    hiyoko = build(settings, clock)
    try:
        share(hiyoko, 1)
        type_in(fake_sheets, f"{PEOPLE}1", ["Progress"], ["draft"])
        poll(hiyoko, clock)
        type_in(fake_sheets, f"{PEOPLE}2", ["quote sent"])
        poll(hiyoko, clock)
        type_in(fake_sheets, f"{PEOPLE}2", [""])
        poll(hiyoko, clock)
        hiyoko.relay.drain()
        assert thread(hiyoko, fake_slack, 1)[-2:] == ["📝 Sheet · Progress: quote sent", "📝 Sheet · Progress: cleared"]
    finally:
        hiyoko.db.dispose()


def test_the_poll_interval_follows_the_setting(hiyoko: Hiyoko) -> None:
    spec = hiyoko.scheduler.specs["sheet_readback"]
    assert spec.description == "every 5 min"
    assert spec.trigger is not None
    first = hiyoko.clock.now().replace(minute=1)
    assert spec.trigger.get_next_fire_time(None, first) == first.replace(minute=5, second=0) + timedelta(0)


def test_a_status_edit_hiyoko_could_not_put_back_is_proposed_once(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    """A cell hiyoko's write did not restore (a protected range, say) is not proposed again at every poll."""
    share(hiyoko, 1)
    poll(hiyoko, clock)
    type_in(fake_sheets, "C2", ["受注"])
    assert "1 proposal(s)" in poll(hiyoko, clock)[0]
    with hiyoko.db.transaction() as session:  # the write-back "happened" but the cell kept the edit
        for row in session.scalars(select(OutboxRow).where(OutboxRow.state == "pending")):
            row.state = "done"
        for proposal in session.scalars(select(ProposalRow)):
            proposal.state = "discarded"  # and somebody discarded the proposal
    assert "0 proposal(s)" in poll(hiyoko, clock)[0]
    with hiyoko.db.read() as session:
        assert len(session.scalars(select(ProposalRow)).all()) == 1


def test_a_chicks_timing_as_the_sheet_shows_it_is_not_a_proposal(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    state = modal_state(customer="顧客", kind="chick", timing="2027-04-01")
    assert dispatch(hiyoko, view_submission(CSM, state, view_id="VC")).status == 200
    hiyoko.relay.drain()
    poll(hiyoko, clock)
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][6] == "2027-04-01"
    assert "0 proposal(s)" in poll(hiyoko, clock)[0]
    type_in(fake_sheets, "G2", ["2027-05-10"])
    assert "1 proposal(s)" in poll(hiyoko, clock)[0]
    with hiyoko.db.read() as session:
        assert [(p.field, p.value) for p in session.scalars(select(ProposalRow))] == [("timing", "2027-05-10")]


def test_a_note_from_the_sheet_names_the_sheet_not_an_empty_mention(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    # No Slack user stands behind a sheet edit: the card's "last change" and /hiyoko show say
    # where it came from instead of mentioning nobody (`<@>`).
    share(hiyoko, 1)
    type_in(fake_sheets, f"{PEOPLE}1", ["コメント"], [""])
    poll(hiyoko, clock)
    type_in(fake_sheets, f"{PEOPLE}2", ["来週お電話します"])
    poll(hiyoko, clock)
    hiyoko.relay.drain()
    signal, last = hiyoko.store.get(1), hiyoko.store.last_event(1)
    assert signal is not None and last is not None and last.action == "sheet_note"
    _, blocks = card(signal, "ja", hiyoko.settings.timezone, last)  # as any later redraw shows it
    context = json.dumps(blocks, ensure_ascii=False)
    assert "シート" in context and "<@>" not in context
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(CSM, "show S-000001")))
    shown = json.loads(response.body)
    assert "<@>" not in json.dumps(shown, ensure_ascii=False)
    assert "シート" in json.dumps(shown["blocks"][-1], ensure_ascii=False)
