"""Admins promoted in the bot (ADMIN_IDS admins come from the deployment and are not stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_table = Base.metadata.tables["admins"]


@dataclass(frozen=True, slots=True)
class PromotedAdmin:
    user_id: int
    promoted_by: int
    promoted_at: datetime


class AdminRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def contains(self, user_id: int) -> bool:
        statement = select(_table.c.user_id).where(_table.c.user_id == user_id)
        return (await self.connection.execute(statement)).first() is not None

    async def ids(self) -> set[int]:
        return set((await self.connection.execute(select(_table.c.user_id))).scalars())

    async def all(self) -> list[PromotedAdmin]:
        statement = select(_table.c.user_id, _table.c.promoted_by, _table.c.promoted_at)
        return [PromotedAdmin(*row) for row in await self.connection.execute(statement)]

    async def add(self, user_id: int, *, promoted_by: int, now: datetime) -> bool:
        """False if they were an admin already."""
        statement = (
            insert(_table)
            .values(user_id=user_id, promoted_by=promoted_by, promoted_at=now)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        return bool((await self.connection.execute(statement)).rowcount)

    async def remove(self, user_id: int) -> bool:
        """False if they were not a promoted admin."""
        result = await self.connection.execute(delete(_table).where(_table.c.user_id == user_id))
        return bool(result.rowcount)
