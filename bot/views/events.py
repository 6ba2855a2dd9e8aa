"""Eco events for volunteers: the list of upcoming events with its filters (region, period, category),
an event's card with Register (alone or with companions) / Cancel / Map / Calendar, and their own
events. Button data carries ids and short codes only, and the list's filters, so that every screen
leads back to the list as it was."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.events import CATEGORY_NAMES, Category, RegistrationStatus
from bot.domain.regions import REGIONS_BY_CODE
from bot.i18n import N_, Translator
from bot.services.events import EventPage, EventProblem, Period, Registration
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.layout import columns_that_fit
from bot.views.menu import Origin, back_button
from bot.views.onboarding import region_keyboard
from storage.repositories.events import EventRecord, UserEvent


class EventsAction(StrEnum):
    LIST = "l"
    CARD = "c"
    REGISTER = "r"
    CANCEL = "x"
    MINE = "y"
    REGIONS = "g"  # the region filter's choices
    CATEGORIES = "k"  # the category filter's choices
    MAP = "p"  # the venue as a map pin
    CALENDAR = "i"  # the .ics file


# The region filter: the user's own region (the default), every region, or a region's code.
OWN_REGION = ""
ALL_REGIONS = "*"
# The category filter: every category, or a category's value.
ALL_CATEGORIES = ""
# action, event_id, period, page: what the button data held before the filters and companions.
_FIELDS_BEFORE_FILTERS = 4


class EventsCallback(CallbackData, prefix="ev"):
    action: EventsAction
    event_id: int = 0
    period: Period = Period.WEEK
    page: int = 0
    region: str = OWN_REGION
    category: str = ALL_CATEGORIES
    # Register: with this many companions; `wait`: join the waitlist even if some seats are free.
    companions: int = 0
    wait: bool = False

    @classmethod
    def unpack(cls, value: str) -> Self:
        """Also the buttons sent before the list had filters (`ev:<action>:<id>:<period>:<page>`, in
        chats and in outbox rows already delivered): they read with today's defaults."""
        if value.count(cls.__separator__) == _FIELDS_BEFORE_FILTERS:
            value += f":{OWN_REGION}:{ALL_CATEGORIES}:0:0"
        return super().unpack(value)


@dataclass(frozen=True, slots=True)
class EventFilters:
    """What the list shows, as its buttons carry it (checked: forged codes read as the defaults)."""

    period: Period = Period.WEEK
    region: str = OWN_REGION
    category: str = ALL_CATEGORIES

    @classmethod
    def of(cls, data: EventsCallback) -> EventFilters:
        region = data.region if data.region in REGIONS_BY_CODE or data.region == ALL_REGIONS else OWN_REGION
        category = data.category if data.category in Category.__members__.values() else ALL_CATEGORIES
        return cls(data.period, region, category)

    def region_code(self, own: str | None) -> str | None:
        """The region to list (None: all regions); the user's own by default (all if they have none)."""
        if self.region == ALL_REGIONS:
            return None
        return self.region or (own if own in REGIONS_BY_CODE else None)

    def data(self, action: EventsAction, **fields: object) -> EventsCallback:
        """Button data for `action` that keeps these filters."""
        values: dict[str, object] = {
            "period": self.period,
            "region": self.region,
            "category": self.category,
        }
        values.update(fields)
        return EventsCallback(action=action, **values)


def event_title(t: Translator, event: EventRecord) -> str:
    """The title in the reader's language, else the other one (one is enough for an organizer), as
    HTML."""
    return escape(plain_title(t, event))


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


def plain_title(t: Translator, event: EventRecord) -> str:
    """The title as plain text (a venue's title, a calendar entry), not HTML."""
    own, other = (event.title_ru, event.title_kk) if t.locale == "ru" else (event.title_kk, event.title_ru)
    return own or other or ""


def region_name(t: Translator, code: str) -> str:
    return t._(REGIONS_BY_CODE[code].name) if code in REGIONS_BY_CODE else code


_PERIOD_NAMES = {
    Period.WEEK: N_("this week"),
    Period.MONTH: N_("this month"),
    Period.ALL: N_("all dates"),
}
_PERIOD_BUTTONS = {
    Period.WEEK: N_("This week"),
    Period.MONTH: N_("This month"),
    Period.ALL: N_("All dates"),
}


def events_list_view(t: Translator, filters: EventFilters, own_region: str | None, page: EventPage) -> View:
    """Upcoming events as buttons, the filters in force, and buttons that change them."""
    shown = filters.region_code(own_region)
    lines = [
        t._("🌿 <b>Eco events</b>"),
        t._("Region: %(region)s")
        % {"region": escape(region_name(t, shown)) if shown else t._("all regions")},
        t._("When: %(period)s") % {"period": t._(_PERIOD_NAMES[filters.period])},
        t._("Category: %(category)s")
        % {
            "category": t._(CATEGORY_NAMES[Category(filters.category)])
            if filters.category
            else t._("all categories")
        },
    ]
    if page.page > 0:
        lines.append(t._("Page %(page)d") % {"page": page.page + 1})
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                t._("%(date)s · %(title)s")
                % {"date": t.day_time(event.starts_at), "title": event_title(t, event)},
                filters.data(EventsAction.CARD, event_id=event.id, page=page.page),
            )
        ]
        for event in page.events
    ]
    if not page.events:
        lines += ["", _nothing_found(t, filters, shown)]
        rows += [[widen] for widen in _widening_buttons(t, filters, shown)]
    paging: list[InlineKeyboardButton] = []
    if page.page > 0:
        paging.append(button(t._("⬅️ Earlier"), filters.data(EventsAction.LIST, page=page.page - 1)))
    if page.has_next:
        paging.append(button(t._("Later ➡️"), filters.data(EventsAction.LIST, page=page.page + 1)))
    if paging:
        rows.append(paging)
    rows.append(
        [
            button(
                _marked(t._(_PERIOD_BUTTONS[period]), period is filters.period),
                EventFilters(period, filters.region, filters.category).data(EventsAction.LIST),
            )
            for period in Period
        ]
    )
    rows.append(
        [
            button(t._("📍 Region"), filters.data(EventsAction.REGIONS)),
            button(t._("🏷 Category"), filters.data(EventsAction.CATEGORIES)),
        ]
    )
    rows.append(
        [button(t._("📋 My events"), EventsCallback(action=EventsAction.MINE)), back_button(t, Origin.MENU)]
    )
    keyboard = InlineKeyboardMarkup(inline_keyboard=rows)
    return View("\n".join(lines), keyboard)


def _marked(label: str, current: bool) -> str:
    return f"✓ {label}" if current else label


def _nothing_found(t: Translator, filters: EventFilters, shown: str | None) -> str:
    if filters.period is Period.ALL and shown is None and not filters.category:
        return t._("No upcoming events yet. Look again later.")
    return t._("No events match these filters. Widen them:")


def _widening_buttons(t: Translator, filters: EventFilters, shown: str | None) -> list[InlineKeyboardButton]:
    """A button for each filter that narrows the list: the same list without it."""
    buttons = []
    if filters.period is not Period.ALL:
        buttons.append(
            button(
                t._("🔎 All dates"),
                EventFilters(Period.ALL, filters.region, filters.category).data(EventsAction.LIST),
            )
        )
    if filters.category:
        buttons.append(
            button(
                t._("🔎 All categories"),
                EventFilters(filters.period, filters.region, ALL_CATEGORIES).data(EventsAction.LIST),
            )
        )
    if shown is not None:
        buttons.append(
            button(
                t._("🔎 All regions"),
                EventFilters(filters.period, ALL_REGIONS, filters.category).data(EventsAction.LIST),
            )
        )
    return buttons


def region_filter_view(t: Translator, filters: EventFilters, own_region: str | None) -> View:
    """The region filter's choices: the user's own, all, or any region."""

    def listing(region: str) -> EventsCallback:
        return EventFilters(filters.period, region, filters.category).data(EventsAction.LIST)

    keyboard = region_keyboard(t, listing)
    first: list[list[InlineKeyboardButton]] = []
    if own_region in REGIONS_BY_CODE:
        first.append(
            [
                button(
                    _marked(
                        t._("🏠 Your region: %(region)s") % {"region": region_name(t, own_region)},
                        filters.region == OWN_REGION,
                    ),
                    listing(OWN_REGION),
                )
            ]
        )
    first.append(
        [button(_marked(t._("🇰🇿 All regions"), filters.region == ALL_REGIONS), listing(ALL_REGIONS))]
    )
    back = button(t._("⬅️ Events"), filters.data(EventsAction.LIST))
    keyboard.inline_keyboard = [*first, *keyboard.inline_keyboard, [back]]
    return View(t._("📍 Events of which region?"), keyboard)


def category_filter_view(t: Translator, filters: EventFilters) -> View:
    """The category filter's choices: all, or one of the five."""

    def listing(category: str) -> EventsCallback:
        return EventFilters(filters.period, filters.region, category).data(EventsAction.LIST)

    buttons = [
        button(_marked(t._("All categories"), not filters.category), listing(ALL_CATEGORIES)),
        *(
            button(_marked(t._(name), filters.category == category), listing(category))
            for category, name in CATEGORY_NAMES.items()
        ),
    ]
    widths = (1, columns_that_fit([b.text for b in buttons[1:]], max_columns=2))
    keyboard = inline_keyboard(buttons, widths)
    keyboard.inline_keyboard.append([button(t._("⬅️ Events"), filters.data(EventsAction.LIST))])
    return View(t._("🏷 Events of which category?"), keyboard)


def event_card_view(
    t: Translator,
    event: EventRecord,
    mine: UserEvent | None,
    filters: EventFilters | None = None,
    page: int = 0,
    max_companions: int = 0,
) -> View:
    filters = filters or EventFilters()
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
    ids = {"event_id": event.id, "page": page}
    rows: list[list[InlineKeyboardButton]] = []
    if mine is None:
        full = event.seats_left == 0
        register = t._("⏳ Join the waitlist") if full else t._("✅ Register")
        rows.append([button(register, filters.data(EventsAction.REGISTER, **ids))])
        groups = [
            button(
                t.ngettext("+%(count)d companion", "+%(count)d companions", count) % {"count": count},
                filters.data(EventsAction.REGISTER, companions=count, **ids),
            )
            for count in range(1, max_companions + 1)
        ]
        width = columns_that_fit([b.text for b in groups], max_columns=3)
        rows += [groups[start : start + width] for start in range(0, len(groups), width)]
    else:
        rows.append([button(t._("❌ Cancel my registration"), filters.data(EventsAction.CANCEL, **ids))])
        if mine.registration.status == RegistrationStatus.REGISTERED:
            rows.append([button(t._("📅 Add to calendar"), filters.data(EventsAction.CALENDAR, **ids))])
    if event.latitude is not None and event.longitude is not None:
        rows.append([button(t._("📍 Map"), filters.data(EventsAction.MAP, **ids))])
    rows.append([button(t._("⬅️ Events"), filters.data(EventsAction.LIST, page=page))])
    keyboard = InlineKeyboardMarkup(inline_keyboard=rows)
    return View("\n".join(lines), keyboard)


def not_enough_seats_view(
    t: Translator, event: EventRecord, seats_left: int, companions: int, filters: EventFilters, page: int
) -> View:
    """A group bigger than the seats left: come with fewer, or join the waitlist as a group."""
    group = companions + 1
    text = t.ngettext(
        "<b>%(title)s</b>\nOnly %(count)d place is left: not enough for a group of %(group)d.",
        "<b>%(title)s</b>\nOnly %(count)d places are left: not enough for a group of %(group)d.",
        seats_left,
    ) % {"title": event_title(t, event), "count": seats_left, "group": group}
    text += "\n" + t._("Register fewer people, or join the waitlist with the whole group.")
    ids = {"event_id": event.id, "page": page}
    buttons = [button(t._("✅ Register alone"), filters.data(EventsAction.REGISTER, **ids))]
    buttons += [
        button(
            t.ngettext("✅ Register with %(count)d companion", "✅ Register with %(count)d companions", count)
            % {"count": count},
            filters.data(EventsAction.REGISTER, companions=count, **ids),
        )
        for count in range(1, seats_left)
    ]
    buttons.append(
        button(
            t.ngettext(
                "⏳ Join the waitlist: %(count)d place", "⏳ Join the waitlist: %(count)d places", group
            )
            % {"count": group},
            filters.data(EventsAction.REGISTER, companions=companions, wait=True, **ids),
        )
    )
    buttons.append(button(t._("⬅️ Back"), filters.data(EventsAction.CARD, **ids)))
    return View(text, inline_keyboard(buttons))


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
    if not outcome.created:  # a second tap: what the first one did stands
        if outcome.place_in_line is not None:
            return t._("You are already on the waitlist, place %(place)d.") % {"place": outcome.place_in_line}
        return t._("You are already registered.")
    if outcome.place_in_line is not None:
        return t._("⏳ All places are taken: you are on the waitlist, place %(place)d.") % {
            "place": outcome.place_in_line
        }
    companions = outcome.registration.companions
    if companions:
        return t.ngettext(
            "✅ You are registered, with %(count)d companion.",
            "✅ You are registered, with %(count)d companions.",
            companions,
        ) % {"count": companions}
    return t._("✅ You are registered.")


def calendar_caption(t: Translator) -> str:
    return t._("📅 Open this file to add the event to your calendar.")


def no_map_text(t: Translator) -> str:
    return t._("This event has no point on the map: see its address.")


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
    EventProblem.ALREADY_CANCELLED: N_("Your registration for this event is already cancelled."),
    EventProblem.CUTOFF_PASSED: N_(
        "It is too late to cancel: the event starts soon. Please tell the organizer."
    ),
}


def refusal_text(t: Translator, problem: EventProblem) -> str:
    return t._(_REFUSALS.get(problem, N_("This event is not available.")))
