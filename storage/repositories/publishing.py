"""An organizer's events: their list with counts, the people of one event, and closing an event down."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import ScalarSelect

from storage.models import Base
from storage.repositories.events import EventRecord, OfferRecord, RegistrationRecord

_events = Base.metadata.tables["events"]
_registrations = Base.metadata.tables["registrations"]
_users = Base.metadata.tables["users"]
_offers = Base.metadata.tables["waitlist_offers"]

_EVENT_COLUMNS = tuple(_events.c[field.name] for field in fields(EventRecord))
_REGISTRATION_COLUMNS = tuple(_registrations.c[field.name] for field in fields(RegistrationRecord))
_OFFER_COLUMNS = tuple(_offers.c[field.name] for field in fields(OfferRecord))

# As the database keeps them (bot/domain/events.py names them; storage imports nothing from bot).
_REGISTERED = "registered"
_WAITLISTED = "waitlisted"
_CANCELLED = "cancelled"
_OFFER_OPEN = "open"
_OFFER_WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class OrganizedEvent:
    """An event as its organizer sees it: with how many people are registered and waiting."""

    event: EventRecord
    registered: int
    waitlisted: int
    confirmed: int = 0  # registered and answered "yes" to "still coming?"
    organizer_name: str | None = None  # in an admin's list of everyone's events


def _count(status: str, *, confirmed: bool = False) -> ScalarSelect[int]:
    statement = select(func.count()).where(
        _registrations.c.event_id == _events.c.id, _registrations.c.status == status
    )
    if confirmed:
        statement = statement.where(_registrations.c.confirmed_at.is_not(None))
    return statement.scalar_subquery()


class PublishingRepository:
    """SQL for an organizer's screens and for cancelling an event, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def organized_by(
        self, organizer_id: int | None, *, offset: int, limit: int
    ) -> list[OrganizedEvent]:
        """The organizer's events (None: everyone's, each with its organizer's name) of every status,
        by start, with their counts."""
        statement = select(*_EVENT_COLUMNS, _count(_REGISTERED), _count(_WAITLISTED), _users.c.name).join(
            _users, _users.c.id == _events.c.organizer_id, isouter=True
        )
        if organizer_id is not None:
            statement = statement.where(_events.c.organizer_id == organizer_id)
        statement = statement.order_by(_events.c.starts_at, _events.c.id).offset(offset).limit(limit)
        return [
            OrganizedEvent(
                EventRecord(*row[:-3]),
                int(row[-3]),
                int(row[-2]),
                organizer_name=row[-1] if organizer_id is None else None,
            )
            for row in await self.connection.execute(statement)
        ]

    async def organized(self, event_id: int) -> OrganizedEvent | None:
        statement = select(
            *_EVENT_COLUMNS,
            _count(_REGISTERED),
            _count(_WAITLISTED),
            _count(_REGISTERED, confirmed=True),
        ).where(_events.c.id == event_id)
        row = (await self.connection.execute(statement)).first()
        if row is None:
            return None
        return OrganizedEvent(EventRecord(*row[:-3]), int(row[-3]), int(row[-2]), int(row[-1]))

    async def people(self, event_id: int) -> list[RegistrationRecord]:
        """The event's registered and waitlisted registrations, in arrival order."""
        statement = (
            select(*_REGISTRATION_COLUMNS)
            .where(
                _registrations.c.event_id == event_id,
                _registrations.c.status.in_((_REGISTERED, _WAITLISTED)),
            )
            .order_by(_registrations.c.created_at, _registrations.c.id)
        )
        return [RegistrationRecord(*row) for row in await self.connection.execute(statement)]

    async def withdraw_open_offers(self, event_id: int, *, now: datetime) -> list[OfferRecord]:
        """Close the event's open offers as withdrawn; the ones that were open."""
        statement = (
            update(_offers)
            .where(_offers.c.event_id == event_id, _offers.c.status == _OFFER_OPEN)
            .values(status=_OFFER_WITHDRAWN, updated_at=now)
            .returning(*_OFFER_COLUMNS)
        )
        return [OfferRecord(*row) for row in await self.connection.execute(statement)]

    async def cancel_registrations(self, event_id: int, *, now: datetime) -> int:
        """Every registration and place in line of the event cancelled, and its seats all free;
        how many there were."""
        result = await self.connection.execute(
            update(_registrations)
            .where(
                _registrations.c.event_id == event_id,
                _registrations.c.status.in_((_REGISTERED, _WAITLISTED)),
            )
            .values(status=_CANCELLED, updated_at=now)
        )
        await self.connection.execute(
            update(_events).where(_events.c.id == event_id).values(taken_seats=0, updated_at=now)
        )
        return int(result.rowcount)
