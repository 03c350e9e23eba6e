"""The share modal's submission: validate in the ack, store, close the modal.

Everything before the ack reads local data only (the database and the user directory): Slack
answers a submission with an error after 3 seconds, whatever we do later. An owner or submitter
the directory does not know yet is checked with Slack after the ack (Target.CHECK_OWNER).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks.action_modals import message_modal
from bot.blocks.modal import CALLBACK_ID, duplicate_warning, language_of_view, share_modal
from bot.deps import BotDeps, deps_of
from bot.suggestions import after_share, suggestion_metadata
from bot.users import problem_of
from i18n import t
from models.lifecycle import Refused
from models.permissions import may_change
from models.signal import Category, Kind, SignalDraft, Status, parse_signal_id
from models.text import clean_text
from models.validation import Problem, validate_draft
from store import ChangeRequest, NobodyToRoute, Note, NotFound, NotPermitted
from store.routing import route_request_of
from store.suggestions import NOTED

log = logging.getLogger(__name__)


def _value(values: dict[str, Any], block_id: str) -> Any:
    """The element state of one input block (action_id == block_id), or {}."""
    return (values.get(block_id) or {}).get(block_id) or {}


def read_text(values: dict[str, Any], block_id: str) -> str:
    """A text input's value, trimmed ("" when empty or absent)."""
    return clean_text(_value(values, block_id).get("value") or "")


def _choice(values: dict[str, Any], block_id: str) -> str:
    return ((_value(values, block_id).get("selected_option") or {}).get("value")) or ""


def read_draft(values: dict[str, Any]) -> tuple[SignalDraft | None, dict[str, Problem]]:
    """The draft a modal state describes, or the fields that cannot even be read."""
    problems: dict[str, Problem] = {}
    kind = _choice(values, "kind")
    category = _choice(values, "category")
    owner = _value(values, "owner").get("selected_user") or ""
    picked_date = _value(values, "timing").get("selected_date")
    if kind not in {k.value for k in Kind}:
        problems["kind"] = Problem("error.required")
    if category not in {c.value for c in Category}:
        problems["category"] = Problem("error.required")
    timing = None
    if picked_date:
        try:
            timing = date.fromisoformat(picked_date)
        except ValueError:
            problems["timing"] = Problem("error.required")
    if problems:
        return None, problems
    return SignalDraft(
        customer=read_text(values, "customer"),
        kind=Kind(kind),
        category=Category(category),
        summary=read_text(values, "summary"),
        timing=timing,
        owner_id=owner,
        size=read_text(values, "size"),
        source=read_text(values, "source"),
    ), {}


def submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient | None = None
) -> None:
    """The share modal was submitted: errors, a duplicate warning, a note, or a stored signal."""
    deps = deps_of(context)
    heard = suggestion_metadata(view)  # opened from a hint heard in a customer channel (issue 13)
    lang = language_of_view(view, deps.settings.hiyoko_language)
    draft, problems = read_draft(view["state"]["values"])
    user = body["user"]
    # One read of the directory for both people (the ack path never asks Slack). Someone it
    # does not know yet is stored by id; the relay asks Slack after the ack (fills the name,
    # tells the CSM if the owner cannot own it).
    people = {user["id"], draft.owner_id} - {""} if draft else set()
    known = deps.users.directory.get_many(people) if draft else {}
    if draft is not None:
        problems = validate_draft(draft, deps.today())
        refusal = problem_of(known[draft.owner_id]) if draft.owner_id in known else None
        if refusal:
            problems["owner"] = refusal
    if problems or draft is None:
        ack(
            response_action="errors",
            errors={field: t(problem.key, lang, **problem.params) for field, problem in problems.items()},
        )
        return
    choice = _choice(view["state"]["values"], "duplicate")
    if not choice:
        duplicates = deps.store.open_duplicates(draft.customer, draft.category)
        if duplicates:
            warning = duplicate_warning(lang, draft.customer, duplicates, deps.today(), deps.settings.timezone)
            ack(response_action="update", view=share_modal(lang, draft=draft, warning=warning, metadata=heard))
            return
    elif choice.startswith("note:"):
        noted = add_as_note(deps, ack, choice.removeprefix("note:"), draft, user["id"], lang)
        if noted and heard:
            after_share(deps, client, heard, noted, user["id"], NOTED)
        return
    # An empty owner is routed in the same transaction (accounts, teams: the database only); when
    # nobody can take it, the modal asks for an owner and nothing is stored.
    # Written before the ack (a few ms on the local database): if the write fails, the
    # error shows on the still-open modal and nothing the CSM typed is lost. The view id is
    # the submission key, so a submit Slack delivers twice stores one signal.
    try:
        result = deps.store.submit(
            draft,
            submitter_id=user["id"],
            submitter_name=known[user["id"]].name if user["id"] in known else user["id"],
            owner_name=known[draft.owner_id].name if draft.owner_id in known else draft.owner_id,
            submission_key=f"view:{view['id']}",
            check_owner=len(known) < len(people),
            route=route_request_of(deps.settings, deps.today()),
        )
    except NobodyToRoute:
        ack(response_action="errors", errors={"owner": t("routing.nobody", lang)})
        return
    except SQLAlchemyError:
        log.exception("could not store a submitted signal")
        ack(response_action="errors", errors={"summary": t("error.save_failed", lang)})
        return
    ack()
    log.info("signal %s stored (new=%s) by %s", result.signal.id, result.created, user["id"])
    deps.on_change()
    if heard:
        after_share(deps, client, heard, result.signal.number, user["id"])


def add_as_note(deps: BotDeps, ack: Ack, signal_id: str, draft: SignalDraft, user_id: str, lang: str) -> int | None:
    """The CSM chose to add what they heard to the existing signal instead of a new one.

    The view state is the client's word, not ours: the target must be one of the open
    duplicates we would show for this customer and category, or an open signal the CSM has
    rights on. The store checks again, in the transaction, that it is still open."""
    number = parse_signal_id(signal_id) or 0
    duplicate = any(s.number == number for s in deps.store.open_duplicates(draft.customer, draft.category))
    target = deps.store.get(number) if number else None
    managers = deps.managers()
    allowed = (
        target is not None
        and target.status is Status.OPEN
        and (
            duplicate
            or may_change(user_id, owner_id=target.owner_id, submitter_id=target.submitter_id, managers=managers)
        )
    )
    if not allowed:
        ack(response_action="errors", errors={"duplicate": t("duplicate.not_a_target", lang, id=signal_id[:20])})
        return None
    note = "\n".join(part for part in (draft.summary, draft.size, draft.source) if part)
    request = ChangeRequest(Note(note), user_id, deps.users.name_of(user_id))
    try:
        deps.store.change(
            number, request, managers=managers, today=deps.today(), anyone_may_note=duplicate, open_only=True
        )
    except (NotFound, NotPermitted, Refused):
        ack(response_action="errors", errors={"duplicate": t("duplicate.not_a_target", lang, id=signal_id[:20])})
        return None
    ack(response_action="update", view=message_modal(t("duplicate.noted", lang, id=signal_id), lang))
    deps.on_change()
    return number


def register(app: App) -> None:
    app.view(CALLBACK_ID)(submit)
