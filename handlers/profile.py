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

from bot.filters import ButtonText, Onboarded
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.users import InvalidInputError, UserService
from bot.views import View
from bot.views.onboarding import region_view
from bot.views.profile import (
    CANCEL_PHONE,
    ProfileAction,
    ProfileCallback,
    ask_name_view,
    ask_phone_view,
    erase_confirm_view,
    erased_text,
    export_caption,
    not_your_contact_text,
    phone_cancelled_view,
    phone_removed_text,
    phone_saved_view,
    problem_text,
    profile_view,
    saved_view,
    text_expected_text,
)
from storage.fsm import end_conversation
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
    router.message.register(on_phone_cancel, ProfileForm.phone, ButtonText(CANCEL_PHONE))
    router.message.register(on_contact, ProfileForm.phone, F.contact)
    router.message.register(on_not_text, ProfileForm.name)
    router.message.register(on_no_contact, ProfileForm.phone)
    return router


async def on_profile(
    message: Message, user: UserProfile, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    await end_conversation(state, raw_state)
    await send(message, profile_view(t, user))


async def on_profile_button(
    query: CallbackQuery,
    callback_data: ProfileCallback,
    user: UserProfile,
    users: UserService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
    bot: Bot,
) -> None:
    action = callback_data.action
    if action is ProfileAction.NAME:
        await state.set_state(ProfileForm.name)
        await show(query, ask_name_view(t))
    elif action is ProfileAction.REGION:
        await show(query, region_view(t))
    elif action is ProfileAction.PHONE:
        await state.set_state(ProfileForm.phone)
        await show(query, ask_phone_view(t))
    elif action is ProfileAction.PHONE_REMOVE:
        user = await users.remove_phone(user.id)
        callback_answer.text = phone_removed_text(t)
        await show(query, profile_view(t, user))
    elif action is ProfileAction.EXPORT:
        data = await users.export_data(user.id)
        document = BufferedInputFile(
            json.dumps(data, ensure_ascii=False, indent=2).encode(), filename="belsendi-my-data.json"
        )
        await bot.send_document(user.id, document, caption=export_caption(t))
    elif action is ProfileAction.ERASE:
        await show(query, erase_confirm_view(t))


async def on_erase_confirmed(
    query: CallbackQuery, user: UserProfile, users: UserService, t: Translator, bot: Bot
) -> None:
    await users.erase(user.id)  # the conversation state goes with it
    await bot.send_message(user.id, erased_text(t))


async def on_name(
    message: Message,
    user: UserProfile,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    edit = users.rename(user.id, message.text or "")
    await _save_edit(message, state, raw_state, edit, saved_view(t), t)


async def on_contact(
    message: Message,
    user: UserProfile,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    contact = message.contact
    if contact is None:  # the filter lets only contacts through
        return
    if contact.user_id != user.id:
        # Someone else's card forwarded or attached: only one's own number counts.
        await message.answer(not_your_contact_text(t))
        return
    edit = users.set_phone(user.id, contact.phone_number)
    await _save_edit(message, state, raw_state, edit, phone_saved_view(t), t)


async def on_phone_cancel(
    message: Message, user: UserProfile, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    await end_conversation(state, raw_state)
    await send(message, phone_cancelled_view(t))
    await send(message, profile_view(t, user))


async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(text_expected_text(t))


async def on_no_contact(message: Message, t: Translator) -> None:
    await send(message, ask_phone_view(t))


async def _save_edit(
    message: Message,
    state: FSMContext,
    raw_state: str | None,
    edit: Coroutine[Any, Any, UserProfile],
    confirmation: View,
    t: Translator,
) -> None:
    """Apply a profile edit typed or shared by the user: its problem, or the confirmation and profile."""
    try:
        user = await edit
    except InvalidInputError as error:  # the conversation stays open for another try
        await message.answer(problem_text(t, error.problem))
        return
    await end_conversation(state, raw_state)
    await send(message, confirmation)
    await send(message, profile_view(t, user))
