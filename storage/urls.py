"""Which database URLs the bot runs on: SQLite through aiosqlite, PostgreSQL through asyncpg."""

from __future__ import annotations

import importlib.util

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# The databases the bot runs on and the async driver for each (`backend+driver` in the URL).
ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
DATABASE_URL_EXAMPLES = "sqlite+aiosqlite:///./data/bot.sqlite3 or postgresql+asyncpg://user:password@host/db"
# How to install a driver that is not among the bot's own dependencies.
DRIVER_INSTALL = {"asyncpg": "pip install -c requirements.lock -e '.[postgres]'"}


def check_database_url(value: str) -> str:
    """`value` if the bot can run on it; else ValueError saying, in one line, what to write instead."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(f"is not a database URL: use {DATABASE_URL_EXAMPLES}") from None
    backend, _, driver = url.drivername.partition("+")
    backend = "postgresql" if backend == "postgres" else backend  # Heroku's spelling
    wanted = ASYNC_DRIVERS.get(backend)
    if wanted is None:
        raise ValueError(f"uses {backend}, which the bot does not run on: use {DATABASE_URL_EXAMPLES}")
    if driver != wanted:
        fixed = url.set(drivername=f"{backend}+{wanted}").render_as_string(hide_password=True)
        raise ValueError(
            f"names the driver {url.drivername}; the bot needs {backend}+{wanted} (async): use {fixed}"
        )
    if importlib.util.find_spec(wanted) is None:
        install = DRIVER_INSTALL.get(wanted, f"pip install {wanted}")
        raise ValueError(f"needs the {wanted} package, which is not installed: {install}")
    return value
