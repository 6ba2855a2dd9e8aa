"""Users: who they are, what they chose, and what they consented to."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cache import pending_changes, user_cache
from storage.models import User, utcnow


@dataclass(frozen=True, slots=True)
class UserProfile:
    """A user as the rest of the bot sees them."""

    id: int
    name: str | None
    username: str | None
    language: str | None
    telegram_language: str | None
    consent_at: datetime | None
    role: str | None
    requested_role: str | None
    role_requested_at: datetime | None
    region: str | None
    phone: str | None
    start_payload: str | None
    blocked_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: User) -> UserProfile:
        # A row built in memory still holds times as they were given: in UTC, as the database has them.
        return cls(**{field.name: _utc(getattr(row, field.name)) for field in fields(cls)})


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


# Columns a service may change through `UserRepository.update`.
EDITABLE = frozenset(
    {
        "name",
        "username",
        "language",
        "telegram_language",
        "consent_at",
        "role",
        "requested_role",
        "role_requested_at",
        "region",
        "phone",
        "start_payload",
        "blocked_at",
    }
)


class UserRepository:
    """SQL for the users table, inside the caller's transaction.

    Every write to users goes through here, which is what keeps the user cache right (storage/cache.py).
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cache = user_cache(session.sync_session)

    async def get(self, user_id: int) -> UserProfile | None:
        if self.cache is not None:
            cached = self.cache.get(user_id)
            if cached is not None:
                return cached
        row = await self.session.get(User, user_id)
        profile = UserProfile.from_row(row) if row else None
        written_here = user_id in pending_changes(self.session.sync_session)
        if self.cache is not None and profile is not None and not written_here:
            self.cache.put(profile)
        return profile

    async def add(self, user_id: int, **values: Any) -> UserProfile:
        row = User(id=user_id, **values)
        self.session.add(row)
        await self.session.flush()
        return self._written(UserProfile.from_row(row))

    async def delete(self, user_id: int) -> None:
        await self.session.execute(delete(User).where(User.id == user_id))
        self._forget(user_id)
        pending_changes(self.session.sync_session)[user_id] = None

    def _written(self, profile: UserProfile) -> UserProfile:
        self._forget(profile.id)
        pending_changes(self.session.sync_session)[profile.id] = profile
        return profile

    def _forget(self, user_id: int) -> None:
        if self.cache is not None:
            self.cache.forget(user_id)

    async def update(self, user_id: int, *, consented: bool = False, **values: Any) -> UserProfile | None:
        """Change a user in one statement; None if there is no such user (or, with `consented`, no
        consent on record: the condition is part of the update, so it cannot go stale)."""
        unknown = set(values) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        statement = update(User).where(User.id == user_id)
        if consented:
            statement = statement.where(User.consent_at.is_not(None))
        statement = (
            statement.values(**values, updated_at=utcnow())
            .returning(User)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        row = (await self.session.scalars(statement)).one_or_none()
        return self._written(UserProfile.from_row(row)) if row else None
