"""The register of units (issue 13): commune codes, aliases, values carried over by an update.

Revision ID: 0004
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Nullable columns: SQLite adds them in place, no table rebuild.
    op.add_column("communes", sa.Column("code", sa.String(20)))
    op.create_index("uq_communes_code", "communes", ["code"], unique=True)
    op.add_column("indicator_values", sa.Column("carried_from_id", sa.Integer))
    op.create_table(
        "unit_aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commune_id", sa.Integer, sa.ForeignKey("communes.id")),
        sa.Column("village_id", sa.Integer, sa.ForeignKey("villages.id")),
        sa.Column("alias", sa.String(200), nullable=False),
        sa.Column("how", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "(commune_id IS NULL) <> (village_id IS NULL)", name="ck_unit_aliases_one_unit"
        ),
        sa.UniqueConstraint("commune_id", "alias", name="uq_unit_aliases_commune"),
        sa.UniqueConstraint("village_id", "alias", name="uq_unit_aliases_village"),
    )


def downgrade() -> None:
    op.drop_table("unit_aliases")
    with op.batch_alter_table("indicator_values") as batch:
        batch.drop_column("carried_from_id")
    op.drop_index("uq_communes_code", table_name="communes")
    with op.batch_alter_table("communes") as batch:
        batch.drop_column("code")
