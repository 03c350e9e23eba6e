"""The lifecycle: normalised customer names, event details, outbox rows for events and homes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.customers import normalize_customer

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("customer_key", sa.String(300), nullable=False, server_default=""))
        batch.create_index("ix_signals_customer_key", ["customer_key"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("detail", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("actor_name", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("user_id", sa.String(32), nullable=True))
        batch.create_foreign_key("fk_outbox_event_id", "events", ["event_id"], ["id"])

    signals = sa.table(
        "signals",
        sa.column("number", sa.Integer()),
        sa.column("customer", sa.Text()),
        sa.column("customer_key", sa.String()),
    )
    connection = op.get_bind()
    for number, customer in connection.execute(sa.select(signals.c.number, signals.c.customer)).all():
        connection.execute(
            signals.update().where(signals.c.number == number).values(customer_key=normalize_customer(customer))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_event_id", type_="foreignkey")
        batch.drop_column("user_id")
        batch.drop_column("event_id")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("actor_name")
        batch.drop_column("detail")
    with op.batch_alter_table("signals") as batch:
        batch.drop_index("ix_signals_customer_key")
        batch.drop_column("customer_key")
