"""A unit of work: one transaction, its repositories, one commit at the end.

A use case opens one, does its reads and writes through the repositories, and leaves: the
transaction commits if the block ends normally and rolls back if it raises, so a use case that fails
half-way leaves nothing behind. Two mistakes fail at once instead of stalling the bot:

- opening a unit of work inside another (with one SQLite writer it would wait for itself until the
  pool's timeout): `NestedTransactionError`;
- calling the network while one is open (every user would wait on Telegram): `in_transaction()` is
  what the bot's session checks before each Bot API call.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar, Token
from functools import cached_property
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.repositories.admins import AdminRepository
from storage.repositories.attendance import AttendanceRepository
from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.events import EventRepository
from storage.repositories.fsm import FSMRepository
from storage.repositories.grant_questions import GrantQuestionRepository
from storage.repositories.grant_saves import GrantSaveRepository
from storage.repositories.grant_search import GrantSearchIndex, search_index
from storage.repositories.grant_subscriptions import GrantSubscriptionRepository
from storage.repositories.grants import GrantRepository
from storage.repositories.inbox import InboxRepository
from storage.repositories.ngo_profiles import NgoProfileRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.personal_data import PersonalDataRepository
from storage.repositories.publishing import PublishingRepository
from storage.repositories.sectors import SectorRepository
from storage.repositories.users import UserRepository

# How long a unit of work waits for a connection before it fails (SQLAlchemy's pool_timeout).
TURN_TIMEOUT = 30.0

_current: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


class NestedTransactionError(RuntimeError):
    """A unit of work was opened while another one is open in the same task."""


def in_transaction() -> bool:
    """Whether the running task has a unit of work open."""
    return _current.get() is not None


class UnitOfWork:
    """`async with database.transaction() as uow: await uow.users.get(...)`."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        turns: asyncio.Lock | asyncio.Semaphore | None = None,
    ) -> None:
        """`turns`: taken before a connection is asked of the engine's pool, given back after."""
        self.engine = engine
        self.read_only = read_only
        self._turns = turns
        self._has_turn = False
        self._connection: AsyncConnection | None = None
        self._token: Token[UnitOfWork | None] | None = None

    async def __aenter__(self) -> UnitOfWork:
        if _current.get() is not None:
            raise NestedTransactionError(
                "a unit of work is already open in this task: do all of a use case's work in one"
            )
        self._token = _current.set(self)
        try:
            if self._turns is not None:
                if self._turns.locked():  # wait in line, as long as SQLAlchemy's pool would have
                    async with asyncio.timeout(TURN_TIMEOUT):
                        await self._turns.acquire()
                else:
                    await self._turns.acquire()
                self._has_turn = True
            self._connection = await self.engine.connect()
            await self._connection.begin()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._connection is not None  # noqa: S101 - entered
        try:
            if exc_type is None and not self.read_only:
                await self._connection.commit()
            else:
                await self._connection.rollback()
        finally:
            await self._close()

    async def _close(self) -> None:
        try:
            if self._connection is not None:
                await self._connection.close()
        finally:
            self._connection = None
            if self._has_turn:
                self._has_turn = False
                self._turns.release()  # type: ignore[union-attr]
            if self._token is not None:
                _current.reset(self._token)
                self._token = None

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use `async with`")
        return self._connection

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.connection)

    @cached_property
    def admins(self) -> AdminRepository:
        return AdminRepository(self.connection)

    @cached_property
    def fsm(self) -> FSMRepository:
        return FSMRepository(self.connection)

    @cached_property
    def inbox(self) -> InboxRepository:
        return InboxRepository(self.connection)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.connection)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.connection)

    @cached_property
    def broadcasts(self) -> BroadcastRepository:
        return BroadcastRepository(self.connection)

    @cached_property
    def publishing(self) -> PublishingRepository:
        return PublishingRepository(self.connection)

    @cached_property
    def attendance(self) -> AttendanceRepository:
        return AttendanceRepository(self.connection)

    @cached_property
    def grants(self) -> GrantRepository:
        return GrantRepository(self.connection)

    @cached_property
    def grant_saves(self) -> GrantSaveRepository:
        return GrantSaveRepository(self.connection)

    @cached_property
    def ngo_profiles(self) -> NgoProfileRepository:
        return NgoProfileRepository(self.connection)

    @cached_property
    def grant_search(self) -> GrantSearchIndex:
        return search_index(self.connection)

    @cached_property
    def personal_data(self) -> PersonalDataRepository:
        return PersonalDataRepository(self.connection)

    @cached_property
    def grant_questions(self) -> GrantQuestionRepository:
        return GrantQuestionRepository(self.connection)

    @cached_property
    def grant_subscriptions(self) -> GrantSubscriptionRepository:
        return GrantSubscriptionRepository(self.connection)

    @cached_property
    def sectors(self) -> SectorRepository:
        return SectorRepository(self.connection)
