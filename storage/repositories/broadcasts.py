"""Broadcasts: an admin's message to a segment of active users, and who is in the segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Base

_table = Base.metadata.tables["broadcasts"]
_users = Base.metadata.tables["users"]


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    author_id: int
    segment: str
    text_kk: str | None
    text_ru: str | None
    status: str
    recipients: int


_COLUMNS = (
    _table.c.id,
    _table.c.author_id,
    _table.c.segment,
    _table.c.text_kk,
    _table.c.text_ru,
    _table.c.status,
    _table.c.recipients,
)


class BroadcastRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def create(
        self, author_id: int, segment: str, text_kk: str | None, text_ru: str | None, *, now: datetime
    ) -> int:
        statement = (
            insert(_table)
            .values(
                author_id=author_id,
                segment=segment,
                text_kk=text_kk,
                text_ru=text_ru,
                status="draft",
                recipients=0,
                created_at=now,
            )
            .returning(_table.c.id)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        row = (await self.connection.execute(select(*_COLUMNS).where(_table.c.id == broadcast_id))).first()
        return BroadcastRecord(*row) if row else None

    async def set_status(
        self, broadcast_id: int, status: str, *, only_from: tuple[str, ...], recipients: int | None = None
    ) -> bool:
        """Move to `status` if it is now in one of `only_from`; False if it was not."""
        values: dict[str, object] = {"status": status}
        if recipients is not None:
            values["recipients"] = recipients
        result = await self.connection.execute(
            update(_table).where(_table.c.id == broadcast_id, _table.c.status.in_(only_from)).values(**values)
        )
        return bool(result.rowcount)

    async def mark_started(self, broadcast_id: int, recipients: int, *, now: datetime) -> bool:
        result = await self.connection.execute(
            update(_table)
            .where(_table.c.id == broadcast_id, _table.c.status == "draft")
            .values(status="sending", recipients=recipients, started_at=now)
        )
        return bool(result.rowcount)

    async def recipients(self, segment: str) -> list[tuple[int, str | None]]:
        """Active users in `segment` (consented, not blocked, broadcasts not muted), with their language."""
        statement = (
            select(_users.c.id, _users.c.language)
            .where(
                _users.c.consent_at.is_not(None),
                _users.c.blocked_at.is_(None),
                _users.c.broadcasts_muted_at.is_(None),
                _segment(segment),
            )
            .order_by(_users.c.id)
        )
        return [(user_id, language) for user_id, language in await self.connection.execute(statement)]

    async def mute(self, user_id: int, *, now: datetime) -> bool:
        result = await self.connection.execute(
            update(_users)
            .where(_users.c.id == user_id, _users.c.broadcasts_muted_at.is_(None))
            .values(broadcasts_muted_at=now)
        )
        return bool(result.rowcount)


def _segment(segment: str) -> ColumnElement[bool]:
    kind, _, value = segment.partition(":")
    if kind == "role":
        return _users.c.role == value
    if kind == "region":
        return _users.c.region == value
    if kind == "language":
        return _users.c.language == value
    if kind == "everyone" and not value:
        return _users.c.id.is_not(None)
    raise ValueError(f"unknown segment {segment!r}")
