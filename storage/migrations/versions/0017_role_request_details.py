"""Role request details: the organisation a user asks to represent (its name and BIN), for the admins
who decide on the request.

Revision ID: 0017_role_request_details
Revises: 0016_sectors
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_role_request_details"
down_revision: str | None = "0016_sectors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("organization", sa.String(length=150), nullable=True))
        batch.add_column(sa.Column("organization_bin", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("organization_bin")
        batch.drop_column("organization")
