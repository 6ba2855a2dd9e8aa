"""/language: switch between Kazakh and Russian at any time, and come back to where it was opened."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import set_chat_commands
from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.i18n import Catalogs, Translator
from bot.replies import send, show
from bot.services.attendance import AttendanceService
from bot.services.ngo_profiles import NgoProfileService
from bot.services.publishing import PublishingService
from bot.services.users import UserService
from bot.settings import SUPPORTED_LOCALES
from bot.views.language import LanguageChangeCallback, choose_language_view, language_changed_text
from bot.views.menu import MenuAction, MenuCallback, Origin, menu_view
from bot.views.profile import start_over_view
from handlers.onboarding import continue_onboarding
from handlers.profile import profile_screen
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="language")
    router.message.register(on_language_command, Command("language"))
    router.callback_query.register(on_language_button, MenuCallback.filter(F.action == MenuAction.LANGUAGE))
    router.callback_query.register(
        on_language_chosen, LanguageChangeCallback.filter(F.code.in_(SUPPORTED_LOCALES))
    )
    return router


def _origin(user: UserProfile) -> Origin:
    return Origin.MENU if onboarding_step(user) is OnboardingStep.DONE else Origin.ONBOARDING


async def on_language_command(message: Message, user: UserProfile, t: Translator) -> None:
    await send(message, choose_language_view(t, _origin(user)))


async def on_language_button(query: CallbackQuery, user: UserProfile, t: Translator) -> None:
    await show(query, choose_language_view(t, _origin(user)))


async def on_language_chosen(
    query: CallbackQuery,
    callback_data: LanguageChangeCallback,
    user: UserProfile,
    users: UserService,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    bot: Bot,
    publishing: PublishingService,
    callback_answer: CallbackAnswer,
) -> None:
    """A change of language, never a loss: then back where the picker was opened from (the open
    question for someone still setting up)."""
    user = await users.choose_language(user.id, callback_data.code)
    t = catalogs[callback_data.code]
    await set_chat_commands(bot, t, user.id)
    if onboarding_step(user) is not OnboardingStep.DONE:
        await continue_onboarding(query, user, users, t, catalogs, state, raw_state)
        return
    callback_answer.text = language_changed_text(t)
    if callback_data.origin is Origin.PROFILE:
        await show(query, await profile_screen(t, user, attendance, ngo_profiles))
    elif callback_data.origin is Origin.START_OVER:
        await show(query, start_over_view(t))
    else:
        await show(query, menu_view(t, organizes=await publishing.organizes(user)))
