"""Who a user is in Belsendi. NGO and organizer roles are requests that an admin approves."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    NGO = "ngo"
    ORGANIZER = "organizer"


ROLES_NEEDING_APPROVAL = frozenset({Role.NGO, Role.ORGANIZER})

ROLE_NAMES = {
    Role.VOLUNTEER: N_("Volunteer"),
    Role.NGO: N_("NGO representative"),
    Role.ORGANIZER: N_("Event organizer"),
}
