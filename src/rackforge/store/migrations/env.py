"""Alembic environment: migrate the engine :mod:`rackforge.store.migrate` passes, online only.

On SQLite a migration may rebuild a table (copy, drop, rename); with foreign keys enforced, dropping
``scenarios`` would cascade to every run. Foreign keys are therefore off while migrating (set on the
driver connection, outside any transaction, where SQLite honours it), checked afterwards, and on again.
"""

from __future__ import annotations

from alembic import context

from rackforge.store.schema import Base

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"
with engine.connect() as connection:
    raw = connection.connection.driver_connection
    if sqlite:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows without their parent: {broken[:5]}")
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys=ON")
