"""Alembic migrations of the store, run from the package (no ``alembic.ini``): :func:`upgrade` brings a
database to the newest schema, :func:`downgrade` back (to ``base``: empty)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HEAD = "head"


def config(engine: Engine) -> Config:
    """An Alembic configuration on the package's migration scripts, bound to ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("rackforge.store") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Migrate the database of ``engine`` up to ``revision``."""
    command.upgrade(config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database of ``engine`` down to ``revision``."""
    command.downgrade(config(engine), revision)
