"""The organizer's tools for one event: its registrants (to export), the audiences to write to, the
attendance roster (after the start) with the hours it credits; and a volunteer's record of attended
events, hours and no-shows.

Button data is user-controlled, so every use case checks again that the user is the event's organizer
or an admin (`organizer_event`); anyone else is refused with `ToolProblem.NOT_ALLOWED`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.domain.attendance import HOURS_CHOICES, NO_SHOW_WINDOW, Attendance, credited_minutes
from bot.domain.events import EventStatus, RegistrationStatus
from bot.services.admins import is_admin
from storage.database import Database
from storage.repositories.attendance import Registrant
from storage.repositories.events import EventRecord, PeopleCounts
from storage.unit_of_work import UnitOfWork


class ToolProblem(StrEnum):
    """Why an organizer's tool (or a rating) refused: a code the views turn into a message."""

    NO_SUCH_EVENT = "no_such_event"
    NOT_ALLOWED = "not_allowed"  # not the event's organizer, nor an admin
    NOT_STARTED = "not_started"  # attendance is marked from the start on
    NOT_FINISHED = "not_finished"  # ratings come after the end
    EVENT_CANCELLED = "event_cancelled"
    NOT_ON_ROSTER = "not_on_roster"  # the registration is not a seat at this event (any more)
    BAD_HOURS = "bad_hours"
    # Ratings
    NOT_ATTENDED = "not_attended"
    BAD_SCORE = "bad_score"
    NOT_RATED = "not_rated"
    COMMENT_EMPTY = "comment_empty"
    COMMENT_TOO_LONG = "comment_too_long"


class ToolRefusedError(ValueError):
    """A use case refused; `problem` says why, for a message in the user's language."""

    def __init__(self, problem: ToolProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


async def organizer_event(
    uow: UnitOfWork, user_id: int, event_id: int, admin_ids: Collection[int]
) -> EventRecord:
    """The event, if the user is its organizer or an admin; refused otherwise."""
    event = await uow.events.get(event_id)
    if event is None:
        raise ToolRefusedError(ToolProblem.NO_SUCH_EVENT)
    if event.organizer_id != user_id and not await is_admin(uow, admin_ids, user_id):
        raise ToolRefusedError(ToolProblem.NOT_ALLOWED)
    return event


@dataclass(frozen=True, slots=True)
class Roster:
    """The registered volunteers of an event that has started, with their marks, and the minutes each
    attendee is credited with (`volunteer_minutes` as set, else the event's duration)."""

    event: EventRecord
    people: list[Registrant]
    volunteer_minutes: int | None

    @property
    def credited_minutes(self) -> int:
        return credited_minutes(self.event.starts_at, self.event.ends_at, self.volunteer_minutes)

    def count(self, attendance: Attendance | None) -> int:
        return sum(person.attendance == attendance for person in self.people)


@dataclass(frozen=True, slots=True)
class VolunteerRecord:
    """What a volunteer's profile shows of their part in events."""

    events_attended: int
    minutes: int
    recent_no_shows: int


class AttendanceService:
    def __init__(self, database: Database, clock: Clock, admin_ids: Collection[int] = frozenset()) -> None:
        self.database = database
        self.clock = clock
        self.admin_ids = frozenset(admin_ids)

    async def registrants(self, user_id: int, event_id: int) -> tuple[EventRecord, list[Registrant]]:
        """The event's registered and waitlisted volunteers, in arrival order (for the export)."""
        async with self.database.reading() as uow:
            event = await organizer_event(uow, user_id, event_id, self.admin_ids)
            return event, await uow.attendance.registrants(event_id)

    async def audiences(self, user_id: int, event_id: int) -> tuple[EventRecord, PeopleCounts]:
        """The event with its registered / waitlisted / attended counts (whom a message can reach)."""
        async with self.database.reading() as uow:
            event = await organizer_event(uow, user_id, event_id, self.admin_ids)
            counts = await uow.events.people_counts([event_id])
        return event, counts[event_id]

    async def roster(self, user_id: int, event_id: int) -> Roster:
        """The attendance roster, from the event's start on."""
        async with self.database.reading() as uow:
            return await self._roster(uow, user_id, event_id)

    async def mark(
        self, user_id: int, event_id: int, registration_id: int, attendance: Attendance | None
    ) -> Roster:
        """Mark one registered volunteer attended, no-show, or not marked (None). The button says which
        mark it sets, so a double tap sets the same mark twice instead of skipping one."""
        async with self.database.transaction() as uow:
            await self._roster(uow, user_id, event_id)  # the checks
            marked = await uow.attendance.mark(
                event_id, registration_id, attendance.value if attendance else None, now=self.clock.now()
            )
            if not marked:
                raise ToolRefusedError(ToolProblem.NOT_ON_ROSTER)
            return await self._roster(uow, user_id, event_id)

    async def set_hours(self, user_id: int, event_id: int, minutes: int | None) -> Roster:
        """Credit each attendee with `minutes` (one of HOURS_CHOICES), or the event's duration (None)."""
        if minutes is not None and minutes not in HOURS_CHOICES:
            raise ToolRefusedError(ToolProblem.BAD_HOURS)
        async with self.database.transaction() as uow:
            await self._roster(uow, user_id, event_id)
            await uow.attendance.set_volunteer_minutes(event_id, minutes, now=self.clock.now())
            return await self._roster(uow, user_id, event_id)

    async def volunteer_record(self, user_id: int) -> VolunteerRecord:
        """Events the user attended, the hours they count (in minutes), no-shows in the last 90 days."""
        async with self.database.reading() as uow:
            attended = await uow.attendance.attended_events(user_id)
            no_shows = await uow.attendance.no_shows(user_id, since=self.clock.now() - NO_SHOW_WINDOW)
        minutes = sum(
            credited_minutes(event.starts_at, event.ends_at, event.volunteer_minutes) for event in attended
        )
        return VolunteerRecord(len(attended), minutes, no_shows)

    async def _roster(self, uow: UnitOfWork, user_id: int, event_id: int) -> Roster:
        event = await organizer_event(uow, user_id, event_id, self.admin_ids)
        if event.status == EventStatus.CANCELLED:
            raise ToolRefusedError(ToolProblem.EVENT_CANCELLED)
        if event.status == EventStatus.DRAFT or self.clock.now() < event.starts_at:
            raise ToolRefusedError(ToolProblem.NOT_STARTED)
        people = [
            person
            for person in await uow.attendance.registrants(event_id)
            if person.status == RegistrationStatus.REGISTERED
        ]
        return Roster(event, people, await uow.attendance.volunteer_minutes(event_id))
