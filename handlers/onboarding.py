"""/start and the first conversation: language → consent → role → region → main menu.

The step a user is at is derived from what they have chosen (see `onboarding_step`), so a restart,
an old button or a repeated /start always lands on the right question.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback
from bot.commands import set_chat_commands
from bot.filters import Onboarded
from bot.screens.menu import language_changed_text, link_unavailable_text, menu_screen
from bot.screens.onboarding import (
    consent_declined_screen,
    finish_onboarding_first,
    role_chosen_text,
    step_screen,
)
from bot.screens.profile import profile_screen
from bot.services import users
from bot.services.regions import REGIONS_BY_CODE
from bot.services.roles import Role
from bot.services.users import OnboardingStep, onboarding_step
from bot.settings import SUPPORTED_LOCALES, Settings
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="onboarding")
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_language, LanguageCallback.filter(F.code.in_(SUPPORTED_LOCALES)))
    router.callback_query.register(on_consent, ConsentCallback.filter())
    router.callback_query.register(on_role, RoleCallback.filter(F.role.in_(set(Role))))
    router.callback_query.register(on_region, RegionCallback.filter(F.code.in_(set(REGIONS_BY_CODE))))
    # Anything else from someone who has not finished: bring them back to their question.
    router.message.register(on_unfinished, ~Onboarded())
    router.callback_query.register(on_unfinished_button, ~Onboarded())
    return router


async def on_start(
    message: Message,
    command: CommandObject,
    user: UserProfile,
    session: AsyncSession,
    state: FSMContext,
    i18n: I18n,
    settings: Settings,
) -> None:
    await state.clear()
    if command.args:
        user = await users.keep_start_payload(session, user, command.args)
    await continue_onboarding(message, user, session, i18n, settings)


async def on_language(
    query: CallbackQuery,
    callback_data: LanguageCallback,
    user: UserProfile,
    session: AsyncSession,
    i18n: I18n,
    bot: Bot,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    had_language = user.language is not None
    user = await users.choose_language(session, user.id, callback_data.code)
    await set_chat_commands(bot, i18n, user.id, callback_data.code)
    with i18n.use_locale(callback_data.code):
        if had_language and onboarding_step(user) is OnboardingStep.DONE:
            callback_answer.text = language_changed_text()
            await menu_screen().show(query)
            return
        await continue_onboarding(query, user, session, i18n, settings)


async def on_consent(
    query: CallbackQuery,
    callback_data: ConsentCallback,
    user: UserProfile,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
) -> None:
    if not callback_data.agree:
        await users.decline_consent(session, user.id)
        await consent_declined_screen().show(query)
        return
    if user.consent_at is None:
        user = await users.give_consent(
            session, user.id, name=query.from_user.full_name, username=query.from_user.username
        )
    await continue_onboarding(query, user, session, i18n, settings)


async def on_role(
    query: CallbackQuery,
    callback_data: RoleCallback,
    user: UserProfile,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    if user.role is not None or user.consent_at is None:
        # A button from an earlier screen: the role is chosen (or consent withdrawn) already.
        await continue_onboarding(query, user, session, i18n, settings)
        return
    role = Role(callback_data.role)
    user = await users.choose_role(session, user.id, role)
    if role is Role.VOLUNTEER:
        callback_answer.text = role_chosen_text(role)
    elif query.message is not None:  # too long for a toast, and worth keeping in the chat
        await query.message.answer(role_chosen_text(role))
    await continue_onboarding(query, user, session, i18n, settings)


async def on_region(
    query: CallbackQuery,
    callback_data: RegionCallback,
    user: UserProfile,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    locale: str,
) -> None:
    if user.consent_at is None:
        await continue_onboarding(query, user, session, i18n, settings)
        return
    was_onboarded = onboarding_step(user) is OnboardingStep.DONE
    user = await users.choose_region(session, user.id, callback_data.code)
    if was_onboarded:  # an edit from the profile
        await profile_screen(user, locale, settings.tz).show(query)
        return
    await continue_onboarding(query, user, session, i18n, settings)


async def on_unfinished(
    message: Message, user: UserProfile | None, session: AsyncSession, i18n: I18n, settings: Settings
) -> None:
    if user is None:
        return
    await message.answer(finish_onboarding_first())
    await continue_onboarding(message, user, session, i18n, settings)


async def on_unfinished_button(
    query: CallbackQuery,
    user: UserProfile | None,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    if user is None:
        return
    callback_answer.text = finish_onboarding_first()
    await continue_onboarding(query, user, session, i18n, settings)


async def continue_onboarding(
    event: Message | CallbackQuery, user: UserProfile, session: AsyncSession, i18n: I18n, settings: Settings
) -> None:
    """Ask the next question; once all are answered, the menu and any deep link waiting."""
    step = onboarding_step(user)
    if step is not OnboardingStep.DONE:
        await step_screen(step, i18n).show(event)
        return
    await menu_screen().show(event)
    link = await users.take_start_payload(session, user)
    if link is not None:
        # No feature opens links yet; events and grants will register their openers here.
        answer_to = event if isinstance(event, Message) else event.message
        if isinstance(answer_to, Message):
            await answer_to.answer(link_unavailable_text())
