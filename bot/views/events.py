"""Eco events for volunteers: the list of upcoming events in their region, an event's card with
Register / Cancel, and their own events. Button data carries ids only."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.domain.events import CATEGORY_NAMES, Category
from bot.domain.regions import REGIONS_BY_CODE
from bot.i18n import N_, Translator
from bot.services.events import EventPage, EventProblem, Period, Registration
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.menu import Origin, back_button
from storage.repositories.events import EventRecord, UserEvent


class EventsAction(StrEnum):
    LIST = "l"
    CARD = "c"
    REGISTER = "r"
    CANCEL = "x"
    MINE = "y"


class EventsCallback(CallbackData, prefix="ev"):
    action: EventsAction
    event_id: int = 0
    period: Period = Period.WEEK
    page: int = 0


def event_title(t: Translator, event: EventRecord) -> str:
    """The title in the reader's language, else the other one (one is enough for an organizer)."""
    own, other = (event.title_ru, event.title_kk) if t.locale == "ru" else (event.title_kk, event.title_ru)
    return escape(own or other or "")


def _description(t: Translator, event: EventRecord) -> str | None:
    if t.locale == "ru":
        text = event.description_ru or event.description_kk
    else:
        text = event.description_kk or event.description_ru
    return escape(text) if text else None


def seats_left_text(t: Translator, event: EventRecord) -> str:
    left = event.seats_left
    if left is None:
        return t._("Places: no limit")
    if left == 0:
        return t._("No places left: you can join the waitlist")
    return t.ngettext("%(count)d place left", "%(count)d places left", left) % {"count": left}


def events_list_view(t: Translator, region: str, period: Period, page: EventPage) -> View:
    region_name = t._(REGIONS_BY_CODE[region].name) if region in REGIONS_BY_CODE else region
    if period is Period.WEEK:
        heading = t._("🌿 <b>Eco events this week</b>\nRegion: %(region)s")
    else:
        heading = t._("🌿 <b>Eco events this month</b>\nRegion: %(region)s")
    text = heading % {"region": escape(region_name)}
    if not page.events:
        text += "\n\n" + t._("No events yet. Look again later, or see the whole month.")
    buttons = [
        button(
            t._("%(date)s · %(title)s")
            % {"date": t.day_time(event.starts_at), "title": event_title(t, event)},
            EventsCallback(action=EventsAction.CARD, event_id=event.id, period=period, page=page.page),
        )
        for event in page.events
    ]
    keyboard = inline_keyboard(buttons)
    rows = list(keyboard.inline_keyboard)
    paging: list[InlineKeyboardButton] = []
    if page.page > 0:
        paging.append(
            button(
                t._("⬅️ Earlier"), EventsCallback(action=EventsAction.LIST, period=period, page=page.page - 1)
            )
        )
    if page.has_next:
        paging.append(
            button(
                t._("Later ➡️"), EventsCallback(action=EventsAction.LIST, period=period, page=page.page + 1)
            )
        )
    if paging:
        rows.append(paging)
    other = Period.MONTH if period is Period.WEEK else Period.WEEK
    rows.append(
        [
            button(
                t._("📆 This month") if other is Period.MONTH else t._("📆 This week"),
                EventsCallback(action=EventsAction.LIST, period=other),
            ),
            button(t._("📋 My events"), EventsCallback(action=EventsAction.MINE)),
        ]
    )
    rows.append([back_button(t, Origin.MENU)])
    keyboard.inline_keyboard = rows
    return View(text, keyboard)


def event_card_view(
    t: Translator, event: EventRecord, mine: UserEvent | None, period: Period = Period.WEEK, page: int = 0
) -> View:
    lines = [
        f"<b>{event_title(t, event)}</b>",
        t._("Category: %(category)s") % {"category": t._(CATEGORY_NAMES[Category(event.category)])},
        t._("Starts: %(start)s") % {"start": t.date_time(event.starts_at)},
        t._("Ends: %(end)s") % {"end": t.date_time(event.ends_at)},
        t._("Address: %(city)s, %(address)s")
        % {"city": escape(event.city), "address": escape(event.address)},
        seats_left_text(t, event),
        t._("Registration until: %(deadline)s") % {"deadline": t.date_time(event.registration_deadline)},
        t._("Contact: %(contact)s") % {"contact": escape(event.contact)},
    ]
    description = _description(t, event)
    if description:
        lines += ["", description]
    if mine is not None:
        lines += ["", _my_status(t, mine)]
    ids = {"event_id": event.id, "period": period, "page": page}
    if mine is None:
        action = button(t._("✅ Register"), EventsCallback(action=EventsAction.REGISTER, **ids))
    else:
        action = button(t._("❌ Cancel my registration"), EventsCallback(action=EventsAction.CANCEL, **ids))
    back = button(t._("⬅️ Events"), EventsCallback(action=EventsAction.LIST, period=period, page=page))
    return View("\n".join(lines), inline_keyboard([action, back]))


def _my_status(t: Translator, mine: UserEvent) -> str:
    if mine.place_in_line is not None:
        return t._("⏳ You are on the waitlist, place %(place)d.") % {"place": mine.place_in_line}
    companions = mine.registration.companions
    if companions == 0:
        return t._("✅ You are registered.")
    return t.ngettext(
        "✅ You are registered, with %(count)d companion.",
        "✅ You are registered, with %(count)d companions.",
        companions,
    ) % {"count": companions}


def my_events_view(t: Translator, items: list[UserEvent]) -> View:
    if not items:
        text = t._("📋 <b>My events</b>\nYou have not registered for any upcoming event yet.")
    else:
        text = t._("📋 <b>My events</b>")
    buttons = [
        button(
            (
                t._("⏳ %(date)s · %(title)s")
                if item.place_in_line is not None
                else t._("✅ %(date)s · %(title)s")
            )
            % {"date": t.day_time(item.event.starts_at), "title": event_title(t, item.event)},
            EventsCallback(action=EventsAction.CARD, event_id=item.event.id),
        )
        for item in items
    ]
    buttons += [
        button(t._("🌿 Events"), EventsCallback(action=EventsAction.LIST)),
        back_button(t, Origin.MENU),
    ]
    return View(text, inline_keyboard(buttons))


def registered_text(t: Translator, outcome: Registration) -> str:
    """The pop-up after Register."""
    if outcome.place_in_line is not None:
        return t._("⏳ All places are taken: you are on the waitlist, place %(place)d.") % {
            "place": outcome.place_in_line
        }
    return t._("✅ You are registered.")


def cancelled_registration_text(t: Translator) -> str:
    return t._("Your registration is cancelled.")


# What a volunteer is told when registering or cancelling is refused (the organizers' problems come
# with their screens).
_REFUSALS = {
    EventProblem.NO_SUCH_EVENT: N_("This event is not available."),
    EventProblem.NOT_PUBLISHED: N_("This event is not available."),
    EventProblem.EVENT_CANCELLED: N_("This event is cancelled."),
    EventProblem.EVENT_STARTED: N_("This event has already started."),
    EventProblem.DEADLINE_PASSED: N_("Registration for this event is closed."),
    EventProblem.COMPANIONS_OUT_OF_RANGE: N_("Too many companions for this event."),
    EventProblem.NOT_REGISTERED: N_("You are not registered for this event."),
    EventProblem.NO_SUCH_OFFER: N_("This offer is not available."),
    EventProblem.OFFER_EXPIRED: N_("This offer has expired: the place went to the next in line."),
    EventProblem.OFFER_CLOSED: N_("This offer has already been answered."),
    EventProblem.CUTOFF_PASSED: N_(
        "It is too late to cancel: the event starts soon. Please tell the organizer."
    ),
}


def refusal_text(t: Translator, problem: EventProblem) -> str:
    return t._(_REFUSALS.get(problem, N_("This event is not available.")))
