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

from bot.commands import set_chat_commands
from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import Role
from bot.filters import Onboarded
from bot.i18n import Catalogs, Translator
from bot.replies import show
from bot.services.users import UserService
from bot.settings import SUPPORTED_LOCALES
from bot.views.menu import language_changed_text, link_unavailable_text, menu_view
from bot.views.onboarding import (
    ConsentCallback,
    LanguageCallback,
    RegionCallback,
    RoleCallback,
    consent_declined_view,
    finish_onboarding_first,
    role_chosen_text,
    step_view,
)
from bot.views.profile import profile_view
from storage.fsm import end_conversation
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
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    await end_conversation(state, raw_state)
    if command.args:
        user = await users.keep_start_payload(user, command.args)
    await continue_onboarding(message, user, users, t, catalogs)


async def on_language(
    query: CallbackQuery,
    callback_data: LanguageCallback,
    user: UserProfile,
    users: UserService,
    catalogs: Catalogs,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    had_language = user.language is not None
    user = await users.choose_language(user.id, callback_data.code)
    t = catalogs[callback_data.code]
    await set_chat_commands(bot, t, user.id)
    if had_language and onboarding_step(user) is OnboardingStep.DONE:
        callback_answer.text = language_changed_text(t)
        await show(query, menu_view(t))
        return
    await continue_onboarding(query, user, users, t, catalogs)


async def on_consent(
    query: CallbackQuery,
    callback_data: ConsentCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    if not callback_data.agree:
        await users.decline_consent(user.id)
        await show(query, consent_declined_view(t))
        return
    if user.consent_at is None:
        user = await users.give_consent(
            user.id, name=query.from_user.full_name, username=query.from_user.username
        )
    await continue_onboarding(query, user, users, t, catalogs)


async def on_role(
    query: CallbackQuery,
    callback_data: RoleCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    callback_answer: CallbackAnswer,
) -> None:
    if user.role is not None or user.consent_at is None:
        # A button from an earlier screen: the role is chosen (or consent withdrawn) already.
        await continue_onboarding(query, user, users, t, catalogs)
        return
    role = Role(callback_data.role)
    user = await users.choose_role(user.id, role)
    if role is Role.VOLUNTEER:
        callback_answer.text = role_chosen_text(t, role)
    elif query.message is not None:  # too long for a toast, and worth keeping in the chat
        await query.message.answer(role_chosen_text(t, role))
    await continue_onboarding(query, user, users, t, catalogs)


async def on_region(
    query: CallbackQuery,
    callback_data: RegionCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    if user.consent_at is None:
        await continue_onboarding(query, user, users, t, catalogs)
        return
    was_onboarded = onboarding_step(user) is OnboardingStep.DONE
    user = await users.choose_region(user.id, callback_data.code)
    if was_onboarded:  # an edit from the profile
        await show(query, profile_view(t, user))
        return
    await continue_onboarding(query, user, users, t, catalogs)


async def on_unfinished(
    message: Message, user: UserProfile | None, users: UserService, t: Translator, catalogs: Catalogs
) -> None:
    if user is None:
        return
    await message.answer(finish_onboarding_first(t))
    await continue_onboarding(message, user, users, t, catalogs)


async def on_unfinished_button(
    query: CallbackQuery,
    user: UserProfile | None,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    callback_answer: CallbackAnswer,
) -> None:
    if user is None:
        return
    callback_answer.text = finish_onboarding_first(t)
    await continue_onboarding(query, user, users, t, catalogs)


async def continue_onboarding(
    event: Message | CallbackQuery, user: UserProfile, users: UserService, t: Translator, catalogs: Catalogs
) -> None:
    """Ask the next question; once all are answered, the menu and any deep link waiting."""
    step = onboarding_step(user)
    if step is not OnboardingStep.DONE:
        await show(event, step_view(step, t, catalogs.all()))
        return
    await show(event, menu_view(t))
    link = await users.take_start_payload(user)
    if link is not None:
        # No feature opens links yet; events and grants will register their openers here.
        answer_to = event if isinstance(event, Message) else event.message
        if isinstance(answer_to, Message):
            await answer_to.answer(link_unavailable_text(t))
