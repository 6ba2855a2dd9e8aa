"""Commands that work at any time: /menu, /help, /language, /cancel, and the menu's buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.callbacks import MenuAction, MenuCallback
from bot.filters import Onboarded
from bot.screens.menu import (
    cancelled_text,
    choose_language_screen,
    help_screen,
    menu_screen,
    nothing_to_cancel_text,
)
from bot.screens.profile import profile_screen
from bot.settings import Settings
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


async def on_help(message: Message) -> None:
    await help_screen().send(message)


async def on_help_button(query: CallbackQuery) -> None:
    await help_screen().show(query)


async def on_language(message: Message) -> None:
    await choose_language_screen().send(message)


async def on_language_button(query: CallbackQuery) -> None:
    await choose_language_screen().show(query)


async def on_cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(nothing_to_cancel_text(), reply_markup=ReplyKeyboardRemove())
        return
    await state.clear()
    await message.answer(cancelled_text(), reply_markup=ReplyKeyboardRemove())


async def on_menu(message: Message, state: FSMContext) -> None:
    await state.clear()
    await menu_screen().send(message)


async def on_menu_button(
    query: CallbackQuery,
    callback_data: MenuCallback,
    user: UserProfile,
    state: FSMContext,
    settings: Settings,
    locale: str,
) -> None:
    await state.clear()
    if callback_data.action is MenuAction.PROFILE:
        await profile_screen(user, locale, settings.tz).show(query)
    else:
        await menu_screen().show(query)
