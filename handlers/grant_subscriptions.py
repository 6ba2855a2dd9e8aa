"""Grant subscriptions: the screen (from the grants list's 🔔 Alerts), its sector and region pickers,
the words dialog, delivery, subscribe and one-tap unsubscribe, and the "Not relevant" / "Undo" buttons
of alerts and cards. Every press is checked by the service (forged codes are refused there)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import NOT_A_COMMAND, TYPED_TEXT, Onboarded
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.grant_subscriptions import GrantSubscriptionService, SubscriptionError
from bot.services.grants import GrantService
from bot.views import View
from bot.views.grant_subscriptions import (
    SubscriptionAction,
    SubscriptionCallback,
    hidden_view,
    regions_picker_view,
    sectors_picker_view,
    subscribed_text,
    subscription_refusal_text,
    subscription_saved_text,
    subscription_view,
    unhidden_text,
    unsubscribed_view,
    words_prompt_view,
)
from bot.views.grants import text_expected_text
from handlers.grants import show_reader_card
from storage.fsm import end_conversation, start_conversation
from storage.repositories.users import UserProfile


class GrantSubscriptionForm(StatesGroup):
    words = State()


def router() -> Router:
    router = Router(name="grant_subscriptions")
    router.callback_query.filter(Onboarded())
    router.message.filter(Onboarded())
    router.callback_query.register(
        on_press, SubscriptionCallback.filter(F.action != SubscriptionAction.WORDS)
    )
    router.callback_query.register(
        on_words_button, SubscriptionCallback.filter(F.action == SubscriptionAction.WORDS)
    )
    router.message.register(on_words, StateFilter(GrantSubscriptionForm.words), TYPED_TEXT)
    router.message.register(on_not_words, StateFilter(GrantSubscriptionForm.words), NOT_A_COMMAND)
    return router


async def on_press(
    query: CallbackQuery,
    callback_data: SubscriptionCallback,
    user: UserProfile,
    grant_subscriptions: GrantSubscriptionService,
    grants: GrantService,
    clock: Clock,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    service = grant_subscriptions
    action, code, grant_id = callback_data.action, callback_data.code, callback_data.grant_id
    on = bool(callback_data.on)
    try:
        if action is SubscriptionAction.SHOW:
            view = subscription_view(t, await service.get(user.id))
        elif action is SubscriptionAction.SECTORS:
            view = sectors_picker_view(t, await service.get(user.id))
        elif action is SubscriptionAction.REGIONS:
            view = regions_picker_view(t, await service.get(user.id))
        elif action is SubscriptionAction.TOGGLE_SECTOR:
            view = sectors_picker_view(t, await service.toggle_sector(user.id, code, on=on))
        elif action is SubscriptionAction.TOGGLE_REGION:
            view = regions_picker_view(t, await service.toggle_region(user.id, code, on=on))
        elif action is SubscriptionAction.CLEAR_WORDS:
            view = subscription_view(t, await service.set_words(user.id, "-"))
        elif action is SubscriptionAction.DELIVERY:
            view = subscription_view(t, await service.set_delivery(user.id, code))
        elif action is SubscriptionAction.SUBSCRIBE:
            view = subscription_view(t, await service.subscribe(user.id), subscribed_text(t))
        elif action is SubscriptionAction.UNSUBSCRIBE:
            await service.unsubscribe(user.id)
            view = unsubscribed_view(t)
        elif action is SubscriptionAction.HIDE:
            view = hidden_view(t, await service.hide(user.id, grant_id))
        elif action is SubscriptionAction.UNHIDE:
            # Back to the call's card, as its reader sees it anywhere, saying it is shown again.
            notice = unhidden_text(t, await service.unhide(user.id, grant_id))
            await show_reader_card(query, user.id, grants, clock, t, callback_answer, grant_id, notice=notice)
            return
        else:  # UNHIDE_ALL
            view = subscription_view(t, await service.unhide_all(user.id))
    except SubscriptionError as error:
        callback_answer.text = subscription_refusal_text(t, error.problem)
        return
    await show(query, view)


async def on_words_button(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await start_conversation(state, GrantSubscriptionForm.words, {})
    await show(query, words_prompt_view(t))


async def on_words(
    message: Message,
    user: UserProfile,
    grant_subscriptions: GrantSubscriptionService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    try:
        subscription = await grant_subscriptions.set_words(user.id, message.text or "")
    except SubscriptionError as error:
        # Too many, none, or an active subscription left with nothing: the dialog waits for better.
        await send(message, View(subscription_refusal_text(t, error.problem)))
        return
    await end_conversation(state, raw_state)
    await send(message, subscription_view(t, subscription, subscription_saved_text(t)))


async def on_not_words(message: Message, t: Translator) -> None:
    await send(message, View(text_expected_text(t)))
