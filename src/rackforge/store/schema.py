"""The store's tables: every saved version of every scenario, every run of one, the users of the web
application and their browser sessions.

``scenarios``: one row per version, numbered per ``organization`` and ``name`` (``""`` is the command line's
own, local organization), the YAML text as saved and its SHA-256 ``content_hash`` (an unchanged file adds no
version), its parsed ``document`` as JSON text (what a comparison reads; empty for versions saved before
revision 0004), who saved it, when, its tags, its ``visibility`` (``private`` to its organization, or
``shared`` with the organizations in ``scenario_shares``, its confidential figures too when ``share_costs``)
and when it was ``deleted`` (a deleted version is
hidden, never erased, so version numbers are never reused). ``runs``: one row per run of a version, the
organization and user that asked for it, its status (``queued``, ``running``, ``done``, ``failed``,
``cancelled``), progress (0..1), when queued, started and ended, the server's time limit, whether a cancel was
asked, the run it retries, the rackforge version, the whole result document, the report's figures as plotly
JSON (``charts``, for the web dashboard), and the planners' key figures as columns to query by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

REVISION = "0007"
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
        UniqueConstraint("organization", "name", "version", name="uq_scenarios_organization_name_version"),
        UniqueConstraint("organization", "name", "content_hash", name="uq_scenarios_organization_name_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    author: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    document: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    visibility: Mapped[str] = mapped_column(String(16), default="private", server_default="private")
    share_costs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deleted: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ShareRow(Base):
    """A version shared with another organization (one row per organization it is shared with)."""

    __tablename__ = "scenario_shares"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)
    organization: Mapped[str] = mapped_column(String(200), primary_key=True)


class RunRow(Base):
    """One run of a scenario version: its state while it runs, its result document once done."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_scenario_status", "scenario_id", "status"),
        Index("ix_runs_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    started: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rackforge_version: Mapped[str] = mapped_column(String(40))
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, deferred=True)
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
    organization: Mapped[str] = mapped_column(String(200), default="", server_default="")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    queued: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    time_limit_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    retry_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    charts: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)


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


class SessionRow(Base):
    """A browser session: the SHA-256 of its cookie, its user, the token its forms must carry (CSRF), and
    when it expires."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
