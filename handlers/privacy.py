"""/privacy: what Belsendi keeps, and the user's choices about it: download, withdraw consent, delete.

Open to everyone, set up or not: someone deciding whether to consent may want to know first.
"""

from __future__ import annotations

import json

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.commands import forget_chat_commands
from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.i18n import Catalogs, Translator
from bot.replies import send, show
from bot.services.users import UserService
from bot.views import View
from bot.views.menu import Origin
from bot.views.privacy import (
    PrivacyAction,
    PrivacyCallback,
    consent_withdrawn_text,
    erase_confirm_view,
    erased_view,
    export_caption,
    privacy_view,
    withdraw_confirm_view,
)
from handlers.onboarding import continue_onboarding, question_message, retire_question
from storage.fsm import end_conversation
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="privacy")
    router.message.register(on_privacy, Command("privacy"))
    router.callback_query.register(on_privacy_button, PrivacyCallback.filter())
    return router


def _privacy(user: UserProfile, origin: Origin, t: Translator, catalogs: Catalogs) -> View:
    return privacy_view(t, user, origin, languages=catalogs.speaking(user.language, t))


async def on_privacy(
    message: Message,
    user: UserProfile,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    if onboarding_step(user) is OnboardingStep.DONE:
        await end_conversation(state, raw_state)  # a profile edit half-typed ends, as with /menu
        origin = Origin.MENU
    else:
        origin = Origin.ONBOARDING  # the open question stays open: its back button leads to it
    await send(message, _privacy(user, origin, t, catalogs))


async def on_privacy_button(
    query: CallbackQuery,
    callback_data: PrivacyCallback,
    user: UserProfile,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
    bot: Bot,
) -> None:
    action, origin = callback_data.action, callback_data.origin
    if action is PrivacyAction.EXPORT:
        data = await users.export_data(user.id)
        document = BufferedInputFile(
            json.dumps(data, ensure_ascii=False, indent=2).encode(), filename="belsendi-my-data.json"
        )
        await bot.send_document(user.id, document, caption=export_caption(t))
    elif action is PrivacyAction.WITHDRAW and user.consent_at is not None:
        await show(query, withdraw_confirm_view(t, origin))
    elif action is PrivacyAction.WITHDRAW_CONFIRM and user.consent_at is not None:
        await _withdraw_consent(query, user, users, t, catalogs, state, raw_state, bot)
    elif action is PrivacyAction.ERASE:
        await show(query, erase_confirm_view(t, origin))
    elif action is PrivacyAction.ERASE_CONFIRM:
        previous = await question_message(state, raw_state)
        await users.erase(user.id)  # the conversation state goes with it
        await retire_question(bot, user.id, previous, await show(query, erased_view(t)))
        await forget_chat_commands(bot, user.id)
    else:  # SHOW, or a withdrawal from someone who has no consent to withdraw
        await show(query, _privacy(user, origin, t, catalogs))


async def _withdraw_consent(
    query: CallbackQuery,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    bot: Bot,
) -> None:
    """Personal data wiped; the user is back at the consent question, shown in this message."""
    previous = await question_message(state, raw_state)
    user = await users.decline_consent(user.id)  # and any conversation: the state read above is gone
    await retire_question(bot, user.id, previous, query.message)  # the consent question goes there
    note = consent_withdrawn_text(t)
    await continue_onboarding(query, user, users, t, catalogs, state, None, note=note)
