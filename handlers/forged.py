"""Button data with a number no id can be (19 digits or more: past what a 64-bit integer holds, which
is all SQLite can even compare). Button data is anyone's to forge; such a press is answered as an
out-of-date button before any feature reads it, instead of failing deep in a query."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Matches
from bot.i18n import Translator
from bot.views.menu import stale_button_text

IMPOSSIBLE_NUMBER = re.compile(r"(?:^|:)[-+]?\d{19,}(?::|$)")


def router() -> Router:
    router = Router(name="forged")
    impossible = Matches(F.data.regexp(IMPOSSIBLE_NUMBER, mode="search"))
    router.callback_query.register(on_impossible_number, impossible)
    return router


async def on_impossible_number(_query: CallbackQuery, callback_answer: CallbackAnswer, t: Translator) -> None:
    callback_answer.text = stale_button_text(t)
