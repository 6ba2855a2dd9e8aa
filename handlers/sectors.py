"""/sectors: admins (ADMIN_IDS or promoted) see the grant sectors, add one with its Kazakh and Russian
names, rename an added one, retire it or offer it again. Every step asks the service, which refuses
anyone else (commands and buttons are anyone's to send or forge)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import NOT_A_COMMAND, TYPED_TEXT
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.sectors import SectorError, SectorProblem, SectorService
from bot.views import View
from bot.views.sectors import (
    SectorAdminAction,
    SectorAdminCallback,
    added_text,
    cancelled_text,
    name_prompt_view,
    renamed_text,
    restored_text,
    retired_text,
    sector_refusal_text,
    sector_view,
    sectors_view,
    text_expected_text,
)
from storage.fsm import conversation_data, end_conversation, start_conversation


class SectorForm(StatesGroup):
    # data: sector_id (0: a new sector), name_kk once given
    name_kk = State()
    name_ru = State()


def router() -> Router:
    router = Router(name="sectors")
    router.message.register(on_sectors, Command("sectors"))
    router.callback_query.register(on_list, SectorAdminCallback.filter(F.action == SectorAdminAction.LIST))
    router.callback_query.register(
        on_start, SectorAdminCallback.filter(F.action.in_({SectorAdminAction.ADD, SectorAdminAction.RENAME}))
    )
    router.callback_query.register(on_open, SectorAdminCallback.filter(F.action == SectorAdminAction.OPEN))
    router.callback_query.register(
        on_retire,
        SectorAdminCallback.filter(F.action.in_({SectorAdminAction.RETIRE, SectorAdminAction.RESTORE})),
    )
    router.callback_query.register(
        on_cancel, SectorAdminCallback.filter(F.action == SectorAdminAction.CANCEL)
    )
    router.message.register(on_name_kk, StateFilter(SectorForm.name_kk), TYPED_TEXT)
    router.message.register(on_name_ru, StateFilter(SectorForm.name_ru), TYPED_TEXT)
    router.message.register(on_not_text, StateFilter(SectorForm), NOT_A_COMMAND)
    return router


async def on_sectors(message: Message, sectors: SectorService, t: Translator) -> None:
    try:
        catalogue = await sectors.manage(message.from_user.id if message.from_user else 0)
    except SectorError as error:
        await send(message, View(sector_refusal_text(t, error.problem)))
        return
    await send(message, sectors_view(t, catalogue))


async def on_list(
    query: CallbackQuery, sectors: SectorService, t: Translator, callback_answer: CallbackAnswer
) -> None:
    try:
        catalogue = await sectors.manage(query.from_user.id)
    except SectorError as error:
        callback_answer.text = sector_refusal_text(t, error.problem)
        return
    await show(query, sectors_view(t, catalogue))


async def on_start(
    query: CallbackQuery,
    callback_data: SectorAdminCallback,
    sectors: SectorService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """➕ Add a sector, or ✏️ Rename an added one: its Kazakh name first."""
    sector_id = callback_data.sector_id if callback_data.action is SectorAdminAction.RENAME else 0
    try:
        catalogue = await sectors.manage(query.from_user.id)
        sector = next((each for each in catalogue.added if each.id == sector_id), None)
        if callback_data.action is SectorAdminAction.RENAME and sector is None:
            raise SectorError(SectorProblem.NO_SUCH_SECTOR)
    except SectorError as error:
        callback_answer.text = sector_refusal_text(t, error.problem)
        return
    await start_conversation(state, SectorForm.name_kk, {"sector_id": sector_id})
    await show(query, name_prompt_view(t, "kk", sector.name_kk if sector else None))


async def on_name_kk(
    message: Message, sectors: SectorService, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    data = await conversation_data(state, raw_state, SectorForm.name_kk)
    sector_id = int(data.get("sector_id") or 0)
    user_id = message.from_user.id if message.from_user else 0
    try:
        name = await sectors.check_name(user_id, "kk", message.text or "", sector_id=sector_id)
        current = None
        if sector_id:
            catalogue = await sectors.manage(user_id)
            current = next((each.name_ru for each in catalogue.added if each.id == sector_id), None)
    except SectorError as error:
        await _refused(message, state, raw_state, t, error)
        return
    await start_conversation(state, SectorForm.name_ru, {"sector_id": sector_id, "name_kk": name})
    await send(message, name_prompt_view(t, "ru", current))


async def on_name_ru(
    message: Message, sectors: SectorService, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    data = await conversation_data(state, raw_state, SectorForm.name_ru)
    sector_id = int(data.get("sector_id") or 0)
    user_id = message.from_user.id if message.from_user else 0
    try:
        if sector_id:
            sector = await sectors.rename(
                user_id, sector_id, str(data.get("name_kk", "")), message.text or ""
            )
            notice = renamed_text(t, sector)
        else:
            sector = await sectors.add(user_id, str(data.get("name_kk", "")), message.text or "")
            notice = added_text(t, sector)
        catalogue = await sectors.manage(user_id)
    except SectorError as error:
        await _refused(message, state, raw_state, t, error)
        return
    await end_conversation(state, raw_state)
    await send(message, sectors_view(t, catalogue, notice))


async def _refused(
    message: Message, state: FSMContext, raw_state: str | None, t: Translator, error: SectorError
) -> None:
    """A bad name: the same step waits for a better one; no longer an admin or no such sector: the end."""
    if error.problem in (SectorProblem.NOT_ALLOWED, SectorProblem.NO_SUCH_SECTOR):
        await end_conversation(state, raw_state)
    await send(message, View(sector_refusal_text(t, error.problem)))


async def on_open(
    query: CallbackQuery,
    callback_data: SectorAdminCallback,
    sectors: SectorService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        catalogue = await sectors.manage(query.from_user.id)
        sector = next((each for each in catalogue.added if each.id == callback_data.sector_id), None)
        if sector is None:
            raise SectorError(SectorProblem.NO_SUCH_SECTOR)
    except SectorError as error:
        callback_answer.text = sector_refusal_text(t, error.problem)
        return
    await show(query, sector_view(t, sector))


async def on_retire(
    query: CallbackQuery,
    callback_data: SectorAdminCallback,
    sectors: SectorService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    retire = callback_data.action is SectorAdminAction.RETIRE
    try:
        sector = await sectors.set_retired(query.from_user.id, callback_data.sector_id, retired=retire)
    except SectorError as error:
        callback_answer.text = sector_refusal_text(t, error.problem)
        return
    notice = retired_text(t) if retire else restored_text(t)
    callback_answer.text = notice
    await show(query, sector_view(t, sector, notice))


async def on_cancel(query: CallbackQuery, state: FSMContext, raw_state: str | None, t: Translator) -> None:
    await end_conversation(state, raw_state)
    await show(query, View(cancelled_text(t)))


async def on_not_text(message: Message, t: Translator) -> None:
    await send(message, View(text_expected_text(t)))
