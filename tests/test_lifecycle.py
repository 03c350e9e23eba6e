"""The signal lifecycle: every state against every action, the inputs each action needs, and
what a card offers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict, cast

import pytest

from models.lifecycle import Action, Change, Refused, State, available, decide
from models.signal import Kind, Status

TODAY = date(2025, 6, 2)


class Inputs(TypedDict):
    today: date
    timing: date | None
    reason: str
    note: str
    owner_id: str
    current_owner_id: str


# Inputs every action accepts, so the state alone decides in the big table.
VALID: Inputs = {
    "today": TODAY,
    "timing": TODAY + timedelta(days=30),
    "reason": "予算が凍結された",
    "note": "来週もう一度聞く",
    "owner_id": "UNEW",
    "current_owner_id": "UOLD",
}

OPEN_EGG, OPEN_CHICK = State(Kind.EGG, Status.OPEN), State(Kind.CHICK, Status.OPEN)
WON_EGG, WON_CHICK = State(Kind.EGG, Status.WON), State(Kind.CHICK, Status.WON)
LOST_EGG, LOST_CHICK = State(Kind.EGG, Status.LOST), State(Kind.CHICK, Status.LOST)
DROPPED_EGG, DROPPED_CHICK = State(Kind.EGG, Status.DROPPED), State(Kind.CHICK, Status.DROPPED)
ALL_STATES = [State(kind, status) for kind in Kind for status in Status]


@dataclass(frozen=True)
class To:
    """An expected change: the state after and the flags."""

    after: State
    clears_timing: bool = False
    clears_reason: bool = False
    sets_reason: bool = False


@dataclass(frozen=True)
class No:
    """An expected refusal."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


def closed(status: Status) -> No:
    return No("lifecycle.already_closed", (("status", status.value),))


A = Action
TABLE: list[tuple[State, Action, To | No]] = [
    # open egg
    (OPEN_EGG, A.HATCH, To(OPEN_CHICK)),
    (OPEN_EGG, A.BACK_TO_EGG, No("lifecycle.not_a_chick")),
    (OPEN_EGG, A.WIN, To(WON_EGG)),
    (OPEN_EGG, A.LOSE, To(LOST_EGG, sets_reason=True)),
    (OPEN_EGG, A.DROP, To(DROPPED_EGG, sets_reason=True)),
    (OPEN_EGG, A.REOPEN, No("lifecycle.not_closed")),
    (OPEN_EGG, A.REASSIGN, To(OPEN_EGG)),
    (OPEN_EGG, A.EDIT, To(OPEN_EGG)),
    (OPEN_EGG, A.NOTE, To(OPEN_EGG)),
    (OPEN_EGG, A.SNOOZE, To(OPEN_EGG)),
    # open chick
    (OPEN_CHICK, A.HATCH, No("lifecycle.not_an_egg")),
    (OPEN_CHICK, A.BACK_TO_EGG, To(OPEN_EGG, clears_timing=True)),
    (OPEN_CHICK, A.WIN, To(WON_CHICK)),
    (OPEN_CHICK, A.LOSE, To(LOST_CHICK, sets_reason=True)),
    (OPEN_CHICK, A.DROP, To(DROPPED_CHICK, sets_reason=True)),
    (OPEN_CHICK, A.REOPEN, No("lifecycle.not_closed")),
    (OPEN_CHICK, A.REASSIGN, To(OPEN_CHICK)),
    (OPEN_CHICK, A.EDIT, To(OPEN_CHICK)),
    (OPEN_CHICK, A.NOTE, To(OPEN_CHICK)),
    (OPEN_CHICK, A.SNOOZE, No("lifecycle.not_an_egg")),
    # won egg
    (WON_EGG, A.HATCH, closed(Status.WON)),
    (WON_EGG, A.BACK_TO_EGG, closed(Status.WON)),
    (WON_EGG, A.WIN, closed(Status.WON)),
    (WON_EGG, A.LOSE, closed(Status.WON)),
    (WON_EGG, A.DROP, closed(Status.WON)),
    (WON_EGG, A.REOPEN, To(OPEN_EGG, clears_reason=True)),
    (WON_EGG, A.REASSIGN, closed(Status.WON)),
    (WON_EGG, A.EDIT, closed(Status.WON)),
    (WON_EGG, A.NOTE, To(WON_EGG)),
    (WON_EGG, A.SNOOZE, closed(Status.WON)),
    # won chick
    (WON_CHICK, A.HATCH, closed(Status.WON)),
    (WON_CHICK, A.BACK_TO_EGG, closed(Status.WON)),
    (WON_CHICK, A.WIN, closed(Status.WON)),
    (WON_CHICK, A.LOSE, closed(Status.WON)),
    (WON_CHICK, A.DROP, closed(Status.WON)),
    (WON_CHICK, A.REOPEN, To(OPEN_CHICK, clears_reason=True)),
    (WON_CHICK, A.REASSIGN, closed(Status.WON)),
    (WON_CHICK, A.EDIT, closed(Status.WON)),
    (WON_CHICK, A.NOTE, To(WON_CHICK)),
    (WON_CHICK, A.SNOOZE, closed(Status.WON)),
    # lost egg
    (LOST_EGG, A.HATCH, closed(Status.LOST)),
    (LOST_EGG, A.BACK_TO_EGG, closed(Status.LOST)),
    (LOST_EGG, A.WIN, closed(Status.LOST)),
    (LOST_EGG, A.LOSE, closed(Status.LOST)),
    (LOST_EGG, A.DROP, closed(Status.LOST)),
    (LOST_EGG, A.REOPEN, To(OPEN_EGG, clears_reason=True)),
    (LOST_EGG, A.REASSIGN, closed(Status.LOST)),
    (LOST_EGG, A.EDIT, closed(Status.LOST)),
    (LOST_EGG, A.NOTE, To(LOST_EGG)),
    (LOST_EGG, A.SNOOZE, closed(Status.LOST)),
    # lost chick
    (LOST_CHICK, A.HATCH, closed(Status.LOST)),
    (LOST_CHICK, A.BACK_TO_EGG, closed(Status.LOST)),
    (LOST_CHICK, A.WIN, closed(Status.LOST)),
    (LOST_CHICK, A.LOSE, closed(Status.LOST)),
    (LOST_CHICK, A.DROP, closed(Status.LOST)),
    (LOST_CHICK, A.REOPEN, To(OPEN_CHICK, clears_reason=True)),
    (LOST_CHICK, A.REASSIGN, closed(Status.LOST)),
    (LOST_CHICK, A.EDIT, closed(Status.LOST)),
    (LOST_CHICK, A.NOTE, To(LOST_CHICK)),
    (LOST_CHICK, A.SNOOZE, closed(Status.LOST)),
    # dropped egg
    (DROPPED_EGG, A.HATCH, closed(Status.DROPPED)),
    (DROPPED_EGG, A.BACK_TO_EGG, closed(Status.DROPPED)),
    (DROPPED_EGG, A.WIN, closed(Status.DROPPED)),
    (DROPPED_EGG, A.LOSE, closed(Status.DROPPED)),
    (DROPPED_EGG, A.DROP, closed(Status.DROPPED)),
    (DROPPED_EGG, A.REOPEN, To(OPEN_EGG, clears_reason=True)),
    (DROPPED_EGG, A.REASSIGN, closed(Status.DROPPED)),
    (DROPPED_EGG, A.EDIT, closed(Status.DROPPED)),
    (DROPPED_EGG, A.NOTE, To(DROPPED_EGG)),
    (DROPPED_EGG, A.SNOOZE, closed(Status.DROPPED)),
    # dropped chick
    (DROPPED_CHICK, A.HATCH, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.BACK_TO_EGG, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.WIN, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.LOSE, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.DROP, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.REOPEN, To(OPEN_CHICK, clears_reason=True)),
    (DROPPED_CHICK, A.REASSIGN, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.EDIT, closed(Status.DROPPED)),
    (DROPPED_CHICK, A.NOTE, To(DROPPED_CHICK)),
    (DROPPED_CHICK, A.SNOOZE, closed(Status.DROPPED)),
]


def _id(state: State) -> str:
    return f"{state.status}-{state.kind}"


def test_the_table_covers_every_state_and_action_once() -> None:
    pairs = [(state, action) for state, action, _ in TABLE]
    assert len(pairs) == len(set(pairs)) == 80
    assert set(pairs) == set(itertools.product(ALL_STATES, Action))


@pytest.mark.parametrize(("state", "action", "expected"), TABLE, ids=[f"{_id(s)}-{a}" for s, a, _ in TABLE])
def test_every_state_and_action(state: State, action: Action, expected: To | No) -> None:
    if isinstance(expected, No):
        with pytest.raises(Refused) as refused:
            decide(state, action, **VALID)
        assert (refused.value.key, refused.value.params) == (expected.key, dict(expected.params))
        # Plain strings, not enum members: the params are formatted into messages and logged.
        assert all(type(value) is str for value in refused.value.params.values())
    else:
        change = decide(state, action, **VALID)
        assert change == Change(
            action, state, expected.after, expected.clears_timing, expected.clears_reason, expected.sets_reason
        )


def _valid(**overrides: Any) -> Inputs:
    return cast(Inputs, {**VALID, **overrides})


# (state, action, inputs, refusal key, params); each row breaks exactly one input.
INPUT_REFUSALS: list[tuple[State, Action, Inputs, str, dict[str, object]]] = [
    (OPEN_EGG, A.HATCH, _valid(timing=None), "lifecycle.timing_required", {}),
    (OPEN_EGG, A.HATCH, _valid(timing=TODAY - timedelta(days=1)), "lifecycle.timing_past", {"today": "2025-06-02"}),
    (OPEN_EGG, A.HATCH, _valid(timing=date(2024, 12, 31)), "lifecycle.timing_past", {"today": "2025-06-02"}),
    (OPEN_EGG, A.LOSE, _valid(reason=""), "lifecycle.reason_required", {}),
    (OPEN_CHICK, A.LOSE, _valid(reason="  \n\t"), "lifecycle.reason_required", {}),
    (OPEN_EGG, A.DROP, _valid(reason=""), "lifecycle.reason_required", {}),
    (OPEN_CHICK, A.DROP, _valid(reason="\u3000"), "lifecycle.reason_required", {}),  # full-width space
    (OPEN_EGG, A.NOTE, _valid(note=""), "lifecycle.note_required", {}),
    (OPEN_CHICK, A.NOTE, _valid(note=" "), "lifecycle.note_required", {}),
    (LOST_EGG, A.NOTE, _valid(note="\n"), "lifecycle.note_required", {}),
    (WON_CHICK, A.NOTE, _valid(note=""), "lifecycle.note_required", {}),
    (OPEN_EGG, A.REASSIGN, _valid(owner_id="UOLD"), "lifecycle.same_owner", {}),
    (OPEN_CHICK, A.REASSIGN, _valid(owner_id="UOLD", current_owner_id="UOLD"), "lifecycle.same_owner", {}),
    (OPEN_EGG, A.REASSIGN, _valid(owner_id=""), "lifecycle.same_owner", {}),
    (OPEN_EGG, A.REASSIGN, _valid(owner_id="   "), "lifecycle.same_owner", {}),
    (OPEN_EGG, A.REASSIGN, _valid(owner_id="", current_owner_id=""), "lifecycle.same_owner", {}),
    # Closed-ness is checked before kind and inputs, kind before inputs.
    (LOST_EGG, A.LOSE, _valid(reason=""), "lifecycle.already_closed", {"status": "lost"}),
    (DROPPED_EGG, A.HATCH, _valid(timing=None), "lifecycle.already_closed", {"status": "dropped"}),
    (WON_CHICK, A.HATCH, _valid(timing=None), "lifecycle.already_closed", {"status": "won"}),
    (WON_EGG, A.REASSIGN, _valid(owner_id="UOLD"), "lifecycle.already_closed", {"status": "won"}),
    (OPEN_CHICK, A.HATCH, _valid(timing=None), "lifecycle.not_an_egg", {}),
    (OPEN_CHICK, A.HATCH, _valid(timing=TODAY - timedelta(days=1)), "lifecycle.not_an_egg", {}),
]


@pytest.mark.parametrize(("state", "action", "inputs", "key", "params"), INPUT_REFUSALS)
def test_inputs_an_action_needs(
    state: State, action: Action, inputs: Inputs, key: str, params: dict[str, object]
) -> None:
    with pytest.raises(Refused) as refused:
        decide(state, action, **inputs)
    assert (refused.value.key, refused.value.params) == (key, params)


# Inputs at the edge that are still fine.
INPUT_ACCEPTED: list[tuple[State, Action, Inputs, State]] = [
    (OPEN_EGG, A.HATCH, _valid(timing=TODAY), OPEN_CHICK),  # today is not in the past
    (OPEN_EGG, A.HATCH, _valid(timing=date(2030, 1, 1)), OPEN_CHICK),
    (OPEN_EGG, A.LOSE, _valid(reason=" x "), LOST_EGG),
    (OPEN_EGG, A.REASSIGN, _valid(owner_id="UNEW", current_owner_id=""), OPEN_EGG),  # nobody owned it
    (OPEN_CHICK, A.NOTE, _valid(note="🐣"), OPEN_CHICK),
    (OPEN_CHICK, A.WIN, _valid(timing=None, reason="", note="", owner_id=""), WON_CHICK),  # WIN needs nothing
    (OPEN_CHICK, A.EDIT, _valid(timing=None, reason="", note="", owner_id=""), OPEN_CHICK),
    (LOST_CHICK, A.REOPEN, _valid(timing=None, reason="", note="", owner_id=""), OPEN_CHICK),
]


@pytest.mark.parametrize(("state", "action", "inputs", "after"), INPUT_ACCEPTED)
def test_inputs_at_the_edge_are_accepted(state: State, action: Action, inputs: Inputs, after: State) -> None:
    assert decide(state, action, **inputs).after == after


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (OPEN_EGG, [A.HATCH, A.WIN, A.LOSE, A.DROP, A.SNOOZE, A.REASSIGN, A.EDIT, A.NOTE]),
        (OPEN_CHICK, [A.WIN, A.LOSE, A.DROP, A.BACK_TO_EGG, A.REASSIGN, A.EDIT, A.NOTE]),
        (WON_EGG, [A.REOPEN, A.NOTE]),
        (WON_CHICK, [A.REOPEN, A.NOTE]),
        (LOST_EGG, [A.REOPEN, A.NOTE]),
        (LOST_CHICK, [A.REOPEN, A.NOTE]),
        (DROPPED_EGG, [A.REOPEN, A.NOTE]),
        (DROPPED_CHICK, [A.REOPEN, A.NOTE]),
    ],
    ids=[
        _id(state)
        for state in (OPEN_EGG, OPEN_CHICK, WON_EGG, WON_CHICK, LOST_EGG, LOST_CHICK, DROPPED_EGG, DROPPED_CHICK)
    ],
)
def test_available_in_display_order(state: State, offered: list[Action]) -> None:
    assert available(state) == offered


def _allowed(state: State, action: Action) -> bool:
    try:
        decide(state, action, **VALID)
    except Refused:
        return False
    return True


@pytest.mark.parametrize("state", ALL_STATES, ids=_id)
def test_available_offers_exactly_what_decide_allows(state: State) -> None:
    offered = available(state)
    assert len(offered) == len(set(offered))
    assert set(offered) == {action for action in Action if _allowed(state, action)}
    assert (Action.REOPEN in offered) is (state.status is not Status.OPEN)


@pytest.mark.parametrize("state", ALL_STATES, ids=_id)
def test_available_returns_a_copy(state: State) -> None:
    # A caller that adds a button must not change what the next card offers.
    before = list(available(state))
    available(state).append(Action.EDIT)
    available(state).clear()
    assert available(state) == before


def test_refused_carries_its_key_and_params() -> None:
    refused = Refused("lifecycle.timing_past", today="2025-06-02")
    assert isinstance(refused, Exception)
    assert (refused.key, refused.params) == ("lifecycle.timing_past", {"today": "2025-06-02"})
    assert "lifecycle.timing_past" in str(refused)
    assert Refused("lifecycle.not_closed").params == {}
