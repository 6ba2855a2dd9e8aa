"""Where a deep link leads once the user is set up: an event's card is one tap away."""

from __future__ import annotations

from bot.domain.deeplinks import DeepLink, LinkTarget
from bot.i18n import Translator
from bot.views import View, button, inline_keyboard
from bot.views.events import EventsAction, EventsCallback
from bot.views.menu import link_unavailable_text


def deep_link_view(t: Translator, link: DeepLink) -> View:
    """An event link (ev_<id>) offers its card (the events feature checks the event when opened);
    what nothing opens yet (grants) says so."""
    if link.target is LinkTarget.EVENT and link.ref.isdigit() and len(link.ref) <= 9:
        card = EventsCallback(action=EventsAction.CARD, event_id=int(link.ref))
        return View(
            t._("🌿 You followed a link to an event."),
            inline_keyboard([button(t._("Open the event"), card)]),
        )
    return View(link_unavailable_text(t))
