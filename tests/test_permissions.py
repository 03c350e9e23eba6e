"""Who may change a signal, and reading HIYOKO_MANAGERS."""

from __future__ import annotations

import json

import pytest

from app import Hiyoko
from fakes.slack_api import FakeSlack
from fakes.slack_requests import action_submission, block_action, input_values, modal_state, view_submission
from models.permissions import may_change, parse_managers
from tests.conftest import AE, CHANNEL, CSM, dispatch, wait_for
from tests.directory import fill_directory

MANAGERS = frozenset({"UBOSS", "WBOSS2"})


@pytest.mark.parametrize(
    ("user", "owner", "submitter", "managers", "allowed"),
    [
        ("UAE", "UAE", "UCSM", MANAGERS, True),  # the owner
        ("UCSM", "UAE", "UCSM", MANAGERS, True),  # the submitter
        ("UBOSS", "UAE", "UCSM", MANAGERS, True),  # a manager
        ("WBOSS2", "UAE", "UCSM", MANAGERS, True),  # a manager from an Enterprise Grid (W…)
        ("USELF", "USELF", "USELF", frozenset(), True),  # shared and owns it
        ("UOTHER", "UAE", "UCSM", MANAGERS, False),  # anybody else
        ("UOTHER", "UAE", "UCSM", frozenset(), False),
        ("uae", "UAE", "UCSM", MANAGERS, False),  # ids are compared exactly
        ("", "", "", MANAGERS, False),  # an unknown actor never matches an unset owner
        ("", "UAE", "", frozenset({""}), False),
        ("SMGRS", "UAE", "UCSM", frozenset({"SMGRS"}), True),  # managers is a plain set of ids
    ],
)
def test_may_change(user: str, owner: str, submitter: str, managers: frozenset[str], allowed: bool) -> None:
    assert may_change(user, owner_id=owner, submitter_id=submitter, managers=managers) is allowed


@pytest.mark.parametrize(
    ("setting", "users", "group"),
    [
        ("", set(), None),
        ("   ", set(), None),
        (",", set(), None),
        ("U012AB3CD", {"U012AB3CD"}, None),
        ("U012AB3CD,W0XY", {"U012AB3CD", "W0XY"}, None),
        (" U1 , W2 ,", {"U1", "W2"}, None),  # spaces and a trailing comma are forgiven
        ("U1,U1", {"U1"}, None),
        ("S0GROUP", set(), "S0GROUP"),
        ("U1,S0GROUP,W2", {"U1", "W2"}, "S0GROUP"),
        ("S0GROUP,S0GROUP", set(), "S0GROUP"),  # the same group twice is still one group
        ("UAE,UCSM", {"UAE", "UCSM"}, None),
    ],
)
def test_parse_managers(setting: str, users: set[str], group: str | None) -> None:
    assert parse_managers(setting) == (frozenset(users), group)


@pytest.mark.parametrize(
    ("setting", "bad"),
    [
        ("@sato", "@sato"),  # a name, not an id
        ("sato", "sato"),
        ("U1,@sato", "@sato"),
        ("C0123ABC", "C0123ABC"),  # a channel
        ("G0123ABC", "G0123ABC"),  # an old private channel
        ("D0123ABC", "D0123ABC"),  # a DM
        ("S1,S2", "S2"),  # two groups
        ("U1,S1,W2,S2", "S2"),
        ("U1 U2", "U1 U2"),  # a missing comma
        ("U1;U2", "U1;U2"),
        ("<@U123>", "<@U123>"),  # a pasted mention
        ("<!subteam^S123>", "<!subteam^S123>"),
        ("u0123abc", "u0123abc"),  # lower case would match nobody
        ("U", "U"),
        ("S", "S"),
        ("U12-3", "U12-3"),
    ],
)
def test_parse_managers_names_the_bad_entry(setting: str, bad: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_managers(setting)
    assert repr(bad) in str(error.value)


# --- strangers, through the real Bolt app (issue 10) ------------------------------------------

STRANGER = "USTRANGER"
CLICKS = [  # every permission-checked way to change a signal: (action_id, overflow option, in a message?)
    ("signal_won", None, True),
    ("signal_lost", None, True),
    ("signal_drop", None, True),
    ("signal_hatch", None, True),
    ("signal_more", "reassign:S-000001", True),
    ("signal_more", "edit:S-000001", True),
    ("signal_more", "snooze:S-000001", True),
    ("signal_more", "note:S-000001", True),
    ("signal_snooze", None, True),
    ("signal_back_to_egg", None, True),  # the DM buttons
    ("signal_pick_owner", None, True),  # the DM after an owner check
    ("signal_won", None, False),
    ("signal_drop", None, False),
    ("signal_more", "reassign:S-000001", False),
    ("signal_more", "snooze:S-000001", False),  # App Home rows
]


@pytest.fixture
def one_signal(hiyoko: Hiyoko, fake_slack: FakeSlack) -> Hiyoko:
    fake_slack.add_user(STRANGER, "stranger", display_name="通りすがり")
    fill_directory(hiyoko)
    response = dispatch(hiyoko, view_submission(CSM, modal_state(kind="chick", timing="2027-04-01")))
    assert response.status == 200 and not response.body
    hiyoko.relay.drain()
    return hiyoko


def _state(hiyoko: Hiyoko, fake_slack: FakeSlack) -> tuple[object, ...]:
    signal = hiyoko.store.get(1)
    return (
        signal,
        [e.action for e in hiyoko.store.events(1)],
        len(hiyoko.outbox.rows()),
        json.dumps(fake_slack.messages(CHANNEL), ensure_ascii=False),
        fake_slack.messages(CSM),
        fake_slack.messages(AE),
    )


@pytest.mark.parametrize(("action_id", "selected", "in_message"), CLICKS)
def test_strangers_are_refused_every_action_and_nothing_changes(
    one_signal: Hiyoko, fake_slack: FakeSlack, action_id: str, selected: str | None, in_message: bool
) -> None:
    before = _state(one_signal, fake_slack)
    payload = block_action(
        STRANGER,
        action_id,
        None if selected else "S-000001",
        selected=selected,
        channel=CHANNEL if in_message else None,
    )
    assert dispatch(one_signal, payload).status == 200
    if in_message:
        [refusal] = wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
        assert refusal["user"] == STRANGER and "マネージャーだけ" in refusal["text"]
        assert not fake_slack.calls_to("views.open")  # no modal they could not submit
    else:
        [call] = wait_for(lambda: fake_slack.calls_to("views.open"))
        view = json.loads(call["view"]) if isinstance(call["view"], str) else call["view"]
        assert view.get("callback_id") != "signal_action_submit"  # a message, not a form
        assert "マネージャーだけ" in json.dumps(view, ensure_ascii=False)
    one_signal.relay.drain()
    assert _state(one_signal, fake_slack) == before


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("lose", {"reason": "予算"}),
        ("drop", {"reason": "重複"}),
        ("reassign", {"owner": STRANGER}),
        ("edit", {"customer": "乗っ取り", "summary": "x", "category": "plan", "timing": "2027-04-01"}),
        ("note", {"note": "横から"}),
        ("hatch", {"timing": "2027-05-01"}),
    ],
)
def test_a_strangers_submission_of_an_action_modal_changes_nothing(
    one_signal: Hiyoko, fake_slack: FakeSlack, action: str, fields: dict[str, str]
) -> None:
    before = _state(one_signal, fake_slack)
    view = {
        "type": "modal",
        "callback_id": "signal_action_submit",
        "private_metadata": json.dumps({"signal": 1, "action": action, "lang": "ja", "channel": CHANNEL}),
    }
    response = dispatch(one_signal, action_submission(STRANGER, view, input_values(**fields)))
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "errors" and any("マネージャーだけ" in e for e in body["errors"].values())
    one_signal.relay.drain()
    assert _state(one_signal, fake_slack) == before


def test_display_names_in_refusals_are_escaped(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UODD", "odd", display_name="<!channel> *x*")
    fake_slack.add_user(STRANGER, "stranger")
    fill_directory(hiyoko)
    dispatch(hiyoko, view_submission(CSM, modal_state(owner="UODD")))
    dispatch(hiyoko, block_action(STRANGER, "signal_won", "S-000001"))
    [refusal] = wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    # Escaped so it pings nobody, and its marks widened so it formats nothing.
    assert "@&lt;!channel&gt; ＊x＊" in refusal["text"] and "<!channel>" not in refusal["text"]


def test_a_display_name_that_is_a_broadcast_word_pings_nobody(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    # "@" + "here" would be a plain @here in the ephemeral's text, which Slack parses.
    fake_slack.add_user("UHERE", "here", display_name="here")
    fake_slack.add_user(STRANGER, "stranger")
    fill_directory(hiyoko)
    dispatch(hiyoko, view_submission(CSM, modal_state(owner="UHERE")))
    dispatch(hiyoko, block_action(STRANGER, "signal_won", "S-000001"))
    [refusal] = wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    assert "@\u2060here" in refusal["text"]
    assert fake_slack.ping_violations == []
