"""The scenario store (SQLAlchemy 2; a SQLite file by default, any SQLAlchemy URL in ``RACKFORGE_DB``,
PostgreSQL tested): every version of every scenario and every run, migrated by Alembic."""

from rackforge.store.engine import default_url
from rackforge.store.records import RunRecord, ScenarioRecord
from rackforge.store.store import Store, content_hash

__all__ = ["RunRecord", "ScenarioRecord", "Store", "content_hash", "default_url"]
