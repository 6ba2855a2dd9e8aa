"""Eco events for volunteers: upcoming events with their filters, an event's card, Register (alone or
with companions) / Cancel, the venue on a map, the calendar file, "still coming?", and their own
events. Every press is checked by the service (forged or outdated ids are refused there)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Onboarded
from bot.i18n import Translator
from bot.replies import remove_pressed_buttons, show
from bot.services.events import EventError, EventService, NotEnoughSeatsError
from bot.views.calendar import calendar_file_name, event_calendar
from bot.views.events import (
    EventFilters,
    EventsAction,
    EventsCallback,
    calendar_caption,
    cancelled_registration_text,
    category_filter_view,
    event_card_view,
    events_list_view,
    my_events_view,
    no_map_text,
    not_enough_seats_view,
    plain_title,
    refusal_text,
    region_filter_view,
    registered_text,
)
from bot.views.offers import OfferAction, OfferCallback, offer_answer_text
from bot.views.reminders import StillComingCallback, still_coming_answer_text
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="events")
    router.callback_query.filter(Onboarded())
    for action, handler in (
        (EventsAction.LIST, on_list),
        (EventsAction.REGIONS, on_regions),
        (EventsAction.CATEGORIES, on_categories),
        (EventsAction.CARD, on_card),
        (EventsAction.REGISTER, on_register),
        (EventsAction.CANCEL, on_cancel),
        (EventsAction.MAP, on_map),
        (EventsAction.CALENDAR, on_calendar),
        (EventsAction.MINE, on_mine),
    ):
        router.callback_query.register(handler, EventsCallback.filter(F.action == action))
    router.callback_query.register(on_offer, OfferCallback.filter())
    router.callback_query.register(on_still_coming, StillComingCallback.filter())
    return router


async def on_list(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
) -> None:
    filters = EventFilters.of(callback_data)
    page = await events.upcoming(
        filters.region_code(user.region),
        filters.period,
        filters.category or None,
        page=max(callback_data.page, 0),
    )
    await show(query, events_list_view(t, filters, user.region, page))


async def on_regions(
    query: CallbackQuery, callback_data: EventsCallback, user: UserProfile, t: Translator
) -> None:
    await show(query, region_filter_view(t, EventFilters.of(callback_data), user.region))


async def on_categories(query: CallbackQuery, callback_data: EventsCallback, t: Translator) -> None:
    await show(query, category_filter_view(t, EventFilters.of(callback_data)))


async def on_card(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    await _show_card(query, callback_data, user, events, t, callback_answer)


async def on_register(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    event_id, companions = callback_data.event_id, callback_data.companions
    try:
        # A group that does not fit the seats left is asked first: fewer people, or the waitlist.
        outcome = await events.register(user.id, event_id, companions, wait_if_short=callback_data.wait)
    except NotEnoughSeatsError as short:
        event = await events.get(event_id)
        if event is not None:
            filters, page = EventFilters.of(callback_data), max(callback_data.page, 0)
            await show(query, not_enough_seats_view(t, event, short.seats_left, companions, filters, page))
        return
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    await _show_card(query, callback_data, user, events, t, callback_answer)
    callback_answer.text = registered_text(t, outcome)


async def on_cancel(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        # What was freed is offered to the first in line who fits, through the outbox.
        await events.cancel(user.id, callback_data.event_id)
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    await _show_card(query, callback_data, user, events, t, callback_answer)
    callback_answer.text = cancelled_registration_text(t)


async def on_map(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    """The venue as a map pin, on request (not after every card)."""
    try:
        event, _mine = await events.event_for(user.id, callback_data.event_id)
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    if event.latitude is None or event.longitude is None:
        callback_answer.text = no_map_text(t)
        return
    await bot.send_venue(
        chat_id=user.id,
        latitude=event.latitude,
        longitude=event.longitude,
        title=plain_title(t, event),
        address=f"{event.city}, {event.address}",
    )


async def on_calendar(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    """The event as an .ics file, for a volunteer registered for it."""
    try:
        event = await events.calendar_event(user.id, callback_data.event_id)
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start=ev_{event.id}" if me.username else None
    content = event_calendar(t, event, stamp=events.clock.now(), link=link)
    await bot.send_document(
        chat_id=user.id,
        document=BufferedInputFile(content, filename=calendar_file_name(event)),
        caption=calendar_caption(t),
    )


async def on_offer(
    query: CallbackQuery,
    callback_data: OfferCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """Accept or Decline on a waitlist offer; the offer's message becomes the event's card."""
    try:
        if callback_data.action is OfferAction.ACCEPT:
            answer = await events.accept_offer(user.id, callback_data.offer_id)
        else:
            answer = await events.decline_offer(user.id, callback_data.offer_id)
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    card = EventsCallback(action=EventsAction.CARD, event_id=answer.event.id)
    await _show_card(query, card, user, events, t, callback_answer)
    callback_answer.text = offer_answer_text(t, answer)


async def on_still_coming(
    query: CallbackQuery,
    callback_data: StillComingCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """Yes / No to "still coming?"; the question's message becomes the event's card. An answer that
    no longer means anything (after the start, after cancelling) says why and takes the buttons off."""
    try:
        answer = await events.answer_still_coming(
            user.id, callback_data.event_id, coming=callback_data.coming
        )
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        await remove_pressed_buttons(query)
        return
    card = EventsCallback(action=EventsAction.CARD, event_id=answer.event.id)
    await _show_card(query, card, user, events, t, callback_answer)
    callback_answer.text = still_coming_answer_text(t, answer)


async def on_mine(query: CallbackQuery, user: UserProfile, events: EventService, t: Translator) -> None:
    await show(query, my_events_view(t, await events.my_events(user.id)))


async def _show_card(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        event, mine = await events.event_for(user.id, callback_data.event_id)
    except EventError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    view = event_card_view(
        t,
        event,
        mine,
        EventFilters.of(callback_data),
        max(callback_data.page, 0),
        max_companions=events.max_companions,
    )
    await show(query, view)
