"""Fenced outbox claims, job slots that can be taken over, and the local user directory.

- outbox.claim_token: the claim a relay holds; every later write about the row (done, failed,
  release, heartbeat) names it, so a relay whose lease ran out can no longer touch the row.
- job_runs.claimed_until / attempts: a slot whose claimant died before finishing is run again,
  once, by whoever finds it expired.
- users / user_groups: who is who, kept from users.list and Slack's events, so nothing on the
  path to an ack has to ask Slack.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(36), nullable=True))
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        sa.Column("real_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("email", sa.Text(), nullable=False, server_default=""),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("is_bot", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "user_groups",
        sa.Column("group_id", sa.String(32), primary_key=True),
        sa.Column("members", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_groups")
    op.drop_table("users")
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("attempts")
        batch.drop_column("claimed_until")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
