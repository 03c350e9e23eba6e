"""SQLAlchemy 2 typed tables. Alembic migrations in store/migrations mirror this file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class SignalRow(Base):
    __tablename__ = "signals"
    # AUTOINCREMENT on SQLite: a deleted number is never handed out again.
    __table_args__ = {"sqlite_autoincrement": True}

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    summary: Mapped[str] = mapped_column(Text)
    timing: Mapped[date | None]
    size: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    submitter_id: Mapped[str] = mapped_column(String(32), index=True)
    submitter_name: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_name: Mapped[str] = mapped_column(Text, default="")
    close_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Scheduled work: staleness is measured from the last event; a person's answer (any event)
    # resets the unanswered-nudge count; reminders remember the timing they were sent for.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    nudge_count: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_for: Mapped[date | None]
    overdue_for: Mapped[date | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_permalink: Mapped[str | None] = mapped_column(Text)
    # What made this signal (a modal's view id, a workflow execution id, an import fingerprint):
    # the same submission arriving twice finds the signal it already made.
    submission_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The customer name normalised (width, case, spacing, company suffixes) for duplicate checks.
    customer_key: Mapped[str] = mapped_column(String(300), index=True, default="")
    # Why the owner has it, as a JSON object: {"why": "account"|"team"|"chosen"|"rerouted", "role": …,
    # "by": user id} — the card and the owner's thread line say it in the reader's language.
    owner_reason: Mapped[str] = mapped_column(Text, default="")
    # The deal (HubSpot) or opportunity (Salesforce) this signal became, its page, and the outcome
    # last agreed with the CRM ("open" | "won" | "lost"): a change that came from the CRM is not sent back.
    crm_id: Mapped[str | None] = mapped_column(String(64), index=True)
    crm_url: Mapped[str | None] = mapped_column(Text)
    crm_outcome: Mapped[str | None] = mapped_column(String(16))


class EventRow(Base):
    """The history: one row per thing that happened to a signal."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signal_number: Mapped[int] = mapped_column(ForeignKey("signals.number"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_kind: Mapped[str | None] = mapped_column(String(16))
    to_kind: Mapped[str | None] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of strings


class OutboxRow(Base):
    """Work owed to Slack or the sheet, written in the same transaction as the change."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signal_number: Mapped[int | None] = mapped_column(ForeignKey("signals.number"), index=True)
    target: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what a DM or digest says
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))  # thread line, History row
    user_id: Mapped[str | None] = mapped_column(String(32))  # whose App Home to publish
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(36))  # the relay claim that holds the row
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobRunRow(Base):
    """One run of a scheduled job for one time slot. Inserting it is the claim: the unique key
    makes exactly one process, of any number of replicas, run each slot."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Unfinished past this moment, the claimant is taken for dead and the slot may run again.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class UserRow(Base):
    """The user directory: what the ack path knows of a Slack user without asking Slack."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")  # display name, else real name, else handle
    real_name: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str | None] = mapped_column(String(16))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserGroupRow(Base):
    """A user group's members (the managers' group), kept fresh by subteam events."""

    __tablename__ = "user_groups"

    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    members: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of user ids
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountRow(Base):
    """One row of the `Accounts` tab as last read: who owns which customer, and its channel."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    row_number: Mapped[int] = mapped_column(Integer)  # in the tab, for messages that name it
    customer: Mapped[str] = mapped_column(Text)
    customer_key: Mapped[str] = mapped_column(String(300), unique=True)  # models.customers.normalize_customer
    ae_id: Mapped[str | None] = mapped_column(String(32))
    csales_id: Mapped[str | None] = mapped_column(String(32))
    csm_id: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32), index=True)
    crm_id: Mapped[str] = mapped_column(Text, default="")
    # What the customer already has, when the tab says (`Products`/`製品`, `Plan`/`プラン`):
    # products as a JSON list of names, the plan as written.
    products: Mapped[str] = mapped_column(Text, default="[]")
    plan: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountKeyRow(Base):
    """Every normalised spelling of an account (its name and each alias) → the account."""

    __tablename__ = "account_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))


class TeamTurnRow(Base):
    """When a team member was last handed a signal in a role: ties go to the longest waiting."""

    __tablename__ = "team_turns"

    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AwayRow(Base):
    """`/hiyoko away`: routing skips this person from `away_from` to `away_until`, both included."""

    __tablename__ = "aways"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    away_from: Mapped[date] = mapped_column()
    away_until: Mapped[date] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SheetCellRow(Base):
    """The last value seen in a people's column (or of a watched own column) of one signal's row,
    in the sheet or the Slack List: a changed cell is told once, an unchanged one never again."""

    __tablename__ = "sheet_cells"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # "sheet" | "list"
    signal_number: Mapped[int] = mapped_column(ForeignKey("signals.number"), primary_key=True)
    column_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProposalRow(Base):
    """A person's edit of hiyoko's Status, Owner or Timing in the sheet or list, waiting for
    someone with rights on the signal to confirm it (the normal action runs) or discard it."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signal_number: Mapped[int] = mapped_column(ForeignKey("signals.number"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(16))  # "status" | "owner" | "timing"
    value: Mapped[str] = mapped_column(Text)  # as hiyoko reads it: a status, a user id, an ISO date
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | discarded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ListItemRow(Base):
    """The Slack List item that mirrors a signal (upserted by the signal's ID)."""

    __tablename__ = "list_items"

    signal_number: Mapped[int] = mapped_column(ForeignKey("signals.number"), primary_key=True)
    list_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WatchedChannelRow(Base):
    """`/hiyoko watch [customer]`: a channel listened to although the Accounts tab does not name it."""

    __tablename__ = "watched_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer: Mapped[str] = mapped_column(Text, default="")  # as typed; "" = the Accounts row of the channel
    customer_key: Mapped[str] = mapped_column(String(300), default="")
    watched_by: Mapped[str] = mapped_column(String(32))  # gets the suggestions when no CSM is known
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SuggestionRow(Base):
    """A hint heard in a customer channel and suggested to a CSM. The message text is not kept
    (only its permalink and what was detected) unless the CSM shares it as a signal."""

    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_ts", name="uq_suggestions_message"),
        Index("ix_suggestions_quiet", "customer_key", "category", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # Slack retries send it again
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    permalink: Mapped[str] = mapped_column(Text, default="")
    speaker_id: Mapped[str] = mapped_column(String(32), default="")
    customer: Mapped[str] = mapped_column(Text)
    customer_key: Mapped[str] = mapped_column(String(300))
    recipient_id: Mapped[str] = mapped_column(String(32))  # the account's CSM, else whoever ran watch
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    timing: Mapped[date | None]
    score: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[str] = mapped_column(Text, default="")  # the phrase that gave it away
    language: Mapped[str] = mapped_column(String(8), default="ja")
    # pending | shared | noted | not_hint | known
    state: Mapped[str] = mapped_column(String(16), default="pending")
    signal_number: Mapped[int | None] = mapped_column(ForeignKey("signals.number"))  # offered or made
    features: Mapped[str] = mapped_column(Text, default="[]")  # hashed words for learning, not the text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HearingModelRow(Base):
    """The team's own hearing model (`hearing_train`), as JSON weights: the newest row is used."""

    __tablename__ = "hearing_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime)
    examples: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str] = mapped_column(Text, default="{}")
    metrics: Mapped[str] = mapped_column(Text, default="{}")


class CrmEventRow(Base):
    """A change heard from the CRM (a webhook's event id, a polled opportunity's change): each once."""

    __tablename__ = "crm_events"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrmCursorRow(Base):
    """Where the CRM poll stopped (e.g. the last SystemModstamp seen), by name."""

    __tablename__ = "crm_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
