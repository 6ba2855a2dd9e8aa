"""Users: who they are, what they chose, and what they consented to."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

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
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})


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
    """SQL for the users table, inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> UserProfile | None:
        row = await self.session.get(User, user_id)
        return UserProfile.from_row(row) if row else None

    async def add(self, user_id: int, **values: Any) -> UserProfile:
        row = User(id=user_id, **values)
        self.session.add(row)
        await self.session.flush()
        return UserProfile.from_row(row)

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
        return UserProfile.from_row(row) if row else None
