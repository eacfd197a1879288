"""One version per distinct text of a scenario: unique ``(name, content_hash)``, so two processes saving
the same new text at once store it once (the second one's insert fails and it finds the first's).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.create_unique_constraint("uq_scenarios_name_content_hash", ["name", "content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_constraint("uq_scenarios_name_content_hash", type_="unique")
