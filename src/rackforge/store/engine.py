"""Where the store lives and how it is opened: a SQLAlchemy URL from ``RACKFORGE_DB``, else a SQLite file
in the user's data directory (``$XDG_DATA_HOME/rackforge/rackforge.db``, by default
``~/.local/share/rackforge/rackforge.db``).

SQLite is opened in write-ahead-log mode with foreign keys enforced, and every transaction starts with
``BEGIN IMMEDIATE``: writers queue for the lock up front (waiting up to ``BUSY_MS``), so two processes
allocating a version number never both read the same maximum. Read-only transactions (:data:`READ_ONLY`)
start with a plain ``BEGIN`` and read a snapshot without waiting for writers. A process killed at any point leaves the
last committed state (WAL), which is what makes the store crash-safe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

ENV = "RACKFORGE_DB"
BUSY_MS = 30_000
READ_ONLY = "rackforge_read_only"
"""Execution option of a read-only transaction: on SQLite it starts with a plain ``BEGIN`` (a snapshot that
waits for no writer) instead of ``BEGIN IMMEDIATE``."""


def default_url() -> str:
    """``RACKFORGE_DB``, else the SQLite file in the user's data directory."""
    if url := os.environ.get(ENV):
        return url
    home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{home / 'rackforge' / 'rackforge.db'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine on ``url`` (:func:`default_url` if omitted); a SQLite file's folder is created."""
    url = url or default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that ``_sqlite_begin`` decides how one starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    reading = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
