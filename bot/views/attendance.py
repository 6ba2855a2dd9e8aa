"""The organizer's tools for one event: the registrants as a CSV file, the audiences to write to, the
attendance roster with tap-to-mark buttons and the hours picker; and the refusals. Button data carries
ids only; the service checks every press."""

from __future__ import annotations

import csv
import io
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.collation import sorted_by_alphabet
from bot.domain.attendance import COMMENT_MAX, HOURS_CHOICES, Attendance
from bot.domain.events import RegistrationStatus
from bot.i18n import N_, Translator
from bot.services.attendance import Roster, ToolProblem, VolunteerRecord
from bot.views import View, button, inline_keyboard
from bot.views.broadcasts import EventAudience, EventBroadcastStart
from bot.views.events import event_title
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from storage.repositories.attendance import Registrant
from storage.repositories.events import EventRecord, PeopleCounts

ROSTER_PAGE_SIZE = 8
# What a CSV cell must not start with: a spreadsheet would run it as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Mark(StrEnum):
    """The mark a roster button sets (what follows the one shown: ⬜ → ✅ → ❌ → ⬜)."""

    NONE = "u"
    ATTENDED = "a"
    NO_SHOW = "n"


MARK_ATTENDANCE = {Mark.NONE: None, Mark.ATTENDED: Attendance.ATTENDED, Mark.NO_SHOW: Attendance.NO_SHOW}
_NEXT_MARK = {None: Mark.ATTENDED, Attendance.ATTENDED: Mark.NO_SHOW, Attendance.NO_SHOW: Mark.NONE}
_MARK_ICONS = {None: "⬜", Attendance.ATTENDED: "✅", Attendance.NO_SHOW: "❌"}


class RosterCallback(CallbackData, prefix="ar"):
    event_id: int
    page: int = 0


class MarkCallback(CallbackData, prefix="am"):
    event_id: int
    registration_id: int
    mark: Mark
    page: int = 0


class HoursCallback(CallbackData, prefix="ah"):
    """minutes: -1 shows the choices, 0 credits the event's duration, else one of HOURS_CHOICES."""

    event_id: int
    minutes: int = -1


def person_name(person: Registrant) -> str:
    """How a volunteer is listed: their name, else their username, else their id."""
    return person.name or (f"@{person.username}" if person.username else f"#{person.user_id}")


# Export


def export_file_name(event: EventRecord, t: Translator) -> str:
    """ASCII only (some clients mangle other names): the event's id and its day."""
    return f"event-{event.id}-{event.starts_at.astimezone(t.tz):%Y-%m-%d}.csv"


def registrants_csv(t: Translator, registrants: list[Registrant]) -> bytes:
    """The registrants as CSV for a spreadsheet: UTF-8 with a BOM (Excel then reads Cyrillic right),
    `;` between cells (what Excel expects in Kazakh and Russian settings), times in the bot's zone."""
    # The live place in line: those still waiting, by the number each got on arrival (someone who took
    # an offer keeps their number but no longer waits).
    waiting = [person for person in registrants if person.status == RegistrationStatus.WAITLISTED]
    waiting.sort(key=lambda person: person.waitlist_number or 0)
    places = {person.registration_id: place for place, person in enumerate(waiting, start=1)}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            t._("Name"),
            t._("Telegram"),
            t._("Status"),
            t._("Companions"),
            t._("Registered at"),
            t._("Phone"),
            t._("Attendance"),
            t._("Still coming"),
        ]
    )
    for person in registrants:
        if person.status == RegistrationStatus.WAITLISTED:
            status = t._("waitlist, place %(place)d") % {"place": places.get(person.registration_id, 0)}
        else:
            status = t._("registered")
        attendance = ""
        if person.attendance == Attendance.ATTENDED:
            attendance = t._("attended")
        elif person.attendance == Attendance.NO_SHOW:
            attendance = t._("no-show")
        writer.writerow(
            [
                _cell(person.name or ""),
                _cell(f"t.me/{person.username}" if person.username else ""),
                status,
                person.companions,
                f"{person.registered_at.astimezone(t.tz):%Y-%m-%d %H:%M}",
                _cell(person.phone or ""),
                attendance,
                t._("yes") if person.confirmed_at is not None else "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """User text made inert for a spreadsheet: one that would start a formula gets a leading '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_caption(t: Translator, event: EventRecord, count: int) -> str:
    return t.ngettext(
        "📄 %(title)s: %(count)d person registered or in line.",
        "📄 %(title)s: %(count)d people registered or in line.",
        count,
    ) % {"title": event_title(t, event), "count": count}


def nobody_registered_text(t: Translator) -> str:
    return t._("Nobody has registered for this event yet.")


# Message to the event's people


def audiences_view(t: Translator, event: EventRecord, counts: PeopleCounts) -> View:
    text = t._("✉️ <b>%(title)s</b>\nWhom to write to?") % {"title": event_title(t, event)}
    choices = (
        (EventAudience.REGISTERED, t._("Registered: %(count)d"), counts.registered),
        (EventAudience.WAITLIST, t._("On the waitlist: %(count)d"), counts.waitlisted),
        (EventAudience.ATTENDED, t._("Attended: %(count)d"), counts.attended),
    )
    buttons = [
        button(label % {"count": count}, EventBroadcastStart(event_id=event.id, audience=audience))
        for audience, label, count in choices
    ]
    buttons.append(_back_to_event(t, event.id))
    return View(text, inline_keyboard(buttons))


# Attendance


def duration_text(t: Translator, minutes: int) -> str:
    """A time as people say it: 3 hours, 1 hour 30 minutes, 45 minutes, 0 hours (in plural forms)."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours or not rest:  # nothing yet reads "0 hours"
        parts.append(t.ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if rest:
        parts.append(t.ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest})
    return " ".join(parts)


def roster_view(t: Translator, roster: Roster, page: int = 0) -> View:
    people = sorted_by_alphabet(roster.people, person_name, t.locale)
    pages = max((len(people) + ROSTER_PAGE_SIZE - 1) // ROSTER_PAGE_SIZE, 1)
    page = min(max(page, 0), pages - 1)
    event_id = roster.event.id
    lines = [
        t._("📋 <b>Attendance: %(title)s</b>") % {"title": event_title(t, roster.event)},
        t._("Tap a name to mark it: ⬜ not marked → ✅ came → ❌ did not come."),
        t._("👍 said the day before that they are still coming."),
        t._("Came: %(attended)d · Did not come: %(no_show)d · Not marked: %(unmarked)d")
        % {
            "attended": roster.count(Attendance.ATTENDED),
            "no_show": roster.count(Attendance.NO_SHOW),
            "unmarked": roster.count(None),
        },
        _hours_line(t, roster),
    ]
    if not people:
        lines.append(t._("Nobody is registered for this event."))
    rows: list[list[InlineKeyboardButton]] = []
    for person in people[page * ROSTER_PAGE_SIZE : (page + 1) * ROSTER_PAGE_SIZE]:
        attendance = Attendance(person.attendance) if person.attendance else None
        label = f"{_MARK_ICONS[attendance]} {person_name(person)}"
        if person.companions:
            label += f" (+{person.companions})"
        if person.confirmed_at is not None:
            label += " 👍"  # said "yes" to "still coming?"
        data = MarkCallback(
            event_id=event_id,
            registration_id=person.registration_id,
            mark=_NEXT_MARK[attendance],
            page=page,
        )
        rows.append([button(label, data)])
    paging = []
    if page > 0:
        paging.append(button(t._("⬅️ Earlier"), RosterCallback(event_id=event_id, page=page - 1)))
    if page + 1 < pages:
        paging.append(button(t._("Later ➡️"), RosterCallback(event_id=event_id, page=page + 1)))
    if paging:
        rows.append(paging)
    rows.append([button(t._("⏱ Hours"), HoursCallback(event_id=event_id)), _back_to_event(t, event_id)])
    if pages > 1:
        lines.append(t._("Page %(page)d of %(pages)d") % {"page": page + 1, "pages": pages})
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def _hours_line(t: Translator, roster: Roster) -> str:
    if roster.volunteer_minutes is None:
        return t._("Each attendee gets %(hours)s (the event's duration).") % {
            "hours": duration_text(t, roster.credited_minutes)
        }
    return t._("Each attendee gets %(hours)s.") % {"hours": duration_text(t, roster.credited_minutes)}


def hours_view(t: Translator, roster: Roster) -> View:
    event = roster.event
    duration = int((event.ends_at - event.starts_at).total_seconds() // 60)
    current = roster.volunteer_minutes

    def label(text: str, minutes: int | None) -> str:
        return ("• " if minutes == current else "") + text

    buttons = [
        button(
            label(t._("The event's duration: %(hours)s") % {"hours": duration_text(t, duration)}, None),
            HoursCallback(event_id=event.id, minutes=0),
        ),
        *(
            button(
                label(duration_text(t, minutes), minutes), HoursCallback(event_id=event.id, minutes=minutes)
            )
            for minutes in HOURS_CHOICES
        ),
        button(t._("⬅️ Attendance"), RosterCallback(event_id=event.id)),
    ]
    text = t._("⏱ How much time does each attendee of <b>%(title)s</b> get in their profile?") % {
        "title": event_title(t, event)
    }
    return View(text, inline_keyboard(buttons, (1, 2)))


def hours_saved_text(t: Translator) -> str:
    return t._("✅ Hours saved.")


def _back_to_event(t: Translator, event_id: int) -> InlineKeyboardButton:
    return button(t._("⬅️ Event"), OrganizerEventCallback(event_id=event_id, action=OrganizerAction.OPEN))


# The volunteer's record, in their profile


def record_lines(t: Translator, record: VolunteerRecord) -> list[str]:
    return [
        t._("Events attended: %(count)d") % {"count": record.events_attended},
        t._("Hours volunteered: %(hours)s") % {"hours": duration_text(t, record.minutes)},
        t._("Did not come in the last 90 days: %(count)d") % {"count": record.recent_no_shows},
    ]


# Refusals

_REFUSALS = {
    ToolProblem.NO_SUCH_EVENT: N_("This event is not available."),
    ToolProblem.NOT_ALLOWED: N_("Only the event's organizer and admins can do this."),
    ToolProblem.NOT_STARTED: N_("Attendance is marked once the event has started."),
    ToolProblem.NOT_FINISHED: N_("Ratings come once the event has ended."),
    ToolProblem.EVENT_CANCELLED: N_("This event is cancelled."),
    ToolProblem.NOT_ON_ROSTER: N_("This volunteer is no longer registered for the event."),
    ToolProblem.BAD_HOURS: N_("Choose the hours with the buttons."),
    ToolProblem.NOT_ATTENDED: N_("Only those who attended the event can rate it."),
    ToolProblem.BAD_SCORE: N_("Choose from 1 to 5 with the buttons."),
    ToolProblem.NOT_RATED: N_("First rate the event with the buttons."),
    ToolProblem.COMMENT_EMPTY: N_("The comment is empty. Send it as text, or press Skip."),
}


def tool_refusal_text(t: Translator, problem: ToolProblem) -> str:
    if problem is ToolProblem.COMMENT_TOO_LONG:
        return t.ngettext(
            "That is too long: a comment can have at most %(max)d character.",
            "That is too long: a comment can have at most %(max)d characters.",
            COMMENT_MAX,
        ) % {"max": COMMENT_MAX}
    return t._(_REFUSALS.get(problem, N_("This event is not available.")))
