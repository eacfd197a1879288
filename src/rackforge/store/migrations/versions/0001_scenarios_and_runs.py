"""Scenarios (every saved version) and runs (state, result document, key figures).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("organization", sa.String(200), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
        sa.UniqueConstraint("name", "version", name="uq_scenarios_name_version"),
    )
    op.create_index("ix_scenarios_name", "scenarios", ["name"])
    op.create_index("ix_scenarios_content_hash", "scenarios", ["content_hash"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rackforge_version", sa.String(40), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("accelerators", sa.Integer(), nullable=True),
        sa.Column("it_mw", sa.Float(), nullable=True),
        sa.Column("facility_mw", sa.Float(), nullable=True),
        sa.Column("bom_cost_usd", sa.Float(), nullable=True),
        sa.Column("duties_usd", sa.Float(), nullable=True),
        sa.Column("supply_status", sa.String(16), nullable=True),
        sa.Column("supply_cost_usd", sa.Float(), nullable=True),
        sa.Column("on_time_share", sa.Float(), nullable=True),
        sa.Column("makespan_weeks", sa.Float(), nullable=True),
        sa.Column("flagged_risks", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenarios.id"], name="fk_runs_scenario_id_scenarios", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_scenario_status", "runs", ["scenario_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_runs_scenario_status", table_name="runs")
    op.drop_index("ix_runs_status", table_name="runs")
    op.drop_table("runs")
    op.drop_index("ix_scenarios_content_hash", table_name="scenarios")
    op.drop_index("ix_scenarios_name", table_name="scenarios")
    op.drop_table("scenarios")
