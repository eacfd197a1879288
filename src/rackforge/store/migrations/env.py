"""Alembic environment: migrate the engine :mod:`rackforge.store.migrate` passes, online only."""

from __future__ import annotations

from alembic import context

from rackforge.store.schema import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
