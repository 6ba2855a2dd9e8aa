"""The waitlist offer: seats freed by a cancellation are held for the first in line whose seats fit and
offered to them through the outbox, in their language, with Accept and Decline; declining or letting
the offer expire hands the seats on; every press is checked; nothing is offered once registration has
closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.services.events import EventProblem, EventService, RegistrationRefusedError
from bot.views.offers import OfferAction, OfferCallback
from fake_telegram.recording import RecordingSession
from tests.events_support import ADMIN, published_event
from tests.harness import BotHarness, PlayedUser


async def delivered_all(app: Application) -> list[SendMessage]:
    """What the sender sends now, to anyone."""
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    return [r for r in session.requests[start:] if isinstance(r, SendMessage)]


async def delivered(app: Application, chat_id: int) -> list[SendMessage]:
    """What the sender sends `chat_id` now (what it sends others now is not looked at)."""
    return [message for message in await delivered_all(app) if message.chat_id == chat_id]


def offer_buttons(message: SendMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [(b.text, str(b.callback_data)) for row in markup.inline_keyboard for b in row]


def offer_id_of(message: SendMessage) -> int:
    accept = offer_buttons(message)[0][1]
    parsed = OfferCallback.unpack(accept)
    assert parsed.action is OfferAction.ACCEPT
    return parsed.offer_id


def answers(requests: list[object]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


async def volunteer(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, language_code=language)
    await user.onboard(language, region="almaty")
    return user


async def status_of(events: EventService, user_id: int, event_id: int) -> str | None:
    mine = await events.registration_of(user_id, event_id)
    return None if mine is None else mine.registration.status


async def taken(events: EventService, event_id: int) -> int:
    event = await events.get(event_id)
    assert event is not None
    return event.taken_seats


async def full_event_with_line(
    harness: BotHarness,
    app: Application,
    clock: ManualClock,
    first: int,
    line: list[tuple[int, str]],
    **changes: object,
) -> int:
    """An event of one seat held by `first`, and `line` (user id, language) waiting in that order."""
    event_id = await published_event(app.events, clock.now(), capacity=1, **changes)
    await volunteer(harness, first, "kk")
    await app.events.register(first, event_id)
    for user_id, language in line:
        await volunteer(harness, user_id, language)
        assert (await app.events.register(user_id, event_id)).waitlisted
    await delivered(app, first)  # nothing else is pending for anyone
    return event_id


async def test_a_cancellation_offers_the_seat_to_the_first_in_line_in_their_language_and_holds_it(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9301, [(9302, "ru"), (9303, "kk")])
    cancellation = await app.events.cancel(9301, event_id)
    assert (cancellation.freed_seats, cancellation.offers_made) == (1, 1)

    (offer,) = await delivered_all(app)  # to the first in line only
    assert offer.chat_id == 9302
    assert offer.text.startswith("🎉 Освободилось место: <b>Весенний субботник</b>")
    assert "Для вас забронировано 1 место до " in offer.text
    buttons = offer_buttons(offer)
    assert [text for text, _ in buttons] == ["✅ Принять", "Отказаться"]
    assert all(len(data.encode()) <= 64 for _, data in buttons)

    # The seat is held: it is not given to the next one who taps Register.
    assert await taken(app.events, event_id) == 1
    await volunteer(harness, 9304, "kk")
    assert (await app.events.register(9304, event_id)).waitlisted


async def test_accepting_registers_with_reminders_and_keeps_the_seat_count(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9311, [(9312, "kk"), (9313, "kk")])
    await app.events.cancel(9311, event_id)
    (offer,) = await delivered(app, 9312)
    played = harness.user(9312, language_code="kk")
    requests = await played.press(OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id_of(offer)))
    assert answers(requests) == ["Сіз іс-шараға тіркелдіңіз."]
    assert await status_of(app.events, 9312, event_id) == "registered"
    assert await status_of(app.events, 9313, event_id) == "waitlisted"
    assert await taken(app.events, event_id) == 1

    # A second tap changes nothing; the reminders were planned as for a registration.
    again = await played.press(OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id_of(offer)))
    assert answers(again) == ["Сіз іс-шараға тіркелдіңіз."]
    assert await taken(app.events, event_id) == 1
    clock.advance(timedelta(days=2, minutes=1))
    (reminder,) = await delivered(app, 9312)
    assert reminder.text.startswith("⏰ <b>Көктемгі сенбілік</b>")


async def test_declining_hands_the_seat_to_the_next_in_line(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9321, [(9322, "kk"), (9323, "ru")])
    await app.events.cancel(9321, event_id)
    (offer,) = await delivered(app, 9322)
    played = harness.user(9322, language_code="kk")
    requests = await played.press(OfferCallback(action=OfferAction.DECLINE, offer_id=offer_id_of(offer)))
    assert answers(requests) == ["Ұсыныстан бас тарттыңыз: орын кезектегі келесі адамға беріледі."]
    assert await status_of(app.events, 9322, event_id) is None  # left the line

    (next_offer,) = await delivered(app, 9323)
    assert next_offer.text.startswith("🎉 Освободилось место:")
    assert await taken(app.events, event_id) == 1  # held for 9323 now
    accepted = await app.events.accept_offer(9323, offer_id_of(next_offer))
    assert accepted.changed
    assert await status_of(app.events, 9323, event_id) == "registered"

    # Accepting the declined offer afterwards is refused, and changes nothing.
    late = await played.press(OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id_of(offer)))
    assert answers(late) == ["Бұл ұсынысқа жауап берілген."]
    assert await status_of(app.events, 9322, event_id) is None
    assert await taken(app.events, event_id) == 1


async def test_an_offer_nobody_answers_expires_and_the_next_in_line_gets_it(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9331, [(9332, "kk"), (9333, "kk")])
    await app.events.cancel(9331, event_id)
    (offer,) = await delivered(app, 9332)

    clock.advance(timedelta(hours=11, minutes=59))
    assert await app.events.expire_offers() == 0  # OFFER_HOURS = 12 by default
    assert await delivered(app, 9333) == []

    clock.advance(timedelta(minutes=1))
    played = harness.user(9332, language_code="kk")
    # Past its time, before the scan: refused in the user's language, nothing changes.
    requests = await played.press(OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id_of(offer)))
    assert answers(requests) == ["Ұсыныстың мерзімі өтті: орын кезектегі келесі адамға берілді."]
    assert await status_of(app.events, 9332, event_id) == "waitlisted"

    assert await app.events.expire_offers() == 1
    assert await app.events.expire_offers() == 0  # safe to run twice
    (next_offer,) = await delivered(app, 9333)
    assert next_offer.text.startswith("🎉 Орын босады: <b>Көктемгі сенбілік</b>")
    assert await status_of(app.events, 9332, event_id) is None
    assert await taken(app.events, event_id) == 1


async def test_someone_elses_or_a_forged_offer_is_refused_and_changes_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9341, [(9342, "kk"), (9343, "ru")])
    await app.events.cancel(9341, event_id)
    (offer,) = await delivered(app, 9342)
    offer_id = offer_id_of(offer)

    intruder = harness.user(9343, language_code="ru")
    for data in (
        OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id),
        OfferCallback(action=OfferAction.DECLINE, offer_id=offer_id),
        OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id + 1000),
    ):
        assert answers(await intruder.press(data)) == ["Это предложение недоступно."]
    assert await status_of(app.events, 9343, event_id) == "waitlisted"
    assert await status_of(app.events, 9342, event_id) == "waitlisted"
    assert await taken(app.events, event_id) == 1
    with pytest.raises(RegistrationRefusedError) as refused:
        await app.events.decline_offer(9343, offer_id)
    assert refused.value.problem is EventProblem.NO_SUCH_OFFER
    # The offer is still theirs to take.
    assert (await app.events.accept_offer(9342, offer_id)).changed


async def test_the_first_in_line_whose_seats_fit_gets_the_offer(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=2)
    for user_id in (9351, 9352, 9353, 9354):
        await volunteer(harness, user_id, "kk")
    await app.events.register(9351, event_id)
    await app.events.register(9352, event_id)
    assert (await app.events.register(9353, event_id, companions=1)).waitlisted  # needs 2
    assert (await app.events.register(9354, event_id)).waitlisted
    await app.events.cancel(9351, event_id)  # 1 seat free: 9353 does not fit, 9354 does
    (offer,) = await delivered_all(app)
    assert offer.chat_id == 9354
    assert "1 орын сақталды" in offer.text


async def test_an_offer_never_outlives_the_deadline_and_none_is_made_after_it(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    deadline = clock.now() + timedelta(hours=1)  # closer than OFFER_HOURS and OFFER_HOURS_NEAR_START
    event_id = await full_event_with_line(
        harness, app, clock, 9361, [(9362, "kk"), (9363, "kk")], registration_deadline=deadline
    )
    await app.events.cancel(9361, event_id)
    (offer,) = await delivered(app, 9362)
    assert offer.text
    clock.advance(timedelta(hours=1) - timedelta(seconds=1))
    assert await app.events.expire_offers() == 0
    clock.advance(timedelta(seconds=1))
    assert await app.events.expire_offers() == 1  # it ended with registration, not 2 or 12 hours later
    assert await delivered(app, 9363) == []  # registration has closed: the seat is simply free
    assert await taken(app.events, event_id) == 0
    assert await status_of(app.events, 9363, event_id) == "waitlisted"


async def test_a_cancellation_after_the_deadline_offers_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(
        harness, app, clock, 9371, [(9372, "ru")], registration_deadline=clock.now() + timedelta(hours=1)
    )
    clock.advance(timedelta(hours=2))  # registration closed; cancelling is still possible
    cancellation = await app.events.cancel(9371, event_id)
    assert (cancellation.freed_seats, cancellation.offers_made) == (1, 0)
    assert await delivered(app, 9372) == []
    assert await taken(app.events, event_id) == 0


async def test_erasing_ones_data_gives_back_the_seats_held_for_ones_offer(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9381, [(9382, "kk")])
    await app.events.cancel(9381, event_id)
    (offer,) = await delivered(app, 9382)
    assert await taken(app.events, event_id) == 1
    await app.users.erase(9382)
    assert await taken(app.events, event_id) == 0
    with pytest.raises(RegistrationRefusedError) as refused:
        await app.events.accept_offer(9382, offer_id_of(offer))
    assert refused.value.problem is EventProblem.NO_SUCH_OFFER


async def test_an_offer_for_an_event_cancelled_meanwhile_cannot_be_taken(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9391, [(9392, "kk")])
    await app.events.cancel(9391, event_id)
    (offer,) = await delivered(app, 9392)
    async with app.database.transaction() as uow:
        await uow.events.update(event_id, now=clock.now(), status="cancelled")
    with pytest.raises(RegistrationRefusedError) as refused:
        await app.events.accept_offer(9392, offer_id_of(offer))
    assert refused.value.problem is EventProblem.EVENT_CANCELLED
    assert await status_of(app.events, 9392, event_id) == "waitlisted"


async def test_an_offer_is_shorter_when_registration_closes_within_a_day(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    deadline = clock.now() + timedelta(hours=10)  # within a day: OFFER_HOURS_NEAR_START (2), not 12
    event_id = await full_event_with_line(
        harness, app, clock, 9381, [(9382, "ru"), (9383, "kk")], registration_deadline=deadline
    )
    await app.events.cancel(9381, event_id)
    assert len(await delivered(app, 9382)) == 1
    clock.advance(timedelta(hours=2) - timedelta(seconds=1))
    assert await app.events.expire_offers() == 0
    clock.advance(timedelta(seconds=1))
    assert await app.events.expire_offers() == 1
    assert len(await delivered(app, 9383)) == 1  # the next in line, with 2 hours too
    clock.advance(timedelta(hours=2))
    assert await app.events.expire_offers() == 1


def by_chat(messages: list[SendMessage]) -> dict[int, list[str]]:
    sent: dict[int, list[str]] = {}
    for message in messages:
        sent.setdefault(int(message.chat_id), []).append(message.text)
    return sent


async def test_people_in_line_hear_when_they_move_up_once_per_burst_in_their_language(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    line = [(9392, "ru"), (9393, "kk"), (9394, "kk"), (9395, "ru")]
    event_id = await full_event_with_line(harness, app, clock, 9391, line)
    await app.events.cancel(9393, event_id)  # 9394 and 9395 move up; 9392, ahead, does not
    assert await delivered_all(app) == []  # a short wait first, so that a burst makes one message
    clock.advance(timedelta(minutes=2))
    out = by_chat(await delivered_all(app))
    assert sorted(out) == [9394, 9395]
    (kazakh,) = out[9394]
    assert kazakh.startswith("⏳ <b>Көктемгі сенбілік</b> (")
    assert kazakh.endswith(") күту тізімінде алға жылжыдыңыз: енді сіз 2-орындасыз.")
    (russian,) = out[9395]
    assert russian.startswith("⏳ Вы продвинулись в листе ожидания на <b>Весенний субботник</b> (")
    assert russian.endswith("): теперь вы 3-й в очереди.")

    # Two moves in a row: one message, with the place as it is at the end.
    await app.events.cancel(9392, event_id)
    await app.events.cancel(9394, event_id)
    clock.advance(timedelta(minutes=2))
    out = by_chat(await delivered_all(app))
    assert list(out) == [9395]
    assert out[9395][0].endswith("теперь вы 1-й в очереди.")

    # Whoever gets an offer hears that, not that they moved up; a declined offer moves the line on.
    await volunteer(harness, 9396, "kk")
    await app.events.register(9396, event_id)
    await app.events.cancel(9391, event_id)  # the seat is offered to 9395
    (offer,) = await delivered(app, 9395)
    await app.events.decline_offer(9395, offer_id_of(offer))
    out = by_chat(await delivered_all(app))
    assert list(out) == [9396]
    assert out[9396][0].startswith("🎉")  # the offer, nothing else
    clock.advance(timedelta(minutes=2))
    assert await delivered_all(app) == []


async def test_taking_an_offer_moves_the_line_and_a_cancelled_event_drops_the_notices(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await full_event_with_line(harness, app, clock, 9401, [(9402, "kk"), (9403, "ru")])
    await app.events.cancel(9401, event_id)
    (offer,) = await delivered(app, 9402)
    await app.events.accept_offer(9402, offer_id_of(offer))  # 9402 leaves the line for a seat
    clock.advance(timedelta(minutes=2))
    out = by_chat(await delivered_all(app))
    assert list(out) == [9403]
    assert out[9403][0].endswith("теперь вы 1-й в очереди.")

    await volunteer(harness, 9404, "kk")
    await app.events.register(9404, event_id)
    await app.events.cancel(9403, event_id)  # 9404 is to hear it moved up...
    await app.publishing.cancel(ADMIN, event_id)  # ...but the event is cancelled first
    clock.advance(timedelta(minutes=2))
    out = by_chat(await delivered_all(app))
    assert [text[:1] for text in out[9404]] == ["✖"]  # the cancellation only


async def test_someone_erasing_their_data_moves_the_line_behind_them(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    line = [(9412, "kk"), (9413, "ru")]
    event_id = await full_event_with_line(harness, app, clock, 9411, line)
    await app.users.erase(9412)
    clock.advance(timedelta(minutes=2))
    out = by_chat(await delivered_all(app))
    assert list(out) == [9413]
    assert out[9413][0].endswith("теперь вы 1-й в очереди.")
    assert await status_of(app.events, 9413, event_id) == "waitlisted"
