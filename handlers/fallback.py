"""Whatever no feature took: a hint to /menu, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Matches
from bot.i18n import Translator
from bot.views.menu import stale_button_text, unknown_command_text, unknown_input_text


def router() -> Router:
    router = Router(name="fallback")
    router.message.register(on_unknown_command, Matches(F.text.startswith("/")))
    router.message.register(on_unknown_input)
    router.callback_query.register(on_stale_button)
    return router


async def on_unknown_command(message: Message, t: Translator) -> None:
    await message.answer(unknown_command_text(t))


async def on_unknown_input(message: Message, t: Translator) -> None:
    await message.answer(unknown_input_text(t))


async def on_stale_button(query: CallbackQuery, callback_answer: CallbackAnswer, t: Translator) -> None:
    # Forged or outdated button data lands here: answered, nothing else done.
    callback_answer.text = stale_button_text(t)
