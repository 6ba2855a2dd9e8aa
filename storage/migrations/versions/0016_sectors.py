"""Added sectors: grant sectors an admin adds in the bot, named in Kazakh and Russian.

Revision ID: 0016_sectors
Revises: 0015_ngo_profiles
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_sectors"
down_revision: str | None = "0015_ngo_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "added_sectors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name_kk", sa.String(length=64), nullable=False),
        sa.Column("name_ru", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_kk", name="uq_added_sectors_name_kk"),
        sa.UniqueConstraint("name_ru", name="uq_added_sectors_name_ru"),
    )


def downgrade() -> None:
    op.drop_table("added_sectors")
