"""Alembic migrations of the store, run from the package (no ``alembic.ini``): :func:`upgrade` brings a
database to the newest schema, :func:`downgrade` back (to ``base``: empty)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from rackforge.store.schema import REVISION

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "head"


def current(engine: Engine) -> str | None:
    """The database's revision (``None``: never migrated), read without loading Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure(engine: Engine) -> None:
    """Migrate to the newest schema unless the database is there already (the common, fast case)."""
    if current(engine) != REVISION:
        upgrade(engine)


def config(engine: Engine) -> Config:
    """An Alembic configuration on the package's migration scripts, bound to ``engine``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("rackforge.store") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Migrate the database of ``engine`` up to ``revision``."""
    from alembic import command

    command.upgrade(config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database of ``engine`` down to ``revision``."""
    from alembic import command

    command.downgrade(config(engine), revision)
