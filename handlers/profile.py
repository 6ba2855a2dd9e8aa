"""/profile: see and edit name, region and phone; download or delete everything we keep."""

from __future__ import annotations

import json
from collections.abc import Coroutine
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ProfileAction, ProfileCallback
from bot.filters import ButtonText, Onboarded
from bot.i18n import N_
from bot.screens import Screen
from bot.screens.onboarding import region_screen
from bot.screens.profile import (
    ask_name_screen,
    ask_phone_screen,
    erase_confirm_screen,
    erased_text,
    export_caption,
    not_your_contact_text,
    phone_cancelled_screen,
    phone_removed_text,
    phone_saved_screen,
    problem_text,
    profile_screen,
    saved_screen,
    text_expected_text,
)
from bot.services import users
from bot.services.users import InvalidInputError
from bot.settings import Settings
from storage.repositories.users import UserProfile


class ProfileForm(StatesGroup):
    name = State()
    phone = State()


def router() -> Router:
    router = Router(name="profile")
    # Every handler here re-checks that the user finished onboarding (and so gave consent).
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(on_profile, Command("profile"))
    router.callback_query.register(
        on_erase_confirmed, ProfileCallback.filter(F.action == ProfileAction.ERASE_CONFIRM)
    )
    router.callback_query.register(on_profile_button, ProfileCallback.filter())
    router.message.register(on_name, ProfileForm.name, F.text & ~F.text.startswith("/"))
    router.message.register(on_phone_cancel, ProfileForm.phone, ButtonText(N_("Cancel")))
    router.message.register(on_contact, ProfileForm.phone, F.contact)
    router.message.register(on_not_text, ProfileForm.name)
    router.message.register(on_no_contact, ProfileForm.phone)
    return router


async def on_profile(
    message: Message, user: UserProfile, state: FSMContext, settings: Settings, locale: str
) -> None:
    await state.clear()
    await profile_screen(user, locale, settings.tz).send(message)


async def on_profile_button(
    query: CallbackQuery,
    callback_data: ProfileCallback,
    user: UserProfile,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    locale: str,
    callback_answer: CallbackAnswer,
    bot: Bot,
) -> None:
    action = callback_data.action
    if action is ProfileAction.NAME:
        await state.set_state(ProfileForm.name)
        await ask_name_screen().show(query)
    elif action is ProfileAction.REGION:
        await region_screen().show(query)
    elif action is ProfileAction.PHONE:
        await state.set_state(ProfileForm.phone)
        await ask_phone_screen().show(query)
    elif action is ProfileAction.PHONE_REMOVE:
        user = await users.remove_phone(session, user.id)
        callback_answer.text = phone_removed_text()
        await profile_screen(user, locale, settings.tz).show(query)
    elif action is ProfileAction.EXPORT:
        data = await users.export_data(session, user.id)
        document = BufferedInputFile(
            json.dumps(data, ensure_ascii=False, indent=2).encode(), filename="belsendi-my-data.json"
        )
        await bot.send_document(user.id, document, caption=export_caption())
    elif action is ProfileAction.ERASE:
        await erase_confirm_screen().show(query)


async def on_erase_confirmed(
    query: CallbackQuery, user: UserProfile, session: AsyncSession, state: FSMContext, bot: Bot
) -> None:
    await state.clear()
    await users.erase(session, user.id)
    await bot.send_message(user.id, erased_text())


async def on_name(
    message: Message,
    user: UserProfile,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    locale: str,
) -> None:
    edit = users.rename(session, user.id, message.text or "")
    await _save_edit(message, state, edit, saved_screen(), settings, locale)


async def on_contact(
    message: Message,
    user: UserProfile,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    locale: str,
) -> None:
    contact = message.contact
    if contact is None:  # the filter lets only contacts through
        return
    if contact.user_id != user.id:
        # Someone else's card forwarded or attached: only one's own number counts.
        await message.answer(not_your_contact_text())
        return
    edit = users.set_phone(session, user.id, contact.phone_number)
    await _save_edit(message, state, edit, phone_saved_screen(), settings, locale)


async def on_phone_cancel(
    message: Message, user: UserProfile, state: FSMContext, settings: Settings, locale: str
) -> None:
    await state.clear()
    await phone_cancelled_screen().send(message)
    await profile_screen(user, locale, settings.tz).send(message)


async def on_not_text(message: Message) -> None:
    await message.answer(text_expected_text())


async def on_no_contact(message: Message) -> None:
    await ask_phone_screen().send(message)


async def _save_edit(
    message: Message,
    state: FSMContext,
    edit: Coroutine[Any, Any, UserProfile],
    confirmation: Screen,
    settings: Settings,
    locale: str,
) -> None:
    """Apply a profile edit typed or shared by the user: its problem, or the confirmation and profile."""
    try:
        user = await edit
    except InvalidInputError as error:  # the conversation stays open for another try
        await message.answer(problem_text(error.problem))
        return
    await state.clear()
    await confirmation.send(message)
    await profile_screen(user, locale, settings.tz).send(message)
