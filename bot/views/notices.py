"""Notices: a plain text the bot sends a user on its own initiative, in the user's language."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from bot.i18n import Translator
from bot.views import View


def notice_view(t: Translator, params: Mapping[str, Any]) -> View:
    """`params` holds the text in each language (`text_kk`, `text_ru`); the recipient's comes first,
    the other if theirs is missing. Plain text: shown as written, never as HTML."""
    other = "ru" if t.locale == "kk" else "kk"
    text = params.get(f"text_{t.locale}") or params.get(f"text_{other}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a notice needs text_kk or text_ru")
    return View(html.escape(text, quote=False))
