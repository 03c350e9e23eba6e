"""After the ack: who is the owner the directory did not know when the signal was shared?

The relay calls OwnerCheck for Target.CHECK_OWNER. It asks Slack (users.info), keeps the answer
in the directory, puts the real names on the signal, and when the owner cannot own it (a bot,
deactivated, not in the workspace) tells the submitter in a DM with a button to pick another
owner. The signal stays as it is either way: nothing the CSM shared is lost.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.users import UserDirectory, problem_of
from i18n import language_of, t
from models.signal import SignalRecord
from models.text import escape_mrkdwn, fit
from settings import Settings
from store import SignalStore

log = logging.getLogger(__name__)

PICK_OWNER = "signal_pick_owner"  # action_id of the DM button; value = signal id
_WHY = {"error.unknown_user": "unknown", "error.bot_user": "bot", "error.deactivated_user": "deactivated"}


def pick_owner_message(signal: SignalRecord, why: str, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """The DM to the submitter: which signal, why its owner cannot own it, and a button."""
    text = t(
        "owner_check.problem",
        lang,
        id=signal.id,
        customer=escape_mrkdwn(fit(signal.customer, 100)),
        owner=signal.owner_id,
        why=t(f"owner_check.why.{why}", lang),
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": PICK_OWNER,
                    "value": signal.id,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": t("owner_check.pick", lang), "emoji": True},
                }
            ],
        },
    ]
    return text, blocks


class OwnerCheck:
    def __init__(self, client: WebClient, users: UserDirectory, store: SignalStore, settings: Settings) -> None:
        self.client = client
        self.users = users
        self.store = store
        self.settings = settings

    def __call__(self, signal: SignalRecord) -> None:
        # Slack failures raise: the relay retries the outbox row later.
        owner = self.users.fetch(signal.owner_id)
        names = {signal.owner_id: owner.name} if owner else {}
        try:
            submitter = self.users.lookup_or_fetch(signal.submitter_id)
        except SlackApiError as error:  # the name can wait for the next refresh; the check cannot
            log.info("could not read submitter %s: %s", signal.submitter_id, error.response.get("error"))
            submitter = None
        if submitter:
            names[signal.submitter_id] = submitter.name
        self.store.fill_names(signal.number, names)
        problem = problem_of(owner)
        if problem is None:
            return
        lang = language_of(submitter.locale if submitter else None, self.settings.hiyoko_language)
        text, blocks = pick_owner_message(signal, _WHY[problem.key], lang)
        log.info(
            "owner %s of %s cannot own it (%s): telling %s",
            signal.owner_id,
            signal.id,
            problem.key,
            signal.submitter_id,
        )
        self.client.chat_postMessage(channel=signal.submitter_id, text=text, blocks=blocks)
