"""Questions about grant calls: the SQL (asking, the first answer winning, publishing on the card)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_table = Base.metadata.tables["grant_questions"]
_COLUMNS = (
    _table.c.id,
    _table.c.grant_id,
    _table.c.user_id,
    _table.c.question,
    _table.c.asked_at,
    _table.c.answer,
    _table.c.answered_by,
    _table.c.answered_at,
    _table.c.published_at,
)


@dataclass(frozen=True, slots=True)
class GrantQuestionRecord:
    id: int
    grant_id: int
    user_id: int
    question: str
    asked_at: datetime
    answer: str | None
    answered_by: int | None
    answered_at: datetime | None
    published_at: datetime | None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class GrantQuestionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, grant_id: int, user_id: int, question: str, *, now: datetime) -> int:
        statement = (
            insert(_table)
            .values(grant_id=grant_id, user_id=user_id, question=question, asked_at=now)
            .returning(_table.c.id)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def get(self, question_id: int, *, lock: bool = False) -> GrantQuestionRecord | None:
        """The question; with `lock`, its row is locked until the transaction ends (PostgreSQL: `FOR
        UPDATE`: a second admin answering waits for the first and then sees their answer)."""
        statement = select(*_COLUMNS).where(_table.c.id == question_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self.connection.execute(statement)).first()
        return GrantQuestionRecord(*row) if row is not None else None

    async def ids_of(self, user_id: int) -> list[int]:
        """The ids of the questions the user asked."""
        statement = select(_table.c.id).where(_table.c.user_id == user_id).order_by(_table.c.id)
        return [int(question_id) for question_id in (await self.connection.execute(statement)).scalars()]

    async def open_count(self, user_id: int, grant_id: int) -> int:
        """The user's questions about the call that wait for an answer."""
        statement = select(func.count()).where(
            _table.c.user_id == user_id, _table.c.grant_id == grant_id, _table.c.answered_at.is_(None)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def asked_since(self, user_id: int, since: datetime) -> int:
        statement = select(func.count()).where(_table.c.user_id == user_id, _table.c.asked_at >= since)
        return int((await self.connection.execute(statement)).scalar_one())

    async def answer(self, question_id: int, answer: str, *, by: int, now: datetime) -> bool:
        """Record the answer unless the question has one already (the first answer wins)."""
        statement = (
            update(_table)
            .where(_table.c.id == question_id, _table.c.answered_at.is_(None))
            .values(answer=answer, answered_by=by, answered_at=now)
        )
        return bool((await self.connection.execute(statement)).rowcount)

    async def set_published(self, question_id: int, published_at: datetime | None) -> bool:
        """Show an answered question on the card from `published_at`, or no longer (None)."""
        statement = (
            update(_table)
            .where(_table.c.id == question_id, _table.c.answered_at.is_not(None))
            .values(published_at=published_at)
        )
        return bool((await self.connection.execute(statement)).rowcount)

    async def published(self, grant_id: int, *, offset: int, limit: int) -> list[GrantQuestionRecord]:
        """The call's published questions, the latest published first."""
        statement = (
            select(*_COLUMNS)
            .where(_table.c.grant_id == grant_id, _table.c.published_at.is_not(None))
            .order_by(_table.c.published_at.desc(), _table.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [GrantQuestionRecord(*row) for row in await self.connection.execute(statement)]

    async def published_count(self, grant_id: int) -> int:
        statement = select(func.count()).where(
            _table.c.grant_id == grant_id, _table.c.published_at.is_not(None)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def unanswered(self, *, limit: int) -> list[GrantQuestionRecord]:
        """Questions waiting for an answer, the oldest first."""
        statement = (
            select(*_COLUMNS)
            .where(_table.c.answered_at.is_(None))
            .order_by(_table.c.asked_at, _table.c.id)
            .limit(limit)
        )
        return [GrantQuestionRecord(*row) for row in await self.connection.execute(statement)]

    async def unanswered_count(self) -> int:
        statement = select(func.count()).where(_table.c.answered_at.is_(None))
        return int((await self.connection.execute(statement)).scalar_one())
