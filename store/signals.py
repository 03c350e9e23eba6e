"""Use cases that read and change signals. Each change writes its event and its outbox rows
in the same transaction, so a signal and the work it owes are never apart."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from models.clock import Clock
from models.crm import CRM_ACTOR, CrmOn, owed_at_share, owed_on_change
from models.customers import normalize_customer
from models.lifecycle import Action, Change, Refused, State, decide
from models.permissions import may_change
from models.routing import Reason
from models.signal import Category, EventRecord, Kind, SignalDraft, SignalRecord, Status
from store.db import Database
from store.outbox import Target, enqueue, enqueue_homes, pending
from store.routing import NobodyToRoute, RouteRequest
from store.routing import owner_name as routed_owner_name
from store.routing import route as route_owner
from store.tables import EventRow, SignalRow

# What a new signal owes the outside world, in the order the relay should try it.
NEW_SIGNAL_WORK = (Target.POST_CARD, Target.NOTIFY_OWNER, Target.SYNC_SHEET)
# What every later change owes: the card redrawn, a thread line, the sheet row, a History row.
CHANGE_WORK = (Target.POST_CARD, Target.THREAD_LINE, Target.SYNC_SHEET, Target.SYNC_HISTORY)
# Refusals that mean "someone got there first": the message names who.
_ALREADY = {"lifecycle.already_closed", "lifecycle.not_an_egg", "lifecycle.not_a_chick", "lifecycle.not_closed"}


class NotFound(Exception):
    """No signal has this number."""


class NotPermitted(Exception):
    """Only the owner, the submitter and managers may change a signal."""

    def __init__(self, signal: SignalRecord) -> None:
        super().__init__(signal.id)
        self.signal = signal


@dataclass(frozen=True)
class SubmitResult:
    signal: SignalRecord
    created: bool  # False when the same submission had already made this signal


@dataclass(frozen=True)
class Edits:
    """New values for EDIT; None leaves a field as it is."""

    customer: str | None = None
    category: Category | None = None
    summary: str | None = None
    size: str | None = None
    timing: date | None = None
    clear_timing: bool = False


# One class per lifecycle action, each carrying only what that action needs.
@dataclass(frozen=True)
class Hatch:
    """An open egg becomes a chick, expected on `timing` (not before today)."""

    timing: date
    note: str = ""  # optional remark
    action: ClassVar[Action] = Action.HATCH


@dataclass(frozen=True)
class BackToEgg:
    """An open chick's timing slipped: an egg again, its timing cleared."""

    action: ClassVar[Action] = Action.BACK_TO_EGG


@dataclass(frozen=True)
class Win:
    action: ClassVar[Action] = Action.WIN


@dataclass(frozen=True)
class Lose:
    reason: str  # required: the lesson
    action: ClassVar[Action] = Action.LOSE


@dataclass(frozen=True)
class Drop:
    reason: str  # required
    action: ClassVar[Action] = Action.DROP


@dataclass(frozen=True)
class Reopen:
    """A closed signal opens again; its old reason is cleared."""

    action: ClassVar[Action] = Action.REOPEN


@dataclass(frozen=True)
class Reassign:
    owner_id: str  # a different owner
    note: str = ""  # optional remark
    owner_name: str = ""  # "" stores the id until the name is known
    action: ClassVar[Action] = Action.REASSIGN


@dataclass(frozen=True)
class Edit:
    edits: Edits
    action: ClassVar[Action] = Action.EDIT


@dataclass(frozen=True)
class Note:
    note: str  # required
    action: ClassVar[Action] = Action.NOTE


@dataclass(frozen=True)
class Snooze:
    """An open egg is "still warming": no stale-egg nudges until `until`."""

    until: datetime
    action: ClassVar[Action] = Action.SNOOZE


LifecycleChange = Hatch | BackToEgg | Win | Lose | Drop | Reopen | Reassign | Edit | Note | Snooze


@dataclass(frozen=True)
class ChangeRequest:
    """One person's lifecycle action on a signal."""

    change: LifecycleChange
    actor_id: str
    actor_name: str = ""

    @property
    def action(self) -> Action:
        return self.change.action


def _reason(change: LifecycleChange) -> str:
    return change.reason if isinstance(change, Lose | Drop) else ""


def _note(change: LifecycleChange) -> str:
    return change.note if isinstance(change, Note | Hatch | Reassign) else ""


@dataclass(frozen=True)
class ChangeResult:
    signal: SignalRecord
    event: EventRecord


def to_record(row: SignalRow) -> SignalRecord:
    return SignalRecord(
        number=row.number,
        customer=row.customer,
        kind=Kind(row.kind),
        category=Category(row.category),
        status=Status(row.status),
        summary=row.summary,
        timing=row.timing,
        size=row.size,
        source=row.source,
        submitter_id=row.submitter_id,
        submitter_name=row.submitter_name,
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        close_reason=row.close_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        hatched_at=row.hatched_at,
        closed_at=row.closed_at,
        card_channel=row.card_channel,
        card_ts=row.card_ts,
        card_permalink=row.card_permalink,
        owner_reason=row.owner_reason or "",
        crm_url=row.crm_url,
    )


def add_side_event(
    session: Session, row: SignalRow, action: str, now: datetime, *, detail: dict[str, str], actor_id: str = ""
) -> EventRow:
    """Record something that happened to a signal without changing its kind or status (a note read
    back from the sheet, a re-route), flushed so its id can key the outbox rows."""
    event = EventRow(
        signal_number=row.number,
        action=action,
        actor_id=actor_id,
        actor_name="",
        at=now,
        from_kind=row.kind,
        to_kind=row.kind,
        from_status=row.status,
        to_status=row.status,
        note="",
        detail=json.dumps(detail, ensure_ascii=False),
    )
    session.add(event)
    session.flush()
    return event


def to_event(row: EventRow) -> EventRecord:
    return EventRecord(
        id=row.id,
        signal_number=row.signal_number,
        action=row.action,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        at=row.at,
        from_kind=Kind(row.from_kind) if row.from_kind else None,
        to_kind=Kind(row.to_kind) if row.to_kind else None,
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status) if row.to_status else None,
        note=row.note,
        detail=json.loads(row.detail or "{}"),
    )


class SignalStore:
    """Signals in the database: submit, change, read, and record where their Slack card lives."""

    def __init__(self, db: Database, clock: Clock, *, slack_list: bool = False, crm_on: CrmOn | None = None) -> None:
        self.db = db
        self.clock = clock
        self.slack_list = slack_list  # HIYOKO_SLACK_LIST_ID is set: every change also owes SYNC_LIST
        self.crm_on = crm_on  # HIYOKO_CRM is set: hatches (or chicks at share) owe a deal (models.crm)

    def _with_list(self, work: Sequence[Target]) -> list[Target]:
        """The work, plus the Slack List item when a list is configured."""
        return [*work, Target.SYNC_LIST] if self.slack_list else list(work)

    def submit(
        self,
        draft: SignalDraft,
        *,
        submitter_id: str,
        submitter_name: str,
        owner_name: str,
        submission_key: str | None = None,
        created_at: datetime | None = None,
        announce: bool = True,
        check_owner: bool = False,
        route: RouteRequest | None = None,
    ) -> SubmitResult:
        """Store a new signal with its `submitted` event and the work it owes, in one transaction.

        `created_at` keeps an imported signal's original time; `announce=False` (imports) writes
        the sheet, History and App Homes but posts no card and pings nobody. `check_owner`: the
        owner or the submitter was not in the user directory when shared, so the relay asks
        Slack about them (names, and whether the owner can own it) after the ack.

        `route`: a draft without an owner is routed (store.routing.route) in this transaction and
        its owner's name read from the user directory; raises NobodyToRoute (nothing stored) when
        nobody can take it. A chosen owner always wins ("chosen" by the submitter).
        """
        now = created_at or self.clock.now()
        with self.db.transaction() as session:
            if submission_key is not None:
                existing = session.scalar(select(SignalRow).where(SignalRow.submission_key == submission_key))
                if existing is not None:
                    return SubmitResult(to_record(existing), created=False)
            owner_id, reason = draft.owner_id, Reason("chosen", by=submitter_id)
            if not owner_id:
                if route is None:
                    raise NobodyToRoute(Reason("nobody"))
                routed, reason = route_owner(
                    session,
                    category=draft.category,
                    customer=draft.customer,
                    routing=route.routing,
                    teams=route.teams,
                    today=route.today or self.clock.now().date(),
                    now=self.clock.now(),
                )
                if routed is None:
                    raise NobodyToRoute(reason)
                owner_id = routed
                owner_name = routed_owner_name(session, routed)
                check_owner = check_owner or owner_name == routed
            row = SignalRow(
                customer=draft.customer,
                customer_key=normalize_customer(draft.customer),
                kind=draft.kind.value,
                category=draft.category.value,
                status=Status.OPEN.value,
                summary=draft.summary,
                timing=draft.timing,
                size=draft.size,
                source=draft.source,
                submitter_id=submitter_id,
                submitter_name=submitter_name,
                owner_id=owner_id,
                owner_name=owner_name,
                owner_reason=reason.to_json(),
                close_reason="",
                created_at=now,
                updated_at=now,
                last_activity_at=now,
                nudge_count=0,
                hatched_at=now if draft.kind is Kind.CHICK else None,
                submission_key=submission_key,
            )
            session.add(row)
            session.flush()  # assigns the number
            event = EventRow(
                signal_number=row.number,
                action="submitted",
                actor_id=submitter_id,
                actor_name=submitter_name,
                at=now,
                to_kind=draft.kind.value,
                to_status=Status.OPEN.value,
                note="",
                detail="{}",
            )
            session.add(event)
            session.flush()
            due = self.clock.now()  # work is due now, even for a signal that happened years ago
            work = self._with_list(NEW_SIGNAL_WORK if announce else [Target.SYNC_SHEET])
            if check_owner:
                work.append(Target.CHECK_OWNER)
            if announce and owed_at_share(self.crm_on, draft.kind):
                work.append(Target.CRM_DEAL)
            enqueue(session, row.number, work, due, new_signal=True)
            enqueue(session, row.number, [Target.SYNC_HISTORY], due, event_id=event.id, new_signal=True)
            enqueue_homes(session, row.number, [owner_id, submitter_id], due)
            return SubmitResult(to_record(row), created=True)

    def change(
        self,
        number: int,
        request: ChangeRequest,
        *,
        managers: frozenset[str],
        today: date,
        anyone_may_note: bool = False,
        open_only: bool = False,
        check_owner: bool = False,
        within: Callable[[Session, SignalRow], None] | None = None,
    ) -> ChangeResult:
        """Apply one lifecycle action, checked against the signal's current state and the actor's
        rights inside the transaction, so two clicks at once make one change and the other is
        refused. Raises NotFound, NotPermitted or Refused (with `by`: who got there first).

        `anyone_may_note`: a CSM who heard the same thing again may add it as a note to a signal
        that is not theirs (the duplicate warning offers this); it changes nothing else. That note
        goes only to an open signal, as does any change with `open_only` (raises NotPermitted).
        `check_owner`: a new owner the user directory did not know; the relay asks Slack after
        the ack, as for a new signal (Target.CHECK_OWNER). `within` runs in the same transaction
        once the change is made (the CRM hand-off records what the CRM said with it)."""
        now = self.clock.now()
        with self.db.transaction() as session:
            row = session.get(SignalRow, number, with_for_update=True)
            if row is None:
                raise NotFound(number)
            note_by_anyone = anyone_may_note and request.action is Action.NOTE
            if (note_by_anyone or open_only) and row.status != Status.OPEN.value:
                # Only an open signal is a duplicate; a closed one is noted from its card.
                raise NotPermitted(to_record(row))
            if not note_by_anyone and not may_change(
                request.actor_id, owner_id=row.owner_id, submitter_id=row.submitter_id, managers=managers
            ):
                raise NotPermitted(to_record(row))
            before = State(Kind(row.kind), Status(row.status))
            try:
                wanted = request.change
                change = decide(
                    before,
                    request.action,
                    today=today,
                    timing=wanted.timing if isinstance(wanted, Hatch) else None,
                    reason=_reason(wanted),
                    note=_note(wanted),
                    owner_id=wanted.owner_id if isinstance(wanted, Reassign) else "",
                    current_owner_id=row.owner_id,
                )
            except Refused as refused:
                if refused.key in _ALREADY:
                    refused.params.update(id=to_record(row).id, by=_who_made_it_so(session, row))
                raise
            old_owner = row.owner_id
            detail = self._apply(row, request, change, now)
            row.kind, row.status, row.updated_at = change.after.kind.value, change.after.status.value, now
            row.nudge_count = 0  # a person answered
            if request.action is not Action.SNOOZE:
                # The egg is warm again. A snooze is not activity: it quiets nudges until its own
                # end, which may come before or after a whole stale period.
                row.last_activity_at = now
            event = EventRow(
                signal_number=row.number,
                action=request.action.value,
                actor_id=request.actor_id,
                actor_name=request.actor_name,
                at=now,
                from_kind=before.kind.value,
                to_kind=change.after.kind.value,
                from_status=before.status.value,
                to_status=change.after.status.value,
                note=(_reason(request.change) or _note(request.change)).strip(),
                detail=json.dumps(detail, ensure_ascii=False),
            )
            session.add(event)
            session.flush()
            enqueue(session, row.number, self._with_list(CHANGE_WORK), now, event_id=event.id)
            if check_owner:
                enqueue(session, row.number, [Target.CHECK_OWNER], now)
            if owed_on_change(
                self.crm_on,
                request.action,
                request.actor_id,
                has_deal=self.crm_on is not None and _has_deal(session, row),
            ):
                enqueue(session, row.number, [Target.CRM_DEAL], now)
            if within is not None:
                within(session, row)
            actor = [] if request.actor_id == CRM_ACTOR else [request.actor_id]  # the CRM has no App Home
            enqueue_homes(session, row.number, [row.owner_id, row.submitter_id, old_owner, *actor], now)
            return ChangeResult(to_record(row), to_event(event))

    @staticmethod
    def _apply(row: SignalRow, request: ChangeRequest, change: Change, now: datetime) -> dict[str, str]:
        """Write the action's fields and timestamps onto the row; returns the event's detail."""
        detail: dict[str, str] = {}
        wanted = request.change
        if isinstance(wanted, Hatch):
            row.timing, row.hatched_at = wanted.timing, now
            detail["timing"] = wanted.timing.isoformat()
        if change.clears_timing:
            detail["timing"] = row.timing.isoformat() if row.timing else ""
            row.timing = None
        if change.sets_reason:
            row.close_reason = _reason(wanted).strip()
        if change.clears_reason:
            row.close_reason = ""
        if change.after.status is not change.before.status:
            row.closed_at = None if change.after.status is Status.OPEN else now
        if isinstance(wanted, Reassign):
            detail.update({"from": row.owner_id, "to": wanted.owner_id})
            row.owner_id, row.owner_name = wanted.owner_id, wanted.owner_name or wanted.owner_id
            row.owner_reason = Reason("chosen", by=request.actor_id).to_json()
        if isinstance(wanted, Snooze):
            row.snoozed_until = wanted.until
            detail["until"] = wanted.until.date().isoformat()
        if isinstance(wanted, Edit):
            detail["fields"] = ",".join(_edit(row, wanted.edits))
        return detail

    def set_card(self, number: int, channel: str, ts: str, permalink: str | None) -> None:
        """Remember the card, so later deliveries update it instead of posting another.

        Once its permalink is known the sheet row is due again, to show the link.
        """
        with self.db.transaction() as session:
            session.execute(
                update(SignalRow)
                .where(SignalRow.number == number)
                .values(card_channel=channel, card_ts=ts, card_permalink=permalink)
            )
            if permalink:
                enqueue(session, number, self._with_list([Target.SYNC_SHEET]), self.clock.now())

    def fill_names(self, number: int, names: dict[str, str]) -> bool:
        """Put people's names where a signal still shows their raw id (they were not in the user
        directory when it was shared). `names`: user id -> name. True when a name changed; the
        sheet row is then due again."""
        with self.db.transaction() as session:
            row = session.get(SignalRow, number, with_for_update=True)
            if row is None:
                return False
            changed = False
            for id_column, name_column in (("owner_id", "owner_name"), ("submitter_id", "submitter_name")):
                user_id = getattr(row, id_column)
                name = names.get(user_id)
                if name and getattr(row, name_column) in ("", user_id) and name != user_id:
                    setattr(row, name_column, name)
                    changed = True
            if changed:
                enqueue(session, number, [Target.SYNC_SHEET], self.clock.now())
            return changed

    # --- reading ---------------------------------------------------------------------------

    def get(self, number: int) -> SignalRecord | None:
        with self.db.read() as session:
            row = session.get(SignalRow, number)
            return to_record(row) if row else None

    def get_many(self, numbers: Iterable[int]) -> list[SignalRecord]:
        wanted = sorted(set(numbers))
        if not wanted:
            return []
        with self.db.read() as session:
            rows = session.scalars(select(SignalRow).where(SignalRow.number.in_(wanted)).order_by(SignalRow.number))
            return [to_record(row) for row in rows]

    def submission_keys_present(self, keys: Iterable[str]) -> set[str]:
        """Which of these submission keys are already stored (read only; an import asks this
        before it writes anything, in chunks the database's parameter limit allows)."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        with self.db.read() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(
                    key
                    for key in session.scalars(
                        select(SignalRow.submission_key).where(SignalRow.submission_key.in_(chunk))
                    )
                    if key
                )
        return found

    def all(self) -> list[SignalRecord]:
        """Every signal, oldest first."""
        with self.db.read() as session:
            return [to_record(row) for row in session.scalars(select(SignalRow).order_by(SignalRow.number))]

    def events(self, number: int) -> list[EventRecord]:
        with self.db.read() as session:
            rows = session.scalars(select(EventRow).where(EventRow.signal_number == number).order_by(EventRow.id))
            return [to_event(row) for row in rows]

    def last_event(self, number: int) -> EventRecord | None:
        with self.db.read() as session:
            row = session.scalar(
                select(EventRow).where(EventRow.signal_number == number).order_by(EventRow.id.desc()).limit(1)
            )
            return to_event(row) if row else None

    def events_by_id(self, ids: Iterable[int]) -> list[EventRecord]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        with self.db.read() as session:
            rows = session.scalars(select(EventRow).where(EventRow.id.in_(wanted)).order_by(EventRow.id))
            return [to_event(row) for row in rows]

    def open_for(self, user_id: str) -> tuple[list[SignalRecord], list[SignalRecord]]:
        """A user's open signals as owner and as submitter, oldest first."""
        with self.db.read() as session:
            rows = list(
                session.scalars(
                    select(SignalRow)
                    .where(
                        SignalRow.status == Status.OPEN.value,
                        or_(SignalRow.owner_id == user_id, SignalRow.submitter_id == user_id),
                    )
                    .order_by(SignalRow.created_at, SignalRow.number)
                )
            )
        owned = [to_record(r) for r in rows if r.owner_id == user_id]
        shared = [to_record(r) for r in rows if r.submitter_id == user_id and r.owner_id != user_id]
        return owned, shared

    def search(
        self, *, kind: Kind | None = None, text: str = "", open_only: bool = True, offset: int = 0, limit: int = 20
    ) -> tuple[list[SignalRecord], int]:
        """Signals matching a kind and a customer text (normalised), oldest first; and the total."""
        query = select(SignalRow)
        if open_only:
            query = query.where(SignalRow.status == Status.OPEN.value)
        if kind is not None:
            query = query.where(SignalRow.kind == kind.value)
        if text.strip():
            key = normalize_customer(text)
            query = query.where(
                or_(
                    SignalRow.customer_key.contains(key, autoescape=True),
                    SignalRow.customer.contains(text.strip(), autoescape=True),
                )
            )
        with self.db.read() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(SignalRow.created_at, SignalRow.number).offset(offset).limit(limit))
            return [to_record(r) for r in rows], total

    def open_duplicates(self, customer: str, category: Category) -> list[SignalRecord]:
        """Open signals for the same customer (normalised) and category."""
        with self.db.read() as session:
            rows = session.scalars(
                select(SignalRow)
                .where(
                    SignalRow.status == Status.OPEN.value,
                    SignalRow.category == category.value,
                    SignalRow.customer_key == normalize_customer(customer),
                )
                .order_by(SignalRow.number)
            )
            return [to_record(r) for r in rows]

    def hatch_stats(self) -> tuple[int, int]:
        """(signals shared as eggs, of those how many hatched at least once): the hatch rate."""
        with self.db.read() as session:
            eggs = select(EventRow.signal_number).where(
                EventRow.action == "submitted", EventRow.to_kind == Kind.EGG.value
            )
            hatched = (
                select(EventRow.signal_number)
                .where(EventRow.action == Action.HATCH.value, EventRow.signal_number.in_(eggs))
                .distinct()
            )
            egg_count = session.scalar(select(func.count()).select_from(eggs.subquery())) or 0
            hatched_count = session.scalar(select(func.count()).select_from(hatched.subquery())) or 0
            return egg_count, hatched_count

    def all_events(self) -> list[EventRecord]:
        with self.db.read() as session:
            return [to_event(row) for row in session.scalars(select(EventRow).order_by(EventRow.id))]

    def counts(self) -> dict[tuple[str, str], int]:
        """Signals per (kind, status): the team summary."""
        with self.db.read() as session:
            rows = session.execute(
                select(SignalRow.kind, SignalRow.status, func.count()).group_by(SignalRow.kind, SignalRow.status)
            ).all()
            return {(kind, status): count for kind, status, count in rows}


def _edit(row: SignalRow, edits: Edits) -> list[str]:
    """Apply edits; returns the names of the fields that really changed."""
    wanted: dict[str, object] = {
        "customer": edits.customer,
        "category": edits.category.value if edits.category else None,
        "summary": edits.summary,
        "size": edits.size,
    }
    changed = [name for name, value in wanted.items() if value is not None and getattr(row, name) != value]
    for name in changed:
        setattr(row, name, wanted[name])
    timing = None if edits.clear_timing else edits.timing
    if (edits.clear_timing or edits.timing is not None) and row.timing != timing:
        row.timing = timing
        changed.append("timing")
    if "customer" in changed:
        row.customer_key = normalize_customer(row.customer)
    return changed


def _has_deal(session: Session, row: SignalRow) -> bool:
    """The signal has a deal in the CRM, or one is on its way (a CRM_DEAL row not yet delivered)."""
    return bool(row.crm_id) or pending(session, row.number, Target.CRM_DEAL)


def _who_made_it_so(session: Session, row: SignalRow) -> str:
    """Who brought the signal into its current kind and status (for "already hatched by @x")."""
    event = session.scalar(
        select(EventRow)
        .where(EventRow.signal_number == row.number, EventRow.to_kind == row.kind, EventRow.to_status == row.status)
        .order_by(EventRow.id.desc())
        .limit(1)
    )
    return event.actor_id if event else row.submitter_id
