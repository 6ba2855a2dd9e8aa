"""Attendance and ratings: attended / no-show marks on registrations, the hours an event credits, and
the attendees' ratings of events.

Revision ID: 0007_attendance
Revises: 0006_waitlist_offers
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_attendance"
down_revision: str | None = "0006_waitlist_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("volunteer_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("attendance", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("attendance_marked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rating_asked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "event_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "user_id", name="uq_event_ratings_event_id_user_id"),
    )


def downgrade() -> None:
    op.drop_table("event_ratings")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("rating_asked_at")
        batch.drop_column("attendance_marked_at")
        batch.drop_column("attendance")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("volunteer_minutes")
