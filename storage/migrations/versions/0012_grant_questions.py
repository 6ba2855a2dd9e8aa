"""Questions users ask about grant calls, the admins' answers, and which are published on the card.

Revision ID: 0012_grant_questions
Revises: 0011_admins
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_grant_questions"
down_revision: str | None = "0011_admins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grant_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.String(length=400), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=800), nullable=True),
        sa.Column("answered_by", sa.BigInteger(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grant_questions_grant_published", "grant_questions", ["grant_id", "published_at"])
    op.create_index("ix_grant_questions_user_grant", "grant_questions", ["user_id", "grant_id"])
    op.create_index("ix_grant_questions_answered_at", "grant_questions", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_grant_questions_answered_at", table_name="grant_questions")
    op.drop_index("ix_grant_questions_user_grant", table_name="grant_questions")
    op.drop_index("ix_grant_questions_grant_published", table_name="grant_questions")
    op.drop_table("grant_questions")
