"""Eco events and registrations: the SQL, including the one conditional UPDATE that hands out seats."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_events = Base.metadata.tables["events"]
_registrations = Base.metadata.tables["registrations"]
_offers = Base.metadata.tables["waitlist_offers"]

# Statuses as the database keeps them (bot/domain/events.py names them; storage imports nothing from bot).
_PUBLISHED = "published"
_FINISHED = "finished"
_REGISTERED = "registered"
_WAITLISTED = "waitlisted"
_CANCELLED = "cancelled"
_OFFER_OPEN = "open"
_ATTENDED = "attended"
_NO_SHOW = "no_show"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event as the rest of the bot sees it."""

    id: int
    title_kk: str | None
    title_ru: str | None
    description_kk: str | None
    description_ru: str | None
    category: str
    region: str
    city: str
    address: str
    latitude: float | None
    longitude: float | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    taken_seats: int
    waitlist_last: int
    registration_deadline: datetime
    cancellation_cutoff_hours: int | None
    contact: str
    organizer_id: int
    status: str
    external_id: str | None
    created_at: datetime

    @property
    def seats_left(self) -> int | None:
        """Free seats; None when there is no limit."""
        return None if self.capacity is None else max(self.capacity - self.taken_seats, 0)


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    id: int
    event_id: int
    user_id: int
    companions: int
    seats: int
    status: str
    waitlist_number: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserEvent:
    """One of a user's events: the event, their registration, and their live place in line (waitlisted)."""

    event: EventRecord
    registration: RegistrationRecord
    place_in_line: int | None


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """Freed seats offered to a volunteer in line, held for them while the offer is open."""

    id: int
    event_id: int
    registration_id: int
    user_id: int
    seats: int
    status: str
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PeopleCounts:
    """An event's people as its organizer counts them: registered volunteers (and the seats they hold
    with their companions), those in line, and those marked as having attended or not come."""

    registered: int = 0
    registered_seats: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0


_EVENT_COLUMNS = tuple(_events.c[field.name] for field in fields(EventRecord))
_REGISTRATION_COLUMNS = tuple(_registrations.c[field.name] for field in fields(RegistrationRecord))
_OFFER_COLUMNS = tuple(_offers.c[field.name] for field in fields(OfferRecord))
EVENT_EDITABLE = frozenset(field.name for field in fields(EventRecord)) - {
    "id",
    "taken_seats",
    "waitlist_last",
    "created_at",
}


def _place_in_line() -> Any:
    """Waitlisted registrations of the same event that arrived earlier, plus one."""
    ahead = _registrations.alias("ahead")
    return (
        select(func.count() + 1)
        .where(
            ahead.c.event_id == _registrations.c.event_id,
            ahead.c.status == _WAITLISTED,
            ahead.c.waitlist_number < _registrations.c.waitlist_number,
        )
        .scalar_subquery()
    )


class EventRepository:
    """SQL for events and their registrations, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, *, now: datetime, **values: Any) -> EventRecord:
        self._check(values)
        statement = (
            insert(_events)
            .values(**values, taken_seats=0, waitlist_last=0, created_at=now, updated_at=now)
            .returning(*_EVENT_COLUMNS)
        )
        return EventRecord(*(await self.connection.execute(statement)).one())

    async def get(self, event_id: int, *, lock: bool = False) -> EventRecord | None:
        """The event; with `lock`, its row is locked until the transaction ends (PostgreSQL: `FOR
        UPDATE`; SQLite's writer already holds the database's write lock)."""
        statement = select(*_EVENT_COLUMNS).where(_events.c.id == event_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self.connection.execute(statement)).first()
        return EventRecord(*row) if row else None

    async def by_external_id(self, external_id: str) -> EventRecord | None:
        row = (
            await self.connection.execute(select(*_EVENT_COLUMNS).where(_events.c.external_id == external_id))
        ).first()
        return EventRecord(*row) if row else None

    async def update(self, event_id: int, *, now: datetime, **values: Any) -> EventRecord | None:
        self._check(values)
        statement = (
            update(_events)
            .where(_events.c.id == event_id)
            .values(**values, updated_at=now)
            .returning(*_EVENT_COLUMNS)
        )
        row = (await self.connection.execute(statement)).first()
        return EventRecord(*row) if row else None

    async def take_seats(self, event_id: int, seats: int, *, now: datetime) -> int | None:
        """Take `seats` if they are free, in one statement; the seats taken after it, or None if the
        event is full. The condition is part of the UPDATE, so no check can go stale before it."""
        statement = (
            update(_events)
            .where(
                _events.c.id == event_id,
                or_(_events.c.capacity.is_(None), _events.c.taken_seats + seats <= _events.c.capacity),
            )
            .values(taken_seats=_events.c.taken_seats + seats, updated_at=now)
            .returning(_events.c.taken_seats)
        )
        taken = (await self.connection.execute(statement)).scalar_one_or_none()
        return None if taken is None else int(taken)

    async def free_seats(self, event_id: int, seats: int, *, now: datetime) -> int:
        """Give `seats` back; the seats taken after it."""
        statement = (
            update(_events)
            .where(_events.c.id == event_id)
            .values(taken_seats=_events.c.taken_seats - seats, updated_at=now)
            .returning(_events.c.taken_seats)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def next_in_line(self, event_id: int, *, now: datetime) -> int:
        """The next place in the event's waitlist, handed out in one statement."""
        statement = (
            update(_events)
            .where(_events.c.id == event_id)
            .values(waitlist_last=_events.c.waitlist_last + 1, updated_at=now)
            .returning(_events.c.waitlist_last)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def upcoming(
        self,
        *,
        region: str | None,
        starts_from: datetime,
        starts_before: datetime | None,
        category: str | None,
        offset: int,
        limit: int,
    ) -> list[EventRecord]:
        """Published events starting in [from, before), soonest first; a None filter (region, end of
        the period, category) does not filter."""
        conditions = [_events.c.status == _PUBLISHED, _events.c.starts_at >= starts_from]
        if region is not None:
            conditions.append(_events.c.region == region)
        if starts_before is not None:
            conditions.append(_events.c.starts_at < starts_before)
        if category is not None:
            conditions.append(_events.c.category == category)
        statement = (
            select(*_EVENT_COLUMNS)
            .where(*conditions)
            .order_by(_events.c.starts_at, _events.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [EventRecord(*row) for row in await self.connection.execute(statement)]

    async def finish_ended(self, *, now: datetime) -> int:
        """Mark published events whose end has passed as finished; how many were."""
        statement = (
            update(_events)
            .where(_events.c.status == _PUBLISHED, _events.c.ends_at <= now)
            .values(status=_FINISHED, updated_at=now)
        )
        return int((await self.connection.execute(statement)).rowcount)

    # Registrations

    async def seat_ledger(self, event_id: int) -> tuple[int, list[tuple[str, int, int | None]]]:
        """The seats the event counts as taken, and its registrations as (status, seats, waitlist
        number) in arrival order: what a check for overbooking compares."""
        taken = (
            await self.connection.execute(select(_events.c.taken_seats).where(_events.c.id == event_id))
        ).scalar_one()
        rows = await self.connection.execute(
            select(_registrations.c.status, _registrations.c.seats, _registrations.c.waitlist_number)
            .where(_registrations.c.event_id == event_id)
            .order_by(_registrations.c.created_at, _registrations.c.id)
        )
        return int(taken), [(status, seats, number) for status, seats, number in rows]

    async def registration(self, event_id: int, user_id: int) -> RegistrationRecord | None:
        statement = select(*_REGISTRATION_COLUMNS).where(
            _registrations.c.event_id == event_id, _registrations.c.user_id == user_id
        )
        row = (await self.connection.execute(statement)).first()
        return RegistrationRecord(*row) if row else None

    async def place_in_line(self, registration_id: int) -> int | None:
        statement = select(_registrations.c.status, _place_in_line()).where(
            _registrations.c.id == registration_id
        )
        row = (await self.connection.execute(statement)).first()
        return int(row[1]) if row is not None and row[0] == _WAITLISTED else None

    async def save_registration(
        self,
        event_id: int,
        user_id: int,
        *,
        companions: int,
        seats: int,
        status: str,
        waitlist_number: int | None,
        now: datetime,
        revive: bool,
    ) -> RegistrationRecord:
        """Insert the user's registration, or (`revive`) turn their cancelled one into this one: it
        arrives anew, so its created_at is now."""
        values = {
            "companions": companions,
            "seats": seats,
            "status": status,
            "waitlist_number": waitlist_number,
            "created_at": now,
            "updated_at": now,
            "confirmed_at": None,  # a revived registration has not answered "still coming?" yet
        }
        if revive:
            statement: Any = (
                update(_registrations)
                .where(_registrations.c.event_id == event_id, _registrations.c.user_id == user_id)
                .values(**values)
            )
        else:
            statement = insert(_registrations).values(event_id=event_id, user_id=user_id, **values)
        row = (await self.connection.execute(statement.returning(*_REGISTRATION_COLUMNS))).one()
        return RegistrationRecord(*row)

    async def set_registration_status(self, registration_id: int, status: str, *, now: datetime) -> None:
        await self.connection.execute(
            update(_registrations)
            .where(_registrations.c.id == registration_id)
            .values(status=status, updated_at=now)
        )

    async def confirm_registration(self, registration_id: int, *, now: datetime) -> None:
        """Record the volunteer's yes to "still coming?" (the first one counts)."""
        await self.connection.execute(
            update(_registrations)
            .where(_registrations.c.id == registration_id, _registrations.c.confirmed_at.is_(None))
            .values(confirmed_at=now, updated_at=now)
        )

    async def confirmed_at(self, registration_id: int) -> datetime | None:
        """When the volunteer said they are still coming; None if they have not."""
        statement = select(_registrations.c.confirmed_at).where(_registrations.c.id == registration_id)
        value: datetime | None = (await self.connection.execute(statement)).scalar_one_or_none()
        return value

    async def of_user(self, user_id: int, *, ending_after: datetime) -> list[UserEvent]:
        """The user's active registrations for events that have not ended, soonest first."""
        statement = (
            select(*_EVENT_COLUMNS, *_REGISTRATION_COLUMNS, _place_in_line())
            .select_from(_registrations.join(_events, _events.c.id == _registrations.c.event_id))
            .where(
                _registrations.c.user_id == user_id,
                _registrations.c.status.in_((_REGISTERED, _WAITLISTED)),
                _events.c.ends_at > ending_after,
            )
            .order_by(_events.c.starts_at, _events.c.id)
        )
        result = []
        split = len(_EVENT_COLUMNS)
        for row in await self.connection.execute(statement):
            registration = RegistrationRecord(*row[split : split + len(_REGISTRATION_COLUMNS)])
            place = int(row[-1]) if registration.status == _WAITLISTED else None
            result.append(UserEvent(EventRecord(*row[:split]), registration, place))
        return result

    async def release_user(self, user_id: int, *, now: datetime) -> int:
        """Give back the seats of the user's registrations and delete them all (the user erases their
        data); how many registrations there were."""
        held = (
            select(_registrations.c.event_id, func.sum(_registrations.c.seats))
            .where(_registrations.c.user_id == user_id, _registrations.c.status == _REGISTERED)
            .group_by(_registrations.c.event_id)
        )
        for event_id, seats in (await self.connection.execute(held)).all():
            await self.free_seats(event_id, int(seats), now=now)
        # Seats held for the user's open offers go back too (the offers go with the registrations).
        offered = (
            select(_offers.c.event_id, func.sum(_offers.c.seats))
            .where(_offers.c.user_id == user_id, _offers.c.status == _OFFER_OPEN)
            .group_by(_offers.c.event_id)
        )
        for event_id, seats in (await self.connection.execute(offered)).all():
            await self.free_seats(event_id, int(seats), now=now)
        await self.connection.execute(_offers.delete().where(_offers.c.user_id == user_id))
        result = await self.connection.execute(
            _registrations.delete().where(_registrations.c.user_id == user_id)
        )
        return int(result.rowcount)

    # Waitlist offers

    async def behind_in_line(self, event_id: int, number: int) -> list[tuple[RegistrationRecord, int]]:
        """The event's waitlisted registrations that arrived after `number` and hold no open offer,
        each with its live place in line, in order."""
        open_offer = select(_offers.c.id).where(
            _offers.c.registration_id == _registrations.c.id, _offers.c.status == _OFFER_OPEN
        )
        statement = (
            select(*_REGISTRATION_COLUMNS, _place_in_line())
            .where(
                _registrations.c.event_id == event_id,
                _registrations.c.status == _WAITLISTED,
                _registrations.c.waitlist_number > number,
                ~open_offer.exists(),
            )
            .order_by(_registrations.c.waitlist_number, _registrations.c.id)
        )
        rows = await self.connection.execute(statement)
        return [(RegistrationRecord(*row[:-1]), int(row[-1])) for row in rows]

    async def first_fitting_in_line(self, event_id: int, max_seats: int) -> RegistrationRecord | None:
        """The earliest waitlisted registration of the event needing at most `max_seats` seats and
        holding no open offer."""
        open_offer = select(_offers.c.id).where(
            _offers.c.registration_id == _registrations.c.id, _offers.c.status == _OFFER_OPEN
        )
        statement = (
            select(*_REGISTRATION_COLUMNS)
            .where(
                _registrations.c.event_id == event_id,
                _registrations.c.status == _WAITLISTED,
                _registrations.c.seats <= max_seats,
                ~open_offer.exists(),
            )
            .order_by(_registrations.c.waitlist_number, _registrations.c.id)
            .limit(1)
        )
        row = (await self.connection.execute(statement)).first()
        return RegistrationRecord(*row) if row else None

    async def add_offer(
        self, registration: RegistrationRecord, *, expires_at: datetime, now: datetime
    ) -> OfferRecord:
        statement = (
            insert(_offers)
            .values(
                event_id=registration.event_id,
                registration_id=registration.id,
                user_id=registration.user_id,
                seats=registration.seats,
                status=_OFFER_OPEN,
                expires_at=expires_at,
                created_at=now,
                updated_at=now,
            )
            .returning(*_OFFER_COLUMNS)
        )
        return OfferRecord(*(await self.connection.execute(statement)).one())

    async def offer(self, offer_id: int) -> OfferRecord | None:
        row = (await self.connection.execute(select(*_OFFER_COLUMNS).where(_offers.c.id == offer_id))).first()
        return OfferRecord(*row) if row else None

    async def open_offer_of(self, registration_id: int) -> OfferRecord | None:
        statement = select(*_OFFER_COLUMNS).where(
            _offers.c.registration_id == registration_id, _offers.c.status == _OFFER_OPEN
        )
        row = (await self.connection.execute(statement)).first()
        return OfferRecord(*row) if row else None

    async def close_offer(self, offer_id: int, status: str, *, now: datetime) -> bool:
        """Close an open offer with `status`; False when it was no longer open (someone got there
        first), so that it is closed once."""
        statement = (
            update(_offers)
            .where(_offers.c.id == offer_id, _offers.c.status == _OFFER_OPEN)
            .values(status=status, updated_at=now)
        )
        return int((await self.connection.execute(statement)).rowcount) == 1

    async def expired_offers(self, *, now: datetime) -> list[OfferRecord]:
        """Open offers whose time has run out, oldest first."""
        statement = (
            select(*_OFFER_COLUMNS)
            .where(_offers.c.status == _OFFER_OPEN, _offers.c.expires_at <= now)
            .order_by(_offers.c.expires_at, _offers.c.id)
        )
        return [OfferRecord(*row) for row in await self.connection.execute(statement)]

    async def people_counts(self, event_ids: Collection[int]) -> dict[int, PeopleCounts]:
        """Registered / waitlisted / attended counts of each of the events, in one query (an organizer's
        list of their events, the audiences of a message); an event nobody registered for counts zeros."""
        ids = sorted(set(event_ids))
        if not ids:
            return {}
        registered = _registrations.c.status == _REGISTERED

        def count(condition: Any) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        statement = (
            select(
                _registrations.c.event_id,
                count(registered),
                func.coalesce(func.sum(case((registered, _registrations.c.seats), else_=0)), 0),
                count(_registrations.c.status == _WAITLISTED),
                count(and_(registered, _registrations.c.attendance == _ATTENDED)),
                count(and_(registered, _registrations.c.attendance == _NO_SHOW)),
            )
            .where(_registrations.c.event_id.in_(ids))
            .group_by(_registrations.c.event_id)
        )
        counts = {event_id: PeopleCounts() for event_id in ids}
        for event_id, *numbers in await self.connection.execute(statement):
            counts[event_id] = PeopleCounts(*(int(number) for number in numbers))
        return counts

    @staticmethod
    def _check(values: dict[str, Any]) -> None:
        unknown = set(values) - EVENT_EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
