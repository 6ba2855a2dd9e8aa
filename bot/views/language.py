"""/language: switching between Kazakh and Russian at any time (the first choice is onboarding's)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, Translator
from bot.views import View, button, inline_keyboard, with_row
from bot.views.menu import Origin, back_button


class LanguageChangeCallback(CallbackData, prefix="lc"):
    code: str
    origin: Origin


def language_buttons(data: Callable[[str], CallbackData]) -> InlineKeyboardMarkup:
    """One button per language, each named in itself."""
    return inline_keyboard([button(name, data(code)) for code, name in LANGUAGE_NAMES.items()], (2,))


def choose_language_view(t: Translator, origin: Origin) -> View:
    keyboard = language_buttons(lambda code: LanguageChangeCallback(code=code, origin=origin))
    return View(t._("🌐 Choose a language:"), with_row(keyboard, back_button(t, origin)))


def language_changed_text(t: Translator) -> str:
    return t._("✅ Language changed: from now on we speak this language.")
