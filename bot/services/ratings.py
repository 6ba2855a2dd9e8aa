"""Ratings of events: after an event ends, each volunteer marked as having attended is asked (through
the outbox) to rate it 1-5 with an optional comment; its organizer sees the aggregate.

One rating per attendee and event (the database's unique key says so): rating again changes it, and a
double tap counts once. Asking is a scan, safe to run twice: a registration remembers it was asked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.attendance import COMMENT_MAX, RATING_WINDOW, SCORES, Attendance
from bot.domain.events import EventStatus, effective_status
from bot.services.attendance import ToolProblem, ToolRefusedError, organizer_event
from storage.database import Database
from storage.repositories.attendance import RatingComment
from storage.repositories.events import EventRecord
from storage.repositories.outbox import Message

EVENT_RATING = "event_rating"
RECENT_COMMENTS = 5


@dataclass(frozen=True, slots=True)
class RatingSummary:
    event: EventRecord
    # How many gave each score, 1 to 5.
    distribution: dict[int, int]
    recent_comments: list[RatingComment]

    @property
    def count(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        if not self.count:
            return None
        return sum(score * count for score, count in self.distribution.items()) / self.count


class RatingService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        admin_ids: Collection[int] = frozenset(),
        *,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admin_ids = frozenset(admin_ids)
        self.wake_sender = wake_sender

    async def ask_attendees(self) -> int:
        """Ask the attendees of events that have ended (within RATING_WINDOW) to rate them, each once
        (a scan; safe to run twice). An attendee marked after the end is asked at the next scan.
        Returns how many were asked."""
        async with self.database.transaction() as uow:
            now = self.clock.now()
            requests = await uow.attendance.attendees_to_ask(
                ended_before=now, ended_after=now - RATING_WINDOW
            )
            for request in requests:
                message = Message(
                    kind=EVENT_RATING,
                    recipient=request.user_id,
                    due_at=now,
                    expires_at=request.ends_at + RATING_WINDOW,
                    params={
                        "event_id": request.event_id,
                        "title_kk": request.title_kk,
                        "title_ru": request.title_ru,
                    },
                    dedupe_key=f"{EVENT_RATING}:{request.registration_id}",
                )
                await uow.outbox.add(message, now=now)
            await uow.attendance.mark_asked((request.registration_id for request in requests), now=now)
        if requests:
            self.wake_sender()
        return len(requests)

    async def rate(self, user_id: int, event_id: int, score: int) -> EventRecord:
        """The attendee's rating of the event; a second tap changes it (or leaves it), never adds one."""
        if score not in SCORES:
            raise ToolRefusedError(ToolProblem.BAD_SCORE)
        async with self.database.transaction() as uow:
            now = self.clock.now()
            event = await uow.events.get(event_id)
            if event is None:
                raise ToolRefusedError(ToolProblem.NO_SUCH_EVENT)
            if await uow.attendance.attendance_of(event_id, user_id) != Attendance.ATTENDED:
                raise ToolRefusedError(ToolProblem.NOT_ATTENDED)
            if effective_status(event.status, event.ends_at, now) is not EventStatus.FINISHED:
                raise ToolRefusedError(ToolProblem.NOT_FINISHED)
            await uow.attendance.save_rating(event_id, user_id, score, now=now)
        return event

    async def comment(self, user_id: int, event_id: int, text: str) -> None:
        """A comment on the user's rating of the event (replacing an earlier one)."""
        comment = text.strip()
        if not comment:
            raise ToolRefusedError(ToolProblem.COMMENT_EMPTY)
        if len(comment) > COMMENT_MAX:
            raise ToolRefusedError(ToolProblem.COMMENT_TOO_LONG)
        async with self.database.transaction() as uow:
            if not await uow.attendance.set_comment(event_id, user_id, comment, now=self.clock.now()):
                raise ToolRefusedError(ToolProblem.NOT_RATED)

    async def summary(self, user_id: int, event_id: int) -> RatingSummary:
        """The event's ratings for its organizer (or an admin), once it has ended."""
        async with self.database.reading() as uow:
            event = await organizer_event(uow, user_id, event_id, self.admin_ids)
            if effective_status(event.status, event.ends_at, self.clock.now()) is not EventStatus.FINISHED:
                raise ToolRefusedError(ToolProblem.NOT_FINISHED)
            counts = await uow.attendance.score_counts(event_id)
            comments = await uow.attendance.recent_comments(event_id, RECENT_COMMENTS)
        return RatingSummary(event, {score: counts.get(score, 0) for score in SCORES}, comments)
