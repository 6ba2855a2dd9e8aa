"""Grant calls: their kinds, sectors, statuses and eligibility flags, and the rules that need no database."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.i18n import N_


class GrantKind(StrEnum):
    STATE_GRANT = "state_grant"
    STATE_ORDER = "state_order"  # a state social order
    FOUNDATION = "foundation"
    CORPORATE = "corporate"
    INTERNATIONAL = "international"


KIND_NAMES = {
    GrantKind.STATE_GRANT: N_("State grant"),
    GrantKind.STATE_ORDER: N_("State social order"),
    GrantKind.FOUNDATION: N_("Foundation programme"),
    GrantKind.CORPORATE: N_("Corporate programme"),
    GrantKind.INTERNATIONAL: N_("International call"),
}


class Sector(StrEnum):
    EDUCATION = "education"
    HEALTH = "health"
    SPORT = "sport"
    SOCIAL = "social"
    CULTURE = "culture"
    ECOLOGY = "ecology"
    YOUTH = "youth"
    CIVIC = "civic"
    OTHER = "other"


SECTOR_NAMES = {
    Sector.EDUCATION: N_("Education"),
    Sector.HEALTH: N_("Health"),
    Sector.SPORT: N_("Sport"),
    Sector.SOCIAL: N_("Social support"),
    Sector.CULTURE: N_("Culture"),
    Sector.ECOLOGY: N_("Ecology"),
    Sector.YOUTH: N_("Youth"),
    Sector.CIVIC: N_("Civic engagement"),
    Sector.OTHER: N_("Other"),
}


class GrantStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Eligibility(StrEnum):
    """Flags of who may apply: each one a condition the call states."""

    LEGAL_ENTITY = "legal_entity"  # only a registered legal entity
    NGO_DATABASE = "ngo_database"  # listed in the national NGO database
    YOUTH_ORGANIZATION = "youth_organization"  # a youth organization
    INITIATIVE_GROUPS = "initiative_groups"  # initiative groups without registration may apply


ELIGIBILITY_NAMES = {
    Eligibility.LEGAL_ENTITY: N_("registered legal entities only"),
    Eligibility.NGO_DATABASE: N_("listed in the national NGO database"),
    Eligibility.YOUTH_ORGANIZATION: N_("youth organizations"),
    Eligibility.INITIATIVE_GROUPS: N_("initiative groups may apply"),
}

TITLE_MAX = 200
SUMMARY_MAX = 2000
ELIGIBILITY_MAX = 1000
FUNDER_MAX = 200
LINK_MAX = 500
EXTERNAL_ID_MAX = 64
# Up to a hundred billion tenge: a typo with extra zeros is refused.
AMOUNT_MAX = 100_000_000_000
# Shown in the catalogue: "deadline within N days" choices and the widest search.
DEADLINE_WITHIN_DAYS = (7, 14, 30, 90)
# "Amount at least" choices, in tenge.
AMOUNT_AT_LEAST = (1_000_000, 5_000_000, 20_000_000)


def effective_status(status: str, deadline: datetime, now: datetime) -> GrantStatus:
    """What a call is now: an open one whose deadline has passed is closed, even before the scan has
    written so."""
    if status == GrantStatus.OPEN and deadline <= now:
        return GrantStatus.CLOSED
    return GrantStatus(status)
