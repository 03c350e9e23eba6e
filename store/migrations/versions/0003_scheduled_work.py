"""Scheduled work: staleness and reminder state on signals, payloads on the outbox, job claims.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("last_activity_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("nudge_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("snoozed_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reminded_for", sa.Date(), nullable=True))
        batch.add_column(sa.Column("overdue_for", sa.Date(), nullable=True))
    op.execute("UPDATE signals SET last_activity_at = updated_at")
    # SQLite rebuilds the table for this: keep AUTOINCREMENT, so numbers are never reused.
    with op.batch_alter_table("signals", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("last_activity_at", existing_type=UTCDateTime(), nullable=False)
        batch.create_index("ix_signals_last_activity_at", ["last_activity_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("payload", sa.Text(), nullable=False, server_default="{}"))
        batch.alter_column("signal_number", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("signal_number", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("payload")
    with op.batch_alter_table("signals", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_index("ix_signals_last_activity_at")
        for column in ("overdue_for", "reminded_for", "snoozed_until", "nudge_count", "last_activity_at"):
            batch.drop_column(column)
