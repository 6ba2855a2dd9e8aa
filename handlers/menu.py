"""Commands that work at any time: /menu, /help, /language, /cancel, and the menu's buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.filters import Onboarded
from bot.i18n import Translator
from bot.replies import send, show
from bot.views.menu import (
    MenuAction,
    MenuCallback,
    cancelled_text,
    choose_language_view,
    help_view,
    menu_view,
    nothing_to_cancel_text,
)
from bot.views.profile import profile_view
from storage.fsm import end_conversation
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="menu")
    router.message.register(on_help, Command("help"))
    router.message.register(on_language, Command("language"))
    router.message.register(on_cancel, Command("cancel"))
    router.callback_query.register(on_help_button, MenuCallback.filter(F.action == MenuAction.HELP))
    router.callback_query.register(on_language_button, MenuCallback.filter(F.action == MenuAction.LANGUAGE))
    # The menu itself is for those who finished onboarding; the rest are led back to it.
    router.message.register(on_menu, Command("menu"), Onboarded())
    router.callback_query.register(on_menu_button, MenuCallback.filter(), Onboarded())
    return router


async def on_help(message: Message, t: Translator) -> None:
    await send(message, help_view(t))


async def on_help_button(query: CallbackQuery, t: Translator) -> None:
    await show(query, help_view(t))


async def on_language(message: Message, t: Translator) -> None:
    await send(message, choose_language_view(t))


async def on_language_button(query: CallbackQuery, t: Translator) -> None:
    await show(query, choose_language_view(t))


async def on_cancel(message: Message, state: FSMContext, raw_state: str | None, t: Translator) -> None:
    if raw_state is None:
        await message.answer(nothing_to_cancel_text(t), reply_markup=ReplyKeyboardRemove())
        return
    await end_conversation(state, raw_state)
    await message.answer(cancelled_text(t), reply_markup=ReplyKeyboardRemove())


async def on_menu(message: Message, state: FSMContext, raw_state: str | None, t: Translator) -> None:
    await end_conversation(state, raw_state)
    await send(message, menu_view(t))


async def on_menu_button(
    query: CallbackQuery,
    callback_data: MenuCallback,
    user: UserProfile,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    await end_conversation(state, raw_state)
    if callback_data.action is MenuAction.PROFILE:
        await show(query, profile_view(t, user))
    else:
        await show(query, menu_view(t))
