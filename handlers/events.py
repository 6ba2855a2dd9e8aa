"""Eco events for volunteers: upcoming events in their region, an event's card, Register / Cancel, and
their own events. Every press is checked by the service (forged or outdated ids are refused there)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Onboarded
from bot.i18n import Translator
from bot.replies import show
from bot.services.events import EventError, EventService, Period
from bot.views.events import (
    EventsAction,
    EventsCallback,
    cancelled_registration_text,
    event_card_view,
    events_list_view,
    my_events_view,
    refusal_text,
    registered_text,
)
from bot.views.offers import OfferAction, OfferCallback, offer_answer_text
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="events")
    router.callback_query.filter(Onboarded())
    router.callback_query.register(on_list, EventsCallback.filter(F.action == EventsAction.LIST))
    router.callback_query.register(on_card, EventsCallback.filter(F.action == EventsAction.CARD))
    router.callback_query.register(on_register, EventsCallback.filter(F.action == EventsAction.REGISTER))
    router.callback_query.register(on_cancel, EventsCallback.filter(F.action == EventsAction.CANCEL))
    router.callback_query.register(on_mine, EventsCallback.filter(F.action == EventsAction.MINE))
    router.callback_query.register(on_offer, OfferCallback.filter())
    return router


async def on_list(
    query: CallbackQuery,
    callback_data: EventsCallback,
    user: UserProfile,
    events: EventService,
    t: Translator,
) -> None:
    region = user.region or ""
    page = await events.upcoming(region, callback_data.period, page=callback_data.page)
    await show(query, events_list_view(t, region, callback_data.period, page))


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
    try:
        outcome = await events.register(user.id, callback_data.event_id)
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
    period = callback_data.period if callback_data.period in set(Period) else Period.WEEK
    await show(query, event_card_view(t, event, mine, period, max(callback_data.page, 0)))
