"""Bot API parameters, typed the way Telegram coerces them.

aiogram sends every value as a string (numbers, ``true``/``false``) and complex values (reply_markup,
entities, ...) as JSON text, and files as parts referenced by ``attach://name``; JSON bodies carry real
types. :class:`Params` reads both alike. Reading them off an HTTP request is the transport's job
(:mod:`fake_telegram.transport.body`).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

__all__ = ["JSON_FIELDS", "Params", "Upload"]

# Fields whose string values are JSON documents.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "cache_time",
        "message_thread_id",
        "user_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "has_spoiler",
        "disable_content_type_detection",
        "allow_sending_without_reply",
        "show_caption_above_media",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed access to one request's parameters, coercing strings as Telegram does."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        """Whether the parameter was given (files count)."""
        return name in self.values or name in self.uploads

    def get_str(self, name: str) -> str | None:
        """A string parameter; numbers given in JSON are turned into text like Telegram does."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, str)):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def get_int(self, name: str, error: str | None = None) -> int | None:
        """An integer parameter; ``error`` is the 400 detail for a non-integer."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(error or f'field "{name}" must be of type Integer') from None

    def get_float(self, name: str) -> float | None:
        """A float parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Float') from None

    def get_bool(self, name: str) -> bool:
        """A boolean: true/1/"true"/"True" are true; absent is false."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def get_json(self, name: str, error: str) -> Any:
        """A JSON parameter given as a string (forms) or inline (JSON bodies); ``error`` is the 400 detail."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def normalized(self) -> dict[str, Any]:
        """Parameters for the request log: JSON fields decoded, known numbers and booleans typed."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and key in JSON_FIELDS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif isinstance(value, str) and key in _INT_FIELDS:
                with contextlib.suppress(ValueError):
                    value = int(value)
            elif isinstance(value, str) and key in _BOOL_FIELDS:
                value = value.strip().lower() in ("true", "1", "yes")
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in self.uploads:
                upload = self.uploads[value[9:]]
                value = {"file_name": upload.filename, "size": len(upload.data)}
            out[key] = value
        for key, upload in self.uploads.items():
            if key not in out and not any(v == f"attach://{key}" for v in self.values.values()):
                out[key] = {"file_name": upload.filename, "size": len(upload.data)}
        return out
