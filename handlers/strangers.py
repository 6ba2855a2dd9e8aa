"""Button presses from someone we do not know: never met, or who deleted their data.

Nothing is stored for them (only a message is a first contact, see `UserMiddleware`): the press is
answered in every language, and the message it was on loses its buttons.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Stranger
from bot.i18n import Catalogs
from bot.replies import remove_pressed_buttons
from bot.views.menu import stranger_button_text


def router() -> Router:
    router = Router(name="strangers")
    router.callback_query.register(on_press_from_stranger, Stranger())
    return router


async def on_press_from_stranger(
    query: CallbackQuery, callback_answer: CallbackAnswer, catalogs: Catalogs
) -> None:
    callback_answer.text = stranger_button_text(catalogs.all())
    await remove_pressed_buttons(query)
