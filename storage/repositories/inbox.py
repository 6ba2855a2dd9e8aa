"""The inbox: Telegram's updates, stored before they are confirmed, handled from here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_table = Base.metadata.tables["inbox"]
ERROR_MAX = 500


class InboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    update_id: int
    lane: int | None
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class FailedUpdate:
    update_id: int
    attempts: int
    error: str | None
    received_at: datetime


class InboxRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def store(self, updates: Sequence[StoredUpdate], *, now: datetime) -> list[int]:
        """Store what is new; returns the ids stored now (one seen before is not stored twice)."""
        if not updates:
            return []
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        # One statement with a list of rows (SQLAlchemy's "insertmanyvalues"): compiled once and cached,
        # where .values([...]) compiled anew for every batch size.
        statement = (
            insert(_table)
            .on_conflict_do_nothing(index_elements=[_table.c.update_id])
            .returning(_table.c.update_id)
        )
        rows = [
            {
                "update_id": update.update_id,
                "lane": update.lane,
                "payload": update.payload,
                "status": InboxStatus.PENDING.value,
                "attempts": update.attempts,
                "received_at": now,
            }
            for update in updates
        ]
        return list((await self.connection.execute(statement, rows)).scalars())

    async def pending(self) -> list[StoredUpdate]:
        """Everything not handled yet, oldest first."""
        statement = (
            select(_table.c.update_id, _table.c.lane, _table.c.payload, _table.c.attempts)
            .where(_table.c.status == InboxStatus.PENDING.value)
            .order_by(_table.c.update_id)
        )
        return [StoredUpdate(*row) for row in await self.connection.execute(statement)]

    async def count_interrupted(self) -> None:
        """Pending updates were being handled when the process stopped: that counts as an attempt."""
        await self.connection.execute(
            update(_table)
            .where(_table.c.status == InboxStatus.PENDING.value)
            .values(attempts=_table.c.attempts + 1)
        )

    async def mark_done(self, update_ids: Iterable[int], *, now: datetime) -> None:
        ids = list(update_ids)
        if ids:
            await self.connection.execute(
                update(_table)
                .where(_table.c.update_id.in_(ids))
                .values(status=InboxStatus.DONE.value, handled_at=now)
            )

    async def mark_failed(self, update_id: int, error: str, *, attempts: int, now: datetime) -> None:
        await self.connection.execute(
            update(_table)
            .where(_table.c.update_id == update_id)
            .values(
                status=InboxStatus.FAILED.value, error=error[:ERROR_MAX], attempts=attempts, handled_at=now
            )
        )

    async def prune(self, *, before: datetime) -> int:
        """Forget handled updates (done or failed) handled before `before`; returns how many."""
        result = await self.connection.execute(
            delete(_table).where(
                _table.c.status != InboxStatus.PENDING.value,
                or_(_table.c.handled_at < before, _table.c.handled_at.is_(None)),
            )
        )
        return int(result.rowcount)

    async def counts(self) -> dict[InboxStatus, int]:
        statement = select(_table.c.status, func.count()).group_by(_table.c.status)
        found = {InboxStatus(status): count for status, count in await self.connection.execute(statement)}
        return {status: found.get(status, 0) for status in InboxStatus}

    async def failed(self, limit: int = 50) -> list[FailedUpdate]:
        statement = (
            select(_table.c.update_id, _table.c.attempts, _table.c.error, _table.c.received_at)
            .where(_table.c.status == InboxStatus.FAILED.value)
            .order_by(_table.c.update_id.desc())
            .limit(limit)
        )
        return [FailedUpdate(*row) for row in await self.connection.execute(statement)]

    async def payload(self, update_id: int) -> str | None:
        statement = select(_table.c.payload).where(_table.c.update_id == update_id)
        return (await self.connection.execute(statement)).scalar_one_or_none()
