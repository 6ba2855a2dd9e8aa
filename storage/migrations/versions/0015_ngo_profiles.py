"""NGO profiles: legal form, NGO database listing, region, sectors and youth organization, for the grant
calls' "fits / probably not / unsure" marks.

Revision ID: 0015_ngo_profiles
Revises: 0014_grant_subscriptions
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_ngo_profiles"
down_revision: str | None = "0014_grant_subscriptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ngo_profiles",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("legal_form", sa.String(length=16), nullable=False),
        sa.Column("listed", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("sectors", sa.String(length=200), nullable=False),
        sa.Column("youth", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("ngo_profiles")
