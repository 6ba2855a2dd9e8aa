"""Added sectors: the grant sectors admins added in the bot (bot/domain/sectors.py; codes "x-<id>")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_table = Base.metadata.tables["added_sectors"]
_grant_sectors = Base.metadata.tables["grant_sectors"]


@dataclass(frozen=True, slots=True)
class AddedSectorRecord:
    id: int
    name_kk: str
    name_ru: str
    retired_at: datetime | None


class SectorRepository:
    """SQL for added sectors, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def all(self) -> list[AddedSectorRecord]:
        """Every added sector, retired ones too, oldest first."""
        rows = await self.connection.execute(
            select(_table.c.id, _table.c.name_kk, _table.c.name_ru, _table.c.retired_at).order_by(_table.c.id)
        )
        return [AddedSectorRecord(row.id, row.name_kk, row.name_ru, row.retired_at) for row in rows]

    async def add(self, name_kk: str, name_ru: str, *, added_by: int, now: datetime) -> int:
        result = await self.connection.execute(
            insert(_table)
            .values(name_kk=name_kk, name_ru=name_ru, added_by=added_by, added_at=now)
            .returning(_table.c.id)
        )
        return int(result.scalar_one())

    async def rename(self, sector_id: int, name_kk: str, name_ru: str) -> None:
        await self.connection.execute(
            update(_table).where(_table.c.id == sector_id).values(name_kk=name_kk, name_ru=name_ru)
        )

    async def set_retired(self, sector_id: int, retired_at: datetime | None) -> None:
        await self.connection.execute(
            update(_table).where(_table.c.id == sector_id).values(retired_at=retired_at)
        )

    async def grant_ids(self, code: str) -> list[int]:
        """The calls that name the sector."""
        rows = await self.connection.execute(
            select(_grant_sectors.c.grant_id).where(_grant_sectors.c.sector == code)
        )
        return [int(row.grant_id) for row in rows]
