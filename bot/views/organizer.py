"""The organizer's side of an event: the screen of one of their events and what its buttons do.

The screen (open, edit, cancel, duplicate) belongs to the event publishing dialog; the tools (export,
attendance, message, ratings) to the organizer tools. Both read this one CallbackData."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class OrganizerAction(StrEnum):
    OPEN = "o"
    EDIT = "e"
    CANCEL = "c"
    DUPLICATE = "d"
    EXPORT = "x"
    ATTENDANCE = "a"
    MESSAGE = "m"
    RATINGS = "r"


class OrganizerEventCallback(CallbackData, prefix="oe"):
    event_id: int
    action: OrganizerAction = OrganizerAction.OPEN
