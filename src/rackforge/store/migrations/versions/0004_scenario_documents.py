"""The parsed document of each scenario version, so a comparison reads JSON instead of parsing YAML.

Revision ID: 0004
Revises: 0003

Versions saved before this revision keep ``document`` empty; :meth:`rackforge.store.Store.document` parses
their YAML text when asked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.add_column(sa.Column("document", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_column("document")
