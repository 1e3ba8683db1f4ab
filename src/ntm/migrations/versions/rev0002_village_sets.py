"""Communes name the province village (thôn) criteria sets they follow.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column: SQLite adds it in place, no table rebuild; existing communes follow none.
    op.add_column("communes", sa.Column("village_criteria_sets", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("communes") as batch:
        batch.drop_column("village_criteria_sets")
