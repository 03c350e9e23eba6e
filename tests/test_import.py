"""`hiyoko import` of the old sheet: a realistic fixture (72 rows, mixed spellings, a blank row, a
double submission and nine bad rows) from .xlsx, both .csv exports and the fake Sheets API,
checked row by row; a second import creates nothing; --dry-run writes nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import create_engine

import cli
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from importing.people import NotResolved, People
from models.clock import SystemClock
from models.signal import Category, Kind
from models.timing import Unreadable, parse_timestamp, parse_timing
from settings import Settings
from store import Database, Outbox, SignalStore, upgrade_database
from tests.conftest import CHANNEL, SPREADSHEET, TOKYO, make_settings
from tests.fixtures.old_signals import (
    DUPLICATE_ROW,
    PEOPLE,
    ROWS,
    SJIS_CSV,
    UTF8_CSV,
    Expect,
    Refuse,
    csv_bytes,
    expected_created,
    sheet_row,
    text_rows,
    write_xlsx,
)
from tests.test_doctor import use_env

OLD_SHEET = "1oLdSiGnAlShEeT_from-the-form-2024"
REFUSED_PHRASES = {
    "user_not_found": "no Slack user matches the owner “山田”",
    "chick_needs_timing": "a 🐣 chick without a timing (add the timing, or make it an egg)",
    "kind_unknown": "the kind “検討中” cannot be read",
    "timing_unreadable": "the timing “Q3かな” cannot be read as a date",
    "missing": "the customer is empty",
    "owner_deactivated": "the owner “高橋 誠” is deactivated",
    "user_ambiguous": "2 people match the owner “鈴木”",
    "created_unreadable": "the timestamp “先週” cannot be read",
    "category_unknown": "the category “値上げ交渉” cannot be read",
}


@pytest.fixture
def people(fake_slack: FakeSlack) -> FakeSlack:
    for user_id, handle, display, real, email, deleted in PEOPLE:
        fake_slack.add_user(user_id, handle, display_name=display, real_name=real, email=email, deleted=deleted)
    return fake_slack


@pytest.fixture
def settings_en(tmp_path: Path, people: FakeSlack, fake_sheets: FakeSheets) -> Settings:
    return make_settings(tmp_path, people, fake_sheets, hiyoko_language="en")


def run_import(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    use_env(monkeypatch, tmp_path, settings)
    code = cli.main(["import", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def store_of(settings: Settings) -> SignalStore:
    return SignalStore(Database(settings.database_url), SystemClock())


def figures(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("Rows read"))
    return {
        name: int(number)
        for number, name in [
            (m[2], "imported" if m[1] == "would import" else m[1])
            for m in re.finditer(r"(read|imported|would import|already there|refused) (\d+)", line)
        ]
    }


EXPECTED_OK = [
    (index, item)
    for index, item in enumerate(ROWS)
    if isinstance(item.expect, Expect) and sheet_row(index) != DUPLICATE_ROW
]


FIRST_REFUSED = next(sheet_row(index) for index, item in enumerate(ROWS) if isinstance(item.expect, Refuse))


def check_row_by_row(settings: Settings, output: str) -> None:
    """Every readable row is one signal with what the row said; every other row is listed."""
    signals = store_of(settings).all()
    assert len(signals) == len(EXPECTED_OK) == 61
    for signal, (index, item) in zip(signals, EXPECTED_OK, strict=True):
        expect = item.expect
        assert isinstance(expect, Expect)
        where = f"sheet row {sheet_row(index)}: {item.customer}"
        assert signal.customer == item.customer, where
        assert signal.summary == item.summary, where
        assert (signal.kind, signal.category, signal.timing) == (
            Kind(expect.kind),
            Category(expect.category),
            expect.timing,
        ), where
        assert (signal.owner_id, signal.submitter_id) == (expect.owner, expect.submitter), where
        assert signal.created_at.astimezone(TOKYO) == expected_created(item), where
        assert (signal.size, signal.source) == (item.size, item.source), where
        assert signal.card_ts is None, where  # not announced
    for index, item in enumerate(ROWS):
        if isinstance(item.expect, Refuse):
            [line] = [line for line in output.splitlines() if line.startswith(f"  row {sheet_row(index)}: ")]
            assert REFUSED_PHRASES[item.expect.reason] in line, line


def check_figures(output: str, *, imported: int, already: int) -> None:
    assert figures(output) == {"read": 71, "imported": imported, "already there": already, "refused": 9}
    assert "Skipped 1 blank rows." in output
    by_reason = next(line for line in output.splitlines() if line.startswith("By reason: "))
    for label in (
        "user not found 1",
        "chick without timing 1",
        "kind unreadable 1",
        "timing unreadable 1",
        "required cell empty 1",
        "owner deactivated 1",
        "user ambiguous 1",
        "timestamp unreadable 1",
        "category unreadable 1",
    ):
        assert label in by_reason


def test_import_from_xlsx_row_by_row(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings_en: Settings,
    fake_sheets: FakeSheets,
    people: FakeSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "old.xlsx"
    write_xlsx(path)
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(path))
    assert code == 1, output  # some rows could not be imported: they are listed
    check_row_by_row(settings_en, output)
    check_figures(output, imported=61, already=1)
    assert "Columns: タイムスタンプ → created, 投稿者 → submitter, 顧客名 → customer, 種別(卵/ひよこ) → kind" in output
    assert "メモ(マネージャー)" not in next(line for line in output.splitlines() if line.startswith("Columns:"))

    # The sheet and History show them with their original times; nothing went to the channel.
    rows = fake_sheets.values(SPREADSHEET, "Signals")
    assert len(rows) == 62 and rows[0][0] == "ID"
    first = dict(zip(rows[0], rows[1], strict=False))
    assert first["Customer"] == "株式会社サンプル" and first["Created"] == "2024-04-03 10:12:00"
    assert len(fake_sheets.values(SPREADSHEET, "History")) == 62
    assert people.messages(CHANNEL) == []
    assert {call["user_id"] for call in people.calls_to("views.publish")} >= {"UAE", "UCSM", "UAE2"}
    assert "Nothing was posted to the channel" in output


def test_import_from_a_cp932_csv_row_by_row(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings_en: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(SJIS_CSV))
    assert code == 1
    check_row_by_row(settings_en, output)
    check_figures(output, imported=61, already=1)


def test_import_from_the_sheets_api_row_by_row(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings_en: Settings,
    fake_sheets: FakeSheets,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_sheets.create_spreadsheet(OLD_SHEET, title="アップセル予兆(旧)", sheets=["使い方", "フォームの回答 1"])
    # As the form stored the answers: text as typed, never parsed (an "@sato" is no formula).
    fake_sheets.set_values(OLD_SHEET, "フォームの回答 1", text_rows(), raw=True)
    url = f"https://docs.google.com/spreadsheets/d/{OLD_SHEET}/edit#gid=1"
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, url, "--tab", "フォームの回答 1")
    assert code == 1
    check_row_by_row(settings_en, output)
    check_figures(output, imported=61, already=1)


def test_the_committed_csv_exports_match_the_fixture() -> None:
    assert UTF8_CSV.read_bytes() == csv_bytes(sjis=False)
    assert SJIS_CSV.read_bytes() == csv_bytes(sjis=True)
    assert UTF8_CSV.read_bytes().startswith(b"\xef\xbb\xbf")


def test_import_from_a_utf8_csv_then_a_second_import_creates_nothing(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    people: FakeSlack,
    fake_sheets: FakeSheets,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On SQLite and on PostgreSQL (which, as with every replica setup, is migrated beforehand)."""
    settings_en = make_settings(tmp_path, people, fake_sheets, hiyoko_language="en", database_url=database_url)
    if not database_url.startswith("sqlite"):
        code, _, err = run_import(monkeypatch, tmp_path, settings_en, capsys, str(UTF8_CSV))
        assert code == 2 and "hiyoko db upgrade" in err
        engine = create_engine(database_url)
        upgrade_database(engine)
        engine.dispose()
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(UTF8_CSV))
    assert code == 1
    check_row_by_row(settings_en, output)
    check_figures(output, imported=61, already=1)
    store = store_of(settings_en)
    before = [(s.id, s.created_at, s.updated_at) for s in store.all()]
    outbox = Outbox(Database(settings_en.database_url)).counts()
    sheet = fake_sheets.values(SPREADSHEET, "Signals")
    # The same rows again, this time from the Excel export of the same sheet: same fingerprints.
    path = tmp_path / "old.xlsx"
    write_xlsx(path)
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(path))
    assert code == 1
    check_figures(output, imported=0, already=62)
    assert [(s.id, s.created_at, s.updated_at) for s in store.all()] == before
    assert Outbox(Database(settings_en.database_url)).counts() == outbox
    assert fake_sheets.values(SPREADSHEET, "Signals") == sheet
    # And a dry run of the Shift_JIS export says so too.
    _, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(SJIS_CSV), "--dry-run")
    assert figures(output) == {"read": 71, "imported": 0, "already there": 62, "refused": 9}


def test_dry_run_previews_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings_en: Settings,
    fake_sheets: FakeSheets,
    people: FakeSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(UTF8_CSV), "--dry-run")
    assert code == 1
    assert figures(output) == {"read": 71, "imported": 61, "already there": 1, "refused": 9}
    assert "--dry-run: nothing written" in output
    table = output.split("Preview (--dry-run: nothing is written)\n", 1)[1].splitlines()
    assert table[0].split() == [
        "Row",
        "Result",
        "Created",
        "Kind",
        "Customer",
        "Category",
        "Timing",
        "Owner",
        "Submitter",
        "Summary",
    ]
    # Columns are fitted to display width: ✅, 🥚 and Japanese take two cells in a terminal.
    assert table[1].startswith("2     ✅ import        2024-04-03 10:12 🥚 egg     株式会社サンプル         More seats")
    assert any(line.startswith(f"{DUPLICATE_ROW:<5} = already there") for line in table)
    assert any(line.startswith(f"{FIRST_REFUSED:<5} ❌ refused") for line in table)
    assert not Path(settings_en.database_url.removeprefix("sqlite:///")).exists()
    assert fake_sheets.write_calls == 0
    assert people.calls_to("chat.postMessage") == [] and people.calls_to("views.publish") == []


def test_japanese_report(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    people: FakeSlack,
    fake_sheets: FakeSheets,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(tmp_path, people, fake_sheets)
    code, output, _ = run_import(monkeypatch, tmp_path, settings, capsys, str(UTF8_CSV), "--dry-run")
    assert code == 1
    assert f"  {FIRST_REFUSED}行目: 担当「山田」に当たる Slack ユーザーがいません" in output
    assert re.search(r"読み込んだ行 71 / 取り込み予定 61 / 取り込み済み 1 / 取り込めない行 9 / [\d.]+秒", output)
    assert "理由別: " in output and "、" in output


def test_announce_posts_cards_and_notifies_owners(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings_en: Settings,
    people: FakeSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    small = tmp_path / "two.csv"
    small.write_text(
        "Timestamp,Submitter,Customer,Kind,Summary,Timing,Owner\n"
        "2025/04/01 09:00:00,佐藤,Acme Inc.,egg,More seats later,,Jo Smith\n"
        "2025/04/02 09:00:00,Mina Lee,Globex,chick,Plan up in May,2025-05,田中\n",
        encoding="utf-8",
    )
    code, output, _ = run_import(monkeypatch, tmp_path, settings_en, capsys, str(small), "--announce")
    assert code == 0, output
    assert figures(output) == {"read": 2, "imported": 2, "already there": 0, "refused": 0}
    cards = people.messages(CHANNEL)
    assert len(cards) == 2
    assert all(len(people.replies(CHANNEL, card["ts"])) == 1 for card in cards)
    signals = store_of(settings_en).all()
    assert [s.category for s in signals] == [Category.OTHER, Category.OTHER]  # no category column
    assert signals[1].timing == date(2025, 5, 1) and all(s.card_permalink for s in signals)


def test_map_names_columns_the_import_does_not_know(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings_en: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "日時,誰が,会社,ステータス,聞いたこと,メモ,営業\n"
        "2025/04/01 09:00,佐藤,株式会社サンプル,卵,他部署でも使いたい,社内メモ,田中\n",
        encoding="utf-8",
    )
    code, output, err = run_import(monkeypatch, tmp_path, settings_en, capsys, str(odd))
    assert code == 2
    assert err.startswith("hiyoko: required columns not found: customer, submitter; name them with --map")
    code, output, _ = run_import(
        monkeypatch,
        tmp_path,
        settings_en,
        capsys,
        str(odd),
        "--map",
        "会社=customer",
        "--map",
        "誰が=submitter",
        "--map",
        "聞いたこと=summary",
        "--map",
        "メモ=",
        "--map",
        "ステータス=kind",
    )
    assert code == 0, output
    [signal] = store_of(settings_en).all()
    assert (signal.customer, signal.summary, signal.kind, signal.owner_id) == (
        "株式会社サンプル",
        "他部署でも使いたい",
        Kind.EGG,
        "UAE",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothing-here.xlsx"], "hiyoko: “nothing-here.xlsx” is neither a file nor a Google Sheet id or URL"),
        (["--map", "oops", "x.csv"], "hiyoko: --map 'oops' must be 'HEADER=field'"),
        (["--map", "顧客名=price", "x.csv"], "hiyoko: --map '顧客名=price' must be 'HEADER=field'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings_en: Settings,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, _, err = run_import(monkeypatch, tmp_path, settings_en, capsys, *args)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1


def test_hiyokos_own_sheet_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings_en: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "own.csv"
    from sheets.sync import header

    own.write_text(",".join(header("en")) + "\nS-000001,🥚 egg,Open,Acme\n", encoding="utf-8")
    code, _, err = run_import(monkeypatch, tmp_path, settings_en, capsys, str(own))
    assert code == 2 and "is hiyoko's own Signals tab" in err


def test_a_sheet_not_shared_names_the_account(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings_en: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_import(monkeypatch, tmp_path, settings_en, capsys, OLD_SHEET)
    assert code == 2
    assert err.startswith(f"hiyoko: the spreadsheet {OLD_SHEET} is not found or not shared: share it with emulator")


# --- the pieces ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("2027/4/1", date(2026, 11, 1), date(2027, 4, 1)),
        ("2027-04", date(2026, 11, 1), date(2027, 4, 1)),
        ("2027年4月", date(2026, 11, 1), date(2027, 4, 1)),
        ("4月頃", date(2026, 11, 20), date(2027, 4, 1)),  # the next April on or after the timestamp's month
        ("11月ごろ", date(2026, 11, 20), date(2026, 11, 1)),  # the timestamp's own month
        ("来年3月", date(2026, 11, 20), date(2027, 3, 1)),
        ("来年度", date(2026, 2, 1), date(2026, 4, 1)),  # the fiscal year starts in April
        ("10月中旬", date(2026, 5, 1), date(2026, 10, 11)),
        ("6月末", date(2026, 5, 1), date(2026, 6, 30)),
        ("4〜6月", date(2026, 5, 1), date(2027, 4, 1)),
        ("April 2027", date(2026, 5, 1), date(2027, 4, 1)),
        ("around june", date(2026, 5, 1), date(2026, 6, 1)),
        ("２０２７／４／１", date(2026, 5, 1), date(2027, 4, 1)),  # full-width digits
        (date(2027, 4, 1), date(2026, 5, 1), date(2027, 4, 1)),
    ],
)
def test_timing_forms(text: object, reference: date, expected: date) -> None:
    parsed = parse_timing(text, reference)
    assert parsed is not None and parsed.day == expected


@pytest.mark.parametrize("text", ["", "未定", "TBD", "-", "そのうち", None])
def test_unknown_timing_is_empty(text: object) -> None:
    assert parse_timing(text, date(2026, 5, 1)) is None


@pytest.mark.parametrize("text", ["Q3かな", "2027/13/1", "来週の火曜"])
def test_unreadable_timing(text: str) -> None:
    with pytest.raises(Unreadable):
        parse_timing(text, date(2026, 5, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2024/04/01 10:23:45",
        "2024/4/1 10:23:45",
        "2024-04-01 10:23:45",
        "4/1/2024 10:23:45",
        "2024-04-01T01:23:45Z",
        "2024年4月1日 10:23:45",
    ],
)
def test_timestamp_forms(text: str) -> None:
    parsed = parse_timestamp(text, TOKYO)
    assert parsed is not None and parsed.astimezone(TOKYO).isoformat() == "2024-04-01T10:23:45+09:00"


def test_people_are_looked_up_once_per_run_across_pages(people: FakeSlack) -> None:
    for number in range(250):
        people.add_user(f"UX{number:04d}", f"extra{number}", display_name=f"Extra {number}")
    people.add_user("UZZZZZZ", "zed", display_name="最後の人")
    resolver = People(WebClient(token="xoxb-test-token", base_url=people.url))
    assert resolver.resolve("最後の人").id == "UZZZZZZ"  # on the second page
    assert resolver.resolve("Extra 7").id == "UX0007"
    assert resolver.resolve("TANAKA@example.co.jp").id == "UAE"
    assert resolver.resolve("tanaka@example.co.jp").id == "UAE"
    assert resolver.resolve("<@UAE2>").name == "Jo Smith"
    with pytest.raises(NotResolved):
        resolver.resolve("nobody@example.com")
    with pytest.raises(NotResolved):
        resolver.resolve("nobody@example.com")
    assert len(people.calls_to("users.list")) == 2
    assert len(people.calls_to("users.lookupByEmail")) == 2  # tanaka once (case folded), nobody once
