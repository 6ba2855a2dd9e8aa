"""Attendance and ratings: the marks an organizer gives, and the rules that need no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Attendance(StrEnum):
    """How an organizer marked a registered volunteer after the start (unmarked: no mark)."""

    ATTENDED = "attended"
    NO_SHOW = "no_show"


# What the organizer may credit each attendee with (minutes), besides the event's duration.
HOURS_CHOICES = (60, 90, 120, 180, 240, 300, 360, 480)
SCORES = range(1, 6)
COMMENT_MAX = 500
# Attendees are asked to rate an event that ended within this; later the question would be stale.
RATING_WINDOW = timedelta(days=14)
NO_SHOW_WINDOW = timedelta(days=90)


def credited_minutes(starts_at: datetime, ends_at: datetime, volunteer_minutes: int | None) -> int:
    """The minutes an attended event counts: what its organizer set, else its duration."""
    if volunteer_minutes is not None:
        return volunteer_minutes
    return max(int((ends_at - starts_at).total_seconds() // 60), 0)
