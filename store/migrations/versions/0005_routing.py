"""Routing: the Accounts tab kept locally, team turns, absences, and why a signal has its owner.

- accounts: the `Accounts` tab as last read (one row per customer), matched by customer_key and
  by each alias's key (account_keys), so routing on the ack path reads only the database.
- team_turns: when each team member was last handed a signal, per role, so every replica picks
  the same next member and a restart changes nothing.
- aways: `/hiyoko away FROM UNTIL` — routing skips a person on those days.
- signals.owner_reason: why the owner got it (account role, team turn, chosen by the CSM, …).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("customer_key", sa.String(300), nullable=False, unique=True),
        sa.Column("ae_id", sa.String(32), nullable=True),
        sa.Column("csales_id", sa.String(32), nullable=True),
        sa.Column("csm_id", sa.String(32), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True, index=True),
        sa.Column("crm_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "account_keys",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_table(
        "team_turns",
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("last_assigned_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "aways",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("away_from", sa.Date(), nullable=False),
        sa.Column("away_until", sa.Date(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("signals", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("owner_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("signals", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("owner_reason")
    op.drop_table("aways")
    op.drop_table("team_turns")
    op.drop_table("account_keys")
    op.drop_table("accounts")
