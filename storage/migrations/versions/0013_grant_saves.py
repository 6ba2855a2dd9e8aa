"""Saved grant calls and which of their deadline reminders each user gets.

Changes recorded before this revision were never announced and nobody had saved a call then: they are
marked announced, so that only changes from now on reach those who save calls.

Revision ID: 0013_grant_saves
Revises: 0012_grant_questions
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_grant_saves"
down_revision: str | None = "0012_grant_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grant_saves",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "grant_id"),
    )
    op.create_index("ix_grant_saves_grant_id", "grant_saves", ["grant_id"])
    op.create_table(
        "grant_reminder_settings",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("days_7", sa.Boolean(), nullable=False),
        sa.Column("days_3", sa.Boolean(), nullable=False),
        sa.Column("days_1", sa.Boolean(), nullable=False),
        sa.Column("closing_day", sa.Boolean(), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    changes = sa.table(
        "grant_changes",
        sa.column("changed_at", sa.DateTime(timezone=True)),
        sa.column("announced_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        changes.update().where(changes.c.announced_at.is_(None)).values(announced_at=changes.c.changed_at)
    )


def downgrade() -> None:
    op.drop_table("grant_reminder_settings")
    op.drop_index("ix_grant_saves_grant_id", table_name="grant_saves")
    op.drop_table("grant_saves")
