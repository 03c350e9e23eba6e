"""A departed owner's open signals move on: when Slack says a user was deactivated, each of their
open signals is routed again by the same rules (the departed person excluded), one transaction
per signal, with its event ("rerouted") and the work a reassignment owes — the card redrawn, a
thread line naming the new owner, the sheet row, a History row. A signal nobody can take stays
with the departed owner and the managers get a direct message asking them to reassign it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.clock import Clock
from models.payloads import DirectMessagePayload
from models.routing import Reason
from models.signal import Category, EventRecord, Status
from store.db import Database
from store.outbox import Target, enqueue, enqueue_homes, enqueue_message
from store.routing import RouteRequest, owner_name, route
from store.signals import CHANGE_WORK, add_side_event, to_event
from store.tables import ListItemRow, SignalRow

REROUTED = "rerouted"  # the event's action: not a lifecycle Action, nobody clicks it
MAX_DM_USERS = 8  # conversations.open takes at most 8 users besides us


@dataclass(frozen=True)
class Rerouted:
    number: int
    new_owner: str | None  # None: nobody could take it; it stays and the managers are told
    event: EventRecord | None = None


def reroute(
    session: Session, row: SignalRow, new_owner: str, new_owner_name: str, reason: Reason, now: datetime
) -> EventRecord:
    """Hand `row` to `new_owner` inside the caller's transaction, with its event and outbox work."""
    old_owner = row.owner_id
    row.owner_id, row.owner_name, row.owner_reason = new_owner, new_owner_name, reason.to_json()
    row.updated_at = now
    row.nudge_count = 0  # the new owner has not been asked anything yet
    event = add_side_event(session, row, REROUTED, now, detail={"from": old_owner, "to": new_owner}, actor_id=old_owner)
    # A signal mirrored in the Slack List has its item follow the new owner too.
    mirrored = session.get(ListItemRow, row.number) is not None
    work = [*CHANGE_WORK, Target.SYNC_LIST] if mirrored else list(CHANGE_WORK)
    enqueue(session, row.number, work, now, event_id=event.id)
    enqueue_homes(session, row.number, [new_owner, old_owner, row.submitter_id], now)
    return to_event(event)


class Rerouting:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def reroute(self, number: int, new_owner: str, new_owner_name: str, reason: Reason, now: datetime) -> EventRecord:
        """Hand one signal to `new_owner` (its own transaction)."""
        with self.db.transaction() as session:
            row = session.get(SignalRow, number, with_for_update=True)
            if row is None:
                raise LookupError(number)
            return reroute(session, row, new_owner, new_owner_name, reason, now)

    def open_signals_of(self, user_id: str) -> list[int]:
        with self.db.read() as session:
            rows = session.scalars(
                select(SignalRow.number)
                .where(SignalRow.owner_id == user_id, SignalRow.status == Status.OPEN.value)
                .order_by(SignalRow.number)
            )
            return list(rows)

    def departed(self, user_id: str, request: RouteRequest, today: date, managers: frozenset[str]) -> list[Rerouted]:
        """Move every open signal of a deactivated user on, each in its own transaction (routing
        locks its role per signal). Signals that closed or changed hands meanwhile are left alone."""
        done: list[Rerouted] = []
        for number in self.open_signals_of(user_id):
            now = self.clock.now()
            with self.db.transaction() as session:
                row = session.get(SignalRow, number, with_for_update=True)
                if row is None or row.owner_id != user_id or row.status != Status.OPEN.value:
                    continue
                owner, why = route(
                    session,
                    category=Category(row.category),
                    customer=row.customer,
                    routing=request.routing,
                    teams=request.teams,
                    today=today,
                    now=now,
                    exclude=frozenset({user_id}),
                )
                if owner is None:
                    # Nothing to hand it to: it stays, and the managers (else its submitter) are asked.
                    told = tuple(sorted(managers))[:MAX_DM_USERS] or (row.submitter_id,)
                    payload = DirectMessagePayload("owner_left", told)
                    enqueue_message(session, Target.DIRECT_MESSAGE, payload, now, signal_number=number)
                    done.append(Rerouted(number, None))
                    continue
                reason = Reason("rerouted", why.role, by=user_id)
                event = reroute(session, row, owner, owner_name(session, owner), reason, now)
                done.append(Rerouted(number, owner, event))
        return done


def open_by_owner(db: Database, limit: int) -> list[tuple[str, int]]:
    """The load: open signals per owner, most first (then by id), at most `limit` owners."""
    count = func.count().label("n")
    with db.read() as session:
        rows = session.execute(
            select(SignalRow.owner_id, count)
            .where(SignalRow.status == Status.OPEN.value)
            .group_by(SignalRow.owner_id)
            .order_by(count.desc(), SignalRow.owner_id)
            .limit(limit)
        )
        return [(owner, int(n)) for owner, n in rows]
