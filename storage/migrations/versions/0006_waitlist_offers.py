"""Waitlist offers: freed seats held for the first in line who fits, until they answer or time runs out.

Revision ID: 0006_waitlist_offers
Revises: 0005_broadcasts
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_waitlist_offers"
down_revision: str | None = "0005_broadcasts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waitlist_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_waitlist_offers_status_expires_at", "waitlist_offers", ["status", "expires_at"])
    op.create_index("ix_waitlist_offers_registration_id", "waitlist_offers", ["registration_id"])


def downgrade() -> None:
    op.drop_index("ix_waitlist_offers_registration_id", table_name="waitlist_offers")
    op.drop_index("ix_waitlist_offers_status_expires_at", table_name="waitlist_offers")
    op.drop_table("waitlist_offers")
