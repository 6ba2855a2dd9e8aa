"""Broadcasts with a photo or a document, scheduled, with a live progress message; event broadcasts;
muting event reminders.

Revision ID: 0009_broadcast_schedule
Revises: 0008_still_coming
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_broadcast_schedule"
down_revision: str | None = "0008_still_coming"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("media_kind", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("media_file_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("progress_message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("author_language", sa.String(length=8), nullable=True))
        batch.create_index("ix_broadcasts_status_scheduled_at", ["status", "scheduled_at"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("reminders_muted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("reminders_muted_at")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_index("ix_broadcasts_status_scheduled_at")
        for column in (
            "author_language",
            "reported_at",
            "finished_at",
            "progress_message_id",
            "scheduled_at",
            "media_file_id",
            "media_kind",
        ):
            batch.drop_column(column)
