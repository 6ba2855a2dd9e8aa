"""/broadcast: an admin chooses the recipients (an organizer starts from their event's tools with the
recipients fixed), attaches a photo or a file or not, sends the Kazakh and the Russian text (or one for
all), sees the preview in each language, sends a test to themself, and sends now or at a chosen time;
then pauses, resumes or stops it, or (scheduled) changes or cancels it. Recipients of admins' broadcasts
mute them with one tap. The service checks who may do it at every step."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import NOT_A_COMMAND, TYPED_TEXT, Matches
from bot.i18n import Catalogs, Translator
from bot.replies import remove_pressed_buttons, send, send_view, show
from bot.services.broadcasts import (
    BroadcastService,
    Draft,
    InvalidBroadcastError,
    NotAllowedError,
    Status,
    check_text,
    event_segment,
    message_params,
    valid_segment,
)
from bot.views import View, with_notice
from bot.views.broadcasts import (
    ConfirmAction,
    ConfirmCallback,
    ControlAction,
    ControlCallback,
    EventBroadcastStart,
    MuteCallback,
    NoMediaCallback,
    SameTextCallback,
    SegmentCallback,
    ask_kazakh_text_view,
    ask_media_view,
    ask_russian_text_view,
    ask_time_view,
    broadcast_view,
    confirm_view,
    dropped_text,
    media_expected_view,
    muted_text,
    nobody_text,
    not_admin_text,
    not_organizer_text,
    preview_heading,
    problem_text,
    progress_view,
    region_segment_view,
    scheduled_cancelled_text,
    scheduled_list_view,
    scheduled_view,
    segment_name,
    segment_view,
    test_sent_text,
    text_expected_text,
    texts_saved_text,
    time_saved_text,
)
from storage.fsm import end_conversation, start_conversation


class BroadcastForm(StatesGroup):
    """data: segment, media_kind, media_file_id, text_kk, text_ru; edit_id when changing a scheduled one."""

    segment = State()
    media = State()
    text_kk = State()
    text_ru = State()
    confirm = State()
    time = State()


def router() -> Router:
    router = Router(name="broadcasts")
    router.message.register(on_broadcast, Command("broadcast"))
    router.message.register(on_scheduled_list, Command("broadcasts"))
    router.callback_query.register(on_event_start, EventBroadcastStart.filter())
    router.callback_query.register(on_segment, StateFilter(BroadcastForm.segment), SegmentCallback.filter())
    router.message.register(on_media, StateFilter(BroadcastForm.media), Matches(F.photo | F.document))
    router.callback_query.register(on_no_media, StateFilter(BroadcastForm.media), NoMediaCallback.filter())
    router.message.register(on_not_media, StateFilter(BroadcastForm.media), NOT_A_COMMAND)
    router.message.register(on_kazakh_text, StateFilter(BroadcastForm.text_kk), TYPED_TEXT)
    router.message.register(on_russian_text, StateFilter(BroadcastForm.text_ru), TYPED_TEXT)
    router.callback_query.register(
        on_same_text, StateFilter(BroadcastForm.text_ru), SameTextCallback.filter()
    )
    router.message.register(on_not_text, StateFilter(BroadcastForm.text_kk), NOT_A_COMMAND)
    router.message.register(on_not_text, StateFilter(BroadcastForm.text_ru), NOT_A_COMMAND)
    router.callback_query.register(on_confirm, StateFilter(BroadcastForm.confirm), ConfirmCallback.filter())
    router.message.register(on_time, StateFilter(BroadcastForm.time), TYPED_TEXT)
    router.message.register(on_not_time, StateFilter(BroadcastForm.time), NOT_A_COMMAND)
    router.callback_query.register(on_control, ControlCallback.filter())
    router.callback_query.register(on_mute, MuteCallback.filter())
    return router


def _refusal(t: Translator, error: NotAllowedError) -> str:
    return not_organizer_text(t) if error.event else not_admin_text(t)


async def _refuse(
    event: Message | CallbackQuery,
    error: NotAllowedError,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer | None = None,
) -> None:
    """Someone who may not (or no longer may) write to these people: the dialog ends, with why."""
    await end_conversation(state, raw_state)
    if callback_answer is not None:
        callback_answer.text = _refusal(t, error)
        callback_answer.show_alert = True
    elif isinstance(event, Message):
        await event.answer(_refusal(t, error))


async def _reply(query: CallbackQuery, bot: Bot, view: View) -> Message:
    """A new message below the one whose button was pressed."""
    if isinstance(query.message, Message):
        return await send(query.message, view)
    return await send_view(bot, query.from_user.id, view)


async def _recipients(broadcasts: BroadcastService, user_id: int, segment: str, t: Translator) -> str:
    """Who the recipients are, in words; NotAllowedError if `user_id` may not write to them."""
    return segment_name(t, segment, await broadcasts.authorize(user_id, segment))


def _draft(data: dict[str, Any]) -> Draft:
    return Draft(
        str(data.get("segment", "")),
        data.get("text_kk"),
        data.get("text_ru"),
        data.get("media_kind"),
        data.get("media_file_id"),
    )


async def on_broadcast(
    message: Message, broadcasts: BroadcastService, state: FSMContext, t: Translator
) -> None:
    if message.from_user is None or not await broadcasts.is_admin(message.from_user.id):
        await send(message, View(not_admin_text(t)))
        return
    await start_conversation(state, BroadcastForm.segment, {})
    await send(message, segment_view(t))


async def on_scheduled_list(message: Message, broadcasts: BroadcastService, t: Translator) -> None:
    if message.from_user is None:
        return
    user_id = message.from_user.id
    items = await broadcasts.scheduled_list(user_id)  # an admin's all, an organizer's own
    labelled = [(item, await _recipients(broadcasts, user_id, item.segment, t)) for item in items]
    await send(message, scheduled_list_view(t, labelled))


async def on_event_start(
    query: CallbackQuery,
    callback_data: EventBroadcastStart,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    """The organizer's tools: write to this event's registered, waitlisted or attended people."""
    segment = event_segment(callback_data.event_id, callback_data.audience)
    try:
        recipients = await _recipients(broadcasts, query.from_user.id, segment, t)
    except NotAllowedError as error:
        await _refuse(query, error, state, raw_state, t, callback_answer)
        return
    if not await broadcasts.recipients(segment):
        callback_answer.text = nobody_text(t, callback_data.audience)
        callback_answer.show_alert = True
        return
    await start_conversation(state, BroadcastForm.media, {"segment": segment})
    await _reply(query, bot, ask_media_view(t, recipients))


async def on_segment(
    query: CallbackQuery,
    callback_data: SegmentCallback,
    broadcasts: BroadcastService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    if not await broadcasts.is_admin(query.from_user.id):
        callback_answer.text = not_admin_text(t)
        return
    if callback_data.kind == "region" and not callback_data.value:
        await show(query, region_segment_view(t))
        return
    segment = callback_data.kind + (f":{callback_data.value}" if callback_data.value else "")
    if not valid_segment(segment) or segment.startswith("event:"):
        return
    await start_conversation(state, BroadcastForm.media, {"segment": segment})
    await show(query, ask_media_view(t, segment_name(t, segment)))


async def on_media(
    message: Message,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await state.get_data()
    try:
        await broadcasts.authorize(message.chat.id, str(data.get("segment")))
    except NotAllowedError as error:
        await _refuse(message, error, state, raw_state, t)
        return
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id  # the largest size
    elif message.document is not None:
        kind, file_id = "document", message.document.file_id
    else:
        return
    await start_conversation(
        state, BroadcastForm.text_kk, {**data, "media_kind": kind, "media_file_id": file_id}
    )
    await send(message, ask_kazakh_text_view(t, with_media=True))


async def on_no_media(
    query: CallbackQuery,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    try:
        await broadcasts.authorize(query.from_user.id, str(data.get("segment")))
    except NotAllowedError as error:
        await _refuse(query, error, state, raw_state, t, callback_answer)
        return
    await start_conversation(
        state, BroadcastForm.text_kk, {**data, "media_kind": None, "media_file_id": None}
    )
    await show(query, ask_kazakh_text_view(t, with_media=False))


async def on_not_media(message: Message, t: Translator) -> None:
    """Text, a sticker, a video…: the step stays, with what it expects."""
    await send(message, media_expected_view(t))


async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(text_expected_text(t))


async def on_kazakh_text(
    message: Message,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await state.get_data()
    with_media = bool(data.get("media_kind"))
    try:
        await broadcasts.authorize(message.chat.id, str(data.get("segment")))
        text = check_text(message.text, with_media=with_media)
    except NotAllowedError as error:
        await _refuse(message, error, state, raw_state, t)
        return
    except InvalidBroadcastError as error:  # the step stays open for another try
        await message.answer(problem_text(t, error))
        return
    await start_conversation(state, BroadcastForm.text_ru, {**data, "text_kk": text})
    await send(message, ask_russian_text_view(t, with_media=with_media))


async def on_russian_text(
    message: Message,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    catalogs: Catalogs,
    t: Translator,
    bot: Bot,
) -> None:
    data = await state.get_data()
    try:
        text = check_text(message.text, with_media=bool(data.get("media_kind")))
    except InvalidBroadcastError as error:
        await message.answer(problem_text(t, error))
        return
    await _texts_done(message, message.chat.id, broadcasts, state, raw_state, catalogs, t, bot, text_ru=text)


async def on_same_text(
    query: CallbackQuery,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    catalogs: Catalogs,
    t: Translator,
    bot: Bot,
) -> None:
    await remove_pressed_buttons(query)
    await _texts_done(query, query.from_user.id, broadcasts, state, raw_state, catalogs, t, bot, text_ru=None)


async def _texts_done(
    event: Message | CallbackQuery,
    user_id: int,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    catalogs: Catalogs,
    t: Translator,
    bot: Bot,
    *,
    text_ru: str | None,
) -> None:
    """Both texts are in: a scheduled broadcast being changed gets them; a new one is previewed."""
    data = {**await state.get_data(), "text_ru": text_ru}
    segment = str(data.get("segment"))
    try:
        recipients = await _recipients(broadcasts, user_id, segment, t)
        edit_id = data.get("edit_id")
        if isinstance(edit_id, int):
            scheduled = await broadcasts.edit_texts(user_id, edit_id, data.get("text_kk"), text_ru)
            await end_conversation(state, raw_state)
            await send_view(bot, user_id, scheduled_view(t, scheduled, recipients, texts_saved_text(t)))
            return
    except NotAllowedError as error:
        await _refuse(event, error, state, raw_state, t)
        return
    except InvalidBroadcastError as error:
        await end_conversation(state, raw_state)
        await send_view(bot, user_id, View(problem_text(t, error)))
        return
    await start_conversation(state, BroadcastForm.confirm, data)
    await _preview(bot, user_id, _draft(data), catalogs)
    count = len(await broadcasts.recipients(segment))
    await send_view(bot, user_id, confirm_view(t, recipients, count))


async def _preview(bot: Bot, user_id: int, draft: Draft, catalogs: Catalogs) -> None:
    """Each language's copy exactly as it will be sent (the same view the sender renders)."""
    params = message_params(None, draft)
    for language in ("kk", "ru"):
        await send_view(bot, user_id, View(preview_heading(catalogs[language], language)))
        await send_view(bot, user_id, broadcast_view(catalogs[language], params))


async def on_confirm(
    query: CallbackQuery,
    callback_data: ConfirmCallback,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    draft = _draft(data)
    user_id = query.from_user.id
    action = callback_data.action
    if action is ConfirmAction.DROP:
        await end_conversation(state, raw_state)
        await show(query, View(dropped_text(t)))
        return
    try:
        recipients = await _recipients(broadcasts, user_id, draft.segment, t)
        if action is ConfirmAction.TEST:
            # To the author only, rendered as the recipients' copies are, in the author's language.
            await send_view(bot, user_id, broadcast_view(t, message_params(None, draft)))
            await remove_pressed_buttons(query)
            count = len(await broadcasts.recipients(draft.segment))
            await send_view(bot, user_id, with_notice(confirm_view(t, recipients, count), test_sent_text(t)))
        elif action is ConfirmAction.SCHEDULE:
            await start_conversation(state, BroadcastForm.time, data)
            await show(query, ask_time_view(t, broadcasts.clock.now()))
        elif action is ConfirmAction.SEND:
            broadcast_id = await broadcasts.create(
                user_id,
                draft.segment,
                draft.text_kk,
                draft.text_ru,
                media_kind=draft.media_kind,
                media_file_id=draft.media_file_id,
                author_language=t.locale,
            )
            await end_conversation(state, raw_state)
            progress = await broadcasts.start(user_id, broadcast_id)
            shown = await show(query, progress_view(t, progress)) if progress else None
            if shown is not None:  # the live edits go to this message
                await broadcasts.keep_progress_message(broadcast_id, shown.message_id)
    except NotAllowedError as error:
        await _refuse(query, error, state, raw_state, t, callback_answer)
    except InvalidBroadcastError as error:
        await end_conversation(state, raw_state)
        await show(query, View(problem_text(t, error)))


async def on_time(
    message: Message,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await state.get_data()
    draft = _draft(data)
    user_id = message.chat.id
    edit_id = data.get("edit_id")
    try:
        when = broadcasts.parse_time(message.text or "")
        if isinstance(edit_id, int):
            scheduled = await broadcasts.reschedule(user_id, edit_id, when)
            notice: str | None = time_saved_text(t)
        else:
            broadcast_id = await broadcasts.create(
                user_id,
                draft.segment,
                draft.text_kk,
                draft.text_ru,
                media_kind=draft.media_kind,
                media_file_id=draft.media_file_id,
                scheduled_at=when,
                author_language=t.locale,
            )
            scheduled, notice = await broadcasts.scheduled(user_id, broadcast_id), None
        recipients = await _recipients(broadcasts, user_id, scheduled.segment, t)
    except NotAllowedError as error:
        await _refuse(message, error, state, raw_state, t)
        return
    except InvalidBroadcastError as error:  # a time not understood, or past: the step stays
        await message.answer(problem_text(t, error, broadcasts.clock.now()))
        return
    await end_conversation(state, raw_state)
    await send(message, scheduled_view(t, scheduled, recipients, notice))


async def on_not_time(message: Message, broadcasts: BroadcastService, t: Translator) -> None:
    await send(message, ask_time_view(t, broadcasts.clock.now()))


async def on_control(
    query: CallbackQuery,
    callback_data: ControlCallback,
    broadcasts: BroadcastService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    actions = {
        ControlAction.PAUSE: broadcasts.pause,
        ControlAction.RESUME: broadcasts.resume,
        ControlAction.CANCEL: broadcasts.cancel,
        ControlAction.REFRESH: broadcasts.progress,
    }
    user_id, broadcast_id = query.from_user.id, callback_data.id
    try:  # the service checks who presses, whatever the button data says
        if callback_data.action in (ControlAction.TEXTS, ControlAction.TIME):
            scheduled = await broadcasts.scheduled(user_id, broadcast_id)
            data = {"edit_id": scheduled.id, "segment": scheduled.segment, "media_kind": scheduled.media_kind}
            if callback_data.action == ControlAction.TEXTS:
                await start_conversation(state, BroadcastForm.text_kk, data)
                await _reply(query, bot, ask_kazakh_text_view(t, with_media=bool(scheduled.media_kind)))
            else:
                await start_conversation(state, BroadcastForm.time, data)
                await _reply(query, bot, ask_time_view(t, broadcasts.clock.now()))
            return
        action = actions.get(callback_data.action)  # type: ignore[call-overload]
        if action is None:  # forged: no such action
            return
        progress = await action(user_id, broadcast_id)
        if progress is None:
            return
        if progress.status is Status.SCHEDULED:
            scheduled = await broadcasts.scheduled(user_id, broadcast_id)
            await show(
                query,
                scheduled_view(t, scheduled, await _recipients(broadcasts, user_id, scheduled.segment, t)),
            )
        elif progress.status is Status.CANCELLED and progress.started_at is None:
            await show(query, View(scheduled_cancelled_text(t, broadcast_id)))
        else:
            await show(query, progress_view(t, progress))
    except NotAllowedError as error:
        callback_answer.text = _refusal(t, error)
        callback_answer.show_alert = True
    except InvalidBroadcastError as error:
        callback_answer.text = problem_text(t, error)
        callback_answer.show_alert = True


async def on_mute(
    query: CallbackQuery, broadcasts: BroadcastService, t: Translator, callback_answer: CallbackAnswer
) -> None:
    await broadcasts.mute(query.from_user.id)
    callback_answer.text = muted_text(t)
