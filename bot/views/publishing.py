"""Publishing events: the organizer's list and event screen, the create / edit dialog's questions, the
preview, and the notices volunteers get when an event they hold a place at changes or is cancelled.
Button data carries ids and short codes only; the service checks every press."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.domain.events import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    CATEGORY_NAMES,
    CUTOFF_HOURS_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Category,
    EventStatus,
    effective_status,
)
from bot.domain.regions import REGIONS_BY_CODE
from bot.i18n import N_, Translator
from bot.services.events import EventProblem
from bot.services.publishing import CREATE_STEPS, SKIPPABLE, OrganizedPage, Step
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.events import EventsAction, EventsCallback, event_title
from bot.views.menu import Origin, back_button
from bot.views.onboarding import region_keyboard
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from storage.repositories.events import EventRecord
from storage.repositories.publishing import OrganizedEvent


class OrganizedAction(StrEnum):
    LIST = "l"
    NEW = "n"


class OrganizedCallback(CallbackData, prefix="og"):
    """The organizer's list of events (a page of it), or a new event."""

    action: OrganizedAction = OrganizedAction.LIST
    page: int = 0


class StepAction(StrEnum):
    SKIP = "s"
    CHOOSE = "c"  # a category or a region: `value`


class StepCallback(CallbackData, prefix="ps"):
    """A button of one question of the dialog; counts only while that question is open."""

    step: Step
    action: StepAction
    value: str = ""


class PreviewChoice(StrEnum):
    PUBLISH = "p"
    DRAFT = "d"
    DROP = "x"


class PreviewCallback(CallbackData, prefix="pp"):
    choice: PreviewChoice


class EditFieldCallback(CallbackData, prefix="pe"):
    event_id: int
    step: Step


class ManageAction(StrEnum):
    PUBLISH = "p"
    CANCEL = "c"  # confirmed, without a reason


class ManageCallback(CallbackData, prefix="pm"):
    event_id: int
    action: ManageAction


_STATUS_LINES = {
    EventStatus.DRAFT: N_("Status: a draft, volunteers do not see it yet"),
    EventStatus.PUBLISHED: N_("Status: published"),
    EventStatus.CANCELLED: N_("Status: cancelled"),
    EventStatus.FINISHED: N_("Status: over"),
}
_STATUS_MARKS = {
    EventStatus.DRAFT: "📝",
    EventStatus.PUBLISHED: "📢",
    EventStatus.CANCELLED: "✖️",
    EventStatus.FINISHED: "🏁",
}


def organizer_menu_button(t: Translator) -> InlineKeyboardButton:
    return button(t._("🗂 Events I organize"), OrganizedCallback())


def organized_list_view(t: Translator, page: OrganizedPage, now: datetime) -> View:
    text = t._("🗂 <b>Events I organize</b>")
    if page.everyone:
        text += "\n" + t._("As an admin you see every organizer's events.")
    if not page.items:
        text += "\n" + t._("No events yet: create the first one.")
    buttons = []
    for item in page.items:
        status = effective_status(item.event.status, item.event.ends_at, now)
        label = t._("%(mark)s %(date)s · %(title)s · 👥 %(registered)d · ⏳ %(waitlisted)d") % {
            "mark": _STATUS_MARKS[status],
            "date": t.day_time(item.event.starts_at),
            "title": _plain_title(t, item.event),
            "registered": item.registered,
            "waitlisted": item.waitlisted,
        }
        if page.everyone:  # whose event it is (a button's label is plain text: nothing to escape)
            label += " · 👤 " + (item.organizer_name or str(item.event.organizer_id))
        buttons.append(button(label, OrganizerEventCallback(event_id=item.event.id)))
    rows = [[b] for b in buttons]
    paging = []
    if page.page > 0:
        paging.append(button(t._("⬅️ Earlier"), OrganizedCallback(page=page.page - 1)))
    if page.has_next:
        paging.append(button(t._("Later ➡️"), OrganizedCallback(page=page.page + 1)))
    if paging:
        rows.append(paging)
    rows.append([button(t._("➕ New event"), OrganizedCallback(action=OrganizedAction.NEW))])
    rows.append([back_button(t, Origin.MENU)])
    markup = inline_keyboard([])
    markup.inline_keyboard = rows
    return View(text, markup)


def _plain_title(t: Translator, event: EventRecord) -> str:
    """The title for a button's label, which Telegram shows as plain text (never HTML)."""
    own, other = (event.title_ru, event.title_kk) if t.locale == "ru" else (event.title_kk, event.title_ru)
    return own or other or ""


def organizer_event_view(
    t: Translator, organized: OrganizedEvent, now: datetime, notice: str | None = None
) -> View:
    """One of the organizer's events: what it is, who is coming, and what can be done with it."""
    event = organized.event
    status = effective_status(event.status, event.ends_at, now)
    if event.capacity is None:
        places = t._("Places: no limit")
    else:
        places = t._("Places taken: %(taken)d of %(capacity)d") % {
            "taken": event.taken_seats,
            "capacity": event.capacity,
        }
    lines = [
        f"<b>{event_title(t, event)}</b>",
        t._(_STATUS_LINES[status]),
        t._("Starts: %(start)s") % {"start": t.date_time(event.starts_at)},
        t._("Ends: %(end)s") % {"end": t.date_time(event.ends_at)},
        t._("Address: %(city)s, %(address)s")
        % {"city": escape(event.city), "address": escape(event.address)},
        places,
        t._("Registered: %(registered)d · Waitlist: %(waitlisted)d")
        % {"registered": organized.registered, "waitlisted": organized.waitlisted},
    ]
    if organized.confirmed:
        lines.append(
            t._("👍 Said they are still coming: %(count)d of %(registered)d")
            % {"count": organized.confirmed, "registered": organized.registered}
        )
    if notice:
        lines = [notice, "", *lines]

    def action(label: str, what: OrganizerAction) -> InlineKeyboardButton:
        return button(label, OrganizerEventCallback(event_id=event.id, action=what))

    buttons = []
    if status is EventStatus.DRAFT:
        buttons.append(
            button(t._("📢 Publish"), ManageCallback(event_id=event.id, action=ManageAction.PUBLISH))
        )
    open_ = status is EventStatus.DRAFT or (status is EventStatus.PUBLISHED and now < event.starts_at)
    if open_:
        buttons.append(action(t._("✏️ Edit"), OrganizerAction.EDIT))
    buttons.append(action(t._("📄 Duplicate"), OrganizerAction.DUPLICATE))
    buttons.append(action(t._("📥 Export the list"), OrganizerAction.EXPORT))
    buttons.append(action(t._("✉️ Message volunteers"), OrganizerAction.MESSAGE))
    if status is not EventStatus.DRAFT and status is not EventStatus.CANCELLED and now >= event.starts_at:
        buttons.append(action(t._("✅ Attendance"), OrganizerAction.ATTENDANCE))
    if status is EventStatus.FINISHED:
        buttons.append(action(t._("⭐ Ratings"), OrganizerAction.RATINGS))
    if open_:
        buttons.append(action(t._("✖️ Cancel the event"), OrganizerAction.CANCEL))
    buttons.append(button(t._("⬅️ Events I organize"), OrganizedCallback()))
    return View("\n".join(lines), inline_keyboard(buttons, (2,)))


# The dialog

_PROMPTS = {
    Step.TITLE_KK: N_(
        "📝 The title in Kazakh, up to %(title_max)d characters. Skip it if the event will have a "
        "Russian title only."
    ),
    Step.TITLE_RU: N_(
        "📝 The title in Russian, up to %(title_max)d characters. Skip it if the Kazakh one is enough."
    ),
    Step.DESCRIPTION_KK: N_(
        "📄 A description in Kazakh: what volunteers will do, what to bring (up to %(description_max)d "
        "characters). Or skip it."
    ),
    Step.DESCRIPTION_RU: N_("📄 A description in Russian, up to %(description_max)d characters. Or skip it."),
    Step.CATEGORY: N_("🏷 Choose the category."),
    Step.REGION: N_("📍 Choose the region."),
    Step.CITY: N_("🏙 The city or village."),
    Step.ADDRESS: N_("🏠 The address or the meeting point."),
    Step.MAP: N_("🗺 Share the meeting point on the map (📎 → Location), or skip it."),
    Step.STARTS: N_(
        "🕙 When does it start? Send the date and time in Kazakhstan time, like 28.11.2026 10:00."
    ),
    Step.ENDS: N_(
        "🕛 When does it end? Send the date and time, like 28.11.2026 13:00, or the time alone if it "
        "ends the same day: 13:00."
    ),
    Step.CAPACITY: N_(
        "👥 How many volunteers can take part (%(capacity_min)d–%(capacity_max)d)? Skip it if there is "
        "no limit."
    ),
    Step.DEADLINE: N_(
        "⏳ Until when can volunteers register? Send the date and time, like 27.11.2026 18:00, or skip "
        "it: until the start."
    ),
    Step.CUTOFF: N_(
        "🚫 How many hours before the start does cancelling close (0–%(cutoff_max)d)? Skip it: "
        "volunteers can cancel until the start."
    ),
    Step.CONTACT: N_("☎️ A contact for volunteers: a phone number or a Telegram username."),
}

_LIMITS = {
    "title_max": TITLE_MAX,
    "description_max": DESCRIPTION_MAX,
    "capacity_min": CAPACITY_MIN,
    "capacity_max": CAPACITY_MAX,
    "cutoff_max": CUTOFF_HOURS_MAX,
}

_FIELD_NAMES = {
    Step.TITLE_KK: N_("Title in Kazakh"),
    Step.TITLE_RU: N_("Title in Russian"),
    Step.DESCRIPTION_KK: N_("Description in Kazakh"),
    Step.DESCRIPTION_RU: N_("Description in Russian"),
    Step.CATEGORY: N_("Category"),
    Step.REGION: N_("Region and city"),
    Step.ADDRESS: N_("Address"),
    Step.MAP: N_("Map point"),
    Step.STARTS: N_("Start and end"),
    Step.CAPACITY: N_("Places"),
    Step.DEADLINE: N_("Registration deadline"),
    Step.CUTOFF: N_("Cancellation cutoff"),
    Step.CONTACT: N_("Contact"),
}


def current_value(t: Translator, step: Step, event: EventRecord) -> str:
    """What the event has now for the field a question asks, as the organizer reads it."""
    if step is Step.CATEGORY:
        return t._(CATEGORY_NAMES[Category(event.category)])
    if step is Step.REGION:
        region = REGIONS_BY_CODE.get(event.region)
        return t._(region.name) if region else event.region
    if step is Step.MAP:
        return _point(t, None if event.latitude is None else [event.latitude, event.longitude])
    if step is Step.STARTS:
        return t.date_time(event.starts_at)
    if step is Step.ENDS:
        return t.date_time(event.ends_at)
    if step is Step.DEADLINE:
        return t.date_time(event.registration_deadline)
    value = {
        Step.TITLE_KK: event.title_kk,
        Step.TITLE_RU: event.title_ru,
        Step.DESCRIPTION_KK: event.description_kk,
        Step.DESCRIPTION_RU: event.description_ru,
        Step.CITY: event.city,
        Step.ADDRESS: event.address,
        Step.CONTACT: event.contact,
        Step.CAPACITY: event.capacity,
        Step.CUTOFF: event.cancellation_cutoff_hours,
    }[step]
    return t._("none") if value is None else escape(str(value))


def step_view(
    t: Translator,
    step: Step,
    *,
    editing: int | None = None,
    region: str | None = None,
    current: str | None = None,
) -> View:
    """A question of the dialog: creating (with its number), or editing event `editing` (with a way
    back to it, and the `current` value). `region`: the organizer's, offered first."""
    question = t._(_PROMPTS[step]) % _LIMITS
    if current is not None:
        question += "\n" + t._("Now: %(value)s") % {"value": current}
    if editing is None:
        heading = t._("New event, step %(step)d of %(total)d") % {
            "step": CREATE_STEPS.index(step) + 1,
            "total": len(CREATE_STEPS),
        }
    else:
        heading = t._("✏️ Editing the event")
    text = f"<i>{heading}</i>\n{question}\n\n" + t._("Send /cancel to stop.")
    buttons: list[InlineKeyboardButton] = []
    if step is Step.CATEGORY:
        buttons += [
            button(
                t._(CATEGORY_NAMES[category]),
                StepCallback(step=step, action=StepAction.CHOOSE, value=category),
            )
            for category in Category
        ]
    if step in SKIPPABLE:
        buttons.append(button(t._("⏭ Skip"), StepCallback(step=step, action=StepAction.SKIP)))
    if editing is not None:
        buttons.append(button(t._("⬅️ Back"), OrganizerEventCallback(event_id=editing)))
    if step is Step.REGION:
        regions = region_keyboard(
            t, lambda code: StepCallback(step=step, action=StepAction.CHOOSE, value=code)
        )
        rows = list(regions.inline_keyboard)
        if region in REGIONS_BY_CODE:
            own = StepCallback(step=step, action=StepAction.CHOOSE, value=region)
            rows.insert(
                0, [button(t._("📍 %(region)s") % {"region": t._(REGIONS_BY_CODE[region].name)}, own)]
            )
        rows += [[b] for b in buttons]
        regions.inline_keyboard = rows
        return View(text, regions)
    return View(text, inline_keyboard(buttons) if buttons else None)


def preview_prompt_view(t: Translator) -> View:
    return View(
        t._("👁 This is how volunteers will see it. Publish it now, or save it as a draft to publish later?"),
        inline_keyboard(
            [
                button(t._("📢 Publish"), PreviewCallback(choice=PreviewChoice.PUBLISH)),
                button(t._("💾 Save as a draft"), PreviewCallback(choice=PreviewChoice.DRAFT)),
                button(t._("✖️ Drop it"), PreviewCallback(choice=PreviewChoice.DROP)),
            ]
        ),
    )


def edit_fields_view(t: Translator, event: EventRecord) -> View:
    buttons = [
        button(t._(name), EditFieldCallback(event_id=event.id, step=step))
        for step, name in _FIELD_NAMES.items()
    ]
    buttons.append(button(t._("⬅️ Back"), OrganizerEventCallback(event_id=event.id)))
    return View(
        t._("✏️ <b>%(title)s</b>\nWhat should change?") % {"title": event_title(t, event)},
        inline_keyboard(buttons, (2,)),
    )


def cancel_confirm_view(t: Translator, organized: OrganizedEvent) -> View:
    people = organized.registered + organized.waitlisted
    text = t._("✖️ Cancel <b>%(title)s</b>?") % {"title": event_title(t, organized.event)}
    text += "\n" + t.ngettext(
        "%(count)d registered or waiting volunteer will be told.",
        "%(count)d registered or waiting volunteers will be told.",
        people,
    ) % {"count": people}
    text += "\n" + t._("Send the reason in one message (they will see it), or cancel without a reason.")
    event_id = organized.event.id
    return View(
        text,
        inline_keyboard(
            [
                button(
                    t._("✖️ Cancel without a reason"),
                    ManageCallback(event_id=event_id, action=ManageAction.CANCEL),
                ),
                button(t._("⬅️ Back"), OrganizerEventCallback(event_id=event_id)),
            ]
        ),
    )


def saved_text(t: Translator) -> str:
    return t._("✅ Saved.")


def published_text(t: Translator) -> str:
    return t._("📢 Published: volunteers can register now.")


def draft_saved_text(t: Translator) -> str:
    return t._("💾 Saved as a draft. Publish it when it is ready.")


def duplicated_text(t: Translator) -> str:
    return t._("📄 This is a copy, saved as a draft: change its dates, then publish it.")


def cancelled_event_text(t: Translator, notified: int) -> str:
    return t.ngettext(
        "✖️ The event is cancelled; %(count)d volunteer will be told.",
        "✖️ The event is cancelled; %(count)d volunteers will be told.",
        notified,
    ) % {"count": notified}


def changed_text(t: Translator, notified: int) -> str:
    if not notified:
        return saved_text(t)
    return t.ngettext(
        "✅ Saved; %(count)d volunteer will be told what changed.",
        "✅ Saved; %(count)d volunteers will be told what changed.",
        notified,
    ) % {"count": notified}


def dropped_text(t: Translator) -> str:
    return t._("Dropped: nothing was saved. Send /menu to continue.")


def choose_with_buttons_text(t: Translator) -> str:
    return t._("Please choose with the buttons above, or send /cancel.")


def location_expected_text(t: Translator) -> str:
    return t._("Share a location (📎 → Location), skip it, or send /cancel.")


_PROBLEMS = {
    EventProblem.TITLE_MISSING: N_("The event needs a title in at least one language."),
    EventProblem.TITLE_TOO_LONG: N_("The title is too long: at most %(title_max)d characters."),
    EventProblem.DESCRIPTION_TOO_LONG: N_(
        "The description is too long: at most %(description_max)d characters."
    ),
    EventProblem.TEXT_TOO_LONG: N_("Too long: please make it shorter."),
    EventProblem.PLACE_MISSING: N_("The city and the address cannot be empty."),
    EventProblem.CONTACT_MISSING: N_("The contact cannot be empty."),
    EventProblem.UNKNOWN_CATEGORY: N_("Please choose with the buttons above, or send /cancel."),
    EventProblem.UNKNOWN_REGION: N_("Please choose with the buttons above, or send /cancel."),
    EventProblem.BAD_MAP_POINT: N_("This map point cannot be used: share another location, or skip it."),
    EventProblem.START_IN_PAST: N_("This moment has already passed: the start must be in the future."),
    EventProblem.END_BEFORE_START: N_("The end must be after the start."),
    EventProblem.CAPACITY_OUT_OF_RANGE: N_(
        "The number of places must be from %(capacity_min)d to %(capacity_max)d."
    ),
    EventProblem.DEADLINE_AFTER_START: N_("Registration must close no later than the start."),
    EventProblem.CUTOFF_OUT_OF_RANGE: N_("The number of hours must be from 0 to %(cutoff_max)d."),
    EventProblem.BAD_TIME: N_(
        "We could not read this date and time. Send it as day.month.year hours:minutes in Kazakhstan "
        "time, like 28.11.2026 10:00."
    ),
    EventProblem.BAD_NUMBER: N_("Please send a whole number, like 30."),
    EventProblem.CAPACITY_BELOW_TAKEN: N_(
        "More places than that are already taken: the number cannot be smaller."
    ),
    EventProblem.NOT_ALLOWED: N_("Only the event's organizer and admins can do this."),
    EventProblem.NO_SUCH_EVENT: N_("This event is not available."),
    EventProblem.EVENT_CANCELLED: N_("This event is cancelled."),
    EventProblem.EVENT_STARTED: N_("This event has already started."),
    EventProblem.ALREADY_PUBLISHED: N_("This event is already published."),
}


def problem_text(t: Translator, problem: EventProblem) -> str:
    """Why what the organizer sent or pressed was refused."""
    return t._(_PROBLEMS.get(problem, N_("This event is not available."))) % _LIMITS


# The notices volunteers get (rendered by the sender from the row's params only)


def _title(t: Translator, params: Mapping[str, Any]) -> str:
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    return escape(str(params.get(own) or params.get(other) or ""))


def _card_button(t: Translator, params: Mapping[str, Any]) -> InlineKeyboardButton:
    return button(
        t._("Open the event"), EventsCallback(action=EventsAction.CARD, event_id=int(params["event_id"]))
    )


def _point(t: Translator, point: object) -> str:
    if not isinstance(point, list) or len(point) != 2:  # latitude and longitude
        return t._("none")
    return f"{float(point[0]):.5f}, {float(point[1]):.5f}"


def event_changed_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To a registered or waiting volunteer: what changed in the event, old → new."""
    changes: Mapping[str, Any] = params.get("changes") or {}
    lines = [t._("✏️ <b>%(title)s</b> has changed:") % {"title": _title(t, params)}]
    for name, label in (
        ("starts_at", N_("Start: %(old)s → %(new)s")),
        ("ends_at", N_("End: %(old)s → %(new)s")),
    ):
        if name in changes:
            old, new = (datetime.fromisoformat(str(moment)) for moment in changes[name])
            lines.append(t._(label) % {"old": t.date_time(old), "new": t.date_time(new)})
    if "place" in changes:
        old_place, new_place = changes["place"]
        lines.append(
            t._("Place: %(old)s → %(new)s") % {"old": escape(str(old_place)), "new": escape(str(new_place))}
        )
    if "map" in changes:
        old_point, new_point = changes["map"]
        lines.append(
            t._("Map point: %(old)s → %(new)s") % {"old": _point(t, old_point), "new": _point(t, new_point)}
        )
    lines.append(t._("Your registration stays as it was."))
    return View("\n".join(lines), inline_keyboard([_card_button(t, params)]))


def event_cancelled_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To a registered or waiting volunteer: the event is cancelled (with the organizer's reason)."""
    text = t._("✖️ <b>%(title)s</b> (%(when)s) is cancelled by the organizer.") % {
        "title": _title(t, params),
        "when": t.day_time(datetime.fromisoformat(str(params["starts_at"]))),
    }
    reason = params.get("reason")
    if isinstance(reason, str) and reason:
        text += "\n" + t._("Reason: %(reason)s") % {"reason": escape(reason)}
    text += "\n" + t._("Your registration is cancelled; nothing else needs to be done.")
    return View(text)
