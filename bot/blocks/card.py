"""The signal's card in the channel and the lines in its thread. All user text is escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.text import mrkdwn, text_or_link
from i18n import t
from models.crm import CRM_ACTOR
from models.lifecycle import Action, State, available
from models.routing import Reason
from models.signal import EventRecord, SignalRecord
from models.text import escape_link, escape_mrkdwn, fit

SECTION_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
CARD_EVENT = "hiyoko_signal_card"
OWNER_NOTICE_EVENT = "hiyoko_owner_notified"
EVENT_LINE = "hiyoko_signal_event"


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def actor_of(event: EventRecord, lang: str) -> str:
    """Who did it: a mention, or — for what came from the sheet or the Slack List, where no Slack
    user stands behind the edit — the place it came from; for what came from the CRM, the CRM."""
    if event.actor_id == CRM_ACTOR:
        return escape_mrkdwn(event.actor_name or "CRM")
    if event.actor_id:
        return _mention(event.actor_id)
    return t("actor.list" if event.detail.get("source") == "list" else "actor.sheet", lang)


def why_owner(signal: SignalRecord, lang: str) -> str:
    """Why the owner has the signal ("the account's CSales", "CSales team's turn", "chosen by
    @csm", "@x was deactivated"), mrkdwn; "" for signals from before routing."""
    reason = Reason.from_json(signal.owner_reason)
    if reason is None or reason.why == "nobody":
        return ""
    role = t(f"routing.role.{reason.role.value}", lang) if reason.role else ""
    by = _mention(escape_link(reason.by)) if reason.by else ""
    return t(f"routing.why.{reason.why}", lang, role=role, by=by)


def _field(label: str, value: str) -> dict[str, str]:
    return mrkdwn(f"*{label}*\n{value}", FIELD_MAX)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def metadata(event_type: str, signal: SignalRecord) -> dict[str, Any]:
    """Message metadata that lets a retried delivery find what it already posted."""
    return {"event_type": event_type, "event_payload": {"signal_id": signal.id}}


# Card buttons (the spec's action ids; value = the signal id) and the overflow for the rest.
BUTTON_IDS = {
    Action.HATCH: "signal_hatch",
    Action.WIN: "signal_won",
    Action.LOSE: "signal_lost",
    Action.DROP: "signal_drop",
    Action.REOPEN: "signal_reopen",
}
# Buttons that only direct messages show (a nudge's "still warming", an overdue chick's "back to egg").
DM_BUTTON_IDS = {Action.SNOOZE: "signal_snooze", Action.BACK_TO_EGG: "signal_back_to_egg"}
OVERFLOW_ID = "signal_more"  # option value: "<action>:<signal id>"
OPEN_CRM_ID = "signal_open_crm"  # a link button to the signal's deal in the CRM (issue 15)


def button(action: Action, signal: SignalRecord, lang: str, *, primary: bool = False) -> dict[str, Any]:
    """A button for one action on one signal (value: the signal id)."""
    element: dict[str, Any] = {
        "type": "button",
        "action_id": {**BUTTON_IDS, **DM_BUTTON_IDS}[action],
        "value": signal.id,
        "text": {"type": "plain_text", "text": t(f"action.{action.value}", lang), "emoji": True},
    }
    if primary:
        element["style"] = "primary"
    return element


ACTIONS_BLOCK = "signal_actions"


def actions(signal: SignalRecord, lang: str, crm_name: str = "") -> dict[str, Any]:
    """The buttons of the actions this signal's state allows, the rarer ones in an overflow menu,
    and, once the signal is a deal in the CRM, a link to it."""
    offered = available(State(signal.kind, signal.status))
    buttons: list[dict[str, Any]] = []
    for action in offered:
        if action in BUTTON_IDS:
            # The first is the forward move: hatch an egg, win a chick, reopen a closed one.
            buttons.append(button(action, signal, lang, primary=not buttons))
    rest = [a for a in offered if a not in BUTTON_IDS]
    if rest:
        buttons.append(
            {
                "type": "overflow",
                "action_id": OVERFLOW_ID,
                "options": [
                    {
                        "text": {"type": "plain_text", "text": t(f"action.{a.value}", lang), "emoji": True},
                        "value": f"{a.value}:{signal.id}",
                    }
                    for a in rest
                ],
            }
        )
    if signal.crm_url and signal.crm_url.startswith(("https://", "http://")):
        label = t("card.open_in_crm", lang, crm=crm_name or "CRM")
        buttons.append(
            {
                "type": "button",
                "action_id": OPEN_CRM_ID,
                "text": {"type": "plain_text", "text": fit(label, 75), "emoji": True},
                "url": signal.crm_url[:3000],
                "value": signal.id,
            }
        )
    return {"type": "actions", "block_id": ACTIONS_BLOCK, "elements": buttons}


def card(
    signal: SignalRecord, lang: str, zone: ZoneInfo, last: EventRecord | None = None, crm_name: str = ""
) -> tuple[str, list[dict[str, Any]]]:
    """The notification text and the blocks of a signal's card (with its last change, if any;
    `crm_name` labels the link to its deal)."""
    none = t("card.none", lang)
    customer = escape_mrkdwn(signal.customer)
    title = f"{signal.kind.emoji} {signal.customer}"
    quoted = "\n".join(f">{line}" for line in escape_mrkdwn(signal.summary).split("\n"))
    context = t("card.shared_at", lang, id=signal.id, when=_when(signal.created_at, zone))
    if signal.source:
        context += f" · {t('field.source', lang)}: {text_or_link(signal.source)}"
    if last is not None and last.action != "submitted":
        context += " · " + t(
            "card.last_change",
            lang,
            when=_when(last.at, zone),
            actor=actor_of(last, lang),
            action=t(f"action.{last.action}", lang),
        )
    status = t(f"status.{signal.status.value}", lang)
    if signal.close_reason:
        status += "\n" + t("card.reason", lang, reason=escape_mrkdwn(signal.close_reason))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(title, HEADER_MAX), "emoji": True}},
        {
            "type": "section",
            "fields": [
                _field(t("field.kind", lang), t(f"kind.{signal.kind.value}", lang)),
                _field(t("field.category", lang), t(f"category.{signal.category.value}", lang)),
                _field(
                    t("field.timing", lang), signal.timing.isoformat() if signal.timing else t("card.no_timing", lang)
                ),
                _field(t("field.size", lang), escape_mrkdwn(signal.size) or none),
                _field(
                    t("field.owner", lang),
                    "\n".join(filter(None, (_mention(signal.owner_id), why_owner(signal, lang)))),
                ),
                _field(t("field.submitter", lang), _mention(signal.submitter_id)),
                _field(t("field.status", lang), status),
            ],
        },
        {"type": "section", "text": mrkdwn(quoted, SECTION_MAX)},
        {"type": "context", "elements": [mrkdwn(context, SECTION_MAX)]},
        actions(signal, lang, crm_name),
    ]
    text = t("card.fallback", lang, emoji=signal.kind.emoji, customer=customer, id=signal.id)
    return text, blocks


def owner_notice(signal: SignalRecord, lang: str) -> str:
    """The thread reply that pings the owner (and credits the submitter), and why they got it."""
    why = why_owner(signal, lang)
    line = t(
        "thread.assigned",
        lang,
        owner=_mention(signal.owner_id),
        submitter=_mention(signal.submitter_id),
        emoji=signal.kind.emoji,
        kind=t(f"kind.{signal.kind.value}.short", lang),
        customer=escape_mrkdwn(signal.customer),
    )
    return line + t("routing.why.line", lang, why=why) if why else line


def event_line(event: EventRecord, lang: str) -> str:
    """The thread line for one change: who did what ("🐣 hatched by @a — timing 2027-04-01")."""
    detail = event.detail
    params: dict[str, object] = {
        "actor": actor_of(event, lang),
        "note": escape_mrkdwn(event.note),
        "timing": detail.get("timing", ""),
        "old": _mention(detail["from"]) if detail.get("from") else "",
        "new": _mention(detail["to"]) if detail.get("to") else "",
        "until": detail.get("until", ""),
        "fields": "、".join(t(f"edit.fields.{f}", lang) for f in detail.get("fields", "").split(",") if f)
        or t("edit.fields.none", lang),
    }
    if event.action == "sheet_note":  # a person's cell in the sheet or Slack List (issue 14)
        value = detail.get("value", "")
        params["where"] = t(f"readback.where.{detail.get('source', 'sheet')}", lang)
        params["column"] = escape_mrkdwn(detail.get("column", ""))
        params["value"] = escape_mrkdwn(value) if value else t("readback.cleared", lang)
    if event.actor_id == CRM_ACTOR:  # issue 15: what the CRM did, or the deal made in it
        return fit(crm_line(event, lang), 3900)
    line = t(f"thread.{event.action}", lang, **params)
    if event.note and event.action in ("hatch", "back_to_egg", "reassign", "win", "reopen"):
        line += t("thread.with_note", lang, note=escape_mrkdwn(event.note).replace("\n", "\n> "))
    return fit(line, 3900)


def crm_line(event: EventRecord, lang: str) -> str:
    """The thread line of a change that came from the CRM ("HubSpotで受注になりました"), or of the
    deal made there, saying what the CRM could not match."""
    crm = escape_mrkdwn(event.actor_name or "CRM")
    if event.action != "crm_deal":
        return t(f"thread.crm.{event.action}", lang, crm=crm)
    line = t("thread.crm_deal", lang, crm=crm)
    if event.detail.get("company_found") == "0":
        line += t("thread.crm_deal.no_company", lang, crm=crm, customer=escape_mrkdwn(event.detail.get("customer", "")))
    if event.detail.get("owner_found") == "0":
        line += t("thread.crm_deal.no_owner", lang, crm=crm)
    return line
