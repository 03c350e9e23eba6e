"""The team's hearing model in the database (hearing_models): the newest row is the one used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from store.db import Database
from store.tables import HearingModelRow


def latest_model(db: Database) -> str | None:
    """The newest team model's JSON (hearing.learning.TeamModel.to_json), or None before the first."""
    with db.transaction() as session:
        row = session.scalars(
            select(HearingModelRow).order_by(HearingModelRow.trained_at.desc(), HearingModelRow.id.desc()).limit(1)
        ).first()
        return row.model if row else None


def save_model(db: Database, model: str, examples: int, at: datetime, metrics: str = "{}") -> int:
    """Keep a newly trained model (its JSON); returns its row id. Older rows stay for the record."""
    with db.transaction() as session:
        row = HearingModelRow(trained_at=at, examples=examples, model=model, metrics=metrics)
        session.add(row)
        session.flush()
        return row.id
