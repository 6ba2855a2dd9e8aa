"""/profile: see and edit name, role, region, language and phone (privacy has its own router)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLES_NEEDING_APPROVAL, Role
from bot.filters import TYPED_TEXT, ButtonText, Matches, Onboarded
from bot.i18n import Translator
from bot.replies import remove_buttons, send, show
from bot.services.attendance import AttendanceService
from bot.services.ngo_profiles import NgoProfileService
from bot.services.users import InvalidInputError, UserService
from bot.views import View
from bot.views.language import choose_language_view
from bot.views.profile import (
    CANCEL_PHONE,
    ProfileAction,
    ProfileCallback,
    RegionEditCallback,
    RoleEditCallback,
    ask_bin_view,
    ask_name_view,
    ask_organization_view,
    ask_phone_view,
    name_saved_text,
    not_your_contact_text,
    phone_cancelled_view,
    phone_removed_text,
    phone_saved_view,
    problem_text,
    profile_view,
    region_picker_view,
    region_saved_text,
    reminders_text,
    role_picker_view,
    role_saved_text,
    text_expected_text,
)
from storage.fsm import (
    DIALOG_MESSAGE,
    conversation_data,
    dialog_message_in,
    end_conversation,
    start_conversation,
)
from storage.repositories.users import UserProfile


class ProfileForm(StatesGroup):
    name = State()  # data: {"prompt": id of the prompt message, whose cancel button goes once answered}
    phone = State()
    # A request to be an NGO or an organizer: the organisation's name, then its BIN. Data: {"message":
    # the prompt's id, "role": the role asked for, "organization": the name, once given}; nothing is
    # saved (or sent to the admins) until both are answered.
    organization = State()
    bin = State()


async def profile_screen(
    t: Translator,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    notice: str | None = None,
) -> View:
    """The profile with the user's record of events attended, hours and no-shows, and an approved NGO's
    NGO profile in one line."""
    record = await attendance.volunteer_record(user.id)
    viewer = await ngo_profiles.viewer(user.id) if user.role == Role.NGO else None
    return profile_view(t, user, notice, record, viewer)


def router() -> Router:
    router = Router(name="profile")
    # Every handler here re-checks that the user finished onboarding (and so gave consent).
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(on_profile, Command("profile"))
    router.callback_query.register(on_profile_button, ProfileCallback.filter())
    router.callback_query.register(
        on_region_chosen, RegionEditCallback.filter(F.code.in_(set(REGIONS_BY_CODE)))
    )
    router.callback_query.register(on_role_chosen, RoleEditCallback.filter(F.role.in_(set(Role))))
    router.message.register(on_name, StateFilter(ProfileForm.name), TYPED_TEXT)
    router.message.register(on_phone_cancel, StateFilter(ProfileForm.phone), ButtonText(CANCEL_PHONE))
    router.message.register(on_contact, StateFilter(ProfileForm.phone), Matches(F.contact))
    router.message.register(on_typed_phone, StateFilter(ProfileForm.phone), TYPED_TEXT)
    router.message.register(on_organization, StateFilter(ProfileForm.organization), TYPED_TEXT)
    router.message.register(on_bin, StateFilter(ProfileForm.bin), TYPED_TEXT)
    router.message.register(
        on_not_text, StateFilter(ProfileForm.name, ProfileForm.organization, ProfileForm.bin)
    )
    router.message.register(on_no_contact, StateFilter(ProfileForm.phone))
    return router


async def on_profile(
    message: Message,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    await end_conversation(state, raw_state)
    await send(message, await profile_screen(t, user, attendance, ngo_profiles))


async def on_profile_button(
    query: CallbackQuery,
    callback_data: ProfileCallback,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    action, origin = callback_data.action, callback_data.origin
    if action is ProfileAction.NAME:
        prompt = await show(query, ask_name_view(t))
        await start_conversation(state, ProfileForm.name, {"prompt": prompt.message_id} if prompt else {})
    elif action is ProfileAction.REGION:
        await show(query, region_picker_view(t, user, origin))
    elif action is ProfileAction.ROLE:
        await show(query, role_picker_view(t, user, origin))
    elif action is ProfileAction.LANGUAGE:
        await show(query, choose_language_view(t, origin))
    elif action is ProfileAction.PHONE:
        await start_conversation(state, ProfileForm.phone, {})
        await show(query, ask_phone_view(t))
    elif action is ProfileAction.PHONE_REMOVE:
        user = await users.remove_phone(user.id)
        await show(query, await profile_screen(t, user, attendance, ngo_profiles, phone_removed_text(t)))
    elif action is ProfileAction.REMINDERS:
        user = await users.set_reminders(user.id, on=user.reminders_muted_at is not None)
        await show(query, await profile_screen(t, user, attendance, ngo_profiles, reminders_text(t, user)))
    elif action is ProfileAction.BIN_SKIP:
        data = await conversation_data(state, raw_state, ProfileForm.bin)
        if not data:  # pressed late: the request was sent or cancelled meanwhile
            await show(query, await profile_screen(t, user, attendance, ngo_profiles))
            return
        await end_conversation(state, raw_state)
        try:
            user = await users.request_role(
                user.id, Role(data["role"]), organization=str(data["organization"]), bin_number=None
            )
        except InvalidInputError as error:
            await show(
                query, await profile_screen(t, user, attendance, ngo_profiles, problem_text(t, error.problem))
            )
            return
        await show(query, await profile_screen(t, user, attendance, ngo_profiles, role_saved_text(t, user)))


async def on_region_chosen(
    query: CallbackQuery,
    callback_data: RegionEditCallback,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    users: UserService,
    t: Translator,
) -> None:
    user = await users.choose_region(user.id, callback_data.code)
    await show(query, await profile_screen(t, user, attendance, ngo_profiles, region_saved_text(t)))


async def on_role_chosen(
    query: CallbackQuery,
    callback_data: RoleEditCallback,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    users: UserService,
    state: FSMContext,
    t: Translator,
) -> None:
    """NGO and organizer stay requests for an admin, sent once the organisation is named; volunteer is
    granted at once (and a request waiting is dropped)."""
    role = Role(callback_data.role)
    if role in ROLES_NEEDING_APPROVAL:
        prompt = await show(query, ask_organization_view(t, role))
        data = {"role": role.value, **({DIALOG_MESSAGE: prompt.message_id} if prompt else {})}
        await start_conversation(state, ProfileForm.organization, data)
        return
    user = await users.choose_role(user.id, role)
    await show(query, await profile_screen(t, user, attendance, ngo_profiles, role_saved_text(t, user)))


async def on_name(
    message: Message,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
) -> None:
    prompt = (await conversation_data(state, raw_state, ProfileForm.name)).get("prompt")
    try:
        user = await users.rename(user.id, message.text or "")
    except InvalidInputError as error:  # the conversation stays open for another try
        await message.answer(problem_text(t, error.problem))
        return
    await end_conversation(state, raw_state)
    if isinstance(prompt, int):
        await remove_buttons(bot, user.id, prompt)  # its cancel button has nothing left to cancel
    await send(message, await profile_screen(t, user, attendance, ngo_profiles, name_saved_text(t)))


async def on_organization(
    message: Message,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
) -> None:
    data = await conversation_data(state, raw_state, ProfileForm.organization)
    try:
        name = users.check_organization(message.text or "")
    except InvalidInputError as error:  # the question stays open for another try
        await message.answer(problem_text(t, error.problem))
        return
    if (previous := dialog_message_in(data)) is not None:
        await remove_buttons(bot, message.chat.id, previous)
    prompt = await send(message, ask_bin_view(t))
    await start_conversation(
        state,
        ProfileForm.bin,
        {DIALOG_MESSAGE: prompt.message_id, "role": data.get("role"), "organization": name},
    )


async def on_bin(
    message: Message,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
) -> None:
    data = await conversation_data(state, raw_state, ProfileForm.bin)
    role = data.get("role")
    if role not in {r.value for r in ROLES_NEEDING_APPROVAL}:  # cannot be: the dialog wrote it
        await end_conversation(state, raw_state)
        return
    try:
        number = users.check_bin(message.text)
        user = await users.request_role(
            user.id, Role(role), organization=str(data.get("organization") or ""), bin_number=number
        )
    except InvalidInputError as error:
        await message.answer(problem_text(t, error.problem))
        return
    await end_conversation(state, raw_state)
    if (prompt := dialog_message_in(data)) is not None:
        await remove_buttons(bot, message.chat.id, prompt)  # its Skip has nothing left to skip
    await send(message, await profile_screen(t, user, attendance, ngo_profiles, role_saved_text(t, user)))


async def on_contact(
    message: Message,
    user: UserProfile,
    users: UserService,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
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
    await _save_phone(
        message, attendance, ngo_profiles, state, raw_state, users.set_phone(user.id, contact.phone_number), t
    )


async def on_typed_phone(
    message: Message,
    user: UserProfile,
    users: UserService,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    edit = users.set_phone(user.id, message.text or "", typed=True)
    await _save_phone(message, attendance, ngo_profiles, state, raw_state, edit, t)


async def on_phone_cancel(
    message: Message,
    user: UserProfile,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    await end_conversation(state, raw_state)
    await send(message, phone_cancelled_view(t))
    await send(message, await profile_screen(t, user, attendance, ngo_profiles))


async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(text_expected_text(t))


async def on_no_contact(message: Message, t: Translator) -> None:
    await send(message, ask_phone_view(t))


async def _save_phone(
    message: Message,
    attendance: AttendanceService,
    ngo_profiles: NgoProfileService,
    state: FSMContext,
    raw_state: str | None,
    edit: Coroutine[Any, Any, UserProfile],
    t: Translator,
) -> None:
    """The phone's problem (the prompt stays), or its confirmation, which also takes the share
    button's keyboard away (only a new message can), and the profile."""
    try:
        user = await edit
    except InvalidInputError as error:
        await message.answer(problem_text(t, error.problem))
        return
    await end_conversation(state, raw_state)
    await send(message, phone_saved_view(t))
    await send(message, await profile_screen(t, user, attendance, ngo_profiles))
