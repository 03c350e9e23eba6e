"""The Alembic migrations build exactly the tables of store/tables.py; SQLite connections are tuned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, MetaData, String, inspect

from store.db import is_up_to_date, make_engine, upgrade_database
from store.tables import Base


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
    yield engine
    engine.dispose()


def _diff(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def test_migrations_match_the_models(engine: Engine) -> None:
    upgrade_database(engine)
    assert _diff(engine, Base.metadata) == []


def test_comparison_sees_a_difference(engine: Engine) -> None:
    # Proves the check above can fail: a model with one more column is reported.
    upgrade_database(engine)
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["signals"].append_column(Column("tomorrow", String(64), nullable=True))
    diff = _diff(engine, changed)
    assert [(entry[0], entry[3].name) for entry in diff] == [("add_column", "tomorrow")]


def test_tables_and_autoincrement(engine: Engine) -> None:
    # compare_metadata does not look at SQLite's AUTOINCREMENT: a deleted number must never come back.
    upgrade_database(engine)
    assert set(inspect(engine).get_table_names()) >= {"signals", "events", "outbox", "alembic_version"}
    with engine.connect() as connection:
        ddl = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'signals'").scalar_one()
    assert "AUTOINCREMENT" in ddl.upper()


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade_database(engine)
    upgrade_database(engine)
    assert is_up_to_date(engine)
    assert _diff(engine, Base.metadata) == []
    with engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    assert len(versions) == 1


def test_is_up_to_date(engine: Engine) -> None:
    assert is_up_to_date(engine) is False
    upgrade_database(engine)
    assert is_up_to_date(engine) is True


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("busy_timeout", 10_000), ("foreign_keys", 1)],
)
def test_sqlite_pragmas(engine: Engine, pragma: str, expected: object) -> None:
    with engine.connect() as connection:
        assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_pragmas_on_every_pooled_connection(engine: Engine) -> None:
    # Two DBAPI connections held at once (raw: no BEGIN IMMEDIATE, which would make the second wait):
    # the second is a new connection from the pool and must be tuned too.
    first, second = engine.raw_connection(), engine.raw_connection()
    try:
        assert first.dbapi_connection is not second.dbapi_connection
        for connection in (first, second):
            cursor = connection.cursor()
            assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            cursor.close()
    finally:
        first.close()
        second.close()
