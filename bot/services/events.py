"""Eco events: organizers create and publish them, volunteers register, cancel and see theirs.

Each public method is one use case: one unit of work, committed once. Seats are handed out by one
conditional UPDATE of the event's row (`taken_seats + n <= capacity`) in the same unit of work as the
registration, so the database alone keeps the count right, however many register at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.domain.events import (
    ACTIVE_REGISTRATIONS,
    ADDRESS_MAX,
    CAPACITY_MAX,
    CAPACITY_MIN,
    CITY_MAX,
    CONTACT_MAX,
    CUTOFF_HOURS_MAX,
    DEFAULT_MAX_COMPANIONS,
    DESCRIPTION_MAX,
    EXTERNAL_ID_MAX,
    TITLE_MAX,
    Category,
    EventStatus,
    OfferStatus,
    RegistrationStatus,
    cancellation_closes_at,
    effective_status,
)
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import Role
from bot.services.admins import is_admin
from bot.services.line import tell_line_moved
from bot.services.offers import drop_offer_message, plan_offer_message
from bot.services.paging import clamp_page
from bot.services.reminders import drop_reminders, plan_reminders
from storage.database import Database
from storage.repositories.events import EventRecord, OfferRecord, RegistrationRecord, UserEvent
from storage.unit_of_work import UnitOfWork

PAGE_SIZE = 5
_UNLIMITED = 1_000_000  # free seats of an event without a limit


class EventProblem(StrEnum):
    """Why a use case refused: a code the views turn into a message in the user's language."""

    # Creating an event
    TITLE_MISSING = "title_missing"
    TITLE_TOO_LONG = "title_too_long"
    DESCRIPTION_TOO_LONG = "description_too_long"
    TEXT_TOO_LONG = "text_too_long"  # city, address, contact, external id
    PLACE_MISSING = "place_missing"  # city or address
    CONTACT_MISSING = "contact_missing"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_REGION = "unknown_region"
    BAD_MAP_POINT = "bad_map_point"
    START_IN_PAST = "start_in_past"
    END_BEFORE_START = "end_before_start"
    CAPACITY_OUT_OF_RANGE = "capacity_out_of_range"
    DEADLINE_AFTER_START = "deadline_after_start"
    CUTOFF_OUT_OF_RANGE = "cutoff_out_of_range"
    DUPLICATE_EXTERNAL_ID = "duplicate_external_id"
    # Who may do it
    NOT_ALLOWED = "not_allowed"
    # Registering and cancelling
    NO_SUCH_EVENT = "no_such_event"
    NOT_PUBLISHED = "not_published"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_STARTED = "event_started"
    DEADLINE_PASSED = "deadline_passed"
    COMPANIONS_OUT_OF_RANGE = "companions_out_of_range"
    NOT_ENOUGH_SEATS = "not_enough_seats"  # some seats are free, fewer than the group needs
    NOT_REGISTERED = "not_registered"
    CUTOFF_PASSED = "cutoff_passed"
    ALREADY_PUBLISHED = "already_published"
    # Managing one's event (bot/services/publishing.py)
    BAD_TIME = "bad_time"  # a date and time that cannot be read
    BAD_NUMBER = "bad_number"
    CAPACITY_BELOW_TAKEN = "capacity_below_taken"
    # Answering "still coming?"
    ALREADY_CANCELLED = "already_cancelled"
    # Answering a waitlist offer
    NO_SUCH_OFFER = "no_such_offer"  # none, or someone else's (the same answer: nothing to learn)
    OFFER_EXPIRED = "offer_expired"
    OFFER_CLOSED = "offer_closed"  # answered the other way already, or the place in line was left


class EventError(ValueError):
    """A use case refused; `problem` says why, for a message in the user's language."""

    def __init__(self, problem: EventProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class InvalidEventError(EventError):
    """What an organizer entered breaks a rule."""


class NotAllowedError(EventError):
    """The user may not do this (only approved organizers and admins create and publish)."""

    def __init__(self) -> None:
        super().__init__(EventProblem.NOT_ALLOWED)


class RegistrationRefusedError(EventError):
    """Registering or cancelling is not possible now: no such event, closed, past the cutoff..."""


class NotEnoughSeatsError(RegistrationRefusedError):
    """Seats are free, but fewer than the volunteer and their companions need; `seats_left` says how
    many, so that they can come with fewer or join the waitlist."""

    def __init__(self, seats_left: int) -> None:
        super().__init__(EventProblem.NOT_ENOUGH_SEATS)
        self.seats_left = seats_left


class Period(StrEnum):
    WEEK = "w"
    MONTH = "m"
    ALL = "a"  # every upcoming event


PERIOD_LENGTHS = {Period.WEEK: timedelta(days=7), Period.MONTH: timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What an organizer (or an import) says about a new event. Times are aware; stored as UTC."""

    category: str
    region: str
    city: str
    address: str
    starts_at: datetime
    ends_at: datetime
    contact: str
    title_kk: str | None = None
    title_ru: str | None = None
    description_kk: str | None = None
    description_ru: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None
    # None: registration stays open until the start.
    registration_deadline: datetime | None = None
    cancellation_cutoff_hours: int | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Registration:
    """The outcome of registering: the registration and, when waitlisted, the place in line."""

    event: EventRecord
    registration: RegistrationRecord
    place_in_line: int | None
    # False when the user was already registered or waitlisted (a double tap): nothing changed.
    created: bool

    @property
    def waitlisted(self) -> bool:
        return self.registration.status == RegistrationStatus.WAITLISTED


@dataclass(frozen=True, slots=True)
class Cancellation:
    """The outcome of cancelling: the seats it gave back (a waitlisted one: those held for its open
    offer, else 0), and how many offers to people in line they made."""

    event: EventRecord
    registration: RegistrationRecord
    freed_seats: int
    offers_made: int = 0


@dataclass(frozen=True, slots=True)
class OfferAnswer:
    """The outcome of accepting or declining a waitlist offer. `changed` is False for a second tap
    giving the same answer (nothing happened)."""

    event: EventRecord
    offer: OfferRecord
    accepted: bool
    changed: bool


@dataclass(frozen=True, slots=True)
class StillComingAnswer:
    """The outcome of answering "still coming?": yes (recorded) or no (the seats released as by a
    cancellation, whatever the cutoff)."""

    event: EventRecord
    coming: bool
    cancellation: Cancellation | None = None


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[EventRecord]
    page: int
    has_next: bool


class EventService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        admin_ids: Collection[int] = frozenset(),
        *,
        max_companions: int = DEFAULT_MAX_COMPANIONS,
        reminder_hours: Sequence[int] = (24, 2),
        offer_hours: int = 12,
        offer_hours_near_start: int = 2,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admin_ids = frozenset(admin_ids)
        self.max_companions = max_companions
        self.reminder_hours = tuple(reminder_hours)
        self.offer_hours = offer_hours
        self.offer_hours_near_start = offer_hours_near_start
        self.wake_sender = wake_sender

    # Organizers

    async def create(self, user_id: int, draft: EventDraft) -> EventRecord:
        """A new event, as a draft of its organizer `user_id` (an approved organizer or an admin)."""
        values = self.validated(draft)
        async with self.database.transaction() as uow:
            await self.check_organizer(uow, user_id)
            if draft.external_id is not None:
                duplicate = await uow.events.by_external_id(draft.external_id)
                if duplicate is not None:
                    raise InvalidEventError(EventProblem.DUPLICATE_EXTERNAL_ID)
            return await uow.events.add(
                now=self.clock.now(), organizer_id=user_id, status=EventStatus.DRAFT.value, **values
            )

    async def publish(self, user_id: int, event_id: int) -> EventRecord:
        """Open a draft for registration: its organizer or an admin, while its start is ahead."""
        async with self.database.transaction() as uow:
            await self.check_organizer(uow, user_id)
            event = await uow.events.get(event_id, lock=True)
            if event is None:
                raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
            if event.organizer_id != user_id and not await is_admin(uow, self.admin_ids, user_id):
                raise NotAllowedError
            if event.status != EventStatus.DRAFT:
                raise InvalidEventError(EventProblem.ALREADY_PUBLISHED)
            if event.starts_at <= self.clock.now():
                raise InvalidEventError(EventProblem.START_IN_PAST)
            published = await uow.events.update(
                event_id, now=self.clock.now(), status=EventStatus.PUBLISHED.value
            )
        assert published is not None  # noqa: S101 - the row is locked
        return published

    async def finish_ended(self) -> int:
        """Mark published events whose end has passed as finished (a scan; safe to run twice)."""
        async with self.database.transaction() as uow:
            return await uow.events.finish_ended(now=self.clock.now())

    # Volunteers

    async def get(self, event_id: int) -> EventRecord | None:
        async with self.database.reading() as uow:
            return await uow.events.get(event_id)

    async def register(
        self, user_id: int, event_id: int, companions: int = 0, *, wait_if_short: bool = True
    ) -> Registration:
        """Register the user with `companions` (1 + companions seats), or put them on the waitlist when
        the seats are taken. A second tap returns the registration the first one made. Without
        `wait_if_short`, a group for which some seats are free but too few is refused with
        NotEnoughSeatsError (saying how many are left) instead of waitlisted."""
        if not 0 <= companions <= self.max_companions:
            raise RegistrationRefusedError(EventProblem.COMPANIONS_OUT_OF_RANGE)
        seats = 1 + companions
        async with self.database.transaction() as uow:
            now = self.clock.now()
            # Locked first (PostgreSQL), so that two taps of one user are serialised before either
            # looks for the other's registration.
            event = await uow.events.get(event_id, lock=True)
            if event is None:
                raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
            existing = await uow.events.registration(event_id, user_id)
            if existing is not None and existing.status in ACTIVE_REGISTRATIONS:
                place = await uow.events.place_in_line(existing.id)
                return Registration(event, existing, place, created=False)
            _check_open(event, now)
            left = event.seats_left
            if not wait_if_short and left is not None and 0 < left < seats:
                raise NotEnoughSeatsError(left)
            taken = await uow.events.take_seats(event_id, seats, now=now)
            if taken is not None:
                status, number = RegistrationStatus.REGISTERED, None
                event = replace(event, taken_seats=taken)
            else:
                status = RegistrationStatus.WAITLISTED
                number = await uow.events.next_in_line(event_id, now=now)
                event = replace(event, waitlist_last=number)
            registration = await uow.events.save_registration(
                event_id,
                user_id,
                companions=companions,
                seats=seats,
                status=status.value,
                waitlist_number=number,
                now=now,
                revive=existing is not None,
            )
            place = await uow.events.place_in_line(registration.id) if number is not None else None
            planned = 0
            if status is RegistrationStatus.REGISTERED:
                planned = await plan_reminders(uow, event, registration, self.reminder_hours, now=now)
        if planned:
            self.wake_sender()
        return Registration(event, registration, place, created=True)

    async def cancel(self, user_id: int, event_id: int, *, honour_cutoff: bool = True) -> Cancellation:
        """Cancel the user's registration (or place in line) until the event's cutoff; the seats it
        held are given back, and returned so that the waitlist can be offered them. A "no" to "still
        coming?" does not `honour_cutoff`: a seat nobody will use is better given on late than never
        (its own rules then: a seat, before the start)."""
        async with self.database.transaction() as uow:
            now = self.clock.now()
            event = await uow.events.get(event_id, lock=True)
            if event is None:
                raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
            registration = await uow.events.registration(event_id, user_id)
            if not honour_cutoff:
                _check_still_coming(event, registration, now)
            if registration is None or registration.status not in ACTIVE_REGISTRATIONS:
                raise RegistrationRefusedError(EventProblem.NOT_REGISTERED)
            if honour_cutoff and now >= cancellation_closes_at(
                event.starts_at, event.cancellation_cutoff_hours
            ):
                raise RegistrationRefusedError(EventProblem.CUTOFF_PASSED)
            freed = 0
            if registration.status == RegistrationStatus.REGISTERED:
                freed = registration.seats
            else:
                offer = await uow.events.open_offer_of(registration.id)
                if offer is not None and await uow.events.close_offer(
                    offer.id, OfferStatus.WITHDRAWN.value, now=now
                ):
                    freed = offer.seats
                    await drop_offer_message(uow, offer.id, "the volunteer left the line")
            if freed:
                event = replace(event, taken_seats=await uow.events.free_seats(event_id, freed, now=now))
            await uow.events.set_registration_status(
                registration.id, RegistrationStatus.CANCELLED.value, now=now
            )
            await drop_reminders(uow, registration.id, "the registration was cancelled")
            left_line = registration.status == RegistrationStatus.WAITLISTED
            registration = replace(registration, status=RegistrationStatus.CANCELLED.value)
            offers = moved = 0
            if freed:
                event, offers = await self._offer_freed_seats(uow, event, now)
            if left_line:  # after the offers: whoever got one hears that, not that they moved up
                moved = await tell_line_moved(uow, event, registration, now)
        if offers or moved:
            self.wake_sender()
        return Cancellation(event, registration, freed, offers)

    async def answer_still_coming(self, user_id: int, event_id: int, *, coming: bool) -> StillComingAnswer:
        """The volunteer's answer to "still coming?" (asked a day before): yes is recorded; no releases
        their seats at once, even past the cancellation cutoff, and offers them to the waitlist. An
        answer after the start, or after they cancelled, is refused saying so."""
        if not coming:
            cancellation = await self.cancel(user_id, event_id, honour_cutoff=False)
            return StillComingAnswer(cancellation.event, coming=False, cancellation=cancellation)
        async with self.database.transaction() as uow:
            event = await uow.events.get(event_id, lock=True)
            if event is None:
                raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
            registration = _check_still_coming(
                event, await uow.events.registration(event_id, user_id), self.clock.now()
            )
            await uow.events.confirm_registration(registration.id, now=self.clock.now())
        return StillComingAnswer(event, coming=True)

    async def confirmed_at(self, user_id: int, event_id: int) -> datetime | None:
        """When the user said yes to "still coming?" for the event (None: not, or not registered)."""
        async with self.database.reading() as uow:
            registration = await uow.events.registration(event_id, user_id)
            return None if registration is None else await uow.events.confirmed_at(registration.id)

    async def calendar_event(self, user_id: int, event_id: int) -> EventRecord:
        """The event, for its calendar file: only to volunteers registered for it (not those in line)."""
        async with self.database.reading() as uow:
            event = await uow.events.get(event_id)
            registration = await uow.events.registration(event_id, user_id)
        if event is None or event.status == EventStatus.DRAFT:
            raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
        if registration is None or registration.status != RegistrationStatus.REGISTERED:
            raise RegistrationRefusedError(EventProblem.NOT_REGISTERED)
        return event

    # Waitlist offers

    async def accept_offer(self, user_id: int, offer_id: int) -> OfferAnswer:
        """Take the seats an offer holds: the user's place in line becomes a registration (with its
        reminders). Refused for someone else's offer, an expired or an otherwise answered one."""
        async with self.database.transaction() as uow:
            now = self.clock.now()
            event, offer = await self._answerable(uow, user_id, offer_id, OfferStatus.ACCEPTED, now)
            if offer.status == OfferStatus.ACCEPTED:
                return OfferAnswer(event, offer, accepted=True, changed=False)
            _check_open(event, now)  # cancelled or closed meanwhile: the offer cannot be taken
            registration = await uow.events.registration(event.id, user_id)
            if (
                registration is None
                or registration.id != offer.registration_id
                or registration.status != RegistrationStatus.WAITLISTED
                or not await uow.events.close_offer(offer.id, OfferStatus.ACCEPTED.value, now=now)
            ):
                raise RegistrationRefusedError(EventProblem.OFFER_CLOSED)
            await uow.events.set_registration_status(
                registration.id, RegistrationStatus.REGISTERED.value, now=now
            )
            registration = replace(registration, status=RegistrationStatus.REGISTERED.value)
            planned = await plan_reminders(uow, event, registration, self.reminder_hours, now=now)
            planned += await tell_line_moved(uow, event, registration, now)
            offer = replace(offer, status=OfferStatus.ACCEPTED.value)
        if planned:
            self.wake_sender()
        return OfferAnswer(event, offer, accepted=True, changed=True)

    async def decline_offer(self, user_id: int, offer_id: int) -> OfferAnswer:
        """Say no to an offer: the user leaves the line, and the seats go to the next in line who fits."""
        async with self.database.transaction() as uow:
            now = self.clock.now()
            event, offer = await self._answerable(uow, user_id, offer_id, OfferStatus.DECLINED, now)
            if offer.status == OfferStatus.DECLINED:
                return OfferAnswer(event, offer, accepted=False, changed=False)
            if not await uow.events.close_offer(offer.id, OfferStatus.DECLINED.value, now=now):
                raise RegistrationRefusedError(EventProblem.OFFER_CLOSED)
            offers = await self._hand_on(uow, event, offer, now)
            offer = replace(offer, status=OfferStatus.DECLINED.value)
        if offers:
            self.wake_sender()
        return OfferAnswer(event, offer, accepted=False, changed=True)

    async def expire_offers(self) -> int:
        """Close the offers nobody answered in time (their holders leave the line) and offer the seats
        to the next in line who fits (a scan; safe to run twice). Returns how many expired."""
        expired = 0
        offers = 0
        async with self.database.transaction() as uow:
            now = self.clock.now()
            for offer in await uow.events.expired_offers(now=now):
                event = await uow.events.get(offer.event_id, lock=True)
                if event is None or not await uow.events.close_offer(
                    offer.id, OfferStatus.EXPIRED.value, now=now
                ):
                    continue
                expired += 1
                offers += await self._hand_on(uow, event, offer, now)
        if offers:
            self.wake_sender()
        return expired

    async def _answerable(
        self, uow: UnitOfWork, user_id: int, offer_id: int, answer: OfferStatus, now: datetime
    ) -> tuple[EventRecord, OfferRecord]:
        """The offer and its event (locked) if the user may answer it now; an offer already answered
        the same way passes (a second tap)."""
        offer = await uow.events.offer(offer_id)
        if offer is None or offer.user_id != user_id:
            raise RegistrationRefusedError(EventProblem.NO_SUCH_OFFER)
        event = await uow.events.get(offer.event_id, lock=True)
        offer = await uow.events.offer(offer_id)  # again, now that its event is locked
        if event is None or offer is None:
            raise RegistrationRefusedError(EventProblem.NO_SUCH_OFFER)
        if offer.status == answer:
            return event, offer
        if offer.status == OfferStatus.EXPIRED or (
            offer.status == OfferStatus.OPEN and now >= offer.expires_at
        ):
            raise RegistrationRefusedError(EventProblem.OFFER_EXPIRED)
        if offer.status != OfferStatus.OPEN:
            raise RegistrationRefusedError(EventProblem.OFFER_CLOSED)
        return event, offer

    async def _hand_on(self, uow: UnitOfWork, event: EventRecord, offer: OfferRecord, now: datetime) -> int:
        """After an offer closed unaccepted: its holder leaves the line, its seats are given back and
        offered on, and those behind hear their new place. Returns how many messages that planned."""
        await uow.events.set_registration_status(
            offer.registration_id, RegistrationStatus.CANCELLED.value, now=now
        )
        event = replace(event, taken_seats=await uow.events.free_seats(event.id, offer.seats, now=now))
        made = (await self._offer_freed_seats(uow, event, now))[1]
        # Those behind them move up (the seats' next holder, just offered them, is not told).
        left = await uow.events.registration(event.id, offer.user_id)
        moved = 0 if left is None else await tell_line_moved(uow, event, left, now)
        return made + moved

    async def _offer_freed_seats(
        self, uow: UnitOfWork, event: EventRecord, now: datetime
    ) -> tuple[EventRecord, int]:
        """Offer the event's free seats to the people in line, earliest first, skipping those needing
        more seats than are free; each offer holds its seats. None once registration has closed (the
        seats are simply free then). Returns the event after it and how many offers were made."""
        published = effective_status(event.status, event.ends_at, now) is EventStatus.PUBLISHED
        if not published or now >= min(event.registration_deadline, event.starts_at):
            return event, 0
        made = 0
        # No limit (it was just removed): every one in line fits.
        while (free := _UNLIMITED if event.capacity is None else event.capacity - event.taken_seats) > 0:
            candidate = await uow.events.first_fitting_in_line(event.id, free)
            if candidate is None:
                break
            taken = await uow.events.take_seats(event.id, candidate.seats, now=now)
            if taken is None:  # pragma: no cover - the event's row is locked; a guard
                break
            event = replace(event, taken_seats=taken)
            expires_at = min(now + self._offer_time(event, now), event.registration_deadline)
            offer = await uow.events.add_offer(candidate, expires_at=expires_at, now=now)
            await plan_offer_message(uow, event, offer, now=now)
            made += 1
        return event, made

    def _offer_time(self, event: EventRecord, now: datetime) -> timedelta:
        """How long an offer lasts: `offer_hours`, or fewer when registration closes within a day."""
        hours = self.offer_hours
        if event.registration_deadline - now <= timedelta(days=1):
            hours = min(hours, self.offer_hours_near_start)
        return timedelta(hours=hours)

    async def upcoming(
        self, region: str | None, period: Period = Period.WEEK, category: str | None = None, page: int = 0
    ) -> EventPage:
        """Published events of a region (None: of all) starting within the period from now, soonest
        first."""
        if region is not None and region not in REGIONS_BY_CODE:
            raise InvalidEventError(EventProblem.UNKNOWN_REGION)
        if category is not None and category not in Category.__members__.values():
            raise InvalidEventError(EventProblem.UNKNOWN_CATEGORY)
        page = clamp_page(page)
        now = self.clock.now()
        async with self.database.reading() as uow:
            events = await uow.events.upcoming(
                region=region,
                starts_from=now,
                starts_before=now + PERIOD_LENGTHS[period] if period in PERIOD_LENGTHS else None,
                category=category,
                offset=page * PAGE_SIZE,
                limit=PAGE_SIZE + 1,
            )
        return EventPage(events[:PAGE_SIZE], page, has_next=len(events) > PAGE_SIZE)

    async def my_events(self, user_id: int) -> list[UserEvent]:
        """The user's registrations and places in line for events that have not ended, soonest first."""
        async with self.database.reading() as uow:
            return await uow.events.of_user(user_id, ending_after=self.clock.now())

    async def event_for(self, user_id: int, event_id: int) -> tuple[EventRecord, UserEvent | None]:
        """An event as a volunteer may see it, with their active registration; drafts only to their
        organizer and admins (others are told there is no such event)."""
        async with self.database.reading() as uow:
            event = await uow.events.get(event_id)
            if event is None or (
                event.status == EventStatus.DRAFT
                and user_id != event.organizer_id
                and not await is_admin(uow, self.admin_ids, user_id)
            ):
                raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
            registration = await uow.events.registration(event_id, user_id)
            if registration is None or registration.status not in ACTIVE_REGISTRATIONS:
                return event, None
            return event, UserEvent(event, registration, await uow.events.place_in_line(registration.id))

    async def registration_of(self, user_id: int, event_id: int) -> UserEvent | None:
        """The user's active registration for one event, with their live place in line."""
        async with self.database.reading() as uow:
            event = await uow.events.get(event_id)
            registration = await uow.events.registration(event_id, user_id)
            if event is None or registration is None or registration.status not in ACTIVE_REGISTRATIONS:
                return None
            return UserEvent(event, registration, await uow.events.place_in_line(registration.id))

    # Rules, shared with the publishing service (bot/services/publishing.py)

    async def offer_free_seats(self, uow: UnitOfWork, event: EventRecord, now: datetime) -> int:
        """Offer the event's free seats to the people in line; how many offers that made."""
        return (await self._offer_freed_seats(uow, event, now))[1]

    async def check_organizer(self, uow: UnitOfWork, user_id: int) -> None:
        """NotAllowedError unless the user is an approved organizer or an admin (in the caller's unit
        of work: the publishing dialog and the import ask it too)."""
        if await is_admin(uow, self.admin_ids, user_id):
            return
        user = await uow.users.get(user_id)
        if user is None or user.role != Role.ORGANIZER or user.consent_at is None:
            raise NotAllowedError

    def validated(self, draft: EventDraft, *, start_may_be_past: bool = False) -> dict[str, Any]:
        """The draft's values for the events table, or InvalidEventError naming the first problem (the
        rules of `create`, also for the publishing dialog's answers and the import's rows);
        `start_may_be_past` for an edit that leaves the start of a stale draft as it was."""
        titles = [_clean(draft.title_kk), _clean(draft.title_ru)]
        descriptions = [_clean(draft.description_kk), _clean(draft.description_ru)]
        city, address, contact = _clean(draft.city), _clean(draft.address), _clean(draft.contact)
        external_id = _clean(draft.external_id)
        if not any(titles):
            raise InvalidEventError(EventProblem.TITLE_MISSING)
        if any(title and len(title) > TITLE_MAX for title in titles):
            raise InvalidEventError(EventProblem.TITLE_TOO_LONG)
        if any(text and len(text) > DESCRIPTION_MAX for text in descriptions):
            raise InvalidEventError(EventProblem.DESCRIPTION_TOO_LONG)
        if not city or not address:
            raise InvalidEventError(EventProblem.PLACE_MISSING)
        if not contact:
            raise InvalidEventError(EventProblem.CONTACT_MISSING)
        if (
            len(city) > CITY_MAX
            or len(address) > ADDRESS_MAX
            or len(contact) > CONTACT_MAX
            or len(external_id or "") > EXTERNAL_ID_MAX
        ):
            raise InvalidEventError(EventProblem.TEXT_TOO_LONG)
        if draft.category not in Category.__members__.values():
            raise InvalidEventError(EventProblem.UNKNOWN_CATEGORY)
        if draft.region not in REGIONS_BY_CODE:
            raise InvalidEventError(EventProblem.UNKNOWN_REGION)
        if (draft.latitude is None) != (draft.longitude is None) or (
            draft.latitude is not None
            and draft.longitude is not None
            and not (-90 <= draft.latitude <= 90 and -180 <= draft.longitude <= 180)
        ):
            raise InvalidEventError(EventProblem.BAD_MAP_POINT)
        if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
            raise ValueError("event times must be aware")
        if draft.starts_at <= self.clock.now() and not start_may_be_past:
            raise InvalidEventError(EventProblem.START_IN_PAST)
        if draft.ends_at <= draft.starts_at:
            raise InvalidEventError(EventProblem.END_BEFORE_START)
        if draft.capacity is not None and not CAPACITY_MIN <= draft.capacity <= CAPACITY_MAX:
            raise InvalidEventError(EventProblem.CAPACITY_OUT_OF_RANGE)
        deadline = draft.registration_deadline or draft.starts_at
        if deadline > draft.starts_at:
            raise InvalidEventError(EventProblem.DEADLINE_AFTER_START)
        cutoff = draft.cancellation_cutoff_hours
        if cutoff is not None and not 0 <= cutoff <= CUTOFF_HOURS_MAX:
            raise InvalidEventError(EventProblem.CUTOFF_OUT_OF_RANGE)
        return {
            "title_kk": titles[0],
            "title_ru": titles[1],
            "description_kk": descriptions[0],
            "description_ru": descriptions[1],
            "category": draft.category,
            "region": draft.region,
            "city": city,
            "address": address,
            "latitude": draft.latitude,
            "longitude": draft.longitude,
            "starts_at": draft.starts_at,
            "ends_at": draft.ends_at,
            "capacity": draft.capacity,
            "registration_deadline": deadline,
            "cancellation_cutoff_hours": cutoff,
            "contact": contact,
            "external_id": external_id,
        }


def _check_open(event: EventRecord, now: datetime) -> None:
    """Refuse a registration the event does not take now, saying why."""
    status = effective_status(event.status, event.ends_at, now)
    if status is EventStatus.CANCELLED:
        raise RegistrationRefusedError(EventProblem.EVENT_CANCELLED)
    if status is not EventStatus.PUBLISHED:
        raise RegistrationRefusedError(
            EventProblem.EVENT_STARTED if status is EventStatus.FINISHED else EventProblem.NOT_PUBLISHED
        )
    if now >= event.starts_at:
        raise RegistrationRefusedError(EventProblem.EVENT_STARTED)
    if now >= event.registration_deadline:
        raise RegistrationRefusedError(EventProblem.DEADLINE_PASSED)


def _check_still_coming(
    event: EventRecord, registration: RegistrationRecord | None, now: datetime
) -> RegistrationRecord:
    """The registration an answer to "still coming?" is about; refused, saying why, when the answer no
    longer means anything: the event has begun (or is over, or cancelled), or the user holds no seat
    for it (any more)."""
    status = effective_status(event.status, event.ends_at, now)
    if status is EventStatus.CANCELLED:
        raise RegistrationRefusedError(EventProblem.EVENT_CANCELLED)
    if status is not EventStatus.PUBLISHED or now >= event.starts_at:
        raise RegistrationRefusedError(EventProblem.EVENT_STARTED)
    if registration is not None and registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationRefusedError(EventProblem.ALREADY_CANCELLED)
    if registration is None or registration.status != RegistrationStatus.REGISTERED:
        raise RegistrationRefusedError(EventProblem.NOT_REGISTERED)  # never, or only in line
    return registration


def _clean(text: str | None) -> str | None:
    """Text as stored: trimmed, None when empty."""
    return (text or "").strip() or None
