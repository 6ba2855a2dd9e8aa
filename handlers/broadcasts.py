"""/broadcast: an admin chooses the recipients, sends the Kazakh and the Russian text (or one for all),
sees the preview in each language, and sends; then pauses, resumes or stops it. Recipients mute with
one tap."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Matches
from bot.i18n import Catalogs, Translator
from bot.replies import send, show
from bot.services.broadcasts import BroadcastService, NotAllowedError, valid_segment
from bot.views import View
from bot.views.broadcasts import (
    ConfirmCallback,
    ControlCallback,
    MuteCallback,
    SameTextCallback,
    SegmentCallback,
    ask_kazakh_text_view,
    ask_russian_text_view,
    broadcast_view,
    confirm_view,
    dropped_text,
    muted_text,
    not_admin_text,
    preview_heading,
    progress_view,
    region_segment_view,
    segment_view,
)
from storage.fsm import end_conversation


class BroadcastForm(StatesGroup):
    segment = State()
    text_kk = State()
    text_ru = State()
    confirm = State()


def router() -> Router:
    router = Router(name="broadcasts")
    router.message.register(on_broadcast, Command("broadcast"))
    router.callback_query.register(on_segment, StateFilter(BroadcastForm.segment), SegmentCallback.filter())
    router.message.register(
        on_kazakh_text, StateFilter(BroadcastForm.text_kk), Matches(F.text & ~F.text.startswith("/"))
    )
    router.message.register(
        on_russian_text, StateFilter(BroadcastForm.text_ru), Matches(F.text & ~F.text.startswith("/"))
    )
    router.callback_query.register(
        on_same_text, StateFilter(BroadcastForm.text_ru), SameTextCallback.filter()
    )
    router.callback_query.register(on_confirm, StateFilter(BroadcastForm.confirm), ConfirmCallback.filter())
    router.callback_query.register(on_control, ControlCallback.filter())
    router.callback_query.register(on_mute, MuteCallback.filter())
    return router


async def on_broadcast(
    message: Message, broadcasts: BroadcastService, state: FSMContext, t: Translator
) -> None:
    if message.from_user is None or not broadcasts.is_admin(message.from_user.id):
        await send(message, View(not_admin_text(t)))
        return
    await state.set_state(BroadcastForm.segment)
    await state.set_data({})
    await send(message, segment_view(t))


async def on_segment(
    query: CallbackQuery,
    callback_data: SegmentCallback,
    broadcasts: BroadcastService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    if not broadcasts.is_admin(query.from_user.id):
        callback_answer.text = not_admin_text(t)
        return
    if callback_data.kind == "region" and not callback_data.value:
        await show(query, region_segment_view(t))
        return
    segment = callback_data.kind + (f":{callback_data.value}" if callback_data.value else "")
    if not valid_segment(segment):
        return
    await state.update_data(segment=segment)
    await state.set_state(BroadcastForm.text_kk)
    await show(query, ask_kazakh_text_view(t, segment))


async def on_kazakh_text(message: Message, state: FSMContext, t: Translator) -> None:
    await state.update_data(text_kk=message.text)
    await state.set_state(BroadcastForm.text_ru)
    await send(message, ask_russian_text_view(t))


async def on_russian_text(
    message: Message, broadcasts: BroadcastService, state: FSMContext, catalogs: Catalogs, t: Translator
) -> None:
    await _preview(message, broadcasts, state, catalogs, t, text_ru=message.text)


async def on_same_text(
    query: CallbackQuery, broadcasts: BroadcastService, state: FSMContext, catalogs: Catalogs, t: Translator
) -> None:
    if isinstance(query.message, Message):
        await _preview(query.message, broadcasts, state, catalogs, t, text_ru=None)


async def _preview(
    message: Message,
    broadcasts: BroadcastService,
    state: FSMContext,
    catalogs: Catalogs,
    t: Translator,
    *,
    text_ru: str | None,
) -> None:
    """Each language's copy exactly as it will be sent, then Send now / Cancel."""
    data = await state.update_data(text_ru=text_ru)
    await state.set_state(BroadcastForm.confirm)
    params = {"text_kk": data.get("text_kk"), "text_ru": text_ru}
    for language in ("kk", "ru"):
        await send(message, View(preview_heading(t, language)))
        await send(message, broadcast_view(catalogs[language], params))
    segment = str(data.get("segment", "everyone"))
    await send(message, confirm_view(t, segment, len(await broadcasts.recipients(segment))))


async def on_confirm(
    query: CallbackQuery,
    callback_data: ConfirmCallback,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    await end_conversation(state, raw_state)
    if not callback_data.send:
        await show(query, View(dropped_text(t)))
        return
    try:
        broadcast_id = await broadcasts.create(
            query.from_user.id, str(data.get("segment", "")), data.get("text_kk"), data.get("text_ru")
        )
        progress = await broadcasts.start(query.from_user.id, broadcast_id)
    except NotAllowedError:
        callback_answer.text = not_admin_text(t)
        return
    if progress is not None:
        await show(query, progress_view(t, progress))


async def on_control(
    query: CallbackQuery,
    callback_data: ControlCallback,
    broadcasts: BroadcastService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    actions = {
        "pause": broadcasts.pause,
        "resume": broadcasts.resume,
        "cancel": broadcasts.cancel,
        "refresh": broadcasts.progress,
    }
    action = actions.get(callback_data.action)
    if action is None:
        return
    try:  # the service checks the admin, whatever the button data says
        progress = await action(query.from_user.id, callback_data.id)
    except NotAllowedError:
        callback_answer.text = not_admin_text(t)
        return
    if progress is not None:
        await show(query, progress_view(t, progress))


async def on_mute(
    query: CallbackQuery, broadcasts: BroadcastService, t: Translator, callback_answer: CallbackAnswer
) -> None:
    await broadcasts.mute(query.from_user.id)
    callback_answer.text = muted_text(t)
