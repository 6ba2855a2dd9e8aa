"""An attendee rates an event after it: one tap from 1 to 5 on the message the bot sent, then an
optional comment (the next text message) or Skip. Every tap is checked by the service."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import TYPED_TEXT, Onboarded
from bot.i18n import Translator
from bot.replies import remove_buttons, show
from bot.services.attendance import ToolRefusedError
from bot.services.ratings import RatingService
from bot.views import View
from bot.views.attendance import tool_refusal_text
from bot.views.events import event_title
from bot.views.ratings import (
    RateCallback,
    SkipCommentCallback,
    comment_expected_text,
    comment_saved_text,
    comment_skipped_text,
    rated_view,
)
from storage.fsm import conversation_data, end_conversation, start_conversation
from storage.repositories.users import UserProfile


class RatingForm(StatesGroup):
    # data: {"event_id": the event rated, "prompt": id of the message with the score and Skip buttons}
    comment = State()


def router() -> Router:
    router = Router(name="ratings")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(on_rate, RateCallback.filter())
    router.callback_query.register(on_skip, SkipCommentCallback.filter())
    router.message.register(on_comment, StateFilter(RatingForm.comment), TYPED_TEXT)
    router.message.register(on_not_text, StateFilter(RatingForm.comment))
    return router


async def on_rate(
    query: CallbackQuery,
    callback_data: RateCallback,
    user: UserProfile,
    ratings: RatingService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        event = await ratings.rate(user.id, callback_data.event_id, callback_data.score)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    prompt = await show(query, rated_view(t, event.id, event_title(t, event), callback_data.score))
    data: dict[str, int] = {"event_id": event.id}
    if prompt is not None:
        data["prompt"] = prompt.message_id
    await start_conversation(state, RatingForm.comment, data)


async def on_skip(query: CallbackQuery, state: FSMContext, raw_state: str | None, t: Translator) -> None:
    if raw_state == RatingForm.comment.state:  # not another dialog begun since
        await end_conversation(state, raw_state)
    await show(query, View(comment_skipped_text(t)))


async def on_comment(
    message: Message,
    user: UserProfile,
    ratings: RatingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    bot: Bot,
) -> None:
    data = await conversation_data(state, raw_state, RatingForm.comment)
    event_id, prompt = data.get("event_id"), data.get("prompt")
    if not isinstance(event_id, int):
        await end_conversation(state, raw_state)
        return
    try:
        await ratings.comment(user.id, event_id, message.text or "")
    except ToolRefusedError as error:  # the conversation stays open for another try
        await message.answer(tool_refusal_text(t, error.problem))
        return
    await end_conversation(state, raw_state)
    if isinstance(prompt, int):
        await remove_buttons(bot, user.id, prompt)  # its Skip has nothing left to skip
    await message.answer(comment_saved_text(t))


async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(comment_expected_text(t))
