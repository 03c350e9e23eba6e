"""Hearing eggs in customer channels, and the CRM hand-off.

- accounts.products / accounts.plan: what a customer already has, when the Accounts tab says.
- watched_channels: channels listened to after `/hiyoko watch`.
- suggestions: hints heard and suggested to a CSM (no message text: the permalink and what was
  detected), unique per message and per Slack event id.
- hearing_models: the team's own model as JSON weights.
- signals.crm_id / crm_url / crm_outcome: the deal or opportunity a signal became.
- crm_events, crm_cursors: CRM changes seen once; where the poll stopped.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("products", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("plan", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("crm_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("crm_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("crm_outcome", sa.String(16), nullable=True))
        batch.create_index("ix_signals_crm_id", ["crm_id"])
    op.create_table(
        "watched_channels",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("customer", sa.Text(), nullable=False, server_default=""),
        sa.Column("customer_key", sa.String(300), nullable=False, server_default=""),
        sa.Column("watched_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=True, unique=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("permalink", sa.Text(), nullable=False, server_default=""),
        sa.Column("speaker_id", sa.String(32), nullable=False, server_default=""),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("customer_key", sa.String(300), nullable=False),
        sa.Column("recipient_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("timing", sa.Date(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("evidence", sa.Text(), nullable=False, server_default=""),
        sa.Column("language", sa.String(8), nullable=False, server_default="ja"),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("signal_number", sa.Integer(), sa.ForeignKey("signals.number"), nullable=True),
        sa.Column("features", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("channel_id", "message_ts", name="uq_suggestions_message"),
    )
    op.create_index("ix_suggestions_quiet", "suggestions", ["customer_key", "category", "created_at"])
    op.create_table(
        "hearing_models",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trained_at", UTCDateTime(), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("model", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("metrics", sa.Text(), nullable=False, server_default="{}"),
    )
    op.create_table(
        "crm_events",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "crm_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("crm_cursors")
    op.drop_table("crm_events")
    op.drop_table("hearing_models")
    op.drop_index("ix_suggestions_quiet", table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_table("watched_channels")
    with op.batch_alter_table("signals") as batch:
        batch.drop_index("ix_signals_crm_id")
        batch.drop_column("crm_outcome")
        batch.drop_column("crm_url")
        batch.drop_column("crm_id")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("plan")
        batch.drop_column("products")
