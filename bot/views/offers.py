"""A waitlist offer: the message the sender renders in the volunteer's language when it goes out, its
Accept / Decline buttons (the offer's id only; the service checks every press), and the answers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.i18n import Translator
from bot.services.events import OfferAnswer
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.events import EventsAction, EventsCallback


class OfferAction(StrEnum):
    ACCEPT = "a"
    DECLINE = "d"


class OfferCallback(CallbackData, prefix="wo"):
    action: OfferAction
    offer_id: int


def waitlist_offer_view(t: Translator, params: Mapping[str, Any]) -> View:
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    title = escape(str(params.get(own) or params.get(other) or ""))
    seats = int(params["seats"])
    text = t._("🎉 A place has opened up at <b>%(title)s</b> (%(when)s).") % {
        "title": title,
        "when": t.day_time(datetime.fromisoformat(str(params["starts_at"]))),
    }
    text += "\n" + t.ngettext(
        "%(count)d place is held for you until %(until)s. Will you take it?",
        "%(count)d places are held for you until %(until)s. Will you take them?",
        seats,
    ) % {"count": seats, "until": t.day_time(datetime.fromisoformat(str(params["expires_at"])))}
    offer_id = int(params["offer_id"])
    return View(
        text,
        inline_keyboard(
            [
                button(t._("✅ Accept"), OfferCallback(action=OfferAction.ACCEPT, offer_id=offer_id)),
                button(t._("Decline"), OfferCallback(action=OfferAction.DECLINE, offer_id=offer_id)),
            ]
        ),
    )


def offer_answer_text(t: Translator, answer: OfferAnswer) -> str:
    if answer.accepted:
        return t._("Done: you are registered for the event.")
    return t._("Offer declined: the place goes to the next in line.")


def line_moved_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To someone in line: people ahead of them left, and this is their place now."""
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    text = t._(
        "⏳ You have moved up the waitlist for <b>%(title)s</b> (%(when)s): you are number %(place)d now."
    ) % {
        "title": escape(str(params.get(own) or params.get(other) or "")),
        "when": t.day_time(datetime.fromisoformat(str(params["starts_at"]))),
        "place": int(params["place"]),
    }
    card = EventsCallback(action=EventsAction.CARD, event_id=int(params["event_id"]))
    return View(text, inline_keyboard([button(t._("Open the event"), card)]))
