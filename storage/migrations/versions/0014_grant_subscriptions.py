"""Grant subscriptions: what a user wants to hear of (sectors, regions, words; instantly or weekly),
the calls that reached them (one row per user and call: nothing is announced twice), and the calls they
marked "not relevant".

Revision ID: 0014_grant_subscriptions
Revises: 0013_grant_saves
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_grant_subscriptions"
down_revision: str | None = "0013_grant_saves"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grant_subscriptions",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sectors", sa.String(length=200), nullable=False),
        sa.Column("regions", sa.String(length=400), nullable=False),
        sa.Column("words", sa.String(length=200), nullable=False),
        sa.Column("delivery", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_grant_subscriptions_active", "grant_subscriptions", ["active"])
    op.create_table(
        "grant_alerts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "grant_id"),
    )
    op.create_index("ix_grant_alerts_digest", "grant_alerts", ["delivery", "digested_at"])
    op.create_table(
        "grant_hidden",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "grant_id"),
    )


def downgrade() -> None:
    op.drop_table("grant_hidden")
    op.drop_index("ix_grant_alerts_digest", table_name="grant_alerts")
    op.drop_table("grant_alerts")
    op.drop_index("ix_grant_subscriptions_active", table_name="grant_subscriptions")
    op.drop_table("grant_subscriptions")
