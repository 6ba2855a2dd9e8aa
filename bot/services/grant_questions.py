"""Questions about grant calls: a user asks from a call's card, every admin hears of it through the
outbox, the first admin to answer wins and the asker hears the answer (once, through the outbox), and an
admin may publish a question with its answer on the card for everyone.

Each public method is one use case: one unit of work. Button data is the user's to forge, so every
admin's action re-checks `is_admin` in its own transaction, and every asker's that the call is still
open and that they are within the limits (a few open questions per call, a few dozen a day).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.domain.grants import GrantStatus, effective_status
from bot.services.admins import admin_ids, is_admin
from bot.services.grant_access import set_up_user
from bot.services.paging import clamp_page
from storage.database import Database
from storage.repositories.grant_questions import GrantQuestionRecord
from storage.repositories.grants import GrantRecord
from storage.repositories.outbox import Message
from storage.repositories.users import UserProfile
from storage.unit_of_work import UnitOfWork

GRANT_QUESTION = "grant_question"
GRANT_ANSWER = "grant_answer"
# As the table keeps them (storage/models.py: GrantQuestion).
QUESTION_MAX = 400
ANSWER_MAX = 800
# Questions a user may have waiting for an answer about one call, and may ask in a day.
OPEN_PER_CALL = 3
PER_DAY = 10
# Published questions on one page of a card's list; unanswered ones on the admins' list.
PUBLISHED_PAGE = 3
UNANSWERED_SHOWN = 10

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")


class QuestionProblem(StrEnum):
    """Why a use case refused: a code the views turn into a message in the user's language."""

    NO_SUCH_GRANT = "no_such_grant"
    GRANT_CLOSED = "grant_closed"
    NO_SUCH_QUESTION = "no_such_question"
    NOT_ALLOWED = "not_allowed"
    NOT_SET_UP = "not_set_up"  # the asker: no consent or no role (or no such user)
    TOO_MANY_OPEN = "too_many_open"
    TOO_MANY_TODAY = "too_many_today"
    EMPTY = "empty"
    QUESTION_TOO_LONG = "question_too_long"
    ANSWER_TOO_LONG = "answer_too_long"
    ALREADY_ANSWERED = "already_answered"
    NOT_ANSWERED = "not_answered"


class QuestionError(ValueError):
    def __init__(self, problem: QuestionProblem, details: QuestionDetails | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        # ALREADY_ANSWERED: the question with its answer and who gave it.
        self.details = details


@dataclass(frozen=True, slots=True)
class QuestionDetails:
    """A question with its call, and the names of who asked and who answered (None: unknown or gone)."""

    question: GrantQuestionRecord
    grant: GrantRecord
    asker_name: str | None = None
    asker_username: str | None = None
    answerer_name: str | None = None
    # After `ask`: how many admins were told of it (0: the asker is the only admin).
    admins_told: int | None = None


@dataclass(frozen=True, slots=True)
class PublishedPage:
    """One page of a call's published questions, the latest published first."""

    grant: GrantRecord
    questions: list[GrantQuestionRecord]
    page: int
    total: int
    # The viewer is an admin: may take a question off the card.
    admin: bool = False

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * PUBLISHED_PAGE < self.total


@dataclass(frozen=True, slots=True)
class Unanswered:
    questions: list[QuestionDetails]
    total: int


def clean_text(text: str) -> str:
    """Typed text as kept: no control characters, no trailing spaces, at most one blank line in a row."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _validated(text: str, limit: int, too_long: QuestionProblem) -> str:
    text = clean_text(text)
    if not any(char.isalnum() for char in text):
        raise QuestionError(QuestionProblem.EMPTY)
    if len(text) > limit:
        raise QuestionError(too_long)
    return text


def _titles(grant: GrantRecord) -> dict[str, object]:
    """What a message about the call needs of it: its id and its titles (shown in the reader's language)."""
    return {"grant_id": grant.id, "title_kk": grant.title_kk, "title_ru": grant.title_ru}


class GrantQuestionService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        admins: Collection[int] = frozenset(),
        *,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admins = frozenset(admins)
        self.wake_sender = wake_sender

    # Asking

    async def may_ask(self, user_id: int, grant_id: int) -> GrantRecord:
        """The call, if the user may ask about it now (the Ask button checks before the dialog starts)."""
        async with self.database.reading() as uow:
            await _check_user(uow, user_id)
            return await self._check_ask(uow, user_id, grant_id, self.clock.now())

    async def ask(self, user_id: int, grant_id: int, text: str) -> QuestionDetails:
        """Keep the question and tell every admin (but the asker) through the outbox; `admins_told`
        says how many were (0: the asker is the only admin, and answers it from the admins' list)."""
        question = _validated(text, QUESTION_MAX, QuestionProblem.QUESTION_TOO_LONG)
        now = self.clock.now()
        async with self.database.transaction() as uow:
            asker = await _check_user(uow, user_id)
            grant = await self._check_ask(uow, user_id, grant_id, now)
            question_id = await uow.grant_questions.add(grant.id, user_id, question, now=now)
            params = {
                **_titles(grant),
                "question_id": question_id,
                "question": question,
                "name": asker.name,
                "username": asker.username,
            }
            told = sorted(await admin_ids(uow, self.admins) - {user_id})
            for admin in told:
                await uow.outbox.add(
                    Message(
                        kind=GRANT_QUESTION,
                        recipient=admin,
                        due_at=now,
                        params=params,
                        dedupe_key=_question_key(question_id, admin),
                    ),
                    now=now,
                )
            details = replace(await self._details(uow, question_id), admins_told=len(told))
        if told:
            self.wake_sender()
        return details

    async def _check_ask(self, uow: UnitOfWork, user_id: int, grant_id: int, now: datetime) -> GrantRecord:
        grant = await uow.grants.get(grant_id)
        if grant is None:
            raise QuestionError(QuestionProblem.NO_SUCH_GRANT)
        if effective_status(grant.status, grant.deadline, now) is not GrantStatus.OPEN:
            raise QuestionError(QuestionProblem.GRANT_CLOSED)
        if await uow.grant_questions.open_count(user_id, grant_id) >= OPEN_PER_CALL:
            raise QuestionError(QuestionProblem.TOO_MANY_OPEN)
        if await uow.grant_questions.asked_since(user_id, now - timedelta(days=1)) >= PER_DAY:
            raise QuestionError(QuestionProblem.TOO_MANY_TODAY)
        return grant

    # Answering (admins)

    async def to_answer(self, admin_id: int, question_id: int) -> QuestionDetails:
        """The question an admin is about to answer; refused if it has an answer already (the error
        carries it, and who gave it)."""
        async with self.database.reading() as uow:
            await self._check_admin(uow, admin_id)
            details = await self._details(uow, question_id)
        if details.question.answered:
            raise QuestionError(QuestionProblem.ALREADY_ANSWERED, details)
        return details

    async def answer(self, admin_id: int, question_id: int, text: str) -> QuestionDetails:
        """Record the answer, if it is the first, and send it to the asker (once: through the outbox)."""
        answer = _validated(text, ANSWER_MAX, QuestionProblem.ANSWER_TOO_LONG)
        now = self.clock.now()
        async with self.database.transaction() as uow:
            await self._check_admin(uow, admin_id)
            # Locked: a second admin answering at the same moment waits here, then sees the first's
            # answer and who gave it.
            before = await self._details(uow, question_id, lock=True)
            if before.question.answered or not await uow.grant_questions.answer(
                question_id, answer, by=admin_id, now=now
            ):
                raise QuestionError(QuestionProblem.ALREADY_ANSWERED, await self._details(uow, question_id))
            details = await self._details(uow, question_id)
            await uow.outbox.add(
                Message(
                    kind=GRANT_ANSWER,
                    recipient=details.question.user_id,
                    due_at=now,
                    params={
                        **_titles(details.grant),
                        "question_id": question_id,
                        "question": details.question.question,
                        "answer": answer,
                    },
                    dedupe_key=f"{GRANT_ANSWER}:{question_id}",
                ),
                now=now,
            )
        self.wake_sender()
        return details

    async def publish(self, admin_id: int, question_id: int, *, published: bool) -> QuestionDetails:
        """Show an answered question on the call's card for everyone, or take it off."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            await self._check_admin(uow, admin_id)
            details = await self._details(uow, question_id)
            if not details.question.answered:
                raise QuestionError(QuestionProblem.NOT_ANSWERED, details)
            if (details.question.published_at is not None) != published:
                await uow.grant_questions.set_published(question_id, now if published else None)
                details = await self._details(uow, question_id)
        return details

    async def unanswered(self, admin_id: int) -> Unanswered:
        """The questions waiting for an answer, the oldest first, for an admin."""
        async with self.database.reading() as uow:
            await self._check_admin(uow, admin_id)
            questions = await uow.grant_questions.unanswered(limit=UNANSWERED_SHOWN)
            grants = {grant.id: grant for grant in await uow.grants.many(q.grant_id for q in questions)}
            total = await uow.grant_questions.unanswered_count()
        return Unanswered(
            [QuestionDetails(q, grants[q.grant_id]) for q in questions if q.grant_id in grants], total
        )

    async def is_admin(self, user_id: int) -> bool:
        async with self.database.reading() as uow:
            return await is_admin(uow, self.admins, user_id)

    # Reading what is published

    async def published_count(self, grant_id: int) -> int:
        async with self.database.reading() as uow:
            return await uow.grant_questions.published_count(grant_id)

    async def published(self, user_id: int, grant_id: int, page: int) -> PublishedPage:
        page = clamp_page(page)
        async with self.database.reading() as uow:
            await _check_user(uow, user_id)
            grant = await uow.grants.get(grant_id)
            if grant is None:
                raise QuestionError(QuestionProblem.NO_SUCH_GRANT)
            total = await uow.grant_questions.published_count(grant_id)
            if page * PUBLISHED_PAGE >= total:
                page = max((total - 1) // PUBLISHED_PAGE, 0)
            questions = await uow.grant_questions.published(
                grant_id, offset=page * PUBLISHED_PAGE, limit=PUBLISHED_PAGE
            )
            admin = await is_admin(uow, self.admins, user_id)
        return PublishedPage(grant, questions, page, total, admin)

    async def _check_admin(self, uow: UnitOfWork, user_id: int) -> None:
        if not await is_admin(uow, self.admins, user_id):
            raise QuestionError(QuestionProblem.NOT_ALLOWED)

    async def _details(self, uow: UnitOfWork, question_id: int, *, lock: bool = False) -> QuestionDetails:
        question = await uow.grant_questions.get(question_id, lock=lock)
        grant = await uow.grants.get(question.grant_id) if question is not None else None
        if question is None or grant is None:
            raise QuestionError(QuestionProblem.NO_SUCH_QUESTION)
        asker = await uow.users.get(question.user_id)
        answerer = await uow.users.get(question.answered_by) if question.answered_by is not None else None
        return QuestionDetails(
            question,
            grant,
            asker.name if asker else None,
            asker.username if asker else None,
            answerer.name if answerer else None,
        )


async def _check_user(uow: UnitOfWork, user_id: int) -> UserProfile:
    """Asking and reading the questions on a card are for users set up (consent and a role)."""
    user = await set_up_user(uow, user_id)
    if user is None:
        raise QuestionError(QuestionProblem.NOT_SET_UP)
    return user


def _question_key(question_id: int, admin: int | None = None) -> str:
    """The key of a question's message to an admin (None: the prefix of all of them)."""
    return f"{GRANT_QUESTION}:{question_id}:" + ("" if admin is None else str(admin))


async def forget_asker(uow: UnitOfWork, user_id: int) -> int:
    """In the unit of work erasing the user: their questions' messages still waiting for the admins
    go, and what they said with them (their name, @username, question); how many."""
    dropped = 0
    for question_id in await uow.grant_questions.ids_of(user_id):
        dropped += await uow.outbox.drop_pending_with_key_prefix(
            _question_key(question_id), "the asker deleted their data", forget_params=True
        )
    return dropped
