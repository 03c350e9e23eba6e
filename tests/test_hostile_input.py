"""Bad input, thrown at every modal field and at /hiyoko: random Unicode, control characters,
huge strings, Slack and spreadsheet syntax. Always a clear answer (200, field errors or success),
never a 500, never an injected mention in Slack or a formula in the sheet."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack, ping_sites, plain_special_mentions
from fakes.slack_requests import bolt_request, modal_state, slash_command, view_submission
from store import ChangeRequest, Note
from tests.conftest import AE, CHANNEL, CSM, SPREADSHEET, dispatch

NASTY = st.sampled_from(
    [
        "<!channel>",
        "<!here|here>",
        "<@UAE2>",
        "<#C1|x>",
        "<https://evil.example|click>",
        "&lt;!channel&gt;",
        '=IMPORTXML("http://x","//a")',
        "+SUM(1,1)",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "'=1",
        "\u202e\u200b\ufeff",
        "\x00\x07\x1b[31m",
        "𠮷野家🐣👨‍👩‍👧",
        "ｶﾀｶﾅ株式会社",
        "　",
        # Typed broadcasts: the fake_slack fixture fails the test if one reaches Slack where it pings.
        "@channel",
        "@here 見て",
        "＠Everyone",
        "営業@HERE",
        "@ｃｈａｎｎｅｌ",
    ]
)
TEXT = st.one_of(
    st.text(max_size=60),
    NASTY,
    st.text(min_size=2990, max_size=3200),
    st.builds(lambda a, b: a + b, NASTY, st.text(max_size=20)),
)
MENTION = re.compile(r"<[!@#]")
OURS = {"<@UCSM>", "<@UAE>"}  # the mentions hiyoko itself writes (submitter and owner)

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(
    customer=TEXT,
    summary=TEXT,
    size=TEXT,
    source=TEXT,
    kind=st.sampled_from(["egg", "chick", "x", None]),
    category=st.sampled_from(["seats", "plan", "cross_sell", "other", "💥", None]),
    timing=st.sampled_from([None, "2027-04-01", "2026-01-01", "not-a-date", "9999-99-99"]),
)
def test_modal_fields_answer_clearly(
    hiyoko: Hiyoko,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    customer: str,
    summary: str,
    size: str,
    source: str,
    kind: str | None,
    category: str | None,
    timing: str | None,
) -> None:
    before = len(hiyoko.store.all())
    values = modal_state(
        customer=customer, summary=summary, size=size, source=source, kind=kind, category=category, timing=timing
    )
    response = dispatch(hiyoko, view_submission(CSM, values, view_id=f"VF{before}-{len(fake_slack.calls)}"))
    assert response.status == 200
    body: dict[str, Any] = json.loads(response.body) if response.body else {}
    if body:
        assert body["response_action"] in ("errors", "update")
        for message in (body.get("errors") or {}).values():
            assert message and "Traceback" not in message
    hiyoko.relay.drain()
    for message in fake_slack.messages(CHANNEL):
        rendered = json.dumps(message["blocks"], ensure_ascii=False) + message["text"]
        assert set(MENTION.findall(rendered.replace("<@UCSM>", "").replace("<@UAE>", ""))) == set(), rendered
        for reply in fake_slack.replies(CHANNEL, message["ts"]):
            assert not MENTION.findall(reply["text"].replace("<@UCSM>", "").replace("<@UAE>", ""))
    if "Signals" in fake_sheets.sheet_titles(SPREADSHEET):
        rows = len(fake_sheets.values(SPREADSHEET, "Signals"))
        for row in range(2, rows + 1):
            for column in "ABCDEFGHIJKLMNOPQRS":
                assert fake_sheets.cell(SPREADSHEET, "Signals", f"{column}{row}").kind != "formula"


@HYPOTHESIS
@given(
    text=st.one_of(TEXT, st.builds(lambda v, a: f"{v} {a}", st.sampled_from(["list", "show", "mine", "help"]), TEXT))
)
def test_the_slash_command_answers_clearly(hiyoko: Hiyoko, text: str) -> None:
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(CSM, text)))
    assert response.status == 200
    if response.body:
        body = json.loads(response.body)
        assert body["response_type"] == "ephemeral"
        rendered = json.dumps(body, ensure_ascii=False)
        assert not MENTION.findall(rendered.replace("<#CSIGNALS>", "")), rendered
        assert len(body.get("blocks") or []) <= 50


def test_typed_broadcasts_ping_nobody(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    """`@channel` and the like typed into every field reach the card, its thread and /hiyoko's
    answers only as text (the fake_slack fixture checks every post and view at teardown)."""
    values = modal_state(
        customer="@channel 株式会社", summary="@here 見て\n＠Everyone", size="@channel", source="営業@HERE"
    )
    assert dispatch(hiyoko, view_submission(CSM, values, view_id="VBROADCAST")).status == 200
    hiyoko.relay.drain()
    hiyoko.store.change(
        1, ChangeRequest(Note("@here 来週訪問"), AE), managers=frozenset(), today=hiyoko.clock.now().date()
    )
    hiyoko.relay.drain()
    [card] = fake_slack.messages(CHANNEL)
    thread = fake_slack.replies(CHANNEL, card["ts"])
    rendered = json.dumps([card, thread], ensure_ascii=False)
    assert "@\u2060channel 株式会社" in rendered and "@\u2060here 来週訪問" in rendered
    assert len(thread) == 2
    for text in ("list @channel", "show S-000001", "mine"):
        response = hiyoko.bolt.dispatch(bolt_request(slash_command(CSM, text)))
        body = json.loads(response.body)
        assert "S-000001" in json.dumps(body, ensure_ascii=False), text
        assert not plain_special_mentions(body["text"]) and not ping_sites(body.get("blocks"), "/blocks"), body
    assert fake_slack.ping_violations == []
