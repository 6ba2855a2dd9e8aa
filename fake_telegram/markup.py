"""Keyboards: validate reply_markup the way Telegram does, and read buttons back for tests."""

from __future__ import annotations

from typing import Any

from .errors import ApiError, bad_request

__all__ = [
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_INLINE_BUTTONS",
    "button_rows",
    "button_texts",
    "find_button",
    "markup_kind",
    "validate_reply_markup",
]

MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http://", "https://", "tg://", "ton://")


def markup_kind(markup: dict[str, Any] | None) -> str | None:
    """ "inline", "reply", "remove", "force_reply" or None."""
    if not markup:
        return None
    if "inline_keyboard" in markup:
        return "inline"
    if "keyboard" in markup:
        return "reply"
    if markup.get("remove_keyboard"):
        return "remove"
    if markup.get("force_reply"):
        return "force_reply"
    return None


def _button_error(detail: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {detail}")


def _valid_url(url: str) -> bool:
    if not url or any(ch.isspace() for ch in url):
        return False
    if "://" in url:
        return url.lower().startswith(_URL_SCHEMES) and len(url.split("://", 1)[1]) > 0
    return "." in url


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise _button_error('Field "text" must be of type String')
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (not isinstance(button["url"], str) or not _valid_url(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")
    if "web_app" in button:
        web_app = button["web_app"]
        url = web_app.get("url") if isinstance(web_app, dict) else None
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise bad_request(
                f"inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed"
            )


def _validate_reply_button(button: Any) -> None:
    if isinstance(button, str):
        return
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Check a decoded reply_markup; return it unchanged or raise the Telegram 400."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    kind = markup_kind(markup)
    if inline_only and kind != "inline":
        raise bad_request("inline keyboard expected")
    if kind == "inline":
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be of type Array')
        count = 0
        for row in rows:
            for button in row:
                _validate_inline_button(button)
                count += 1
        if count > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
    elif kind == "reply":
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" must be of type Array')
        for row in rows:
            for button in row:
                _validate_reply_button(button)
    elif kind is None:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def button_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The buttons of an inline or reply keyboard as rows of dicts (plain-string buttons become dicts)."""
    kind = markup_kind(markup)
    if markup is None or kind not in ("inline", "reply"):
        return []
    rows = markup["inline_keyboard"] if kind == "inline" else markup["keyboard"]
    return [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]


def button_texts(markup: dict[str, Any] | None) -> list[list[str]]:
    """Visible texts of the keyboard's buttons, row by row."""
    return [[str(b.get("text", "")) for b in row] for row in button_rows(markup)]


def find_button(markup: dict[str, Any] | None, text: str, *, field: str = "text") -> dict[str, Any] | None:
    """The first button whose visible text (or another ``field``, such as callback_data) equals ``text``."""
    for row in button_rows(markup):
        for button in row:
            if button.get(field) == text:
                return button
    return None
