"""The Confirm / Discard buttons under a proposal in a signal's thread (a person changed hiyoko's
Status, Owner or Timing in the sheet or the Slack List; store/proposals.py).

Only someone with rights on the signal decides (the store checks under the signal's lock); anyone
else is told privately who may. Confirm runs the normal action: won, reopen, reassign, hatch or
an edit of the timing at once; lost and dropped open the usual reason modal first (its trigger_id
dies 3 seconds after the click, so only the database is read before views.open). The question's
buttons are then replaced by who decided; a late click on a decided proposal is answered privately.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import actions
from bot.actions import denied, refusal, tell
from bot.blocks.action_modals import action_modal
from bot.blocks.proposal import CONFIRM_ID, DISCARD_ID, decided_message, question
from bot.deps import BotDeps, deps_of
from i18n import t
from models.lifecycle import Action, Refused
from models.permissions import may_change
from models.signal import Kind, SignalRecord, Status
from store import ChangeRequest, Edit, Edits, Hatch, LifecycleChange, NotFound, NotPermitted, Reassign, Reopen, Win
from store.proposals import CONFIRMED, DISCARDED, Proposal, ProposalStore

log = logging.getLogger(__name__)
PROPOSAL_SUBMIT = "proposal_action_submit"  # the reason modal of a confirmed lost / dropped
_WITH_REASON = {Status.LOST.value: Action.LOSE, Status.DROPPED.value: Action.DROP}


def _store(deps: BotDeps) -> ProposalStore:
    return ProposalStore(deps.store.db, deps.clock)


def _mention(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "hiyoko"


def _already(proposal: Proposal, lang: str) -> str:
    if proposal.state == CONFIRMED:
        return t("proposal.already_confirmed", lang, who=_mention(proposal.decided_by))
    if proposal.state == DISCARDED and proposal.decided_by:
        return t("proposal.already_discarded", lang, who=_mention(proposal.decided_by))
    return t("proposal.superseded", lang)


def _change_of(deps: BotDeps, proposal: Proposal, signal: SignalRecord) -> tuple[LifecycleChange, bool]:
    """The action a confirmed proposal runs (not lost / dropped: those ask a reason first), and
    whether its new owner must be checked with Slack after the ack."""
    if proposal.field == "owner":
        known = deps.users.lookup(proposal.value)
        return Reassign(proposal.value, owner_name=known.name if known else ""), known is None
    if proposal.field == "timing":
        day = date.fromisoformat(proposal.value)
        if signal.kind is Kind.EGG:
            return Hatch(day), False
        return Edit(Edits(timing=day)), False
    return (Reopen() if proposal.value == Status.OPEN.value else Win()), False


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return channel, (body.get("container") or {}).get("message_ts")


def _show_decided(
    deps: BotDeps, client: WebClient, proposal: Proposal, user: str, where: tuple[str | None, str | None]
) -> None:
    """Replace the question's buttons by who decided."""
    channel, ts = where
    if not channel or not ts:
        return
    lang = deps.channel_language
    key = "confirmed_by" if proposal.state == CONFIRMED else "discarded_by"
    text, blocks = decided_message(
        question(proposal.field, proposal.value, proposal.source, lang), key, _mention(user), lang
    )
    client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)


def _read(deps: BotDeps, client: WebClient, body: dict[str, Any], value: str) -> tuple[Proposal, SignalRecord] | None:
    """The proposal clicked and its signal, when the clicker may still decide it; else they are told."""
    user = body["user"]["id"]
    lang = deps.language_for(user)
    proposal = _store(deps).get(int(value)) if value.isdigit() else None
    signal = deps.store.get(proposal.signal_number) if proposal else None
    if proposal is None or signal is None:
        tell(deps, client, body, t("proposal.not_found", lang))
        return None
    if proposal.state != "pending":
        tell(deps, client, body, _already(proposal, lang))
        return None
    if not may_change(user, owner_id=signal.owner_id, submitter_id=signal.submitter_id, managers=deps.managers()):
        tell(deps, client, body, denied(deps, signal, lang))
        return None
    return proposal, signal


def _decide(deps: BotDeps, client: WebClient, body: dict[str, Any], proposal: Proposal, confirm: bool) -> bool:
    """Mark it decided by the clicker (once, with rights checked again in the store)."""
    user = body["user"]["id"]
    lang = deps.language_for(user)
    decision = _store(deps).decide(proposal.id, user, confirm, deps.managers())
    if decision.outcome == "decided":
        return True
    if decision.outcome == "denied" and decision.signal:
        tell(deps, client, body, denied(deps, decision.signal, lang))
    elif decision.outcome == "already" and decision.proposal:
        tell(deps, client, body, _already(decision.proposal, lang))
    else:
        tell(deps, client, body, t("proposal.not_found", lang))
    return False


def on_confirm(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    deps = deps_of(context)
    found = _read(deps, client, body, action.get("value") or "")
    if found is None:
        return
    proposal, signal = found
    user = body["user"]["id"]
    lang = deps.language_for(user)
    where = _where(body)
    if proposal.field == "status" and proposal.value in _WITH_REASON:
        view = action_modal(_WITH_REASON[proposal.value], signal, lang, where[0])
        meta = json.loads(view["private_metadata"])
        meta.update(proposal=proposal.id, message_ts=where[1], message_channel=where[0])
        view.update(callback_id=PROPOSAL_SUBMIT, private_metadata=json.dumps(meta))
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    wanted, check_owner = _change_of(deps, proposal, signal)
    if not _decide(deps, client, body, proposal, confirm=True):
        return
    try:
        deps.store.change(
            signal.number,
            ChangeRequest(wanted, user, deps.users.name_of(user)),
            managers=deps.managers(),
            today=deps.today(),
            check_owner=check_owner,
        )
    except NotPermitted as error:
        _store(deps).undo(proposal.id)
        tell(deps, client, body, denied(deps, error.signal, lang))
        return
    except Refused as refused:
        _store(deps).undo(proposal.id)
        tell(deps, client, body, refusal(deps, refused, lang))
        return
    except NotFound:
        _store(deps).undo(proposal.id)
        tell(deps, client, body, t("proposal.not_found", lang))
        return
    deps.on_change()
    decided = _store(deps).get(proposal.id)
    if decided:
        _show_decided(deps, client, decided, user, where)


def on_discard(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    deps = deps_of(context)
    found = _read(deps, client, body, action.get("value") or "")
    if found is None:
        return
    proposal, _ = found
    if not _decide(deps, client, body, proposal, confirm=False):
        return
    decided = _store(deps).get(proposal.id)
    if decided:
        _show_decided(deps, client, decided, body["user"]["id"], _where(body))


def on_reason_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The reason modal of a confirmed lost / dropped: the normal submission (bot/actions.py), then
    the proposal marked confirmed and its buttons replaced."""
    answered: dict[str, Any] = {}

    def ack_and_remember(*args: Any, **kwargs: Any) -> None:
        answered.update(kwargs, called=True)
        ack(*args, **kwargs)

    actions.on_submit(ack_and_remember, body, view, context)  # type: ignore[arg-type]
    if not answered.get("called") or answered.get("response_action") == "errors":
        return
    deps = deps_of(context)
    meta = json.loads(view.get("private_metadata") or "{}")
    user = body["user"]["id"]
    proposal_id = int(meta.get("proposal") or 0)
    decision = _store(deps).decide(proposal_id, user, True, deps.managers())
    if decision.outcome == "decided" and decision.proposal:
        _show_decided(deps, client, decision.proposal, user, (meta.get("message_channel"), meta.get("message_ts")))


def register(app: App) -> None:
    app.action(CONFIRM_ID)(on_confirm)
    app.action(DISCARD_ID)(on_discard)
    app.view(PROPOSAL_SUBMIT)(on_reason_submit)
