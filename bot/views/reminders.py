"""An event's reminder and the "still coming?" question, as the sender renders them in the volunteer's
language at the time they go out, and the answers to the question."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.i18n import Translator
from bot.services.events import StillComingAnswer
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.events import EventsAction, EventsCallback


class StillComingCallback(CallbackData, prefix="sc"):
    event_id: int
    coming: bool


def _reminder_text(t: Translator, params: Mapping[str, Any]) -> str:
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    title = escape(str(params.get(own) or params.get(other) or ""))
    starts_at = datetime.fromisoformat(str(params["starts_at"]))
    hours = int(params["hours"])
    text = t.ngettext(
        "⏰ <b>%(title)s</b> starts in %(hours)d hour: %(when)s.",
        "⏰ <b>%(title)s</b> starts in %(hours)d hours: %(when)s.",
        hours,
    ) % {"title": title, "hours": hours, "when": t.day_time(starts_at)}
    text += "\n" + t._("Address: %(address)s") % {
        "address": escape(
            ", ".join(str(part) for part in (params.get("city"), params.get("address")) if part)
        )
    }
    return text


def event_reminder_view(t: Translator, params: Mapping[str, Any]) -> View:
    card = EventsCallback(action=EventsAction.CARD, event_id=int(params["event_id"]))
    return View(_reminder_text(t, params), inline_keyboard([button(t._("Open the event"), card)]))


def still_coming_view(t: Translator, params: Mapping[str, Any]) -> View:
    """The day-before reminder that asks: Yes keeps the seat, No gives it to the next in line."""
    event_id = int(params["event_id"])
    text = (
        _reminder_text(t, params)
        + "\n\n"
        + t._("<b>Are you still coming?</b> If not, say so: your place will go to the next in line.")
    )
    return View(
        text,
        inline_keyboard(
            [
                button(t._("✅ Yes, I am coming"), StillComingCallback(event_id=event_id, coming=True)),
                button(t._("❌ No, I cannot come"), StillComingCallback(event_id=event_id, coming=False)),
                button(t._("Open the event"), EventsCallback(action=EventsAction.CARD, event_id=event_id)),
            ],
            (2, 1),
        ),
    )


def still_coming_answer_text(t: Translator, answer: StillComingAnswer) -> str:
    if answer.coming:
        return t._("Thank you! See you at the event.")
    return t._(
        "Your registration is cancelled and your place goes to the next in line. Thank you for telling us."
    )
