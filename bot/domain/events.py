"""Eco events: their categories and statuses, and the rules that need no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.i18n import N_


class Category(StrEnum):
    CLEANUP = "cleanup"
    TREE_PLANTING = "tree_planting"
    RECYCLING = "recycling"
    ECO_LESSON = "eco_lesson"
    OTHER = "other"


CATEGORY_NAMES = {
    Category.CLEANUP: N_("Clean-up"),
    Category.TREE_PLANTING: N_("Tree planting"),
    Category.RECYCLING: N_("Recycling"),
    Category.ECO_LESSON: N_("Eco lesson"),
    Category.OTHER: N_("Other"),
}


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class OfferStatus(StrEnum):
    """A waitlist offer's state: open (seats held) until accepted, declined, expired or withdrawn (the
    volunteer left the line)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


# Active registrations hold a place (a seat or a place in line); cancelled ones hold nothing.
ACTIVE_REGISTRATIONS = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
CITY_MAX = 64
ADDRESS_MAX = 255
CONTACT_MAX = 255
EXTERNAL_ID_MAX = 64
CAPACITY_MIN = 1
CAPACITY_MAX = 10_000
CUTOFF_HOURS_MAX = 24 * 14
DEFAULT_MAX_COMPANIONS = 3


def effective_status(status: str, ends_at: datetime, now: datetime) -> EventStatus:
    """What an event is now: a published one whose end has passed is finished, even before a scan
    has written so."""
    if status == EventStatus.PUBLISHED and ends_at <= now:
        return EventStatus.FINISHED
    return EventStatus(status)


def cancellation_closes_at(starts_at: datetime, cutoff_hours: int | None) -> datetime:
    """Until when a volunteer may cancel: the cutoff before the start, or the start itself."""
    return starts_at - timedelta(hours=cutoff_hours or 0)
