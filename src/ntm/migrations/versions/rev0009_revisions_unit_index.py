"""A plain index on revisions(commune_id, period) (issue 17: PostgreSQL import speed).

An import looks up the revisions of one commune for the periods it carries (what each unit
replaces, and the next number). The only indexes that start with those columns were partial
(per village, or commune-wide), which PostgreSQL does not use for a lookup that covers both
kinds of unit: it scanned the whole table (~1.5 ms a lookup on a province's 2,500 units).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_revisions_commune_period", "revisions", ["commune_id", "period"])


def downgrade() -> None:
    op.drop_index("ix_revisions_commune_period", table_name="revisions")
