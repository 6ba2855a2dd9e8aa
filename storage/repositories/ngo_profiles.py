"""NGO profiles: one row per user (bot/domain/ngo_profiles.py says what the values mean)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_table = Base.metadata.tables["ngo_profiles"]


@dataclass(frozen=True, slots=True)
class NgoProfileRecord:
    """A profile as stored: raw values, `sectors` space-separated."""

    user_id: int
    legal_form: str
    listed: str
    region: str
    sectors: str
    youth: bool
    created_at: datetime
    updated_at: datetime


_COLUMNS = tuple(_table.c[field.name] for field in fields(NgoProfileRecord))


class NgoProfileRepository:
    """SQL for NGO profiles, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, user_id: int) -> NgoProfileRecord | None:
        row = (await self.connection.execute(select(*_COLUMNS).where(_table.c.user_id == user_id))).first()
        return NgoProfileRecord(*row) if row else None

    async def put(
        self,
        user_id: int,
        *,
        legal_form: str,
        listed: str,
        region: str,
        sectors: str,
        youth: bool,
        now: datetime,
    ) -> NgoProfileRecord:
        """Write the profile, replacing the one there (a user's updates are handled one at a time)."""
        values = {
            "legal_form": legal_form,
            "listed": listed,
            "region": region,
            "sectors": sectors,
            "youth": youth,
            "updated_at": now,
        }
        statement = update(_table).where(_table.c.user_id == user_id).values(**values).returning(*_COLUMNS)
        row = (await self.connection.execute(statement)).first()
        if row is None:
            adding = insert(_table).values(user_id=user_id, created_at=now, **values).returning(*_COLUMNS)
            row = (await self.connection.execute(adding)).one()
        return NgoProfileRecord(*row)

    async def delete(self, user_id: int) -> bool:
        result = await self.connection.execute(delete(_table).where(_table.c.user_id == user_id))
        return bool(result.rowcount)
