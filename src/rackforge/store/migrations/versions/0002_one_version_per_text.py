"""One version per distinct text of a scenario: unique ``(name, content_hash)``, so two processes saving
the same new text at once store it once (the second one's insert fails and it finds the first's).

A store written before this rule may hold one text under several versions of a name (switching back to an
earlier file added a version then). Those are merged into the earliest of them: their runs move to it and
the later rows go, so a name's version numbers may skip the merged ones.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name, content_hash FROM scenarios ORDER BY version")).all()
    first: dict[tuple[str, str], int] = {}
    for row_id, name, digest in rows:
        keep = first.setdefault((name, digest), row_id)
        if keep != row_id:
            connection.execute(sa.text("UPDATE runs SET scenario_id = :keep WHERE scenario_id = :dup"),
                               {"keep": keep, "dup": row_id})  # fmt: skip
            connection.execute(sa.text("DELETE FROM scenarios WHERE id = :dup"), {"dup": row_id})
    with op.batch_alter_table("scenarios") as batch:
        batch.create_unique_constraint("uq_scenarios_name_content_hash", ["name", "content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_constraint("uq_scenarios_name_content_hash", type_="unique")
