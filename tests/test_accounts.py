"""The Accounts tab: read (Google with one read, or the local .xlsx), resolved through the user
directory, kept in the database by the refresh, checked and imported from the command line, and
one line of `hiyoko doctor`."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

import cli
from app import Hiyoko, start_directory_fill
from cli.doctor import MANIFEST, manifest_scopes
from fakes.sheets_api import FakeSheets
from fakes.slack_api import DEFAULT_SCOPES, FakeSlack
from models.accounts import AccountRecord, read_accounts, split_aliases
from models.clock import FixedClock
from models.customers import normalize_customer
from models.routing import Account
from settings import Settings
from sheets.google import open_client
from store import Database, upgrade_database
from store.accounts import AccountStore
from store.directory import DirectoryUser, PeopleIndex
from store.tables import AccountRow
from tests.conftest import AE, CSM, OTHER_AE, SPREADSHEET, build
from tests.directory import fill_directory
from tests.fixtures.accounts import CHANNEL_OK, EXPECTED_EN, ROWS, add_people
from tests.test_doctor import use_env

TAB = "Accounts"


def add_tab(settings: Settings, title: str = TAB) -> None:
    """A tab a person added in Google Sheets."""
    client = open_client(settings.sheets_emulator_host, None)
    client.open_by_key(SPREADSHEET).add_worksheet(title, rows=100, cols=26)


def typed(fake: FakeSheets, rows: list[list[str]]) -> None:
    """Cells as a person types them (USER_ENTERED: "0012" becomes the number 12)."""
    fake.set_values(SPREADSHEET, TAB, [row or [""] for row in rows])


@pytest.fixture
def people(hiyoko: Hiyoko, fake_slack: FakeSlack) -> Hiyoko:
    add_people(fake_slack)
    return fill_directory(hiyoko)


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, str]:
    use_env(monkeypatch, tmp_path, settings)
    code = cli.main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out


# --- reading a tab (pure, with the directory's index) -----------------------------------------


DIRECTORY = PeopleIndex(
    [
        DirectoryUser("UAE", "田中", "田中 一郎", "tanaka@example.com"),
        DirectoryUser("UCS", "鈴木", "鈴木 次郎", "Suzuki@Example.com"),
        DirectoryUser("UCSM", "佐藤", "佐藤 花子"),
        DirectoryUser("UOLD", "佐藤", "佐藤 昔", deleted=True),  # a namesake who left: not ambiguous
    ]
)


@pytest.mark.parametrize(
    "header",
    [
        ["顧客名", "AE", "カスタマーセールス", "CSM", "チャンネル", "別名", "CRM ID"],
        ["Customer", "AE", "CSales", "CSM", "Channel", "Aliases", "CRM ID"],
        ["ｃｕｓｔｏｍｅｒ", "ae", "CSALES", "ＣＳＭ", " channel ", "aliases", "crm_id"],  # width, case, spaces
    ],
)
def test_headers_in_japanese_or_english_and_people_by_id_email_or_name(header: list[str]) -> None:
    rows: list[list[object]] = [
        list(header),
        ["株式会社サンプル", "UAE", "suzuki@EXAMPLE.com", "佐藤花子", "C0SAMPLE", "ｻﾝﾌﾟﾙ、SMPL", 12],
    ]
    reading = read_accounts(rows, DIRECTORY)
    assert reading.problems == []
    [record] = reading.records
    assert record.row_number == 2
    assert record.account == Account("株式会社サンプル", "UAE", "UCS", "UCSM", "C0SAMPLE", "12")
    assert record.aliases == ["SMPL"]  # ｻﾝﾌﾟﾙ is the customer's own key already
    assert record.keys == [normalize_customer("サンプル"), "smpl"]


def test_a_name_shared_with_a_deactivated_user_is_the_active_one() -> None:
    reading = read_accounts([["Customer", "CSM"], ["A", "佐藤"]], DIRECTORY)
    assert reading.problems == [] and reading.records[0].account.csm == "UCSM"


def test_aliases_split_on_commas_but_keep_a_legal_form() -> None:
    assert split_aliases("A社, Ａ、Sample Co., Ltd.，B\nC") == ["A社", "Ａ", "Sample Co., Ltd.", "B", "C"]


def test_an_empty_tab_is_no_accounts_and_a_tab_without_customer_column_is_one_problem() -> None:
    assert read_accounts([], DIRECTORY).records == []
    assert read_accounts([[], ["", ""]], DIRECTORY).problems == []
    reading = read_accounts([[], ["Name", "AE"], ["A", "UAE"]], DIRECTORY)
    assert not reading.header_ok and reading.records == []
    [problem] = reading.problems
    assert (problem.row, problem.kind, problem.value) == (2, "no_header", "Name | AE")


# --- hiyoko accounts check ----------------------------------------------------------------------


def test_check_names_every_bad_row_of_the_fixture_with_its_fix(
    people: Hiyoko,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = people.settings.model_copy(update={"hiyoko_language": "en"})
    add_tab(settings)
    typed(fake_sheets, ROWS)
    code, out = run_cli(monkeypatch, tmp_path, settings, capsys, "accounts", "check")
    where = f"Google Sheet {SPREADSHEET}, tab {TAB}"
    assert out == EXPECTED_EN.format(where=where)
    assert code == 1


def test_check_in_japanese_and_a_clean_tab_exits_0_with_one_line(
    people: Hiyoko,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_tab(people.settings)
    typed(fake_sheets, [["顧客名", "AE", "チャンネル"], ["株式会社サンプル", "田中", CHANNEL_OK]])
    code, out = run_cli(monkeypatch, tmp_path, people.settings, capsys, "accounts", "check")
    assert (code, out) == (0, f"✅ Google Sheet {SPREADSHEET}, tab {TAB}: 1社、すべての行を使えます\n")
    typed(fake_sheets, [["顧客名", "AE"], ["株式会社サンプル", "だれか"]])
    code, out = run_cli(monkeypatch, tmp_path, people.settings, capsys, "accounts", "check")
    assert code == 1
    assert out.splitlines()[0] == "2行目 · AE「だれか」: この名前のSlackユーザーがいません(空欄として扱います)"


def test_check_without_the_tab_is_no_accounts(
    people: Hiyoko, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(monkeypatch, tmp_path, people.settings, capsys, "accounts", "check")
    assert code == 0 and out.startswith("✅") and "担当はすべてチームに回ります" in out


# --- the refresh ---------------------------------------------------------------------------------


def test_the_refresh_reads_the_tab_once_and_replaces_the_accounts(people: Hiyoko, fake_sheets: FakeSheets) -> None:
    add_tab(people.settings)
    typed(fake_sheets, ROWS)
    reads = fake_sheets.read_calls
    [line] = people.scheduler.run("accounts_refresh").lines
    assert fake_sheets.read_calls == reads + 1  # one values.get, no metadata
    assert line == "accounts_refresh: 14 account(s), 14 problem(s)"  # Slack's channel checks are the CLI's
    accounts = AccountStore(people.db)
    assert accounts.count() == 14
    sample = Account("株式会社サンプル", AE, "UCS", CSM, CHANNEL_OK, "12")
    for written in ("ｻﾝﾌﾟﾙ", "サンプル株式会社", "(株)サンプル", "sample co., ltd.", "Ｓａｍｐｌｅ"):
        assert accounts.find(written) == sample, written
    assert accounts.for_channel(CHANNEL_OK) == sample
    assert accounts.find("アクメ") == Account("ACME Inc.", OTHER_AE, "UCS", OTHER_AE, None, "")
    assert accounts.find("Theta") == Account("Theta")  # its alias アクメ stays row 3's
    assert accounts.find("Delta") == Account("Delta")  # the ambiguous Ken is left empty
    assert accounts.find("ｻﾝﾌﾟﾙ(株)") == sample and accounts.find("Unknown K.K.") is None

    # Nothing changed: nothing is written (on SQLite a write would hold back the shares').
    people.scheduler.run("accounts_refresh", people.clock.now().replace(minute=20))
    with people.db.read() as session:
        assert set(session.scalars(select(AccountRow.updated_at))) == {people.clock.now()}
    open_client(people.settings.sheets_emulator_host, None).open_by_key(SPREADSHEET).worksheet(TAB).clear()
    typed(fake_sheets, [["Customer", "AE"], ["Omega", "UAE"]])
    people.scheduler.run("accounts_refresh", people.clock.now().replace(minute=30))
    assert (
        accounts.count() == 1 and accounts.find("サンプル") is None and accounts.find("omega") == Account("Omega", AE)
    )


def test_a_lost_header_keeps_the_accounts_and_a_deleted_tab_empties_them(
    people: Hiyoko, fake_sheets: FakeSheets
) -> None:
    add_tab(people.settings)
    typed(fake_sheets, [["Customer", "AE"], ["Omega", "UAE"]])
    people.scheduler.run("accounts_refresh")
    typed(fake_sheets, [["Omega", "UAE"]])  # the header row typed over
    [line] = people.scheduler.run("accounts_refresh", people.clock.now().replace(minute=10)).lines
    assert "no Customer column" in line and AccountStore(people.db).count() == 1
    client = open_client(people.settings.sheets_emulator_host, None)
    spreadsheet = client.open_by_key(SPREADSHEET)
    spreadsheet.del_worksheet(spreadsheet.worksheet(TAB))
    reads = fake_sheets.read_calls
    [line] = people.scheduler.run("accounts_refresh", people.clock.now().replace(minute=20)).lines
    assert fake_sheets.read_calls == reads + 1
    assert line == "accounts_refresh: 0 account(s), 0 problem(s)" and AccountStore(people.db).count() == 0


def test_the_start_up_reads_the_accounts_after_the_directory_fill(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    add_people(fake_slack)
    fake_slack.add_user("UNEW", "new", display_name="新人")  # only the start-up fill knows them
    add_tab(hiyoko.settings)
    typed(fake_sheets, [["顧客名", "AE"], ["株式会社サンプル", "新人"]])
    start_directory_fill(hiyoko).join(timeout=10)
    assert AccountStore(hiyoko.db).find("ｻﾝﾌﾟﾙ") == Account("株式会社サンプル", "UNEW")


def test_jobs_run_accounts_refresh(
    people: Hiyoko,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_tab(people.settings)
    typed(fake_sheets, [["Customer", "CSales"], ["Omega", "鈴木"]])
    code, out = run_cli(monkeypatch, tmp_path, people.settings, capsys, "jobs", "run", "accounts_refresh")
    assert code == 0 and out.startswith("accounts_refresh: 1 account(s), 0 problem(s)\n")
    assert AccountStore(people.db).find("omega") == Account("Omega", csales="UCS")


# --- the local .xlsx -----------------------------------------------------------------------------


@pytest.fixture
def local(fake_slack: FakeSlack, settings: Settings, clock: FixedClock) -> Iterator[Hiyoko]:
    """hiyoko without SPREADSHEET_ID: the Accounts tab is in the local .xlsx."""
    add_people(fake_slack)
    built = build(settings.model_copy(update={"spreadsheet_id": None}), clock)
    yield fill_directory(built)
    built.db.dispose()


def test_the_xlsx_tab_is_read_and_a_missing_file_or_tab_is_no_accounts(local: Hiyoko) -> None:
    path = local.settings.hiyoko_xlsx_path
    [line] = local.scheduler.run("accounts_refresh").lines
    assert line == "accounts_refresh: 0 account(s), 0 problem(s)" and not path.exists()
    workbook = Workbook()
    workbook.active.title = "Signals"
    sheet = workbook.create_sheet(TAB)
    for row in [["顧客名", "AE", "CRM ID", "別名"], ["株式会社サンプル", "tanaka", 12, "Sample"], [None], ["ACME", AE]]:
        sheet.append(row)
    workbook.save(path)
    [line] = local.scheduler.run("accounts_refresh", local.clock.now().replace(minute=10)).lines
    assert line == "accounts_refresh: 2 account(s), 1 problem(s)"  # "tanaka" is a handle, not a name
    accounts = AccountStore(local.db)
    assert accounts.find("ｻﾝﾌﾟﾙ") == Account("株式会社サンプル", crm_id="12")
    assert accounts.find("sample") == accounts.find("サンプル") and accounts.find("acme") == Account("ACME", AE)


# --- hiyoko accounts import ----------------------------------------------------------------------

IMPORTED = [
    ["顧客名", "AE", "カスタマーセールス", "CRM ID", "メモ"],
    ["株式会社サンプル", "田中", "鈴木", "0012", '=HYPERLINK("http://evil")'],
    ["ＡＣＭＥ株式会社", "UAE2", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def test_import_a_shift_jis_csv_into_the_google_tab(
    people: Hiyoko,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = write_csv(tmp_path / "accounts.csv", IMPORTED, "cp932")
    code, out = run_cli(monkeypatch, tmp_path, people.settings, capsys, "accounts", "import", str(source))
    where = f"Google Sheet {SPREADSHEET}, tab {TAB}"
    assert (code, out) == (
        0,
        f"{where} に2行を書き込みました(見出しを除く)\n✅ {where}: 2社、すべての行を使えます\n",
    )
    assert fake_sheets.values(SPREADSHEET, TAB) == [row[: 5 if row[4] else 3 if row[2] else 2] for row in IMPORTED]
    assert fake_sheets.cell(SPREADSHEET, TAB, "D2").value == "0012"  # text stays text, never a formula
    assert fake_sheets.cell(SPREADSHEET, TAB, "E2").value == '=HYPERLINK("http://evil")'
    # In use at once, not at the next refresh.
    assert AccountStore(people.db).find("acme") == Account("ＡＣＭＥ株式会社", OTHER_AE)
    # A second import replaces the tab: no row of the first is left below.
    write_csv(source, IMPORTED[:2], "utf-8-sig")
    code, out = run_cli(monkeypatch, tmp_path, people.settings, capsys, "accounts", "import", str(source))
    assert code == 0 and len(fake_sheets.values(SPREADSHEET, TAB)) == 2
    assert AccountStore(people.db).count() == 1


def test_import_an_xlsx_into_the_local_tab_and_report_its_findings(
    local: Hiyoko, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "from-crm.xlsx"
    workbook = Workbook()
    for row in [["Customer", "AE", "CRM ID"], ["株式会社サンプル", "Ken", 12], ["Beta", "UAE", None]]:
        workbook.active.append(row)
    workbook.save(source)
    local.settings.hiyoko_xlsx_path.parent.mkdir(parents=True, exist_ok=True)
    code, out = run_cli(monkeypatch, tmp_path, local.settings, capsys, "accounts", "import", str(source))
    assert code == 1
    assert out.splitlines()[1] == "2行目 · AE「Ken」: この名前の人が複数います(UKEN1, UKEN2。空欄として扱います)"
    sheet = load_workbook(local.settings.hiyoko_xlsx_path)[TAB]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Customer", "AE", "CRM ID"],
        ["株式会社サンプル", "Ken", "12"],
        ["Beta", "UAE", None],
    ]
    assert AccountStore(local.db).find("beta") == Account("Beta", AE)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.csv", None, "ファイルがありません"),
        ("accounts.txt", "Customer\nA\n", ".csv か .xlsx を指定してください"),
        ("empty.csv", "\n\n", "は空です"),
        ("no-header.csv", "Name,AE\nA,UAE\n", "「顧客名」(Customer)の列がありません"),
    ],
)
def test_import_refuses_bad_input_in_one_line(
    people: Hiyoko,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | None,
    reason: str,
) -> None:
    source = tmp_path / name
    if content is not None:
        source.write_text(content, encoding="utf-8")
    use_env(monkeypatch, tmp_path, people.settings)
    code = cli.main(["accounts", "import", str(source)])
    err = capsys.readouterr().err
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1
    assert TAB not in fake_sheets.sheet_titles(SPREADSHEET)


# --- hiyoko doctor -------------------------------------------------------------------------------


def test_doctor_has_one_accounts_line(
    people: Hiyoko,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.scopes = sorted(set(DEFAULT_SCOPES) | set(manifest_scopes(MANIFEST)))
    settings = people.settings.model_copy(update={"hiyoko_language": "en"})
    add_tab(settings)
    typed(fake_sheets, [["Customer", "AE"], ["Omega", "UAE"]])
    code, out = run_cli(monkeypatch, tmp_path, settings, capsys, "doctor")
    assert f"✅ Accounts: 1 account(s) (Google Sheet {SPREADSHEET}, tab {TAB})" in out.splitlines()
    typed(fake_sheets, ROWS)
    code, out = run_cli(monkeypatch, tmp_path, settings, capsys, "doctor")
    lines = out.splitlines()
    at = lines.index("❌ Accounts: 16 row(s) cannot be used as written (16 problem(s))")
    assert lines[at + 1] == "   → run `hiyoko accounts check` for each row and its fix"
    assert code == 1


# --- replicas ------------------------------------------------------------------------------------


def test_two_replicas_replacing_at_once_both_succeed_on_postgresql(postgres_url: str, clock: FixedClock) -> None:
    """Each replica reads the tab at start: their replace_all take turns (an advisory lock), or
    the second would insert the keys the first has just inserted."""
    db = Database(postgres_url)
    upgrade_database(db.engine)
    records = [AccountRecord(n + 2, Account(f"Customer {n}"), [f"alias {n}"]) for n in range(300)]
    errors: list[BaseException] = []
    for _ in range(3):
        start = threading.Barrier(2)

        def replace(start: threading.Barrier = start) -> None:
            start.wait()
            try:
                AccountStore(db).replace_all(records, clock.now())
            except BaseException as error:  # reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=replace) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert AccountStore(db).count() == 300 and AccountStore(db).find("ALIAS 7") == Account("Customer 7")
    db.dispose()


def test_import_into_a_sheet_hiyoko_may_not_write_is_one_line(
    people: Hiyoko,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = write_csv(tmp_path / "accounts.csv", IMPORTED, "utf-8")
    fake_sheets.set_writable(SPREADSHEET, False)
    use_env(monkeypatch, tmp_path, people.settings)
    code = cli.main(["accounts", "import", str(source)])
    err = capsys.readouterr().err
    reason = err.strip().splitlines()[-1]  # above it: the migration's log lines
    assert code == 2 and reason.startswith(f"hiyoko: Google Sheet {SPREADSHEET}, tab {TAB} に書き込めませんでした: ")
    assert "Traceback" not in err and AccountStore(people.db).count() == 0
