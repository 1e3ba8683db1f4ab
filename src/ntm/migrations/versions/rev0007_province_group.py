"""Communes record their province and the evidence for their commune group (2026-2030).

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: SQLite adds them in place; existing communes have neither yet.
    op.add_column("communes", sa.Column("group_evidence", sa.Text))
    op.add_column("communes", sa.Column("province", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("communes") as batch:
        batch.drop_column("province")
        batch.drop_column("group_evidence")
