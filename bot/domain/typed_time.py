"""A date and time as people type them in the bot (an event's start, a broadcast's), read in the bot's
time zone: the one reader for every such question, so that they all take the same forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_TIME_PART = r"(\d{1,2})[:.](\d{2})"
_DATE_PART = r"(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?"


def read_typed_time(text: str, tz: ZoneInfo, now: datetime, day: datetime | None = None) -> datetime | None:
    """The moment typed, in `tz`, as UTC; None if it cannot be read.

    Takes `28.11.2026 10:00` (also with `/` or `-`, a comma, a two-digit year), `2026-11-28 10:00`, the
    time first, and a time alone when `day` says which day it is on. Without a year: this year's date,
    or next year's once this year's day has gone (`10.01` typed in December); a moment earlier today
    stays today's, for the caller to say it has passed rather than move it a year on."""
    text = " ".join(text.replace(",", " ").split())
    numbers: tuple[int, ...] | None = None
    if match := re.fullmatch(rf"{_DATE_PART} {_TIME_PART}", text):
        day_, month, year, hour, minute = match.groups()
        numbers = (_year(year), int(month), int(day_), int(hour), int(minute))
    elif match := re.fullmatch(rf"{_TIME_PART} {_DATE_PART}", text):
        hour, minute, day_, month, year = match.groups()
        numbers = (_year(year), int(month), int(day_), int(hour), int(minute))
    elif match := re.fullmatch(rf"(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?: |T){_TIME_PART}", text):
        numbers = tuple(int(part) for part in match.groups())
    elif day is not None and (match := re.fullmatch(_TIME_PART, text)):
        local_day = day.astimezone(tz)
        numbers = (local_day.year, local_day.month, local_day.day, *(int(part) for part in match.groups()))
    if numbers is None:
        return None
    year_, month_, day_number, hour_, minute_ = numbers
    today = now.astimezone(tz).date()
    try:
        moment = datetime(year_ or today.year, month_, day_number, hour_, minute_, tzinfo=tz)
        if not year_ and moment.date() < today:
            moment = moment.replace(year=moment.year + 1)
    except ValueError:  # 31.02, 25:00, or 29.02 with no such day next year
        return None
    return moment.astimezone(UTC)


def _year(text: str | None) -> int:
    if not text:
        return 0
    return int(text) + 2000 if len(text) == 2 else int(text)
