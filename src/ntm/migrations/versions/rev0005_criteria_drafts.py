"""Drafts of criteria sets read from a decision's annex table, kept until a person approves.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-02

Self-contained (it only adds a table): other branches add 0003 and 0004, and the chain is set
when they are merged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "criteria_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("set_id", sa.String(100), nullable=False),
        sa.Column("based_on", sa.String(100), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("approved_by", sa.String(200)),
        sa.Column("approved_at", TS),
        sa.Column("criteria_revision", sa.Integer),
        sa.CheckConstraint(
            "state IN ('draft', 'approved', 'superseded')", name="ck_criteria_drafts_state"
        ),
    )
    op.create_index("ix_criteria_drafts_set_state", "criteria_drafts", ["set_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_criteria_drafts_set_state", table_name="criteria_drafts")
    op.drop_table("criteria_drafts")
