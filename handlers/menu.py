"""Commands that work at any time: /menu, /help, /cancel, and the menu's buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.filters import Onboarded
from bot.i18n import Catalogs, Translator
from bot.replies import send, show
from bot.services.attendance import AttendanceService
from bot.services.ngo_profiles import NgoProfileService
from bot.services.publishing import PublishingService
from bot.services.users import UserService
from bot.views import View
from bot.views.menu import (
    MenuAction,
    MenuCallback,
    cancelled_text,
    help_view,
    menu_view,
    nothing_to_cancel_text,
)
from bot.views.profile import start_over_view
from handlers.onboarding import retire_question, show_open_question
from handlers.profile import profile_screen
from storage.fsm import dialog_message, end_conversation
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="menu")
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    router.callback_query.register(on_help_button, MenuCallback.filter(F.action == MenuAction.HELP))
    # The menu itself is for those who finished onboarding; the rest are led back to their question.
    router.message.register(on_menu, Command("menu"), Onboarded())
    router.callback_query.register(on_menu_button, MenuCallback.filter(), Onboarded())
    return router


async def on_help(message: Message, user: UserProfile, t: Translator, catalogs: Catalogs) -> None:
    await send(message, _help(user, t, catalogs))


async def on_help_button(query: CallbackQuery, user: UserProfile, t: Translator, catalogs: Catalogs) -> None:
    await show(query, _help(user, t, catalogs))


def _help(user: UserProfile, t: Translator, catalogs: Catalogs) -> View:
    onboarded = onboarding_step(user) is OnboardingStep.DONE
    return help_view(t, onboarded=onboarded, languages=catalogs.speaking(user.language, t))


async def on_cancel(
    message: Message,
    user: UserProfile,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    if onboarding_step(user) is not OnboardingStep.DONE:
        # Setting up cannot be cancelled half-way, and /menu is not open yet: back to the question.
        await show_open_question(message, user, users, t, catalogs, state, raw_state)
        return
    if raw_state is None:
        await message.answer(nothing_to_cancel_text(t), reply_markup=ReplyKeyboardRemove())
        return
    previous = await dialog_message(state, raw_state)
    await end_conversation(state, raw_state)
    sent = await message.answer(cancelled_text(t), reply_markup=ReplyKeyboardRemove())
    # The dialog's question, still showing its buttons above: they go, as they mean nothing now.
    await retire_question(message.bot, message.chat.id, previous, sent)


async def on_menu(
    message: Message,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    await end_conversation(state, raw_state)
    await send(message, menu_view(t, organizes=await publishing.organizes(user)))


async def on_menu_button(
    query: CallbackQuery,
    callback_data: MenuCallback,
    user: UserProfile,
    publishing: PublishingService,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    await end_conversation(state, raw_state)
    if callback_data.action is MenuAction.PROFILE:
        await show(query, await profile_screen(t, user, attendance, ngo_profiles))
    elif callback_data.action is MenuAction.START_OVER:
        await show(query, start_over_view(t))
    else:
        await show(query, menu_view(t, organizes=await publishing.organizes(user)))
