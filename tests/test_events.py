"""Eco events (issue 8): creating and publishing, registering, the waitlist, cancelling, listings, and
no overbooking under 1,000 registrations at once on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.events import EventStatus, effective_status
from bot.services.events import (
    EventProblem,
    EventService,
    InvalidEventError,
    NotAllowedError,
    Period,
    Registration,
    RegistrationRefusedError,
)
from bot.services.users import UserService
from storage.database import Database
from tests.events_support import ADMIN, check_no_overbooking, draft, published_event, rush

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def events(db: Database, clock: ManualClock) -> EventService:
    return EventService(db, clock, admin_ids={ADMIN})


async def organizer(db: Database, user_id: int, role: str = "organizer") -> None:
    async with db.transaction() as uow:
        await uow.users.add(user_id, now=NOW, consent_at=NOW, role=role, region="almaty")


# Creating and publishing


async def test_an_admin_creates_a_draft_and_publishes_it(events: EventService) -> None:
    event = await events.create(ADMIN, draft(NOW, title_ru=None, registration_deadline=None))
    assert (event.status, event.organizer_id, event.taken_seats) == ("draft", ADMIN, 0)
    assert event.title_kk == "Көктемгі сенбілік"
    assert event.title_ru is None  # one language is enough
    assert event.registration_deadline == event.starts_at  # by default: until the start
    assert event.starts_at.tzinfo == UTC
    published = await events.publish(ADMIN, event.id)
    assert published.status == "published"


async def test_only_approved_organizers_and_admins_create_and_publish(
    events: EventService, db: Database
) -> None:
    await organizer(db, 1, "organizer")
    await organizer(db, 2, "volunteer")  # an organizer request not approved yet: still a volunteer
    own = await events.create(1, draft(NOW))
    with pytest.raises(NotAllowedError):
        await events.create(2, draft(NOW))
    with pytest.raises(NotAllowedError):
        await events.create(3, draft(NOW))  # someone the bot does not know
    await organizer(db, 4, "organizer")
    with pytest.raises(NotAllowedError):
        await events.publish(4, own.id)  # another organizer's event
    assert (await events.publish(1, own.id)).status == "published"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title_kk": " ", "title_ru": None}, EventProblem.TITLE_MISSING),
        ({"title_ru": "я" * 121}, EventProblem.TITLE_TOO_LONG),
        ({"description_kk": "а" * 2001}, EventProblem.DESCRIPTION_TOO_LONG),
        ({"starts_at": NOW - timedelta(minutes=1)}, EventProblem.START_IN_PAST),
        ({"ends_at": NOW + timedelta(days=3)}, EventProblem.END_BEFORE_START),
        ({"capacity": 0}, EventProblem.CAPACITY_OUT_OF_RANGE),
        ({"capacity": 10_001}, EventProblem.CAPACITY_OUT_OF_RANGE),
        ({"category": "party"}, EventProblem.UNKNOWN_CATEGORY),
        ({"region": "mars"}, EventProblem.UNKNOWN_REGION),
        ({"address": ""}, EventProblem.PLACE_MISSING),
        ({"contact": ""}, EventProblem.CONTACT_MISSING),
        ({"latitude": 43.2}, EventProblem.BAD_MAP_POINT),
        ({"latitude": 91.0, "longitude": 76.9}, EventProblem.BAD_MAP_POINT),
        ({"registration_deadline": NOW + timedelta(days=4)}, EventProblem.DEADLINE_AFTER_START),
        ({"cancellation_cutoff_hours": -1}, EventProblem.CUTOFF_OUT_OF_RANGE),
    ],
)
async def test_an_invalid_event_is_refused_with_its_problem(
    events: EventService, changes: dict[str, object], problem: EventProblem
) -> None:
    with pytest.raises(InvalidEventError) as refused:
        await events.create(ADMIN, draft(NOW, **changes))
    assert refused.value.problem is problem


async def test_capacity_limits_and_no_limit_are_accepted(events: EventService) -> None:
    assert (await events.create(ADMIN, draft(NOW, capacity=1))).capacity == 1
    assert (await events.create(ADMIN, draft(NOW, capacity=10_000))).capacity == 10_000
    assert (await events.create(ADMIN, draft(NOW, capacity=None))).seats_left is None


async def test_an_external_id_is_unique(events: EventService) -> None:
    await events.create(ADMIN, draft(NOW, external_id="gov-kz-17"))
    with pytest.raises(InvalidEventError) as refused:
        await events.create(ADMIN, draft(NOW, external_id="gov-kz-17"))
    assert refused.value.problem is EventProblem.DUPLICATE_EXTERNAL_ID


async def test_an_event_is_finished_once_its_end_has_passed(events: EventService, clock: ManualClock) -> None:
    event_id = await published_event(events, NOW)
    event = await events.get(event_id)
    assert event is not None
    assert effective_status(event.status, event.ends_at, NOW) is EventStatus.PUBLISHED
    clock.advance(timedelta(days=4))
    assert effective_status(event.status, event.ends_at, clock.now()) is EventStatus.FINISHED
    assert await events.finish_ended() == 1
    assert await events.finish_ended() == 0  # safe to run twice
    finished = await events.get(event_id)
    assert finished is not None
    assert finished.status == "finished"


# Registering


async def test_registering_takes_one_seat_per_person(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=5)
    outcome = await events.register(1, event_id, companions=2)
    assert outcome.created
    assert not outcome.waitlisted
    assert (outcome.registration.seats, outcome.registration.companions) == (3, 2)
    assert (outcome.event.taken_seats, outcome.event.seats_left) == (3, 2)


async def test_a_double_tap_registers_once(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=5)
    first, second = await rush_one_user(events, event_id)
    assert first.created != second.created
    assert first.registration.id == second.registration.id
    assert (await check_no_overbooking(events.database, event_id, 5)) == (1, 0)
    event = await events.get(event_id)
    assert event is not None
    assert event.taken_seats == 1


async def rush_one_user(events: EventService, event_id: int) -> tuple[Registration, Registration]:
    first, second = await asyncio.gather(events.register(1, event_id), events.register(1, event_id))
    return first, second


async def test_a_full_event_waitlists_in_order_of_arrival(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=3)
    assert not (await events.register(1, event_id, companions=1)).waitlisted
    big = await events.register(2, event_id, companions=2)  # 3 seats: only 1 left
    assert (big.waitlisted, big.place_in_line) == (True, 1)
    small = await events.register(3, event_id)  # the seat left is still free for one
    assert not small.waitlisted
    late = await events.register(4, event_id)
    assert (late.waitlisted, late.place_in_line) == (True, 2)


@pytest.mark.parametrize("companions", [-1, 4])
async def test_companions_are_limited(events: EventService, companions: int) -> None:
    event_id = await published_event(events, NOW)
    with pytest.raises(RegistrationRefusedError) as refused:
        await events.register(1, event_id, companions)
    assert refused.value.problem is EventProblem.COMPANIONS_OUT_OF_RANGE


async def test_the_companion_limit_is_configurable(db: Database, clock: ManualClock) -> None:
    events = EventService(db, clock, admin_ids={ADMIN}, max_companions=5)
    event_id = await published_event(events, NOW)
    assert (await events.register(1, event_id, 5)).registration.seats == 6


async def test_closed_registration_is_refused_with_its_reason(
    events: EventService, clock: ManualClock
) -> None:
    draft_event = await events.create(ADMIN, draft(NOW))
    deadline = await published_event(events, NOW, registration_deadline=NOW + timedelta(days=1))
    problems = []
    for event_id, move in (
        (draft_event.id, timedelta()),
        (10**6, timedelta()),
        (deadline, timedelta(days=1)),
    ):
        clock.advance(move)
        with pytest.raises(RegistrationRefusedError) as refused:
            await events.register(1, event_id)
        problems.append(refused.value.problem)
    clock.advance(timedelta(days=2))
    with pytest.raises(RegistrationRefusedError) as refused:
        await events.register(1, deadline)
    problems.append(refused.value.problem)
    assert problems == [
        EventProblem.NOT_PUBLISHED,
        EventProblem.NO_SUCH_EVENT,
        EventProblem.DEADLINE_PASSED,
        EventProblem.EVENT_STARTED,
    ]


# Cancelling


async def test_cancelling_frees_the_seats_until_the_cutoff(events: EventService, clock: ManualClock) -> None:
    event_id = await published_event(events, NOW, capacity=4, cancellation_cutoff_hours=24)
    await events.register(1, event_id, companions=3)
    waiting = await events.register(2, event_id)
    assert waiting.place_in_line == 1
    cancelled = await events.cancel(1, event_id)
    # 4 seats freed: 1 is held for user 2, first in line, with an offer (tests/test_waitlist_offers.py).
    assert (
        cancelled.freed_seats,
        cancelled.offers_made,
        cancelled.event.taken_seats,
        cancelled.registration.status,
    ) == (4, 1, 1, "cancelled")
    # The 3 others are open to the next to tap.
    assert not (await events.register(3, event_id)).waitlisted
    assert (await events.register(4, event_id, companions=3)).waitlisted
    # Leaving the line with an open offer gives back the seat held for it (4 needs more than are free).
    assert (await events.cancel(2, event_id)).freed_seats == 1
    # Cancelling from the waitlist with no offer frees no seats.
    assert (await events.cancel(4, event_id)).freed_seats == 0
    with pytest.raises(RegistrationRefusedError) as refused:
        await events.cancel(2, event_id)
    assert refused.value.problem is EventProblem.NOT_REGISTERED
    clock.advance(timedelta(days=2))  # less than 24 hours before the start
    with pytest.raises(RegistrationRefusedError) as refused:
        await events.cancel(3, event_id)
    assert refused.value.problem is EventProblem.CUTOFF_PASSED
    await check_no_overbooking(events.database, event_id, 4)


async def test_registering_again_after_cancelling_joins_anew(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=1)
    await events.register(1, event_id)
    await events.register(2, event_id)
    await events.cancel(1, event_id)
    again = await events.register(1, event_id)
    # User 2 was first in line: the freed seat is held for their offer, so 1 joins the line behind them.
    assert again.created
    assert again.waitlisted
    assert again.place_in_line == 2
    assert (await events.registration_of(2, event_id)) is not None


async def test_waitlist_places_move_up_when_someone_ahead_cancels(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=1)
    for user_id in (1, 2, 3, 4):
        await events.register(user_id, event_id)
    await events.cancel(2, event_id)
    places = {user_id: (await events.registration_of(user_id, event_id)) for user_id in (3, 4)}
    assert {user_id: mine.place_in_line for user_id, mine in places.items() if mine} == {3: 1, 4: 2}


# Listings


async def test_upcoming_lists_a_regions_published_events_soonest_first(
    events: EventService, clock: ManualClock
) -> None:
    later = await published_event(
        events, NOW, starts_at=NOW + timedelta(days=5), ends_at=NOW + timedelta(days=6)
    )
    sooner = await published_event(
        events, NOW, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2)
    )
    lesson = await published_event(
        events,
        NOW,
        category="eco_lesson",
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, hours=1),
    )
    next_month = await published_event(
        events, NOW, starts_at=NOW + timedelta(days=20), ends_at=NOW + timedelta(days=20, hours=2)
    )
    await published_event(events, NOW, region="astana")
    await events.create(ADMIN, draft(NOW))  # a draft is not listed
    week = await events.upcoming("almaty", Period.WEEK)
    assert [event.id for event in week.events] == [sooner, lesson, later]
    month = await events.upcoming("almaty", Period.MONTH)
    assert [event.id for event in month.events] == [sooner, lesson, later, next_month]
    lessons = await events.upcoming("almaty", Period.MONTH, category="eco_lesson")
    assert [event.id for event in lessons.events] == [lesson]
    clock.advance(timedelta(days=1, hours=1))  # `sooner` has started
    assert [event.id for event in (await events.upcoming("almaty")).events] == [lesson, later]


async def test_upcoming_is_paginated(events: EventService) -> None:
    ids = [
        await published_event(
            events, NOW, starts_at=NOW + timedelta(hours=n + 1), ends_at=NOW + timedelta(hours=n + 2)
        )
        for n in range(7)
    ]
    first = await events.upcoming("almaty", page=0)
    second = await events.upcoming("almaty", page=1)
    assert ([e.id for e in first.events], first.has_next) == (ids[:5], True)
    assert ([e.id for e in second.events], second.has_next) == (ids[5:], False)


async def test_my_events_lists_what_a_user_holds(events: EventService, clock: ManualClock) -> None:
    full = await published_event(
        events, NOW, capacity=1, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2)
    )
    other = await published_event(events, NOW)
    cancelled = await published_event(events, NOW)
    await events.register(2, full)
    await events.register(1, other, companions=1)
    await events.register(1, full)
    await events.register(1, cancelled)
    await events.cancel(1, cancelled)
    mine = await events.my_events(1)
    assert [(item.event.id, item.registration.status, item.place_in_line) for item in mine] == [
        (full, "waitlisted", 1),
        (other, "registered", None),
    ]
    clock.advance(timedelta(days=10))
    assert await events.my_events(1) == []


async def test_erasing_a_user_gives_their_seats_back(
    events: EventService, db: Database, clock: ManualClock
) -> None:
    event_id = await published_event(events, NOW, capacity=5)
    async with db.transaction() as uow:
        await uow.users.add(1, now=NOW)
    await events.register(1, event_id, companions=2)
    await UserService(db, clock).erase(1)
    event = await events.get(event_id)
    assert event is not None
    assert event.taken_seats == 0
    assert await events.my_events(1) == []


# No overbooking


async def test_a_thousand_registrations_at_once_take_exactly_the_capacity(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=50)
    outcomes = await rush(events, event_id, 1000)
    registered, waitlisted = await check_no_overbooking(events.database, event_id, 50)
    assert (registered, waitlisted) == (50, 950)
    event = await events.get(event_id)
    assert event is not None
    assert (event.taken_seats, event.seats_left) == (50, 0)
    places = sorted(outcome.place_in_line for outcome in outcomes if outcome.place_in_line is not None)
    assert places == list(range(1, 951))


async def test_companions_never_overbook_either(events: EventService) -> None:
    event_id = await published_event(events, NOW, capacity=50)
    outcomes = await rush(events, event_id, 300, companions=3)
    registered, _ = await check_no_overbooking(events.database, event_id, 50)
    assert registered == 12  # 12 × 4 = 48 seats; the 2 left fit no group of 4
    assert sum(not outcome.waitlisted for outcome in outcomes) == 12


class CheckThenInsertEventService(EventService):
    """The naive registration the design notes warn about: check the free seats, then write."""

    async def register(self, user_id: int, event_id: int, companions: int = 0) -> Registration:
        async with self.database.reading() as uow:
            event = await uow.events.get(event_id)
        assert event is not None
        assert event.capacity is not None
        full = event.taken_seats + 1 + companions > event.capacity
        async with self.database.transaction() as uow:
            now = self.clock.now()
            if full:
                number: int | None = await uow.events.next_in_line(event_id, now=now)
            else:
                number = None
                await uow.events.free_seats(event_id, -(1 + companions), now=now)  # taken += seats
            saved = await uow.events.save_registration(
                event_id,
                user_id,
                companions=companions,
                seats=1 + companions,
                status="waitlisted" if full else "registered",
                waitlist_number=number,
                now=now,
                revive=False,
            )
        return Registration(event, saved, number, created=True)


async def test_the_rush_test_catches_a_check_then_insert(db: Database, clock: ManualClock) -> None:
    naive = CheckThenInsertEventService(db, clock, admin_ids={ADMIN})
    event_id = await published_event(naive, NOW, capacity=50)
    await rush(naive, event_id, 1000)
    with pytest.raises(AssertionError, match="seats taken of 50"):
        await check_no_overbooking(db, event_id, 50)
