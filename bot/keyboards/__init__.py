"""Keyboards are functions, built at render time in the user's language."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import cycle, islice

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def inline_keyboard(
    buttons: Sequence[InlineKeyboardButton], widths: Sequence[int] = (1,)
) -> InlineKeyboardMarkup:
    """Buttons in rows of the given widths; the last width repeats.

    Built directly: aiogram's InlineKeyboardBuilder deep-copies every button it is given, which was a
    tenth of the CPU an onboarding update took.
    """
    rows: list[list[InlineKeyboardButton]] = []
    widths_then_last = [*widths[:-1], *islice(cycle(widths[-1:]), len(buttons))]
    start = 0
    for width in widths_then_last:
        if start >= len(buttons):
            break
        rows.append(list(buttons[start : start + width]))
        start += width
    return InlineKeyboardMarkup(inline_keyboard=rows)
