"""Saved grant calls: ⭐ Save / ✖️ Remove on a call's card, the list of saved calls and the choice of
deadline reminders. Every press is checked by the service (an unknown call, a closed one, a call the
user has not saved, a forged reminder choice are refused there)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import Onboarded
from bot.i18n import Translator
from bot.replies import show
from bot.services.grant_questions import GrantQuestionService
from bot.services.grant_saves import SavedGrantError, SavedGrantProblem, SavedGrantService
from bot.services.grants import GrantService
from bot.views.grant_saves import (
    SavedAction,
    SavedCallback,
    reminder_settings_view,
    saved_list_view,
    saved_refusal_text,
    saved_text,
    unsaved_text,
)
from bot.views.grants import GrantsAction, GrantsCallback, query_of, reminders_off_text
from handlers.grants import show_reader_card
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="grant_saves")
    router.callback_query.filter(Onboarded())
    router.callback_query.register(
        on_save, GrantsCallback.filter(F.action.in_({GrantsAction.SAVE, GrantsAction.UNSAVE}))
    )
    router.callback_query.register(on_list, SavedCallback.filter(F.action == SavedAction.LIST))
    router.callback_query.register(on_settings, SavedCallback.filter(F.action == SavedAction.SETTINGS))
    router.callback_query.register(
        on_change_settings,
        SavedCallback.filter(F.action.in_({SavedAction.TOGGLE, SavedAction.MUTE, SavedAction.UNMUTE})),
    )
    return router


async def on_save(
    query: CallbackQuery,
    callback_data: GrantsCallback,
    user: UserProfile,
    grants: GrantService,
    grant_questions: GrantQuestionService,
    saved_grants: SavedGrantService,
    clock: Clock,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    grant_id = callback_data.grant_id
    try:
        if callback_data.action is GrantsAction.SAVE:
            await saved_grants.save(user.id, grant_id)
            answer = saved_text(t)
        else:
            await saved_grants.unsave(user.id, grant_id)
            answer = unsaved_text(t)
    except SavedGrantError as error:
        callback_answer.text = saved_refusal_text(t, error.problem)
        if error.problem is SavedGrantProblem.NO_SUCH_GRANT:
            return
        answer = callback_answer.text
    # The card as it is now, as the reader sees it anywhere: its button says what a press does next.
    card = await show_reader_card(
        query, user.id, grants, clock, t, callback_answer, grant_id, query_of(callback_data)
    )
    if card is not None and card.saved and not card.reminders_on and answer == saved_text(t):
        answer = reminders_off_text(t)  # saved, but no reminder will come: never promise one
    callback_answer.text = answer


async def on_list(
    query: CallbackQuery,
    callback_data: SavedCallback,
    user: UserProfile,
    saved_grants: SavedGrantService,
    clock: Clock,
    t: Translator,
) -> None:
    page = await saved_grants.page(user.id, callback_data.page)
    await show(query, saved_list_view(t, page, clock.now()))


async def on_settings(
    query: CallbackQuery, user: UserProfile, saved_grants: SavedGrantService, t: Translator
) -> None:
    await show(query, reminder_settings_view(t, await saved_grants.settings(user.id)))


async def on_change_settings(
    query: CallbackQuery,
    callback_data: SavedCallback,
    user: UserProfile,
    saved_grants: SavedGrantService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        if callback_data.action is SavedAction.TOGGLE:
            settings = await saved_grants.toggle(user.id, callback_data.slot, on=bool(callback_data.on))
        else:
            settings = await saved_grants.set_muted(user.id, muted=callback_data.action is SavedAction.MUTE)
    except SavedGrantError as error:
        callback_answer.text = saved_refusal_text(t, error.problem)
        return
    await show(query, reminder_settings_view(t, settings))
