"""Real gspread against FakeSheets: wire format, value semantics, faults and limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gspread
import pytest
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.utils import Dimension, ValueInputOption, ValueRenderOption
from requests.adapters import HTTPAdapter

from fakes.sheets_api import READS_PER_MINUTE, FakeSheets, parse_cells, split_sheet, to_cell

SID = "sheet-123"


class _Emu(HTTPAdapter):
    """Rewrites Google's base URL to the fake, like the app does for SHEETS_EMULATOR_HOST."""

    def __init__(self, host: str) -> None:
        super().__init__()
        self.host = host

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        request.url = request.url.replace("https://sheets.googleapis.com", f"http://{self.host}", 1)
        return super().send(request, *args, **kwargs)


@pytest.fixture
def fake() -> Iterator[FakeSheets]:
    with FakeSheets() as f:
        f.create_spreadsheet(SID, title="Hiyoko", sheets=("Sheet1", "Signals"))
        yield f


@pytest.fixture
def gc(fake: FakeSheets) -> gspread.Client:
    session = requests.Session()
    session.mount("https://sheets.googleapis.com", _Emu(fake.host))
    return gspread.Client(auth=None, session=session)  # type: ignore[arg-type]


def _code(exc: pytest.ExceptionInfo[APIError]) -> int:
    return exc.value.code


def test_open_by_key_lists_worksheets(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    assert sh.title == "Hiyoko"
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1", "Signals"]
    ws = sh.worksheet("Signals")
    assert (ws.id, ws.index, ws.row_count, ws.col_count) == (1, 1, 1000, 26)
    assert fake.calls[0].method == "GET" and fake.calls[0].path == f"/v4/spreadsheets/{SID}"
    assert fake.read_calls == len(fake.calls) and fake.write_calls == 0


def test_add_worksheet_and_duplicate_title(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    ws = sh.add_worksheet("シグナル 2024", rows=50, cols=5)
    assert (ws.title, ws.row_count, ws.col_count, ws.index) == ("シグナル 2024", 50, 5, 2)
    assert fake.sheet_titles(SID) == ["Sheet1", "Signals", "シグナル 2024"]
    with pytest.raises(APIError) as exc:
        sh.add_worksheet("Signals", rows=10, cols=2)
    assert _code(exc) == 400 and "already exists" in exc.value.error["message"]
    assert exc.value.error["status"] == "INVALID_ARGUMENT"
    ws.resize(rows=80, cols=7)
    assert fake.grid_size(SID, "シグナル 2024") == (80, 7)
    sh.del_worksheet(ws)
    assert fake.sheet_titles(SID) == ["Sheet1", "Signals"]


def test_update_and_get_all_values_round_trip(fake: FakeSheets, gc: gspread.Client) -> None:
    ws = gc.open_by_key(SID).worksheet("Signals")
    rows = [["名前", "メモ"], ["ひよこ 🐣", "line one\nline two"], ["", "tail"]]
    resp = ws.update(rows, "A1")
    assert resp["updatedRange"] == "Signals!A1:B3" and resp["updatedCells"] == 6
    assert ws.get_all_values() == rows
    assert fake.values(SID, "Signals") == rows
    assert fake.cell(SID, "Signals", "A3").kind == "empty"


def test_quoted_titles_and_a1_forms(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    ws = sh.add_worksheet("It's ひよこ", rows=10, cols=5)
    ws.update([[1, 2, 3], [4, 5, 6], [7, 8, 9]], "B2")
    assert sh.values_get("'It''s ひよこ'!C:C")["values"] == [[], ["2"], ["5"], ["8"]]
    by_rows = sh.values_get("'It''s ひよこ'!3:4", params={"majorDimension": "ROWS"})
    assert by_rows["values"] == [["", "4", "5", "6"], ["", "7", "8", "9"]]
    cols = ws.get("B2:D3", major_dimension=Dimension.cols)
    assert cols == [["1", "4"], ["2", "5"], ["3", "6"]]
    empty = sh.values_get("'It''s ひよこ'!E9:E10")
    assert "values" not in empty and empty["range"] == "'It''s ひよこ'!E9:E10"
    with pytest.raises(APIError) as exc:
        sh.values_get("'Nope'!A1")
    assert _code(exc) == 400 and "Unable to parse range" in exc.value.error["message"]


def test_user_entered_semantics(fake: FakeSheets, gc: gspread.Client) -> None:
    ws = gc.open_by_key(SID).sheet1
    typed = ["'=1+1", "=1+1", "12", "1,000", "TRUE", "2024-01-05", "@foo", "+1", "-3.5", "007"]
    typed.append("2024/1/5 9:30")
    ws.update([typed], "A1", value_input_option=ValueInputOption.user_entered)
    kinds = [fake.cell(SID, "Sheet1", f"{c}1").kind for c in "ABCDEFGHIJK"]
    assert kinds[:6] == ["string", "formula", "number", "number", "bool", "date"]
    assert kinds[6:] == ["formula", "number", "number", "number", "date"]  # "@foo" is a formula, as in Sheets
    assert fake.cell(SID, "Sheet1", "A1").value == "=1+1"
    shown = ["=1+1", "=1+1", "12", "1,000", "TRUE", "2024-01-05", "=@foo", "1", "-3.5", "7", "2024/1/5 9:30"]
    assert ws.get_all_values() == [shown]
    unformatted = ws.get("A1:K1", value_render_option=ValueRenderOption.unformatted)[0]
    assert unformatted[2:5] == [12, 1000, True] and unformatted[5] == 45296
    assert ws.get("B1", value_render_option=ValueRenderOption.formula) == [["=1+1"]]
    ws.update([["=1+1", 3.0, True, ""]], "A2")  # RAW: no parsing; JSON types kept
    assert [fake.cell(SID, "Sheet1", f"{c}2").kind for c in "ABCD"] == ["string", "number", "bool", "empty"]
    assert fake.values(SID, "Sheet1")[1] == ["=1+1", "3", "TRUE"]


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("+SUM(1,1)", "formula"),
        ("-2+3", "formula"),
        ("@SUM(A1)", "formula"),
        ("-foo", "formula"),
        ("=1+1", "formula"),
        ("+1", "number"),
        ("-3.5", "number"),
        ("'+SUM(1,1)", "string"),
        ("'@x", "string"),
        (" +1+1", "string"),
        ("a+b", "string"),
    ],
)
def test_user_entered_leading_plus_minus_at_is_a_formula(
    fake: FakeSheets, gc: gspread.Client, typed: str, kind: str
) -> None:
    ws = gc.open_by_key(SID).sheet1
    ws.update([[typed]], "A1", value_input_option=ValueInputOption.user_entered)
    ws.update([[typed]], "B1")  # RAW keeps every text a string
    assert fake.cell(SID, "Sheet1", "A1").kind == kind
    assert fake.cell(SID, "Sheet1", "B1").kind == "string"
    if kind == "formula":
        expected = typed if typed.startswith("=") else "=" + typed
        assert ws.get("A1", value_render_option=ValueRenderOption.formula) == [[expected]]


def test_seeding_raw_keeps_text(fake: FakeSheets) -> None:
    fake.set_values(SID, "Sheet1", [["@sato", "+1", "=1+1"]], raw=True)
    fake.set_values(SID, "Sheet1", [["@sato"]], start="A2")
    assert [fake.cell(SID, "Sheet1", f"{c}1").kind for c in "ABC"] == ["string"] * 3
    assert fake.cell(SID, "Sheet1", "A2").kind == "formula"


def test_reads_count_against_the_read_quota(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    ws = sh.sheet1  # a read too
    now = [1000.0]
    fake.set_read_quota(READS_PER_MINUTE, clock=lambda: now[0])
    for _ in range(READS_PER_MINUTE):
        sh.values_get("Sheet1!A1")
    with pytest.raises(APIError) as exc:
        sh.values_get("Sheet1!A1")
    assert _code(exc) == 429 and exc.value.error["status"] == "RESOURCE_EXHAUSTED"
    assert exc.value.error["message"].startswith("Quota exceeded for quota metric 'Read requests'")
    ws.update([["written"]], "A1")  # writes have a quota of their own
    now[0] += 61
    assert sh.values_get("Sheet1!A1")["values"] == [["written"]]


def test_the_read_quota_is_on_by_default() -> None:
    with FakeSheets() as fake:
        fake.create_spreadsheet(SID, sheets=("Sheet1",))
        session = requests.Session()
        session.mount("https://sheets.googleapis.com", _Emu(fake.host))
        sh = gspread.Client(auth=None, session=session).open_by_key(SID)  # type: ignore[arg-type]
        for _ in range(READS_PER_MINUTE - fake.read_calls):
            sh.values_get("Sheet1!A1")
        with pytest.raises(APIError) as exc:
            sh.values_get("Sheet1!A1")
        assert _code(exc) == 429
    with FakeSheets(read_quota=None) as unlimited:
        unlimited.create_spreadsheet(SID, sheets=("Sheet1",))
        session = requests.Session()
        session.mount("https://sheets.googleapis.com", _Emu(unlimited.host))
        sh = gspread.Client(auth=None, session=session).open_by_key(SID)  # type: ignore[arg-type]
        for _ in range(READS_PER_MINUTE + 1):
            sh.values_get("Sheet1!A1")


def test_values_batch_get_two_ranges(fake: FakeSheets, gc: gspread.Client) -> None:
    fake.set_values(SID, "Sheet1", [["a", "b"], ["c", "d"]])
    fake.set_values(SID, "Signals", [["x"]], start="C3")
    sh = gc.open_by_key(SID)
    resp = sh.values_batch_get(["Sheet1!A1:B2", "'Signals'!C3"])
    assert [vr["range"] for vr in resp["valueRanges"]] == ["Sheet1!A1:B2", "Signals!C3"]
    assert [vr["values"] for vr in resp["valueRanges"]] == [[["a", "b"], ["c", "d"]], [["x"]]]
    call = fake.calls[-1]
    assert call.path.endswith("/values:batchGet") and call.query["ranges"] == ["Sheet1!A1:B2", "'Signals'!C3"]


def test_values_batch_update(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    resp = sh.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {"range": "'Signals'!A1:C1", "values": [["id", "n", "when"]]},
                {"range": "'Signals'!A2:C3", "values": [["'001", "5", "2024-02-03 10:00:00"], ["'002", 6]]},
            ],
        }
    )
    assert resp["totalUpdatedCells"] == 8 and resp["totalUpdatedSheets"] == 1 and len(resp["responses"]) == 2
    expected = [["id", "n", "when"], ["001", "5", "2024-02-03 10:00:00"], ["002", "6"]]
    assert fake.values(SID, "Signals") == expected
    assert fake.cell(SID, "Signals", "C2").kind == "date"
    with pytest.raises(APIError) as exc:  # atomic: nothing written when one range is bad
        sh.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "'Signals'!A5", "values": [["ok"]]},
                    {"range": "'Signals'!A1:A1", "values": [["too", "wide"]]},
                ],
            }
        )
    assert _code(exc) == 400 and "tried writing to column [B]" in exc.value.error["message"]
    assert fake.cell(SID, "Signals", "A5").kind == "empty"


def test_append_extends_grid(fake: FakeSheets, gc: gspread.Client) -> None:
    fake.create_spreadsheet("small", sheets=("Log",), rows=3, cols=2)
    ws = gc.open_by_key("small").worksheet("Log")
    ws.update([["h1", "h2"], ["a", "b"]], "A1")
    resp = ws.append_rows([["c", "d", "e"], ["f", "g"]])
    assert resp["tableRange"] == "Log!A1:B2"
    assert resp["updates"]["updatedRange"] == "Log!A3:C4"
    assert fake.grid_size("small", "Log") == (4, 3)
    assert fake.values("small", "Log") == [["h1", "h2"], ["a", "b"], ["c", "d", "e"], ["f", "g"]]
    ws.append_row(["=SUM(1)"], value_input_option=ValueInputOption.user_entered)
    assert fake.cell("small", "Log", "A5").kind == "formula" and fake.grid_size("small", "Log") == (5, 3)


def test_write_past_grid_is_400(fake: FakeSheets, gc: gspread.Client) -> None:
    ws = gc.open_by_key(SID).worksheet("Signals")
    with pytest.raises(APIError) as exc:
        ws.update([["x"] * 17], "A1001")
    assert _code(exc) == 400
    assert exc.value.error == {
        "code": 400,
        "message": "Range ('Signals'!A1001:Q1001) exceeds grid limits. Max rows: 1000, max columns: 26",
        "status": "INVALID_ARGUMENT",
    }
    assert exc.value.response.headers["Content-Type"] == "application/json; charset=UTF-8"


def test_fail_next_429_then_success(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    fake.fail_next(1, status=429)
    with pytest.raises(APIError) as exc:
        sh.values_get("Sheet1!A1")
    assert _code(exc) == 429 and exc.value.error["status"] == "RESOURCE_EXHAUSTED"
    assert "Quota exceeded for quota metric 'Read requests'" in exc.value.error["message"]
    assert sh.values_get("Sheet1!A1")["range"] == "Sheet1!A1"
    fake.fail_next(2, status=503)
    for _ in range(2):
        with pytest.raises(APIError) as exc:
            sh.sheet1.update([["x"]], "A1")
        assert exc.value.error["status"] == "UNAVAILABLE"
    assert [c.status for c in fake.calls[-2:]] == [503, 503]


def test_write_quota_with_fake_clock(fake: FakeSheets, gc: gspread.Client) -> None:
    now = [1000.0]
    fake.set_write_quota(2, clock=lambda: now[0])
    ws = gc.open_by_key(SID).sheet1
    ws.update([["1"]], "A1")
    ws.update([["2"]], "A2")
    with pytest.raises(APIError) as exc:
        ws.update([["3"]], "A3")
    assert _code(exc) == 429
    assert exc.value.error["message"].startswith("Quota exceeded for quota metric 'Write requests'")
    assert ws.get_all_values() == [["1"], ["2"]]  # reads are not write-limited
    now[0] += 61
    ws.update([["3"]], "A3")
    assert fake.values(SID, "Sheet1") == [["1"], ["2"], ["3"]]


def test_not_writable_is_403_but_readable(fake: FakeSheets, gc: gspread.Client) -> None:
    fake.set_values(SID, "Sheet1", [["seed"]])
    fake.set_writable(SID, False)
    ws = gc.open_by_key(SID).sheet1
    assert ws.get_all_values() == [["seed"]]
    with pytest.raises(APIError) as exc:
        ws.update([["x"]], "A1")
    assert _code(exc) == 403 and exc.value.error["message"] == "The caller does not have permission"
    assert exc.value.error["status"] == "PERMISSION_DENIED"


def test_outage_is_503(fake: FakeSheets, gc: gspread.Client) -> None:
    fake.set_outage(True)
    with pytest.raises(APIError) as exc:
        gc.open_by_key(SID)
    assert _code(exc) == 503
    fake.set_outage(False)
    assert gc.open_by_key(SID).title == "Hiyoko"


def test_hang_triggers_client_timeout(fake: FakeSheets, gc: gspread.Client) -> None:
    sh = gc.open_by_key(SID)
    gc.set_timeout(0.3)
    fake.hang_next(1, seconds=5)
    with pytest.raises(requests.exceptions.Timeout):
        sh.values_get("Sheet1!A1")
    assert sh.values_get("Sheet1!A1")["range"] == "Sheet1!A1"  # only the next request hung


def test_unknown_spreadsheet_is_404(fake: FakeSheets, gc: gspread.Client) -> None:
    with pytest.raises(SpreadsheetNotFound) as exc:
        gc.open_by_key("nope")
    cause = exc.value.__cause__
    assert isinstance(cause, APIError) and cause.code == 404
    assert cause.error == {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    with pytest.raises(APIError) as api_exc:
        gc.http_client.values_get("nope", "Sheet1!A1")
    assert _code(api_exc) == 404


def test_clear_and_batch_clear(fake: FakeSheets, gc: gspread.Client) -> None:
    fake.set_values(SID, "Sheet1", [["a", "b", "c"], ["d", "e", "f"]])
    ws = gc.open_by_key(SID).sheet1
    assert ws.batch_clear(["B:B", "2:2"])["clearedRanges"] == ["Sheet1!B1:B1000", "Sheet1!A2:Z2"]
    assert fake.values(SID, "Sheet1") == [["a", "", "c"]]
    assert ws.clear()["clearedRange"] == "Sheet1!A1:Z1000"
    assert fake.values(SID, "Sheet1") == []


def test_parsing_helpers() -> None:
    assert split_sheet("'My ''x'' Sheet'!A1:B2") == ("My 'x' Sheet", "A1:B2")
    assert split_sheet("'シート'") == ("シート", None)
    assert split_sheet("A1") == (None, "A1")
    b = parse_cells("A2:C")
    assert (b.r0, b.c0, b.r1, b.c1) == (1, 0, None, 2)
    b = parse_cells("2:5")
    assert (b.r0, b.c0, b.r1, b.c1) == (1, 0, 4, None)
    for bad in ("A", "A:5", "A1:B2:C3", "A0"):
        with pytest.raises(ValueError):
            parse_cells(bad)
    cell = to_cell("1,234.50", user_entered=True)
    assert cell is not None and cell.value == 1234.5 and cell.formatted == "1,234.5"
    assert to_cell(None, user_entered=True) is None
    assert to_cell("'", user_entered=True) == to_cell("'", user_entered=True)
