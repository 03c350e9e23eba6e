"""Engine, sessions and migrations. SQLite gets WAL, a busy timeout and immediate transactions."""

from __future__ import annotations

import fcntl
import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 20
MIGRATION_LOCK = 0x68697930  # any fixed 64-bit key; "hiy0"


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL, tuned for SQLite when that is what it is."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=POOL_SIZE,  # one per listener thread and relay lane, so none waits for a connection
        max_overflow=POOL_SIZE,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: two read-then-write transactions can then never
        # deadlock into "database is locked"; they queue on the busy timeout instead. Readers
        # (Database.read) begin deferred and, in WAL mode, never wait for a writer.
        connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get('sqlite_begin', 'IMMEDIATE')}")

    return engine


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine) -> None:
    """Run every pending migration (idempotent). On PostgreSQL, under an advisory lock: replicas
    starting together migrate once, the others wait and then find nothing to do."""
    if engine.dialect.name != "postgresql":
        command.upgrade(_alembic_config(engine), "head")
        return
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            command.upgrade(_alembic_config(engine), "head")
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})


def is_up_to_date(engine: Engine) -> bool:
    """True when the database is migrated to the newest revision."""
    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._named_locks: dict[str, threading.Lock] = {}
        self._write_lock: AbstractContextManager[object] = threading.Lock() if self.is_sqlite else nullcontext()
        self._readers = sessionmaker(self.engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together or not at all."""
        # SQLite has one writer at a time and its busy handler polls with growing sleeps, so
        # under a burst one unlucky waiter can starve for seconds. Queueing this process's
        # writers on a lock first makes the wait short and fair.
        with self._write_lock, self._sessions.begin() as session:
            yield session

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run a block in one process of all that share the database at a time, released even if
        the process dies: PostgreSQL, a session advisory lock; a SQLite file, an OS lock (flock) on
        a file beside it (the app and a CLI import beside it are two processes); in-memory SQLite
        has one process anyway."""
        if self.engine.dialect.name != "postgresql":
            # Threads of this process queue on a lock first: flock would let two of them in at once
            # only with separate open files, and this keeps one file handle per holder.
            with self._named_locks.setdefault(name, threading.Lock()):
                path = self._lock_file(name)
                if path is None:
                    yield
                    return
                with open(path, "a+b") as handle:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                    try:
                        yield
                    finally:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()

    def _lock_file(self, name: str) -> Path | None:
        """`hiyoko.db.sheet-sync_sheet.lock` beside a SQLite file; None for an in-memory database."""
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return Path(f"{database}.{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.lock")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: on SQLite it never waits behind a writer."""
        with self._readers.begin() as session:
            yield session

    def warm_up(self, connections: int = POOL_SIZE // 2) -> None:
        """Open pooled connections before traffic arrives: a burst would otherwise pay for many
        connection handshakes at once (PostgreSQL's SCRAM costs CPU) inside Slack's 3 seconds."""
        opened = [self.engine.connect() for _ in range(connections)]
        for connection in opened:
            connection.close()

    def ping(self) -> bool:
        try:
            with self.engine.execution_options(sqlite_begin="DEFERRED").connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
