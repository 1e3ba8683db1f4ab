"""Values keep the office's own verdict ("Tự đánh giá") beside them, for the cross-check.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: SQLite adds it in place; earlier values carry no self-assessment.
    op.add_column("indicator_values", sa.Column("self_assessed", sa.Double))


def downgrade() -> None:
    with op.batch_alter_table("indicator_values") as batch:
        batch.drop_column("self_assessed")
