"""The store's tables: every saved version of every scenario, and every run of one.

``scenarios``: one row per version (``name``, ``version`` unique together), the YAML text as saved and its
SHA-256 ``content_hash`` (an unchanged file adds no version), its parsed ``document`` as JSON text (what a
comparison reads; empty for versions saved before revision 0004), who saved it, when, its tags and the
``organization`` that owns it (for the access control of the web app). ``runs``: one row per run of a
version, its status (``queued``, ``running``, ``done``, ``failed``), progress (0..1), start and end, the
rackforge version, the whole result document, and the planners' key figures as columns to query by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

REVISION = "0004"
"""The newest migration (``migrations/versions``); a test keeps it equal to Alembic's head."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ScenarioRow(Base):
    """One saved version of a scenario."""

    __tablename__ = "scenarios"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_scenarios_name_version"),
        UniqueConstraint("name", "content_hash", name="uq_scenarios_name_content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    author: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    document: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)


class RunRow(Base):
    """One run of a scenario version: its state while it runs, its result document once done."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_scenario_status", "scenario_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    started: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rackforge_version: Mapped[str] = mapped_column(String(40))
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    accelerators: Mapped[int | None] = mapped_column(Integer, nullable=True)
    it_mw: Mapped[float | None] = mapped_column(Float, nullable=True)
    facility_mw: Mapped[float | None] = mapped_column(Float, nullable=True)
    bom_cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    duties_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    supply_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    supply_cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    on_time_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    makespan_weeks: Mapped[float | None] = mapped_column(Float, nullable=True)
    flagged_risks: Mapped[int | None] = mapped_column(Integer, nullable=True)


class UserRow(Base):
    """A user of the web application and REST API: name, organization, role, and the SHA-256 of the API
    token (the token itself is shown once and never stored)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    organization: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
