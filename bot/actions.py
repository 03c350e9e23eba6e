"""The card's buttons and overflow (also on App Home rows): every lifecycle action.

Rights and state are checked by the store inside the change's transaction; the early check
here only spares people a modal they could not submit. Refusals are told to the one person
who clicked, never to the channel. Nothing before a views.open asks Slack: its trigger_id dies
3 seconds after the click, so names, locales and managers come from the user directory.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.action_modals import CALLBACK_ID, FIRST_INPUT, NOTE_MAX, action_modal, message_modal
from bot.blocks.card import BUTTON_IDS, DM_BUTTON_IDS, OVERFLOW_ID
from bot.deps import BotDeps, deps_of
from bot.owner_check import PICK_OWNER
from bot.users import problem_of
from bot.views import read_text
from i18n import t
from models.lifecycle import Action, Refused
from models.permissions import may_change
from models.signal import Category, Kind, SignalDraft, SignalRecord, parse_signal_id
from models.text import escape_mrkdwn
from models.validation import Problem, validate_draft
from store import (
    BackToEgg,
    ChangeRequest,
    Drop,
    Edit,
    Edits,
    Hatch,
    LifecycleChange,
    Lose,
    Note,
    NotFound,
    NotPermitted,
    Reassign,
    Reopen,
    Snooze,
    Win,
)

log = logging.getLogger(__name__)
ACTION_OF_BUTTON = {action_id: action for action, action_id in {**BUTTON_IDS, **DM_BUTTON_IDS}.items()}
ACTION_OF_BUTTON[PICK_OWNER] = Action.REASSIGN  # the DM telling a CSM their chosen owner cannot own it
NEEDS_INPUT = frozenset({Action.HATCH, Action.LOSE, Action.DROP, Action.REASSIGN, Action.EDIT, Action.NOTE})
_WITHOUT_INPUT: dict[Action, LifecycleChange] = {
    Action.WIN: Win(),
    Action.REOPEN: Reopen(),
    Action.BACK_TO_EGG: BackToEgg(),
}


def _mention_name(deps: BotDeps, user_id: object, plain: bool) -> str:
    # A display name is whatever its owner typed: escaped in messages, so `<!channel>` pings
    # nobody; a modal's field error is plain text, shown as it is.
    name = deps.users.name_of(str(user_id))
    return "@" + name if plain else escape_mrkdwn("@" + name)  # a name "here" must not make "@here"


def denied(deps: BotDeps, signal: SignalRecord, lang: str, plain: bool = False) -> str:
    return t(
        "permission.denied",
        lang,
        id=signal.id,
        owner=_mention_name(deps, signal.owner_id, plain),
        submitter=_mention_name(deps, signal.submitter_id, plain),
    )


def refusal(deps: BotDeps, refused: Refused, lang: str, plain: bool = False) -> str:
    params = dict(refused.params)
    if "by" in params:
        params["by"] = _mention_name(deps, params["by"], plain)
    if "status" in params:
        params["status"] = t(f"status.{params['status']}", lang)
    return t(refused.key, lang, **params)


def tell(deps: BotDeps, client: WebClient, body: dict[str, Any], text: str) -> None:
    """Only the clicker sees it: an ephemeral message under the card, or a modal on App Home."""
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=message_modal(text, deps.language_for(user)))


def _change(deps: BotDeps, number: int, request: ChangeRequest, check_owner: bool = False) -> None:
    deps.store.change(number, request, managers=deps.managers(), today=deps.today(), check_owner=check_owner)
    deps.on_change()


def handle(deps: BotDeps, body: dict[str, Any], action: Action, signal_id: str, client: WebClient) -> None:
    """A click on a card or App Home row: a modal for actions that need input, else the change."""
    user = body["user"]["id"]
    lang = deps.language_for(user)
    number = parse_signal_id(signal_id)
    signal = deps.store.get(number) if number else None
    if signal is None:
        tell(deps, client, body, t("signal.not_found", lang, id=signal_id))
        return
    if not may_change(user, owner_id=signal.owner_id, submitter_id=signal.submitter_id, managers=deps.managers()):
        tell(deps, client, body, denied(deps, signal, lang))
        return
    if action in NEEDS_INPUT:
        channel = (body.get("channel") or {}).get("id")
        client.views_open(trigger_id=body["trigger_id"], view=action_modal(action, signal, lang, channel))
        return
    snooze_until = deps.clock.now() + timedelta(days=deps.settings.hiyoko_snooze_days)
    wanted = Snooze(snooze_until) if action is Action.SNOOZE else _WITHOUT_INPUT[action]
    request = ChangeRequest(wanted, user, deps.users.name_of(user))
    try:
        _change(deps, signal.number, request)
    except NotPermitted as error:
        tell(deps, client, body, denied(deps, error.signal, lang))
    except Refused as refused:
        tell(deps, client, body, refusal(deps, refused, lang))


def on_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    handle(deps_of(context), body, ACTION_OF_BUTTON[action["action_id"]], action.get("value") or "", client)


def on_overflow(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    name, _, signal_id = (action.get("selected_option") or {}).get("value", "").partition(":")
    if name in {a.value for a in Action}:
        handle(deps_of(context), body, Action(name), signal_id, client)


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """An action modal was submitted: its fields checked in the ack, then the change."""
    deps = deps_of(context)
    meta = json.loads(view.get("private_metadata") or "{}")
    action, number, lang = Action(meta["action"]), int(meta["signal"]), meta.get("lang", "ja")
    values = view["state"]["values"]
    user = body["user"]["id"]
    signal = deps.store.get(number)
    first = FIRST_INPUT[action]
    if signal is None:
        ack(response_action="errors", errors={first: t("signal.not_found", lang, id=f"#{number}")})
        return
    wanted, problems = read_request(action, values, signal, deps.today())
    reassign = isinstance(wanted, Reassign)
    # A new owner the directory does not know yet is taken by id and checked after the ack.
    new_owner = deps.users.lookup(wanted.owner_id) if isinstance(wanted, Reassign) and wanted.owner_id else None
    if reassign and "owner" not in problems and new_owner is not None:
        problem = problem_of(new_owner)
        if problem:
            problems["owner"] = problem
    if problems or wanted is None:
        ack(response_action="errors", errors={field: t(p.key, lang, **p.params) for field, p in problems.items()})
        return
    if isinstance(wanted, Reassign):
        wanted = replace(wanted, owner_name=new_owner.name if new_owner else wanted.owner_id)
    request = ChangeRequest(wanted, user, deps.users.name_of(user))
    try:
        _change(deps, number, request, check_owner=reassign and new_owner is None)
    except NotPermitted as error:
        ack(response_action="errors", errors={first: denied(deps, error.signal, lang, plain=True)})
        return
    except Refused as refused:
        field = "timing" if refused.key.startswith("lifecycle.timing") and action is Action.HATCH else first
        ack(response_action="errors", errors={field: refusal(deps, refused, lang, plain=True)})
        return
    except NotFound:
        ack(response_action="errors", errors={first: t("signal.not_found", lang, id=f"#{number}")})
        return
    ack()


def register(app: App) -> None:
    for action_id in ACTION_OF_BUTTON:
        app.action(action_id)(on_button)
    app.action(OVERFLOW_ID)(on_overflow)
    app.view(CALLBACK_ID)(on_submit)


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    state: dict[str, Any] = (values.get(block_id) or {}).get(block_id) or {}
    return state


def _date(values: dict[str, Any], block_id: str) -> date | None:
    picked = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(picked) if picked else None
    except ValueError:
        return None


def read_request(
    action: Action, values: dict[str, Any], signal: SignalRecord, today: date
) -> tuple[LifecycleChange | None, dict[str, Problem]]:
    """The change a submitted action modal asks for, and the problems of its fields. The change is
    None only with problems (a hatch without a timing) or for an action that has no modal."""
    problems: dict[str, Problem] = {}
    note = read_text(values, "note")
    reason = read_text(values, "reason")
    for field, text in (("note", note), ("reason", reason)):
        if len(text) > NOTE_MAX:
            problems[field] = Problem("error.too_long", {"limit": NOTE_MAX, "length": len(text)})
    if action in (Action.LOSE, Action.DROP) and not reason:
        problems["reason"] = Problem("lifecycle.reason_required")
    if action is Action.NOTE and not note:
        problems["note"] = Problem("lifecycle.note_required")
    timing = _date(values, "timing")
    if action is Action.HATCH:
        if timing is None:
            problems["timing"] = Problem("lifecycle.timing_required")
        elif timing < today:
            problems["timing"] = Problem("lifecycle.timing_past", {"today": today.isoformat()})
    owner = _value(values, "owner").get("selected_user") or ""
    if action is Action.REASSIGN and (not owner or owner == signal.owner_id):
        problems["owner"] = Problem("lifecycle.same_owner")
    with_input: dict[Action, LifecycleChange | None] = {
        Action.HATCH: Hatch(timing, note) if timing else None,
        Action.LOSE: Lose(reason),
        Action.DROP: Drop(reason),
        Action.REASSIGN: Reassign(owner, note),
        Action.NOTE: Note(note),
    }
    wanted = with_input.get(action)
    if action is Action.EDIT:
        category = (_value(values, "category").get("selected_option") or {}).get("value", signal.category.value)
        draft = SignalDraft(
            customer=read_text(values, "customer"),
            kind=signal.kind,
            category=Category(category) if category in {c.value for c in Category} else signal.category,
            summary=read_text(values, "summary"),
            timing=timing,
            owner_id=signal.owner_id,
            size=read_text(values, "size"),
        )
        problems.update(validate_draft(draft, today))
        if timing == signal.timing and problems.get("timing") and problems["timing"].key == "error.timing_past":
            del problems["timing"]  # an overdue chick's old timing may stay as it is
        if signal.kind is Kind.EGG and timing is None:
            problems.pop("timing", None)
        wanted = Edit(
            Edits(
                customer=draft.customer,
                category=draft.category,
                summary=draft.summary,
                size=draft.size,
                timing=timing,
                clear_timing=timing is None,
            )
        )
    return wanted, problems
