"""Broadcasts: a message to a segment of active users (or to the people of one event), and who is in
the segment."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Base

_table = Base.metadata.tables["broadcasts"]
_users = Base.metadata.tables["users"]
_registrations = Base.metadata.tables["registrations"]

# As the database keeps them (bot/services/broadcasts.py names them; storage imports nothing from bot).
_SCHEDULED = "scheduled"
_STARTABLE = ("draft", _SCHEDULED)
_REGISTERED = "registered"
_ATTENDED = "attended"  # storage/repositories/attendance.py
_WAITLISTED = "waitlisted"


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    author_id: int
    segment: str
    text_kk: str | None
    text_ru: str | None
    media_kind: str | None
    media_file_id: str | None
    status: str
    scheduled_at: datetime | None
    recipients: int
    progress_message_id: int | None
    author_language: str | None
    started_at: datetime | None
    finished_at: datetime | None
    reported_at: datetime | None


_COLUMNS = tuple(_table.c[field.name] for field in fields(BroadcastRecord))


class BroadcastRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def create(
        self,
        author_id: int,
        segment: str,
        text_kk: str | None,
        text_ru: str | None,
        *,
        now: datetime,
        media_kind: str | None = None,
        media_file_id: str | None = None,
        scheduled_at: datetime | None = None,
        author_language: str | None = None,
    ) -> int:
        statement = (
            insert(_table)
            .values(
                author_id=author_id,
                segment=segment,
                text_kk=text_kk,
                text_ru=text_ru,
                media_kind=media_kind,
                media_file_id=media_file_id,
                status=_SCHEDULED if scheduled_at is not None else "draft",
                scheduled_at=scheduled_at,
                author_language=author_language,
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
        self,
        broadcast_id: int,
        status: str,
        *,
        only_from: tuple[str, ...],
        finished_at: datetime | None = None,
    ) -> bool:
        """Move to `status` if it is now in one of `only_from`; False if it was not."""
        values: dict[str, Any] = {"status": status}
        if finished_at is not None:
            values["finished_at"] = finished_at
        result = await self.connection.execute(
            update(_table).where(_table.c.id == broadcast_id, _table.c.status.in_(only_from)).values(**values)
        )
        return bool(result.rowcount)

    async def mark_started(self, broadcast_id: int, recipients: int, *, now: datetime) -> bool:
        """From draft or scheduled to sending, once: False if it had started (or was cancelled) already."""
        result = await self.connection.execute(
            update(_table)
            .where(_table.c.id == broadcast_id, _table.c.status.in_(_STARTABLE))
            .values(status="sending", recipients=recipients, started_at=now)
        )
        return bool(result.rowcount)

    async def edit_scheduled(self, broadcast_id: int, **values: Any) -> bool:
        """Change the texts or the time of a broadcast still waiting for its time; False once it started
        (or was cancelled): the condition is part of the update, so it cannot go stale."""
        unknown = set(values) - {"text_kk", "text_ru", "scheduled_at"}
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        result = await self.connection.execute(
            update(_table).where(_table.c.id == broadcast_id, _table.c.status == _SCHEDULED).values(**values)
        )
        return bool(result.rowcount)

    async def due(self, *, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come, earliest first."""
        statement = (
            select(_table.c.id)
            .where(_table.c.status == _SCHEDULED, _table.c.scheduled_at <= now)
            .order_by(_table.c.scheduled_at, _table.c.id)
        )
        return list((await self.connection.execute(statement)).scalars())

    async def scheduled_by(self, author_id: int | None) -> list[BroadcastRecord]:
        """Broadcasts waiting for their time (of one author; None: of everyone), soonest first."""
        statement = select(*_COLUMNS).where(_table.c.status == _SCHEDULED)
        if author_id is not None:
            statement = statement.where(_table.c.author_id == author_id)
        rows = await self.connection.execute(statement.order_by(_table.c.scheduled_at, _table.c.id))
        return [BroadcastRecord(*row) for row in rows]

    async def unreported(self) -> list[BroadcastRecord]:
        """Started broadcasts whose progress message does not show the final report yet."""
        statement = (
            select(*_COLUMNS)
            .where(_table.c.started_at.is_not(None), _table.c.reported_at.is_(None))
            .order_by(_table.c.id)
        )
        return [BroadcastRecord(*row) for row in await self.connection.execute(statement)]

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        await self.connection.execute(
            update(_table).where(_table.c.id == broadcast_id).values(progress_message_id=message_id)
        )

    async def mark_reported(self, broadcast_id: int, *, now: datetime) -> None:
        await self.connection.execute(
            update(_table).where(_table.c.id == broadcast_id).values(reported_at=now)
        )

    async def recipients(self, segment: str) -> list[tuple[int, str | None]]:
        """Active users in `segment` (consented, not blocked; for a segment of all users, broadcasts
        not muted: an event's people hear about the event they signed up for), with their language."""
        kind, _, rest = segment.partition(":")
        if kind == "event":
            event_id, _, audience = rest.partition(":")
            statement = (
                select(_users.c.id, _users.c.language)
                .select_from(_registrations.join(_users, _users.c.id == _registrations.c.user_id))
                .where(
                    _registrations.c.event_id == int(event_id),
                    _event_audience(audience),
                    _users.c.consent_at.is_not(None),
                    _users.c.blocked_at.is_(None),
                )
                .order_by(_users.c.id)
            )
        else:
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


def _event_audience(audience: str) -> ColumnElement[bool]:
    if audience == "r":  # registered: holding a seat
        return _registrations.c.status == _REGISTERED
    if audience == "w":
        return _registrations.c.status == _WAITLISTED
    if audience == "a":  # marked as having come by the organizer's roster
        return _registrations.c.attendance == _ATTENDED
    raise ValueError(f"unknown event audience {audience!r}")
