"""An event's reminder, as the sender renders it in the volunteer's language at the time it goes out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.i18n import Translator
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.events import EventsAction, EventsCallback


def event_reminder_view(t: Translator, params: Mapping[str, Any]) -> View:
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
    card = EventsCallback(action=EventsAction.CARD, event_id=int(params["event_id"]))
    return View(text, inline_keyboard([button(t._("Open the event"), card)]))
