"""An event as an iCalendar file (RFC 5545) that a registered volunteer adds to their calendar.

Times are written in UTC (`…Z`): exact whatever zone the reader's calendar is in, with no VTIMEZONE
to get wrong (Kazakhstan's offset changed in 2024). The UID is stable per event, so downloading the
file again updates the entry instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.events import CATEGORY_NAMES, Category, EventStatus
from bot.i18n import Translator
from bot.views.events import plain_title
from storage.repositories.events import EventRecord

# RFC 5545 3.1: lines longer than 75 octets are folded (CRLF and one space).
LINE_OCTETS = 75
# A reminder this long before the start, in the calendar (the bot reminds too).
ALARM_BEFORE = "-PT2H"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """The content line folded into pieces of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    piece, size, limit = "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            pieces.append(piece)
            piece, size, limit = "", 0, LINE_OCTETS - 1  # a continuation starts with a space
        piece += char
        size += octets
    pieces.append(piece)
    return "\r\n ".join(pieces)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_file_name(event: EventRecord) -> str:
    return f"belsendi-event-{event.id}.ics"


def event_uid(event: EventRecord) -> str:
    """The same for every download of one event, and unlike any other event's (ids may repeat
    across installations; their creation times hardly)."""
    return f"event-{event.id}-{utc_stamp(event.created_at)}@belsendi"


def event_calendar(t: Translator, event: EventRecord, *, stamp: datetime, link: str | None = None) -> bytes:
    """The event as a one-event calendar in the reader's language; `stamp` is when it was made."""
    title = plain_title(t, event)
    own, other = (
        (event.description_ru, event.description_kk)
        if t.locale == "ru"
        else (event.description_kk, event.description_ru)
    )
    about = [
        t._(CATEGORY_NAMES[Category(event.category)]),
        own or other or "",
        t._("Contact: %(contact)s") % {"contact": event.contact},
        link or "",
    ]
    properties = [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", "-//Belsendi//Eco events//" + t.locale.upper()),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("BEGIN", "VEVENT"),
        ("UID", event_uid(event)),
        ("DTSTAMP", utc_stamp(stamp)),
        ("DTSTART", utc_stamp(event.starts_at)),
        ("DTEND", utc_stamp(event.ends_at)),
        ("SUMMARY", escape_text(title)),
        ("LOCATION", escape_text(f"{event.city}, {event.address}")),
        ("DESCRIPTION", escape_text("\n\n".join(part for part in about if part))),
        ("STATUS", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"),
    ]
    if event.latitude is not None and event.longitude is not None:
        properties.append(("GEO", f"{event.latitude:.6f};{event.longitude:.6f}"))
    if link:
        properties.append(("URL", link))
    properties += [
        ("BEGIN", "VALARM"),
        ("ACTION", "DISPLAY"),
        ("TRIGGER", ALARM_BEFORE),
        ("DESCRIPTION", escape_text(title)),
        ("END", "VALARM"),
        ("END", "VEVENT"),
        ("END", "VCALENDAR"),
    ]
    return "".join(fold(f"{name}:{value}") + "\r\n" for name, value in properties).encode()
