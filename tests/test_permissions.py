"""Who may change a signal, and reading HIYOKO_MANAGERS."""

from __future__ import annotations

import pytest

from models.permissions import may_change, parse_managers

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
