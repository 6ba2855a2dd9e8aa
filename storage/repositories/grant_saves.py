"""Saved grant calls and each user's choice of their deadline reminders: the SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_saves = Base.metadata.tables["grant_saves"]
_settings = Base.metadata.tables["grant_reminder_settings"]
_grants = Base.metadata.tables["grants"]

_OPEN = "open"


@dataclass(frozen=True, slots=True)
class ReminderSettingsRecord:
    """Which reminders a user gets; the defaults when they never chose."""

    days_7: bool = True
    days_3: bool = True
    days_1: bool = True
    closing_day: bool = True
    muted: bool = False


SETTING_FIELDS = ("days_7", "days_3", "days_1", "closing_day", "muted")


class GrantSaveRepository:
    """SQL for saved calls, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def save(self, user_id: int, grant_id: int, *, now: datetime) -> bool:
        """Save the call for the user; False if it was saved already."""
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(_saves)
            .values(user_id=user_id, grant_id=grant_id, saved_at=now)
            .on_conflict_do_nothing(index_elements=[_saves.c.user_id, _saves.c.grant_id])
        )
        return bool((await self.connection.execute(statement)).rowcount)

    async def unsave(self, user_id: int, grant_id: int) -> bool:
        """False if the user had not saved it."""
        result = await self.connection.execute(
            delete(_saves).where(_saves.c.user_id == user_id, _saves.c.grant_id == grant_id)
        )
        return bool(result.rowcount)

    async def is_saved(self, user_id: int, grant_id: int) -> bool:
        statement = select(_saves.c.grant_id).where(
            _saves.c.user_id == user_id, _saves.c.grant_id == grant_id
        )
        return (await self.connection.execute(statement)).first() is not None

    async def count(self, user_id: int) -> int:
        statement = select(func.count()).select_from(_saves).where(_saves.c.user_id == user_id)
        return int((await self.connection.execute(statement)).scalar_one())

    async def saved_ids(
        self, user_id: int, *, now: datetime, offset: int = 0, limit: int | None = None
    ) -> list[int]:
        """The user's saved calls: the open ones, nearest deadline first, then those closed, latest
        deadline first."""
        is_open = (_grants.c.status == _OPEN) & (_grants.c.deadline > now)
        statement = (
            select(_saves.c.grant_id)
            .join(_grants, _grants.c.id == _saves.c.grant_id)
            .where(_saves.c.user_id == user_id)
            .order_by(
                case((is_open, 0), else_=1),
                case((is_open, _grants.c.deadline), else_=None),
                _grants.c.deadline.desc(),
                _grants.c.id,
            )
            .offset(offset)
        )
        if limit is not None:
            statement = statement.limit(limit)
        return [int(grant_id) for grant_id in (await self.connection.execute(statement)).scalars()]

    async def savers(self, grant_id: int) -> list[int]:
        """Who saved the call."""
        statement = select(_saves.c.user_id).where(_saves.c.grant_id == grant_id).order_by(_saves.c.user_id)
        return [int(user_id) for user_id in (await self.connection.execute(statement)).scalars()]

    async def settings(self, user_id: int) -> ReminderSettingsRecord:
        columns = [_settings.c[name] for name in SETTING_FIELDS]
        row = (await self.connection.execute(select(*columns).where(_settings.c.user_id == user_id))).first()
        return ReminderSettingsRecord(*row) if row else ReminderSettingsRecord()

    async def settings_of(self, user_ids: list[int]) -> dict[int, ReminderSettingsRecord]:
        """Each user's settings (the defaults for those who never chose)."""
        found = {user_id: ReminderSettingsRecord() for user_id in user_ids}
        if user_ids:
            columns = [_settings.c[name] for name in SETTING_FIELDS]
            rows = await self.connection.execute(
                select(_settings.c.user_id, *columns).where(_settings.c.user_id.in_(user_ids))
            )
            for user_id, *values in rows:
                found[int(user_id)] = ReminderSettingsRecord(*values)
        return found

    async def set_settings(self, user_id: int, record: ReminderSettingsRecord, *, now: datetime) -> None:
        values = {name: getattr(record, name) for name in SETTING_FIELDS}
        changed = await self.connection.execute(
            update(_settings).where(_settings.c.user_id == user_id).values(**values, updated_at=now)
        )
        if not changed.rowcount:
            await self.connection.execute(insert(_settings).values(user_id=user_id, **values, updated_at=now))
