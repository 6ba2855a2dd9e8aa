"""Grant calls, their sectors, regions and changes, and (SQLite) their FTS5 search index.

Revision ID: 0010_grants
Revises: 0009_broadcast_schedule
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_grants"
down_revision: str | None = "0009_broadcast_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The index reads search_title and search_body from grants (external content); the triggers keep it in
# step with every insert, update and delete. Prefix indexes make `жаста*` cheap.
FTS_STATEMENTS = (
    "CREATE VIRTUAL TABLE grants_fts USING fts5(search_title, search_body, content='grants', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')",
    "CREATE TRIGGER grants_fts_insert AFTER INSERT ON grants BEGIN "
    "INSERT INTO grants_fts(rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    "CREATE TRIGGER grants_fts_delete AFTER DELETE ON grants BEGIN "
    "INSERT INTO grants_fts(grants_fts, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); END",
    "CREATE TRIGGER grants_fts_update AFTER UPDATE OF search_title, search_body ON grants BEGIN "
    "INSERT INTO grants_fts(grants_fts, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); "
    "INSERT INTO grants_fts(rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
)


def upgrade() -> None:
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("title_kk", sa.String(length=200), nullable=True),
        sa.Column("title_ru", sa.String(length=200), nullable=True),
        sa.Column("summary_kk", sa.Text(), nullable=True),
        sa.Column("summary_ru", sa.Text(), nullable=True),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_min", sa.BigInteger(), nullable=True),
        sa.Column("amount_max", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("eligibility_kk", sa.Text(), nullable=True),
        sa.Column("eligibility_ru", sa.Text(), nullable=True),
        sa.Column("legal_entity_only", sa.Boolean(), nullable=False),
        sa.Column("ngo_database_required", sa.Boolean(), nullable=False),
        sa.Column("youth_organizations", sa.Boolean(), nullable=False),
        sa.Column("initiative_groups_allowed", sa.Boolean(), nullable=False),
        sa.Column("how_to_apply", sa.String(length=500), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_title", sa.Text(), nullable=False),
        sa.Column("search_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id", name="uq_grants_external_id"),
    )
    op.create_index("ix_grants_status_deadline", "grants", ["status", "deadline"])
    op.create_table(
        "grant_sectors",
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("grant_id", "sector"),
    )
    op.create_index("ix_grant_sectors_sector", "grant_sectors", ["sector"])
    op.create_table(
        "grant_regions",
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("grant_id", "region"),
    )
    op.create_index("ix_grant_regions_region", "grant_regions", ["region"])
    op.create_table(
        "grant_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("old_value", sa.String(length=64), nullable=True),
        sa.Column("new_value", sa.String(length=64), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grant_changes_announced_at", "grant_changes", ["announced_at"])
    op.create_table(
        "grant_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grant_searches_created_at", "grant_searches", ["created_at"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("grants_fts_update", "grants_fts_delete", "grants_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS grants_fts")
    op.drop_index("ix_grant_searches_created_at", table_name="grant_searches")
    op.drop_table("grant_searches")
    op.drop_index("ix_grant_changes_announced_at", table_name="grant_changes")
    op.drop_table("grant_changes")
    op.drop_index("ix_grant_regions_region", table_name="grant_regions")
    op.drop_table("grant_regions")
    op.drop_index("ix_grant_sectors_sector", table_name="grant_sectors")
    op.drop_table("grant_sectors")
    op.drop_index("ix_grants_status_deadline", table_name="grants")
    op.drop_table("grants")
