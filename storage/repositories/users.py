"""Users: who they are, what they chose, and what they consented to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_conversations = Base.metadata.tables["fsm_states"]


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
    # Settings of what reaches them: broadcasts muted (their button), event reminders off (the profile).
    broadcasts_muted_at: datetime | None = None
    reminders_muted_at: datetime | None = None
    # The organisation named in their NGO or organizer request: its name, and its BIN if they gave one.
    organization: str | None = None
    organization_bin: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the sender needs to know of a user it writes to: their language now, and whether they
    blocked the bot."""

    id: int
    language: str | None
    telegram_language: str | None
    blocked: bool
    # Event reminders turned off in their profile: the sender drops them.
    reminders_muted: bool = False


_table = Base.metadata.tables["users"]
_COLUMNS = tuple(_table.c[field.name] for field in fields(UserProfile))

# Every update runs this one: built once (building it and its cache key cost more than running it).
_WITH_CONVERSATION = (
    select(*_COLUMNS, _conversations.c.state, _conversations.c.data)
    .select_from(_table.outerjoin(_conversations, _conversations.c.key == bindparam("conversation_key")))
    .where(_table.c.id == bindparam("user_id"))
)

# Columns a service may change through `UserRepository.update`.
EDITABLE = frozenset(field.name for field in fields(UserProfile)) - {"id", "created_at"}


class UserRepository:
    """SQL for the users table, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, user_id: int, *, lock: bool = False) -> UserProfile | None:
        """The user; with `lock`, their row is locked until the transaction ends (PostgreSQL: `FOR NO
        KEY UPDATE`, so that one user's changes are made one after the other, while rows that refer to
        the user may still be added; SQLite's writer already holds the database's write lock)."""
        statement = select(*_COLUMNS).where(_table.c.id == user_id)
        if lock:
            statement = statement.with_for_update(key_share=True)
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def recipients(self, user_ids: Iterable[int]) -> dict[int, Recipient]:
        """The users among `user_ids` that exist, by id, in one statement."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        statement = select(
            _table.c.id,
            _table.c.language,
            _table.c.telegram_language,
            _table.c.blocked_at.is_not(None),
            _table.c.reminders_muted_at.is_not(None),
        ).where(_table.c.id.in_(ids))
        return {
            user_id: Recipient(user_id, language, telegram_language, bool(blocked), bool(muted))
            for user_id, language, telegram_language, blocked, muted in await self.connection.execute(
                statement
            )
        }

    async def get_with_conversation(
        self, user_id: int, conversation_key: str
    ) -> tuple[UserProfile, tuple[str | None, str]] | None:
        """The user and the state of their conversation (FSM key), in one statement: every update
        needs both. None when there is no such user."""
        parameters = {"user_id": user_id, "conversation_key": conversation_key}
        row = (await self.connection.execute(_WITH_CONVERSATION, parameters)).first()
        if row is None:
            return None
        *profile, state, data = row
        return UserProfile(*profile), (state, data if data is not None else "{}")

    async def add(self, user_id: int, *, now: datetime, **values: Any) -> UserProfile:
        self._check(values)
        statement = (
            insert(_table).values(id=user_id, created_at=now, updated_at=now, **values).returning(*_COLUMNS)
        )
        return UserProfile(*(await self.connection.execute(statement)).one())

    async def update(
        self, user_id: int, *, now: datetime, consented: bool = False, **values: Any
    ) -> UserProfile | None:
        """Change a user in one statement; None if there is no such user (or, with `consented`, no
        consent on record: the condition is part of the update, so it cannot go stale)."""
        self._check(values)
        statement = update(_table).where(_table.c.id == user_id)
        if consented:
            statement = statement.where(_table.c.consent_at.is_not(None))
        statement = statement.values(**values, updated_at=now).returning(*_COLUMNS)
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def request_role(
        self, user_id: int, role: str, *, default: str, now: datetime, **details: Any
    ) -> UserProfile | None:
        """Ask for a role an admin grants, with its `details` (organization, organization_bin); a role
        already granted stays until then (else `default`). Not sent yet: see `mark_request_sent`."""
        return await self.update(
            user_id,
            now=now,
            consented=True,
            role=func.coalesce(_table.c.role, default),
            requested_role=role,
            role_requested_at=None,
            **details,
        )

    async def start_role_request(self, user_id: int, role: str, *, now: datetime) -> UserProfile | None:
        """Onboarding: a request for `role` begins, its organisation still to be told; None unless the
        user consented and has no role yet (an old button pressed by someone set up)."""
        return await self._update_draft(
            _table.c.role.is_(None),
            user_id=user_id,
            now=now,
            requested_role=role,
            role_requested_at=None,
            organization=None,
            organization_bin=None,
        )

    async def draft_role_request(
        self, user_id: int, *, now: datetime, named: bool = False, **values: Any
    ) -> UserProfile | None:
        """Onboarding: fill in the request begun (with `named`, only once its organisation is named);
        None when there is no such request (answered meanwhile, or the user is gone)."""
        conditions = [_table.c.role.is_(None), _table.c.requested_role.is_not(None)]
        if named:
            conditions.append(_table.c.organization.is_not(None))
        return await self._update_draft(*conditions, user_id=user_id, now=now, **values)

    async def drop_role_draft(self, user_id: int, *, now: datetime) -> UserProfile | None:
        """Onboarding: back to the choice of a role; None when the user has a role already."""
        return await self._update_draft(
            _table.c.role.is_(None),
            user_id=user_id,
            now=now,
            requested_role=None,
            organization=None,
            organization_bin=None,
        )

    async def mark_request_sent(self, user_id: int, *, now: datetime) -> UserProfile | None:
        """The request goes to the admins now: from here on an admin may decide it."""
        statement = (
            update(_table)
            .where(
                _table.c.id == user_id,
                _table.c.requested_role.is_not(None),
                _table.c.role_requested_at.is_(None),
            )
            .values(role_requested_at=now, updated_at=now)
            .returning(*_COLUMNS)
        )
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def _update_draft(
        self, *conditions: Any, user_id: int, now: datetime, **values: Any
    ) -> UserProfile | None:
        self._check(values)
        statement = (
            update(_table)
            .where(_table.c.id == user_id, _table.c.consent_at.is_not(None), *conditions)
            .values(**values, updated_at=now)
            .returning(*_COLUMNS)
        )
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def decide_role_request(
        self, user_id: int, role: str, *, approve: bool, now: datetime
    ) -> UserProfile | None:
        """Close an open request for `role` in one statement (granting it if `approve`); None if there
        is none open: decided by another admin meanwhile, withdrawn, or the user is gone."""
        values: dict[str, Any] = {"requested_role": None, "role_requested_at": None, "updated_at": now}
        if approve:
            values["role"] = role
        statement = (
            update(_table)
            .where(
                _table.c.id == user_id,
                _table.c.requested_role == role,
                _table.c.role_requested_at.is_not(None),  # sent to the admins: not one still asked
                _table.c.consent_at.is_not(None),
            )
            .values(**values)
            .returning(*_COLUMNS)
        )
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def by_username(self, username: str) -> UserProfile | None:
        """The user with this @username (without the @, any case), if they told it to the bot."""
        statement = select(*_COLUMNS).where(func.lower(_table.c.username) == username.lower()).limit(1)
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def revoke_role(
        self, user_id: int, role: str, *, default: str, now: datetime
    ) -> UserProfile | None:
        """Take back a granted `role` (they become `default`) in one statement; None if they do not
        hold it (revoked meanwhile, never granted, or the user is gone)."""
        statement = (
            update(_table)
            .where(_table.c.id == user_id, _table.c.role == role)
            .values(role=default, updated_at=now)
            .returning(*_COLUMNS)
        )
        row = (await self.connection.execute(statement)).first()
        return UserProfile(*row) if row else None

    async def delete(self, user_id: int) -> bool:
        result = await self.connection.execute(delete(_table).where(_table.c.id == user_id))
        return bool(result.rowcount)

    @staticmethod
    def _check(values: dict[str, Any]) -> None:
        unknown = set(values) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
