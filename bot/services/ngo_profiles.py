"""NGO profiles: an approved NGO tells its legal form, whether it is in the national NGO database, its
region, sectors and whether it is a youth organization; the grant catalogue then marks each call for it
(bot/domain/ngo_profiles.py: grant_fit).

Each public method is one use case: one unit of work. Only an approved NGO may see or change its profile:
checked here on every action (the dialog's buttons are user-controlled data). The profile is part of the
user's data: exported and erased with it (bot/services/users.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.domain.grants import Sector
from bot.domain.ngo_profiles import InvalidProfileError, NgoProfile, parse_profile
from bot.domain.roles import Role
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.services.sectors import load_catalogue
from storage.database import Database
from storage.repositories.ngo_profiles import NgoProfileRecord
from storage.unit_of_work import UnitOfWork

BUILT_IN_CODES = frozenset(Sector)


class NgoProfileProblem(StrEnum):
    NOT_NGO = "not_ngo"  # not (or no longer) an approved NGO
    BAD_ANSWER = "bad_answer"  # a value no button offers


class NgoProfileError(ValueError):
    def __init__(self, problem: NgoProfileProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the grant catalogue: an approved NGO (with its profile once filled in), or not."""

    ngo: bool
    profile: NgoProfile | None = None
    # Names the profile's sectors (the added ones too, when it has any).
    sectors: SectorCatalogue = BUILT_IN


def profile_of(record: NgoProfileRecord | None, known: SectorCatalogue = BUILT_IN) -> NgoProfile | None:
    """The stored profile, or None when there is none (or it holds a value the code no longer knows)."""
    if record is None:
        return None
    try:
        return parse_profile(
            record.legal_form, record.listed, record.region, record.sectors.split(), record.youth, known
        )
    except InvalidProfileError:
        return None


def export_of(record: NgoProfileRecord | None) -> dict[str, Any] | None:
    """The profile as the personal-data export gives it."""
    if record is None:
        return None
    return {
        "legal_form": record.legal_form,
        "listed_in_ngo_database": record.listed,
        "region": record.region,
        "sectors": record.sectors.split(),
        "youth_organization": record.youth,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }


class NgoProfileService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def get(self, user_id: int) -> NgoProfile | None:
        """The NGO's profile (None: not filled in yet); refused to anyone but an approved NGO."""
        async with self.database.reading() as uow:
            await _check_ngo(uow, user_id)
            return await _profile(uow, user_id)

    async def viewer(self, user_id: int) -> Viewer:
        """Who reads the catalogue, for its marks: never refused."""
        async with self.database.reading() as uow:
            return await viewer_of(uow, user_id)

    async def save(
        self,
        user_id: int,
        *,
        legal_form: str | None,
        listed: str | None,
        region: str | None,
        sectors: Sequence[str],
        youth: object,
    ) -> NgoProfile:
        """Fill in or replace the profile, every value checked (sectors: built-in or added ones)."""
        async with self.database.transaction() as uow:
            try:
                profile = parse_profile(legal_form, listed, region, sectors, youth, await load_catalogue(uow))
            except InvalidProfileError:
                raise NgoProfileError(NgoProfileProblem.BAD_ANSWER) from None
            await _check_ngo(uow, user_id)
            await uow.ngo_profiles.put(
                user_id,
                legal_form=profile.legal_form.value,
                listed=profile.listed.value,
                region=profile.region,
                sectors=" ".join(profile.sectors),
                youth=profile.youth,
                now=self.clock.now(),
            )
        return profile


async def viewer_of(uow: UnitOfWork, user_id: int) -> Viewer:
    """Who reads the catalogue (an approved NGO with its profile, or not), read in `uow`."""
    user = await uow.users.get(user_id)
    if user is None or user.role != Role.NGO:
        return Viewer(ngo=False)
    profile = await _profile(uow, user_id)
    if profile is None or all(code in BUILT_IN_CODES for code in profile.sectors):
        return Viewer(ngo=True, profile=profile)
    return Viewer(ngo=True, profile=profile, sectors=await load_catalogue(uow))


async def _profile(uow: UnitOfWork, user_id: int) -> NgoProfile | None:
    record = await uow.ngo_profiles.get(user_id)
    if record is None:
        return None
    builtin = all(code in BUILT_IN_CODES for code in record.sectors.split())
    return profile_of(record, BUILT_IN if builtin else await load_catalogue(uow))


async def _check_ngo(uow: UnitOfWork, user_id: int) -> None:
    user = await uow.users.get(user_id)
    if user is None or user.role != Role.NGO or user.consent_at is None:
        raise NgoProfileError(NgoProfileProblem.NOT_NGO)
