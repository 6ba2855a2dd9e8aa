"""Bot API errors as Telegram words them."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "bad_request"]


class ApiError(Exception):
    """An error answer ``{"ok": false, "error_code": code, "description": ...}``, HTTP status ``code``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


# Descriptions used in more than one place.
CHAT_NOT_FOUND = "chat not found"
BLOCKED = "Forbidden: bot was blocked by the user"
MESSAGE_EMPTY = "message text is empty"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
