"""The sheet talks back: cells last seen in people's columns, proposals from edits of hiyoko's own
columns, and the Slack List item of each signal.

- sheet_cells: the last value seen per (source, signal, column) — source `sheet` or `list` — so a
  changed cell is posted once and an unchanged one never again, across restarts and replicas.
- proposals: a person changed Status, Owner or Timing in the sheet (or the list); hiyoko put its
  own value back and asks in the thread; someone with rights confirms or discards.
- list_items: the Slack List item that mirrors each signal.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sheet_cells",
        sa.Column("source", sa.String(16), primary_key=True),
        sa.Column("signal_number", sa.Integer(), sa.ForeignKey("signals.number"), primary_key=True),
        sa.Column("column_name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False, server_default=""),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("signal_number", sa.Integer(), sa.ForeignKey("signals.number"), nullable=False, index=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "list_items",
        sa.Column("signal_number", sa.Integer(), sa.ForeignKey("signals.number"), primary_key=True),
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("list_items")
    op.drop_table("proposals")
    op.drop_table("sheet_cells")
