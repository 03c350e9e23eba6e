"""The Workflow Builder step "Share an upsell signal / アップセル予兆を共有" (a custom step,
callback_id `share_signal_step`), so a team keeps its own form and adds our step after it.

Inputs are what a form collects, read the way people type them: the kind as egg/chick, 卵/ひよこ
or 🥚/🐣; the category as its value or its label in either language; the timing as a date or as
"2027/4/1", "2027年4月", "4月頃", "来年3月" (a month without a year is the next such month; a
month-only timing in the current month means today); an empty owner is routed as from the
modal (and fails the step when nobody can take it). Valid input goes the modal's way: the same
validation and owner check, one transaction with its outbox (card, thread, sheet, History,
App Homes). The function execution id is the submission key, so a retried `function_executed`
event stores one signal. Invalid input fails the step in the workspace language
(HIYOKO_LANGUAGE) and stores nothing.

The step completes once the relay has posted the card, with `signal_id` and the card's
`permalink`. If the card is not there within PERMALINK_WAIT_SECONDS (Slack slow or down), the
step completes anyway — the signal is stored and its card will follow — with the signals
channel's link as `permalink`. The waiting is done by a small thread pool of the step's own,
never by Bolt's listener threads; a process stopping while a step waits completes it first (at
most PERMALINK_WAIT_SECONDS later), so Workflow Builder is not left with a step never answered.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import App, BoltContext, Complete, Fail
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.deps import BotDeps, deps_of
from bot.users import problem_of
from i18n import t
from models.signal import Category, Kind, SignalDraft
from models.text import clean_text
from models.timing import Unreadable, parse_timing
from models.validation import Problem, validate_draft
from models.words import parse_category, parse_kind
from ops.logs import ContextExecutor
from store import NobodyToRoute
from store.routing import route_request_of

log = logging.getLogger(__name__)

CALLBACK_ID = "share_signal_step"
INPUTS = ("customer", "kind", "category", "summary", "timing", "owner", "submitter", "size", "source")
OUTPUTS = ("signal_id", "permalink")
PERMALINK_WAIT_SECONDS = 20.0
POLL_SECONDS = 0.1
WAITERS = 8
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def _text(inputs: dict[str, Any], name: str) -> str:
    value = inputs.get(name)
    return "" if value is None else clean_text(str(value))


def user_id_of(value: str) -> str:
    """A user input is a plain id; forms that pass a mention (`<@U123>`) work too."""
    mention = _MENTION.fullmatch(value)
    return mention[1] if mention else value


def read_inputs(inputs: dict[str, Any], today: date) -> tuple[SignalDraft, dict[str, Problem]]:
    """The draft the step's inputs describe, and every input that is wrong (validation included).

    An unreadable kind or category is reported and stands in as egg/other, so the other inputs
    are still checked and one failure names everything to fix."""
    problems: dict[str, Problem] = {}
    raw_kind, raw_category, raw_timing = _text(inputs, "kind"), _text(inputs, "category"), _text(inputs, "timing")
    kind = parse_kind(raw_kind)
    category = parse_category(raw_category)
    if kind is None:
        problems["kind"] = Problem("workflow.bad_kind", {"value": raw_kind}) if raw_kind else Problem("error.required")
    if category is None:
        problems["category"] = (
            Problem("workflow.bad_category", {"value": raw_category}) if raw_category else Problem("error.required")
        )
    timing = None
    try:
        parsed = parse_timing(raw_timing, today)
    except Unreadable:
        problems["timing"] = Problem("workflow.bad_timing", {"value": raw_timing})
    else:
        if parsed is not None:
            timing = parsed.day
            # "4月" in April is this month, not a day already gone.
            if not parsed.precise and timing < today and (timing.year, timing.month) == (today.year, today.month):
                timing = today
    owner = user_id_of(_text(inputs, "owner"))  # "" : routed when stored, as from the modal
    draft = SignalDraft(
        customer=_text(inputs, "customer"),
        kind=kind or Kind.EGG,
        category=category or Category.OTHER,
        summary=_text(inputs, "summary"),
        timing=timing,
        owner_id=owner,
        size=_text(inputs, "size"),
        source=_text(inputs, "source"),
    )
    for name, problem in validate_draft(draft, today).items():
        problems.setdefault(name, problem)
    return draft, problems


def failure_message(problems: dict[str, Problem], lang: str) -> str:
    """One message naming every input that is wrong and why, in the workspace language."""
    ordered = sorted(problems.items(), key=lambda item: INPUTS.index(item[0]) if item[0] in INPUTS else len(INPUTS))
    parts = [
        f"{t(f'workflow.input.{name}', lang)}: {t(problem.key, lang, **problem.params)}" for name, problem in ordered
    ]
    return t("workflow.failed", lang, problems=" / ".join(parts))


# Steps waiting for their card: a small pool of their own (never Bolt's listener threads), which
# carries the request id into its threads for the logs.
_waiters = ContextExecutor(max_workers=WAITERS, thread_name_prefix="workflow-step")


def share(inputs: dict[str, Any] | None, complete: Complete, fail: Fail, context: BoltContext) -> None:
    """function_executed for our step: validate, store, then complete it once the card is posted."""
    deps = deps_of(context)
    lang = deps.channel_language
    execution_id = context.function_execution_id or ""
    draft, problems = read_inputs(inputs or {}, deps.today())
    submitter = user_id_of(_text(inputs or {}, "submitter"))
    if not submitter:
        problems["submitter"] = Problem("error.required")
    elif _unknown(deps, submitter):
        problems["submitter"] = Problem("error.unknown_user")
    if draft.owner_id:
        refusal = _owner_problem(deps, draft.owner_id)
        if refusal:
            problems["owner"] = refusal
    if problems:
        log.info("workflow step %s refused: %s", execution_id, sorted(problems))
        _call(fail, error=failure_message(problems, lang))
        return
    try:
        result = deps.store.submit(
            draft,
            submitter_id=submitter,
            submitter_name=deps.users.name_of(submitter),
            owner_name=deps.users.name_of(draft.owner_id) if draft.owner_id else "",
            submission_key=f"wf:{execution_id}",
            route=route_request_of(deps.settings, deps.today()),
        )
    except NobodyToRoute:
        log.info("workflow step %s refused: nobody to route to", execution_id)
        message = failure_message({"owner": Problem("routing.nobody")}, lang)
        _call(fail, error=message)
        return
    except SQLAlchemyError:
        log.exception("could not store a signal from workflow step %s", execution_id)
        _call(fail, error=t("workflow.save_failed", lang))
        return
    log.info("signal %s stored from workflow step %s (new=%s)", result.signal.id, execution_id, result.created)
    deps.on_change()
    deadline = time.monotonic() + PERMALINK_WAIT_SECONDS
    _waiters.submit(_finish_logged, deps, result.signal.number, result.signal.id, complete, deadline)


def _finish_logged(deps: BotDeps, number: int, signal_id: str, complete: Complete, deadline: float) -> None:
    try:
        finish(deps, number, signal_id, complete, deadline)
    except Exception:  # a pool's future would keep it silent
        log.exception("could not complete workflow step for signal %s", signal_id)


def finish(deps: BotDeps, number: int, signal_id: str, complete: Complete, deadline: float) -> None:
    """Complete the step once the relay has posted the card (or the wait is over)."""
    permalink = None
    while True:
        try:
            signal = deps.store.get(number)
        except SQLAlchemyError:
            signal = None
        permalink = signal.card_permalink if signal else None
        if permalink or time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    if not permalink:
        log.warning(
            "card of %s not posted within %.0f s; completing the step with the channel link",
            signal_id,
            PERMALINK_WAIT_SECONDS,
        )
        permalink = channel_link(deps)
    _call(complete, outputs={"signal_id": signal_id, "permalink": permalink})


def channel_link(deps: BotDeps) -> str:
    """The signals channel's link: a permalink a later step can still use while the card waits."""
    channel = deps.settings.signals_channel_id or ""
    try:
        url = _workspace_url(deps.users.client)
    except (SlackApiError, OSError, KeyError):
        return f"https://slack.com/app_redirect?channel={channel}"
    return f"{url.rstrip('/')}/archives/{channel}"


@functools.lru_cache(maxsize=16)
def _workspace_url(client: WebClient) -> str:
    """The workspace's URL (auth.test), asked once per client; a failure is not kept, so the next
    step asks again."""
    return str(client.auth_test()["url"])


def register(app: App) -> None:
    app.function(CALLBACK_ID)(share)


# The step runs after Slack's event was acked, so it may ask Slack about a user the directory
# does not know yet (and keeps the answer).
def _unknown(deps: BotDeps, user_id: str) -> bool:
    try:
        return deps.users.lookup_or_fetch(user_id) is None
    except (SlackApiError, OSError):
        return False  # Slack is having trouble: Workflow Builder only passes real members


def _owner_problem(deps: BotDeps, user_id: str) -> Problem | None:
    try:
        return problem_of(deps.users.lookup_or_fetch(user_id))
    except (SlackApiError, OSError) as error:
        log.warning("could not check user %s: %s", user_id, error)
        return None


def _call(answer: Callable[..., Any], **kwargs: Any) -> None:
    """functions.completeSuccess/completeError; a retried event may find the step already done."""
    try:
        answer(**kwargs)
    except SlackApiError as error:
        log.warning("could not complete the workflow step: %s", error.response.get("error"))
    except OSError as error:
        log.warning("could not reach Slack to complete the workflow step: %s", error)
