"""The sheet: upsert by ID, batching, people's columns kept, resync, and the local .xlsx."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

import cli
from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import modal_state, view_submission
from models.clock import FixedClock
from sheets.table import plan_upsert
from tests.conftest import CSM, SPREADSHEET, build, dispatch, make_settings


def submit_many(hiyoko: Hiyoko, count: int, prefix: str = "V", **fields: str) -> None:
    for index in range(count):
        state = modal_state(**{"customer": f"顧客{index:03d}", **fields})
        assert dispatch(hiyoko, view_submission(CSM, state, view_id=f"{prefix}{index}")).status == 200


def sheet_ids(fake_sheets: FakeSheets) -> list[str]:
    return [row[0] for row in fake_sheets.values(SPREADSHEET, "Signals")]


def test_plan_places_known_ids_over_their_rows_and_appends_the_rest() -> None:
    plan = plan_upsert(["ID", "S-000002", "", "S-000001", "S-000002"], [["S-000001", "a"], ["S-000009", "b"]])
    assert plan.updates == {4: ["S-000001", "a"]}
    assert plan.appends == [["S-000009", "b"]] and plan.first_append_row == 6
    empty = plan_upsert([], [["S-000001"]])
    assert empty.first_append_row == 2 and empty.last_row == 2


def test_a_backlog_is_written_in_a_few_calls(hiyoko: Hiyoko, fake_sheets: FakeSheets) -> None:
    submit_many(hiyoko, 60)
    before = len(fake_sheets.calls)
    hiyoko.relay.drain()
    calls = fake_sheets.calls[before:]
    assert sheet_ids(fake_sheets) == ["ID", *[f"S-{n:06d}" for n in range(1, 61)]]
    # Two tabs (Signals, History), each: metadata + create on first use, then ID column + one write.
    assert len(calls) <= 12, [(c.method, c.path) for c in calls]
    assert fake_sheets.write_calls <= 6
    submit_many(hiyoko, 60, prefix="W")
    before = len(fake_sheets.calls)
    hiyoko.relay.drain()
    assert len(fake_sheets.calls) - before <= 4, "a later batch: ID column + one write, per tab"


def test_peoples_columns_to_the_right_are_never_overwritten(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    submit_many(hiyoko, 2)
    hiyoko.relay.drain()
    fake_sheets.set_values(SPREADSHEET, "Signals", [["営業メモ"], ["来週電話する"], ["=1+1"]], start="T1")
    clock.advance(days=1)
    hiyoko.relay.sheet.write(hiyoko.store.all())  # a later sync of both rows
    rows = fake_sheets.values(SPREADSHEET, "Signals")
    assert rows[0][19] == "営業メモ" and rows[1][19] == "来週電話する"
    assert fake_sheets.cell(SPREADSHEET, "Signals", "T3").kind == "formula"  # theirs, untouched
    assert rows[0][:2] == ["ID", "種別"]


def test_the_tab_is_created_and_grown_as_needed(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    fake_sheets.create_spreadsheet("small", sheets=["Signals"], rows=5, cols=10)
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, spreadsheet_id="small"), clock)
    submit_many(hiyoko, 8)
    hiyoko.relay.drain()
    rows, cols = fake_sheets.grid_size("small", "Signals")
    assert rows >= 9 and cols >= 19
    assert [r[0] for r in fake_sheets.values("small", "Signals")][1:] == [f"S-{n:06d}" for n in range(1, 9)]


def test_a_row_a_person_duplicated_is_left_alone(hiyoko: Hiyoko, fake_sheets: FakeSheets) -> None:
    submit_many(hiyoko, 1)
    hiyoko.relay.drain()
    fake_sheets.set_values(SPREADSHEET, "Signals", [["S-000001", "copy"]], start="A3")
    hiyoko.relay.sheet.write(hiyoko.store.all())
    assert sheet_ids(fake_sheets) == ["ID", "S-000001", "S-000001"]
    assert fake_sheets.values(SPREADSHEET, "Signals")[2][1] == "copy"


def test_resync_restores_deleted_rows_without_duplicating(
    hiyoko: Hiyoko, fake_sheets: FakeSheets, settings_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    submit_many(hiyoko, 4)
    hiyoko.relay.drain()
    # Someone cleared a row and scribbled over another's status.
    fake_sheets.set_values(SPREADSHEET, "Signals", [["", "", ""]], start="A3")
    fake_sheets.set_values(SPREADSHEET, "Signals", [["?"]], start="C4")
    assert cli.main(["sheet", "resync"]) == 0
    assert cli.main(["sheet", "resync"]) == 0
    ids = [i for i in sheet_ids(fake_sheets) if i]
    assert sorted(ids) == ["ID", "S-000001", "S-000002", "S-000003", "S-000004"]
    assert fake_sheets.values(SPREADSHEET, "Signals")[3][2] == "進行中"
    assert "4件" in capsys.readouterr().out


@pytest.fixture
def settings_env(hiyoko: Hiyoko, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads the environment: point it at the same database and fakes."""
    settings = hiyoko.settings
    monkeypatch.chdir(settings.hiyoko_xlsx_path.parent)
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "SPREADSHEET_ID": settings.spreadsheet_id or "",
        "SHEETS_EMULATOR_HOST": settings.sheets_emulator_host or "",
        "HIYOKO_XLSX_PATH": str(settings.hiyoko_xlsx_path),
    }.items():
        monkeypatch.setenv(name, value)


def test_without_a_spreadsheet_the_table_is_a_local_xlsx(
    tmp_path: Path, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    hiyoko = build(make_settings(tmp_path, fake_slack, None), clock)
    submit_many(hiyoko, 2, summary="=cmd|' /C calc'!A0", timing="2027-01-15")
    hiyoko.relay.drain()
    path = hiyoko.settings.hiyoko_xlsx_path
    sheet = load_workbook(path)["Signals"]
    assert sheet["A1"].value == "ID" and sheet["A2"].value == "S-000001" and sheet["A3"].value == "S-000002"
    assert sheet["F2"].value == "=cmd|' /C calc'!A0" and sheet["F2"].data_type == "s"
    assert isinstance(sheet["N2"].value, datetime)  # created, a real timestamp

    workbook = load_workbook(path)
    workbook["Signals"]["T1"] = "メモ"
    workbook["Signals"]["T2"] = "要フォロー"
    workbook.save(path)
    hiyoko.relay.sheet.write(hiyoko.store.all())
    hiyoko.relay.sheet.write(hiyoko.store.all())
    sheet = load_workbook(path)["Signals"]
    assert sheet.max_row == 3 and sheet["T2"].value == "要フォロー"


def test_two_replicas_writing_the_sheet_at_once_lose_no_row(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, postgres_url: str
) -> None:
    import threading

    from jobs.relay import SHEET_LANE

    settings = make_settings(tmp_path, fake_slack, fake_sheets, database_url=postgres_url)
    replicas = [build(settings, clock), build(settings, clock)]
    fake_sheets.latency = 0.05  # slow enough for the two writers to overlap
    for replica in replicas:
        replica.relay.batch_size = 3  # small batches: each replica claims rows of its own

    def write_sheet(replica: Hiyoko) -> None:
        while replica.relay.run_once((SHEET_LANE,)).delivered:
            pass

    for round_ in range(3):
        for index, replica in enumerate(replicas):
            for n in range(8):
                state = modal_state(customer=f"顧客{round_}-{index}-{n}")
                assert dispatch(replica, view_submission(CSM, state, view_id=f"R{round_}-{index}-{n}")).status == 200
        threads = [threading.Thread(target=write_sheet, args=(r,)) for r in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for replica in replicas:
        replica.relay.drain()
    ids = sheet_ids(fake_sheets)[1:]
    assert sorted(ids) == [f"S-{n:06d}" for n in range(1, 49)], "every row once, none written over"
    for replica in replicas:
        replica.db.dispose()
