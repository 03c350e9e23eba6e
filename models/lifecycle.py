"""The lifecycle of a signal as pure rules: which action is allowed in which state, and what it does.

Listeners and the store ask `decide` before they write anything, so a stale button on an old card
(say "won" on a signal someone already dropped) is refused with a catalog key instead of acting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.signal import Kind, Status


class Action(StrEnum):
    HATCH = "hatch"  # open egg -> open chick; needs a timing not before today
    BACK_TO_EGG = "back_to_egg"  # open chick -> open egg (timing slipped); the timing is cleared
    WIN = "win"  # open -> won
    LOSE = "lose"  # open -> lost; needs a reason (kept: the lesson)
    DROP = "drop"  # open -> dropped; needs a reason
    REOPEN = "reopen"  # closed -> open (kind unchanged, reason cleared)
    REASSIGN = "reassign"  # open only; needs a different owner
    EDIT = "edit"  # open only; fields change, the state does not
    NOTE = "note"  # any state; needs a note
    SNOOZE = "snooze"  # open egg only: "still warming", quiets stale-egg nudges for a while


@dataclass(frozen=True)
class State:
    kind: Kind
    status: Status


@dataclass(frozen=True)
class Change:
    """What an allowed action does to the state."""

    action: Action
    before: State
    after: State
    clears_timing: bool = False  # BACK_TO_EGG: an egg has no timing
    clears_reason: bool = False  # REOPEN: the old reason no longer explains the status
    sets_reason: bool = False  # LOSE, DROP


class Refused(Exception):
    """An action the current state does not allow. `key` is an i18n catalog key, `params` fill it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params: dict[str, object] = dict(params)

    def __str__(self) -> str:
        return f"{self.key} {self.params}" if self.params else self.key


# Actions a closed signal still accepts: reopening it, and remarks on it (a lost deal's post-mortem).
_ON_CLOSED = frozenset({Action.REOPEN, Action.NOTE})


def _blank(text: str) -> bool:
    return not text.strip()


def decide(
    state: State,
    action: Action,
    *,
    today: date,
    timing: date | None = None,
    reason: str = "",
    note: str = "",
    owner_id: str = "",
    current_owner_id: str = "",
) -> Change:
    """The change `action` makes from `state`, or Refused.

    Checks closed-ness first, then kind, then inputs, so the refusal names the most basic problem
    (a closed signal is "already closed", not "needs a reason").
    """
    closed = state.status is not Status.OPEN
    if closed and action not in _ON_CLOSED:
        raise Refused("lifecycle.already_closed", status=state.status.value)
    if action is Action.REOPEN and not closed:
        raise Refused("lifecycle.not_closed")
    if action in (Action.HATCH, Action.SNOOZE) and state.kind is not Kind.EGG:
        raise Refused("lifecycle.not_an_egg")
    if action is Action.BACK_TO_EGG and state.kind is not Kind.CHICK:
        raise Refused("lifecycle.not_a_chick")

    same = Change(action, state, state)
    match action:
        case Action.HATCH:
            if timing is None:
                raise Refused("lifecycle.timing_required")
            if timing < today:
                raise Refused("lifecycle.timing_past", today=today.isoformat())
            return Change(action, state, State(Kind.CHICK, Status.OPEN))
        case Action.BACK_TO_EGG:
            return Change(action, state, State(Kind.EGG, Status.OPEN), clears_timing=True)
        case Action.WIN:
            return Change(action, state, State(state.kind, Status.WON))
        case Action.LOSE | Action.DROP:
            if _blank(reason):
                raise Refused("lifecycle.reason_required")
            status = Status.LOST if action is Action.LOSE else Status.DROPPED
            return Change(action, state, State(state.kind, status), sets_reason=True)
        case Action.REOPEN:
            return Change(action, state, State(state.kind, Status.OPEN), clears_reason=True)
        case Action.REASSIGN:
            if _blank(owner_id) or owner_id.strip() == current_owner_id.strip():
                raise Refused("lifecycle.same_owner")
            return same
        case Action.EDIT | Action.SNOOZE:
            return same
        case Action.NOTE:
            if _blank(note):
                raise Refused("lifecycle.note_required")
            return same
    raise AssertionError(f"unhandled action {action!r}")  # pragma: no cover - the match is exhaustive


_OPEN_EGG = [
    Action.HATCH,
    Action.WIN,
    Action.LOSE,
    Action.DROP,
    Action.SNOOZE,
    Action.REASSIGN,
    Action.EDIT,
    Action.NOTE,
]
_OPEN_CHICK = [Action.WIN, Action.LOSE, Action.DROP, Action.BACK_TO_EGG, Action.REASSIGN, Action.EDIT, Action.NOTE]
_CLOSED = [Action.REOPEN, Action.NOTE]


def available(state: State) -> list[Action]:
    """The actions a card or App Home row should offer in this state, in display order.

    The forward move comes first (hatch for an egg), the step back for a chick after the outcomes,
    since slipping is the exception.
    """
    if state.status is not Status.OPEN:
        return list(_CLOSED)
    return list(_OPEN_EGG if state.kind is Kind.EGG else _OPEN_CHICK)
