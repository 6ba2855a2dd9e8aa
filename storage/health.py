"""Is the database there, and migrated? For /healthz and `python -m bot healthcheck`."""

from __future__ import annotations

from sqlalchemy import text

from storage.database import Database


async def schema_version(database: Database) -> str | None:
    """The Alembic revision the database is at; raises if the database does not answer."""
    async with database.reading() as uow:
        return (await uow.connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
