"""Grant calls: the catalogue with its filters and pages, a call's card, and search by typed words or
questions (the 🔎 Search button, or, for NGOs, approved or waiting, any text typed outside a dialog).
Every press is checked by the service (forged filters and someone else's search are refused there)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.domain.roles import Role
from bot.filters import NOT_A_COMMAND, TYPED_TEXT, Onboarded
from bot.i18n import Translator
from bot.replies import send, show
from bot.search.questions import is_small_talk
from bot.services.grants import GrantError, GrantQuery, GrantService, ReaderCard
from bot.services.ngo_profiles import NgoProfileService
from bot.services.sectors import SectorService
from bot.views import View
from bot.views.grants import (
    GrantsAction,
    GrantsCallback,
    amount_picker_view,
    days_picker_view,
    grant_refusal_text,
    grants_list_view,
    query_of,
    reader_card_view,
    region_picker_view,
    search_prompt_view,
    sector_picker_view,
    small_talk_view,
    text_expected_text,
)
from storage.fsm import end_conversation, start_conversation
from storage.repositories.users import UserProfile


class GrantSearchForm(StatesGroup):
    words = State()


class NgoAtRest(Filter):
    """An NGO (approved, or waiting for an admin's approval) typing outside any dialog: their text is a
    grant search. Others keep the usual "not understood" answer (a volunteer's stray text is no grant
    question)."""

    async def __call__(
        self, _message: Message, user: UserProfile | None = None, raw_state: str | None = None
    ) -> bool:
        return (
            user is not None
            and Role.NGO in (user.role, user.requested_role)
            and user.consent_at is not None
            and raw_state is None
        )


class SmallTalk(Filter):
    """A greeting or thanks and nothing else («Привет», «Рахмет!»): no search, a hint."""

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and is_small_talk(message.text)


def router() -> Router:
    router = Router(name="grants")
    router.callback_query.filter(Onboarded())
    router.message.filter(Onboarded())
    router.callback_query.register(on_list, GrantsCallback.filter(F.action == GrantsAction.LIST))
    router.callback_query.register(
        on_card, GrantsCallback.filter(F.action.in_({GrantsAction.CARD, GrantsAction.OPEN}))
    )
    router.callback_query.register(on_search_button, GrantsCallback.filter(F.action == GrantsAction.SEARCH))
    router.callback_query.register(
        on_picker,
        GrantsCallback.filter(
            F.action.in_(
                {
                    GrantsAction.PICK_SECTOR,
                    GrantsAction.PICK_REGION,
                    GrantsAction.PICK_AMOUNT,
                    GrantsAction.PICK_DAYS,
                }
            )
        ),
    )
    router.message.register(on_search_words, StateFilter(GrantSearchForm.words), TYPED_TEXT)
    router.message.register(on_not_words, StateFilter(GrantSearchForm.words), NOT_A_COMMAND)
    router.message.register(on_small_talk, NgoAtRest(), TYPED_TEXT, SmallTalk())
    router.message.register(on_search_words, NgoAtRest(), TYPED_TEXT)
    return router


async def on_list(
    query: CallbackQuery,
    callback_data: GrantsCallback,
    user: UserProfile,
    grants: GrantService,
    ngo_profiles: NgoProfileService,
    sectors: SectorService,
    clock: Clock,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        page = await grants.find(user.id, query_of(callback_data))
    except GrantError as error:
        callback_answer.text = grant_refusal_text(t, error.problem)
        return
    viewer = await ngo_profiles.viewer(user.id)
    await show(query, grants_list_view(t, page, clock.now(), viewer, await sectors.catalogue()))


async def on_card(
    query: CallbackQuery,
    callback_data: GrantsCallback,
    user: UserProfile,
    grants: GrantService,
    clock: Clock,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    await show_reader_card(
        query,
        user.id,
        grants,
        clock,
        t,
        callback_answer,
        callback_data.grant_id,
        query_of(callback_data),
        new_message=callback_data.action is GrantsAction.OPEN,
    )


async def show_reader_card(
    query: CallbackQuery,
    user_id: int,
    grants: GrantService,
    clock: Clock,
    t: Translator,
    callback_answer: CallbackAnswer,
    grant_id: int,
    grant_query: GrantQuery | None = None,
    notice: str | None = None,
    *,
    new_message: bool = False,
) -> ReaderCard | None:
    """Show the reader's card of a call in the message pressed on (`new_message`: as a new message
    below it, for 📄 Open the call on an alert, a digest, a reminder, a change, a question or an
    answer, which stay as they were), and return what it showed. Every handler that shows a reader a
    card comes here: the catalogue, 📄 Open the call, saving and removing, ↩️ Undo or 👁 Show again
    of a hide, ❌ Cancel of a question. None, with a refusal as the press's answer, when there is no
    such call."""
    try:
        card = await grants.reader_card(user_id, grant_id)
    except GrantError as error:
        callback_answer.text = grant_refusal_text(t, error.problem)
        return None
    view = reader_card_view(t, card, clock.now(), grant_query or GrantQuery(), notice)
    if new_message and isinstance(query.message, Message):
        await send(query.message, view)
    else:
        await show(query, view)
    return card


async def on_picker(
    query: CallbackQuery, callback_data: GrantsCallback, sectors: SectorService, t: Translator
) -> None:
    if callback_data.action == GrantsAction.PICK_SECTOR:
        await show(query, sector_picker_view(t, query_of(callback_data), await sectors.catalogue()))
        return
    pickers = {
        GrantsAction.PICK_REGION: region_picker_view,
        GrantsAction.PICK_AMOUNT: amount_picker_view,
        GrantsAction.PICK_DAYS: days_picker_view,
    }
    await show(query, pickers[callback_data.action](t, query_of(callback_data)))


async def on_search_button(
    query: CallbackQuery, callback_data: GrantsCallback, state: FSMContext, t: Translator
) -> None:
    await start_conversation(state, GrantSearchForm.words, {})
    await show(query, search_prompt_view(t, query_of(callback_data)))


async def on_search_words(
    message: Message,
    user: UserProfile,
    grants: GrantService,
    ngo_profiles: NgoProfileService,
    sectors: SectorService,
    clock: Clock,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    try:
        page = await grants.ask(user.id, message.text or "")
    except GrantError as error:
        # Too long or no words: the dialog waits for better ones.
        await send(message, View(grant_refusal_text(t, error.problem)))
        return
    await end_conversation(state, raw_state)
    viewer = await ngo_profiles.viewer(user.id)
    await send(message, grants_list_view(t, page, clock.now(), viewer, await sectors.catalogue()))


async def on_not_words(message: Message, t: Translator) -> None:
    await send(message, View(text_expected_text(t)))


async def on_small_talk(message: Message, t: Translator) -> None:
    await send(message, small_talk_view(t))
