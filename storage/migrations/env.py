"""Alembic environment: async engine, batch mode so that SQLite can alter tables."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage.database import DEFAULT_DATABASE_URL, create_engine
from storage.models import Base, is_modelled_table

config = context.config


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Autogenerate compares the models' tables only: not the search index (see storage/models.py)."""
    return type_ != "table" or is_modelled_table(name)


target_metadata = Base.metadata


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    # The alembic CLI: the same variable as the bot (storage does not read the bot's settings).
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
