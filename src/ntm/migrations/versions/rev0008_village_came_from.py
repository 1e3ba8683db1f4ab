"""Villages record the village they came from (a merger of communes, issue 16).

When communes merge (Dương Quang and Đôn Phong → Phong Quang, 1 Jul 2025) the new commune's
villages are new rows of the new commune; `came_from_id` names the predecessor commune's village
each continues, so its history can be followed across the merger. (`merged_into_id` stays what
it was: one village absorbed by another village of the same commune.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table in place.
    with op.batch_alter_table("villages") as batch:
        batch.add_column(sa.Column("came_from_id", sa.Integer))
        batch.create_foreign_key(
            "fk_villages_came_from_id_villages", "villages", ["came_from_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("villages") as batch:
        batch.drop_constraint("fk_villages_came_from_id_villages", type_="foreignkey")
        batch.drop_column("came_from_id")
