"""The Slack List: every signal mirrored as one item (by its ID), Comment and Status read back.

The real app and relay, the real slack_sdk WebClient against fakes/slack_api.py (which models
slackLists.* as documented), a real database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update

import app
import cli
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import modal_state, view_submission
from i18n import t
from models.clock import FixedClock
from settings import Settings
from sheets.slack_list import COMMENT_HEADER, SlackList, read_back, schema
from store import ChangeRequest, Note
from store.list_items import PENDING, ListItemStore
from store.readback import ReadbackStore
from store.tables import ListItemRow, ProposalRow
from tests.conftest import AE, CHANNEL, CSM, build, dispatch, make_settings

LIST_METHODS = ("slackLists.items.create", "slackLists.items.update", "slackLists.items.list")


@pytest.fixture
def list_id(fake_slack: FakeSlack) -> str:
    return fake_slack.add_list("hiyoko", schema("ja"))


@pytest.fixture
def hiyoko(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock, list_id: str
) -> Iterator[app.Hiyoko]:
    built = build(
        make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url, hiyoko_slack_list_id=list_id), clock
    )
    yield built
    built.db.dispose()


def share(hiyoko: app.Hiyoko, customer: str, view_id: str) -> None:
    payload = view_submission(CSM, modal_state(customer=customer), view_id=view_id)
    assert dispatch(hiyoko, payload).status == 200


def settle(hiyoko: app.Hiyoko, clock: FixedClock) -> None:
    for _ in range(30):
        hiyoko.relay.drain()
        due = hiyoko.outbox.next_due()
        if due is None:
            return
        clock.at = max(clock.at, due + timedelta(seconds=1))
    raise AssertionError(f"outbox not settled: {hiyoko.outbox.counts()}")


def list_calls(fake: FakeSlack) -> dict[str, int]:
    return {m: sum(1 for c in fake.calls if c.method == m) for m in LIST_METHODS}


def gateway(hiyoko: app.Hiyoko, list_id: str) -> SlackList:
    s = hiyoko.settings
    return SlackList(hiyoko.client, ListItemStore(hiyoko.db, hiyoko.clock), list_id, s.hiyoko_language, s.timezone)


def cell(fake: FakeSlack, list_id: str, signal_id: str, key: str) -> str:
    [item] = [
        i for i in fake.list_items(list_id) if any(f["key"] == "id" and f["text"] == signal_id for f in i["fields"])
    ]
    return fake.list_cell(list_id, item["id"], key)


def item_of(fake: FakeSlack, list_id: str, signal_id: str) -> str:
    [item] = [
        i for i in fake.list_items(list_id) if any(f["key"] == "id" and f["text"] == signal_id for f in i["fields"])
    ]
    return str(item["id"])


def test_every_signal_is_mirrored_once_created_then_updated(
    hiyoko: app.Hiyoko, fake_slack: FakeSlack, clock: FixedClock, list_id: str
) -> None:
    for index in range(3):
        share(hiyoko, f"顧客{index}", f"V{index}")
    settle(hiyoko, clock)
    items = fake_slack.list_items(list_id)
    assert sorted(cell(fake_slack, list_id, s, "id") for s in ("S-000001", "S-000002", "S-000003")) == [
        "S-000001",
        "S-000002",
        "S-000003",
    ]
    assert len(items) == 3
    assert cell(fake_slack, list_id, "S-000002", "customer") == "顧客1"
    assert cell(fake_slack, list_id, "S-000002", "status") == t("status.open", "ja")
    assert cell(fake_slack, list_id, "S-000002", "owner") == AE
    assert cell(fake_slack, list_id, "S-000002", "link").startswith("http")  # the card's permalink
    created = list_calls(fake_slack)
    assert created["slackLists.items.create"] == 3

    before = list_calls(fake_slack)
    for note in ("来週訪問", "見積もり送付"):  # two changes before the relay runs: one update (coalesced)
        hiyoko.store.change(2, ChangeRequest(Note(note), AE), managers=frozenset(), today=clock.now().date())
    settle(hiyoko, clock)
    after = list_calls(fake_slack)
    assert len(fake_slack.list_items(list_id)) == 3, "a change updates the item, it makes no other"
    assert after["slackLists.items.create"] == before["slackLists.items.create"]
    assert after["slackLists.items.update"] == before["slackLists.items.update"] + 1
    with hiyoko.db.read() as session:
        assert len(session.scalars(select(ListItemRow)).all()) == 3
    # The figure for the report: a new signal costs one create and one update (its card's link
    # arrives after the card is posted); every later change one update. The columns are read
    # once a process (one items.list), never again.
    assert created == {"slackLists.items.create": 3, "slackLists.items.update": 3, "slackLists.items.list": 1}
    assert after["slackLists.items.list"] == 1


def test_a_create_whose_answer_was_lost_makes_no_second_item(
    hiyoko: app.Hiyoko, fake_slack: FakeSlack, clock: FixedClock, list_id: str
) -> None:
    share(hiyoko, "顧客A", "V1")
    settle(hiyoko, clock)
    [item] = fake_slack.list_items(list_id)
    # The create reached Slack but its answer never got recorded (a crash, a timeout): what is
    # left is the mark written before the create was sent.
    with hiyoko.db.transaction() as session:
        session.execute(update(ListItemRow).values(item_id=PENDING))
    signal = hiyoko.store.get(1)
    assert signal is not None
    assert gateway(hiyoko, list_id).sync(signal) == "updated"
    assert [i["id"] for i in fake_slack.list_items(list_id)] == [item["id"]]
    assert ListItemStore(hiyoko.db, clock).get(1, list_id) == (list_id, item["id"])
    # A mark with no item behind it (the create never arrived): created, once.
    fake_slack.reset_list(list_id)
    with hiyoko.db.transaction() as session:
        session.execute(update(ListItemRow).values(item_id=PENDING))
    assert gateway(hiyoko, list_id).sync(signal) == "created"
    assert len(fake_slack.list_items(list_id)) == 1


def test_a_comment_typed_in_the_list_becomes_one_thread_line(
    hiyoko: app.Hiyoko, fake_slack: FakeSlack, clock: FixedClock, list_id: str, tmp_path: Path
) -> None:
    share(hiyoko, "顧客A", "V1")
    settle(hiyoko, clock)
    readback = ReadbackStore(hiyoko.db, clock)
    assert read_back(gateway(hiyoko, list_id), readback).endswith("0 notes, 0 proposals")  # the baseline
    fake_slack.edit_list_cell(list_id, item_of(fake_slack, list_id, "S-000001"), "comment", "先方の部長も乗り気")
    clock.advance(minutes=5)
    assert "1 notes" in read_back(gateway(hiyoko, list_id), readback)
    settle(hiyoko, clock)
    [card] = fake_slack.messages(CHANNEL)
    lines = [r["text"] for r in fake_slack.replies(CHANNEL, card["ts"])]
    assert sum("先方の部長も乗り気" in line for line in lines) == 1, lines

    # After a restart (a new process, the same database) the comment is not told again.
    again = build(hiyoko.settings, clock)
    try:
        clock.advance(minutes=5)
        assert "0 notes" in read_back(gateway(again, list_id), ReadbackStore(again.db, clock))
        settle(again, clock)
    finally:
        again.db.dispose()
    lines = [r["text"] for r in fake_slack.replies(CHANNEL, card["ts"])]
    assert sum("先方の部長も乗り気" in line for line in lines) == 1, lines
    assert COMMENT_HEADER == "Comment"


def test_a_status_chosen_in_the_list_becomes_a_proposal(
    hiyoko: app.Hiyoko, fake_slack: FakeSlack, clock: FixedClock, list_id: str
) -> None:
    share(hiyoko, "顧客A", "V1")
    settle(hiyoko, clock)
    readback = ReadbackStore(hiyoko.db, clock)
    read_back(gateway(hiyoko, list_id), readback)  # the baseline
    fake_slack.edit_list_cell(list_id, item_of(fake_slack, list_id, "S-000001"), "status", t("status.won", "ja"))
    clock.advance(minutes=5)
    assert read_back(gateway(hiyoko, list_id), readback).endswith("1 proposals")
    with hiyoko.db.read() as session:
        [proposal] = session.scalars(select(ProposalRow)).all()
    assert (proposal.signal_number, proposal.source, proposal.field, proposal.value) == (1, "list", "status", "won")
    clock.advance(minutes=5)
    assert read_back(gateway(hiyoko, list_id), readback).endswith("0 proposals"), "proposed once"
    signal = hiyoko.store.get(1)
    assert signal is not None and signal.status.value == "open", "nothing changes before someone confirms"


def test_no_list_configured_enqueues_no_list_work(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    built = build(make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url), clock)
    try:
        share(built, "顧客A", "V1")
        settle(built, clock)
        assert not any(r.target == "sync_list" for r in built.outbox.rows())
        assert not any(c.method.startswith("slackLists.") for c in fake_slack.calls)
    finally:
        built.db.dispose()


def _cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeSlack, settings: Settings) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret or "",
        "SLACK_API_URL": fake.url,
        "SIGNALS_CHANNEL_ID": CHANNEL,
        "DATABASE_URL": settings.database_url,
        "HIYOKO_LANGUAGE": "en",
    }.items():
        monkeypatch.setenv(name, value)


def test_lists_create_makes_the_list_and_prints_the_env_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_slack: FakeSlack, settings: Settings, capsys: Any
) -> None:
    _cli_env(monkeypatch, tmp_path, fake_slack, settings)
    assert cli.main(["lists", "create"]) == 0
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.startswith("HIYOKO_SLACK_LIST_ID=")]
    list_id = line.split("=", 1)[1]
    [call] = [c for c in fake_slack.calls if c.method == "slackLists.create"]
    keys = [column["key"] for column in call.args["schema"]]
    assert keys[0] == "id" and "status" in keys and "comment" in keys
    assert fake_slack.list_items(list_id) == []


@pytest.mark.parametrize(
    ("scopes", "enabled", "said"),
    [
        (("chat:write", "lists:read"), True, "lacks the scope lists:write"),
        (None, False, "need a workspace on a paid plan (paid_only)"),
    ],
)
def test_lists_create_refusals_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fake_slack: FakeSlack,
    settings: Settings,
    capsys: Any,
    scopes: tuple[str, ...] | None,
    enabled: bool,
    said: str,
) -> None:
    _cli_env(monkeypatch, tmp_path, fake_slack, settings)
    if scopes is not None:
        fake_slack.scopes = list(scopes)
    fake_slack.lists_enabled = enabled
    assert cli.main(["lists", "create"]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1, err


def test_the_manifest_asks_for_the_list_scopes() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text(encoding="utf-8"))
    assert {"lists:read", "lists:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])


def test_the_sheet_readback_job_reads_the_list_too(
    hiyoko: app.Hiyoko, fake_slack: FakeSlack, clock: FixedClock, list_id: str
) -> None:
    from jobs.tasks import list_readback, make_context, sheet_readback
    from store.schedule import JobStore

    share(hiyoko, "顧客A", "V1")
    settle(hiyoko, clock)
    ctx = make_context(hiyoko.settings, JobStore(hiyoko.db))
    lines = sheet_readback(ctx, clock.now(), False)  # the sheet's poll, then the list's: the baselines
    assert lines[-1].startswith("slack list: 1 items read"), lines
    fake_slack.edit_list_cell(list_id, item_of(fake_slack, list_id, "S-000001"), "comment", "来月また連絡")
    clock.advance(minutes=5)
    fake_slack.rate_limit_next(3, method="slackLists.items.list", retry_after=0)  # the client retries twice
    assert list_readback(ctx, clock.now()) == "slack list: skipped (ratelimited)"
    assert "1 notes" in list_readback(ctx, clock.now())
