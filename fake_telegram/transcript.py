"""A user's conversation as plain text, for people: the sandbox, a failing test's message, a bug report.

::

    👤 /start
    🤖 Сәлем! Тілді таңдаңыз
       [Қазақша] [Русский]
    👤 ▸ [Қазақша]
    🤖 ↳ ✓
    🤖 Қазақ тілі таңдалды (edited)

The chat is shown as it stands now, in order: the user's messages (👤) and the bot's (🤖), each in its
current state and marked "(edited)" or "(deleted)"; an inline keyboard under its message, a reply
keyboard with ⌨; button presses (▸) where they happened, with the bot's answer (↳) or "(unanswered)".
Media show as ``[photo]``, ``[document name]``, ``[sticker 🌳]``, ``[voice 7 s]`` ...
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .markup import button_texts, markup_kind
from .state import CallbackQueryState, ChatState, SentMessage

__all__ = ["render_transcript"]

USER = "👤 "
BOT = "🤖 "
INDENT = "   "


def render_transcript(chat: ChatState, presses: Iterable[CallbackQueryState] = ()) -> str:
    """The chat's messages and the button presses in it, oldest first, one entry per block of lines."""
    entries: list[tuple[tuple[int, int, int], list[str]]] = []
    for message_id, data in chat.user_messages.items():
        entries.append(((message_id, 0, 0), _user_message(data)))
    for message_id, message in chat.bot_messages.items():
        entries.append(((message_id, 0, 0), _bot_message(message)))
    for order, press in enumerate(presses):
        entries.append(((press.after_message_id, 1, order), _press(press)))
    entries.sort(key=lambda entry: entry[0])
    return "\n".join(line for _, lines in entries for line in lines)


def _block(avatar: str, body: str, marks: list[str]) -> list[str]:
    """The avatar on the first line, continuation lines indented, marks after the last line."""
    lines = body.split("\n")
    if marks:
        lines[-1] = f"{lines[-1]} ({', '.join(marks)})".lstrip()
    return [avatar + lines[0], *(INDENT + line for line in lines[1:])]


def _with_caption(label: str, caption: str) -> str:
    return f"{label} {caption}" if caption else label


def _media(data: dict[str, Any]) -> str | None:
    """A media message's label, from the Bot API fields it carries (None for text)."""
    if "photo" in data:
        return "[photo]"
    if "document" in data:
        name = data["document"].get("file_name")
        return f"[document {name}]" if name else "[document]"
    if "sticker" in data:
        emoji = data["sticker"].get("emoji")
        return f"[sticker {emoji}]" if emoji else "[sticker]"
    if "voice" in data:
        return f"[voice {data['voice'].get('duration', 0)} s]"
    if "contact" in data:
        return f"[contact {data['contact'].get('phone_number', '')}]"
    if "venue" in data:
        venue = data["venue"]
        return f"[venue {venue.get('title', '')}, {venue.get('address', '')}]"
    if "location" in data:
        location = data["location"]
        return f"[location {location.get('latitude')}, {location.get('longitude')}]"
    for kind in ("video", "audio", "animation", "video_note"):
        if kind in data:
            return f"[{kind}]"
    return None


def _user_message(data: dict[str, Any]) -> list[str]:
    media = _media(data)
    body = str(data.get("text", "")) if media is None else _with_caption(media, str(data.get("caption", "")))
    return _block(USER, body, ["edited"] if "edit_date" in data else [])


def _bot_message(message: SentMessage) -> list[str]:
    media = None if message.content == "text" else _media(message.media)
    body = message.text if media is None else _with_caption(media, message.text)
    marks = (["edited"] if message.edits else []) + (["deleted"] if message.deleted else [])
    lines = _block(BOT, body, marks)
    kind = markup_kind(message.reply_markup)
    rows = button_texts(message.reply_markup)
    if kind == "inline":
        lines += [INDENT + " ".join(f"[{text}]" for text in row) for row in rows]
    elif kind == "reply":
        lines += [INDENT + "⌨ " + " ".join(f"[{text}]" for text in row) for row in rows]
    elif kind == "remove":
        lines.append(INDENT + "⌨ removed")
    return lines


def _press(press: CallbackQueryState) -> list[str]:
    what = f"[{press.label}]" if press.label is not None else f"callback_data {press.data!r}"
    if press.answer is None:
        return [f"{USER}▸ {what} (unanswered)"]
    lines = [f"{USER}▸ {what}"]
    if press.answer.text:
        alert = "⚠ " if press.answer.show_alert else ""
        lines += _block(BOT, f"↳ {alert}{press.answer.text}", [])
    return lines
