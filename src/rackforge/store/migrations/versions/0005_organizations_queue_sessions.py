"""Scenarios numbered per organization, shared with named organizations, deleted without being erased;
runs queued by a user of an organization, with a time limit, cancel and retry; browser sessions.

Revision ID: 0005
Revises: 0004

Versions saved before this revision belong to the local organization ``""`` (the command line's).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE scenarios SET organization = '' WHERE organization IS NULL")
    with op.batch_alter_table("scenarios") as batch:
        batch.alter_column("organization", existing_type=sa.String(200), nullable=False, server_default="")
        batch.add_column(sa.Column("visibility", sa.String(16), nullable=False, server_default="private"))
        batch.add_column(sa.Column("deleted", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_scenarios_name_version", type_="unique")
        batch.drop_constraint("uq_scenarios_name_content_hash", type_="unique")
        batch.create_unique_constraint("uq_scenarios_organization_name_version", ["organization", "name", "version"])
        batch.create_unique_constraint("uq_scenarios_organization_name_hash", ["organization", "name", "content_hash"])
    op.create_table(
        "scenario_shares",
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", "organization", name="pk_scenario_shares"),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenarios.id"], name="fk_scenario_shares_scenario_id_scenarios", ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("organization", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("requested_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("queued", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("time_limit_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("retry_of", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_runs_requested_by_users", "users", ["requested_by"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_runs_status_id", ["status", "id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_status_id")
        batch.drop_constraint("fk_runs_requested_by_users", type_="foreignkey")
        for column in ("retry_of", "cancel_requested", "time_limit_s", "queued", "requested_by", "organization"):
            batch.drop_column(column)
    op.drop_table("scenario_shares")
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_constraint("uq_scenarios_organization_name_hash", type_="unique")
        batch.drop_constraint("uq_scenarios_organization_name_version", type_="unique")
        batch.create_unique_constraint("uq_scenarios_name_version", ["name", "version"])
        batch.create_unique_constraint("uq_scenarios_name_content_hash", ["name", "content_hash"])
        batch.drop_column("deleted")
        batch.drop_column("visibility")
        batch.alter_column("organization", existing_type=sa.String(200), nullable=True, server_default=None)
