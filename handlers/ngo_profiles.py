"""The NGO profile: its screen (from the profile, the grant catalogue's hint, or the approval message)
and the five-step dialog that fills it in or edits it, all with buttons. The answers gather in the
dialog's data and are saved at the last step; the service checks, at the start and at the save, that the
user is an approved NGO, and every value again (a button's data is the user's to forge)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.grants import Sector
from bot.domain.ngo_profiles import LegalForm, Listed, NgoProfile
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.sectors import ADDED_CODE_PATTERN
from bot.filters import NOT_A_COMMAND, Onboarded
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.ngo_profiles import NgoProfileError, NgoProfileProblem, NgoProfileService
from bot.services.sectors import SectorService
from bot.views import View
from bot.views.ngo_profiles import (
    NgoProfileAction,
    NgoProfileCallback,
    buttons_expected_text,
    cancelled_text,
    legal_form_step_view,
    listed_step_view,
    ngo_profile_view,
    no_sector_text,
    refusal_text,
    region_step_view,
    saved_text,
    sectors_step_view,
    youth_step_view,
)
from storage.fsm import DIALOG_MESSAGE, conversation_data, end_conversation, start_conversation
from storage.repositories.users import UserProfile


class NgoProfileForm(StatesGroup):
    # data: the answers so far (legal_form, listed, region, sectors, youth), the saved ones when editing
    legal_form = State()
    listed = State()
    region = State()
    sectors = State()
    youth = State()


def _pressed(action: NgoProfileAction, values: set[str]) -> Any:
    return NgoProfileCallback.filter((F.action == action) & F.value.in_(values))


def router() -> Router:
    router = Router(name="ngo_profiles")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(on_show, NgoProfileCallback.filter(F.action == NgoProfileAction.SHOW))
    router.callback_query.register(on_start, NgoProfileCallback.filter(F.action == NgoProfileAction.START))
    router.callback_query.register(on_cancel, NgoProfileCallback.filter(F.action == NgoProfileAction.CANCEL))
    router.callback_query.register(
        on_legal_form,
        StateFilter(NgoProfileForm.legal_form),
        _pressed(NgoProfileAction.LEGAL_FORM, {form.value for form in LegalForm}),
    )
    router.callback_query.register(
        on_listed,
        StateFilter(NgoProfileForm.listed),
        _pressed(NgoProfileAction.LISTED, {answer.value for answer in Listed}),
    )
    router.callback_query.register(
        on_region, StateFilter(NgoProfileForm.region), _pressed(NgoProfileAction.REGION, set(REGIONS_BY_CODE))
    )
    router.callback_query.register(
        on_sector,
        StateFilter(NgoProfileForm.sectors),
        # A built-in sector, or one an admin added ("x-<id>": the service's catalogue checks it).
        NgoProfileCallback.filter(
            (F.action == NgoProfileAction.SECTOR)
            & (F.value.in_({sector.value for sector in Sector}) | F.value.regexp(ADDED_CODE_PATTERN))
        ),
    )
    router.callback_query.register(
        on_sectors_done,
        StateFilter(NgoProfileForm.sectors),
        NgoProfileCallback.filter(F.action == NgoProfileAction.SECTORS_DONE),
    )
    router.callback_query.register(
        on_youth, StateFilter(NgoProfileForm.youth), _pressed(NgoProfileAction.YOUTH, {"0", "1"})
    )
    # Any other press of the dialog's buttons: a step already answered, a dialog that ended, forged data.
    router.callback_query.register(on_stale, NgoProfileCallback.filter())
    # Typed text, a photo, a file where a button was expected (a command leaves the dialog).
    router.message.register(on_not_a_button, StateFilter(NgoProfileForm), NOT_A_COMMAND)
    return router


async def on_show(
    query: CallbackQuery,
    user: UserProfile,
    ngo_profiles: NgoProfileService,
    sectors: SectorService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        profile = await ngo_profiles.get(user.id)
    except NgoProfileError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    await show(query, ngo_profile_view(t, profile, sectors=await sectors.catalogue()))


async def on_start(
    query: CallbackQuery,
    user: UserProfile,
    ngo_profiles: NgoProfileService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        profile = await ngo_profiles.get(user.id)
    except NgoProfileError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    data = _answers(profile)
    if query.message is not None:  # its buttons go on /cancel
        data[DIALOG_MESSAGE] = query.message.message_id
    await start_conversation(state, NgoProfileForm.legal_form, data)
    await show(query, legal_form_step_view(t, data.get("legal_form")))


async def on_legal_form(
    query: CallbackQuery,
    callback_data: NgoProfileCallback,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await _answered(state, raw_state, NgoProfileForm.legal_form, legal_form=callback_data.value)
    await start_conversation(state, NgoProfileForm.listed, data)
    await show(query, listed_step_view(t, data.get("listed")))


async def on_listed(
    query: CallbackQuery,
    callback_data: NgoProfileCallback,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await _answered(state, raw_state, NgoProfileForm.listed, listed=callback_data.value)
    await start_conversation(state, NgoProfileForm.region, data)
    await show(query, region_step_view(t, data.get("region")))


async def on_region(
    query: CallbackQuery,
    callback_data: NgoProfileCallback,
    sectors: SectorService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await _answered(state, raw_state, NgoProfileForm.region, region=callback_data.value)
    catalogue = await sectors.catalogue()
    await start_conversation(state, NgoProfileForm.sectors, data)
    await show(query, sectors_step_view(t, data.get("sectors") or [], catalogue))


async def on_sector(
    query: CallbackQuery,
    callback_data: NgoProfileCallback,
    sectors: SectorService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    catalogue = await sectors.catalogue()
    data = await conversation_data(state, raw_state, NgoProfileForm.sectors)
    chosen = [sector for sector in data.get("sectors") or [] if isinstance(sector, str)]
    # The button says what the press makes of the sector (ticked or not), not "the other way": a
    # double tap or a press on an old screen leaves it as the button showed.
    if callback_data.value in chosen:
        if not callback_data.on:
            chosen.remove(callback_data.value)
    elif catalogue.is_offered(callback_data.value):
        if callback_data.on:
            chosen.append(callback_data.value)
    else:  # forged, or a sector retired since the buttons were shown
        callback_answer.text = refusal_text(t, NgoProfileProblem.BAD_ANSWER)
        return
    data["sectors"] = chosen
    await start_conversation(state, NgoProfileForm.sectors, data)
    await show(query, sectors_step_view(t, chosen, catalogue))


async def on_sectors_done(
    query: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    data = await conversation_data(state, raw_state, NgoProfileForm.sectors)
    if not data.get("sectors"):
        callback_answer.text = no_sector_text(t)
        callback_answer.show_alert = True
        return
    await start_conversation(state, NgoProfileForm.youth, data)
    youth = data.get("youth")
    await show(query, youth_step_view(t, youth if isinstance(youth, bool) else None))


async def on_youth(
    query: CallbackQuery,
    callback_data: NgoProfileCallback,
    user: UserProfile,
    ngo_profiles: NgoProfileService,
    sectors: SectorService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    data = await conversation_data(state, raw_state, NgoProfileForm.youth)
    await end_conversation(state, raw_state)
    try:
        profile = await ngo_profiles.save(
            user.id,
            legal_form=data.get("legal_form"),
            listed=data.get("listed"),
            region=data.get("region"),
            sectors=[sector for sector in data.get("sectors") or [] if isinstance(sector, str)],
            youth=callback_data.value == "1",
        )
    except NgoProfileError as error:
        callback_answer.text = refusal_text(t, error.problem)
        await show(query, View(refusal_text(t, error.problem)))
        return
    await show(query, ngo_profile_view(t, profile, saved_text(t), await sectors.catalogue()))


async def on_cancel(
    query: CallbackQuery,
    user: UserProfile,
    ngo_profiles: NgoProfileService,
    sectors: SectorService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    if raw_state in NgoProfileForm.__state_names__:  # an old ✖️ Cancel ends no other dialog
        await end_conversation(state, raw_state)
    try:
        profile = await ngo_profiles.get(user.id)
    except NgoProfileError as error:
        callback_answer.text = refusal_text(t, error.problem)
        return
    await show(query, ngo_profile_view(t, profile, cancelled_text(t), await sectors.catalogue()))


async def on_stale(query: CallbackQuery, t: Translator, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = refusal_text(t, NgoProfileProblem.BAD_ANSWER)


async def on_not_a_button(message: Message, t: Translator) -> None:
    await send(message, View(buttons_expected_text(t)))


def _answers(profile: NgoProfile | None) -> dict[str, Any]:
    """The dialog's starting data: the saved answers, marked on its buttons while editing."""
    if profile is None:
        return {"sectors": []}
    return {
        "legal_form": profile.legal_form.value,
        "listed": profile.listed.value,
        "region": profile.region,
        "sectors": list(profile.sectors),
        "youth": profile.youth,
    }


async def _answered(state: FSMContext, raw_state: str | None, step: State, **answer: str) -> dict[str, Any]:
    data = await conversation_data(state, raw_state, step)
    data.update(answer)
    return data
