"""Views: what a user sees, as pure functions of the data and a `Translator`.

A view builds a `View` (HTML text and its keyboard) and sends nothing: handlers show it with
`bot.replies`, and the sender will render the same views for users it writes to on its own, each in
their own language. One module per feature, holding its texts, keyboards and button data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import cycle, islice

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.i18n import Translator

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or a document that goes with a view, its text as the caption (Telegram's file_id)."""

    kind: str  # "photo" or "document"
    file_id: str


@dataclass(frozen=True, slots=True)
class View:
    text: str
    markup: Markup | None = None
    media: Media | None = None


def with_notice(view: View, notice: str | None) -> View:
    """The view with a line on top saying what just happened ("✅ Saved"), or as it is without one."""
    return replace(view, text=f"{notice}\n\n{view.text}") if notice else view


def in_languages(
    languages: Sequence[Translator], text: Callable[[Translator], str], separator: str = "\n\n"
) -> str:
    """A text in each of `languages` (all of them for someone who has not chosen one yet)."""
    return separator.join(dict.fromkeys(text(t) for t in languages))


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


def with_row(markup: InlineKeyboardMarkup, *buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    """The keyboard with one more row of buttons under it (a back button)."""
    return InlineKeyboardMarkup(inline_keyboard=[*markup.inline_keyboard, list(buttons)])
