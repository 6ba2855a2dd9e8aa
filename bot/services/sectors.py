"""Sectors an admin adds: the use cases behind /sectors, and the catalogue of sectors every other use case
reads (bot/domain/sectors.py).

The catalogue is read from the database for each use case that needs it (a handful of rows), never
cached: an admin's new sector shows in every process from the next screen on. Only admins add, rename,
retire and restore sectors (checked here on every action: button data is anyone's to forge). Names are
plain text, both required, 2-40 characters, unique (case aside) among every sector's name in that
language, built-in ones included. A renamed sector's calls are re-indexed so that search finds them by
the new name.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import StrEnum

from bot.clock import Clock
from bot.domain.grants import SECTOR_NAMES
from bot.domain.sectors import (
    SECTOR_NAME_MAX,
    SECTOR_NAME_MIN,
    AddedSector,
    SectorCatalogue,
    added_code,
)
from bot.i18n import Catalogs, Translator
from bot.services.admins import is_admin
from storage.database import Database
from storage.unit_of_work import UnitOfWork


class SectorProblem(StrEnum):
    NOT_ALLOWED = "not_allowed"
    NO_SUCH_SECTOR = "no_such_sector"  # not an added sector (forged or out-of-date button)
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TAKEN = "taken"  # another sector has this name in that language


class SectorError(ValueError):
    def __init__(self, problem: SectorProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


async def load_catalogue(uow: UnitOfWork) -> SectorCatalogue:
    """The sectors as they are now, in the caller's unit of work."""
    return SectorCatalogue(
        AddedSector(row.id, row.name_kk, row.name_ru, row.retired_at is not None)
        for row in await uow.sectors.all()
    )


def clean_name(text: str) -> str:
    """A sector's name as typed, spaces tidied; SectorError when too short or too long."""
    name = " ".join(text.split())
    if sum(char.isalnum() for char in name) < SECTOR_NAME_MIN:
        raise SectorError(SectorProblem.TOO_SHORT)
    if len(name) > SECTOR_NAME_MAX:
        raise SectorError(SectorProblem.TOO_LONG)
    return name


def _taken(catalogue: SectorCatalogue, t: Translator, name: str, *, except_id: int = 0) -> bool:
    """Whether another sector has `name` in `t`'s language, case aside and ё read as е (most people
    type «Молодежь» for «Молодёжь»)."""
    names = [t._(msgid) for msgid in SECTOR_NAMES.values()]
    names += [sector.name_in(t.locale) for sector in catalogue.added if sector.id != except_id]
    return any(_folded(other) == _folded(name) for other in names)


def _folded(name: str) -> str:
    return name.casefold().replace("ё", "е")


class SectorService:
    def __init__(
        self, database: Database, clock: Clock, catalogs: Catalogs, admin_ids: Collection[int]
    ) -> None:
        self.database = database
        self.clock = clock
        self.catalogs = catalogs
        self.admin_ids = frozenset(admin_ids)

    async def catalogue(self) -> SectorCatalogue:
        async with self.database.reading() as uow:
            return await load_catalogue(uow)

    async def is_admin(self, user_id: int) -> bool:
        async with self.database.reading() as uow:
            return await is_admin(uow, self.admin_ids, user_id)

    async def manage(self, user_id: int) -> SectorCatalogue:
        """The catalogue for the admins' /sectors screen."""
        async with self.database.reading() as uow:
            await self._check_admin(uow, user_id)
            return await load_catalogue(uow)

    async def check_name(self, user_id: int, locale: str, text: str, *, sector_id: int = 0) -> str:
        """A dialog step: the name in `locale` ("kk" or "ru") cleaned and checked (the save checks again)."""
        name = clean_name(text)
        async with self.database.reading() as uow:
            await self._check_admin(uow, user_id)
            catalogue = await load_catalogue(uow)
        if sector_id and _added(catalogue, sector_id) is None:
            raise SectorError(SectorProblem.NO_SUCH_SECTOR)
        if _taken(catalogue, self.catalogs[locale], name, except_id=sector_id):
            raise SectorError(SectorProblem.TAKEN)
        return name

    async def add(self, user_id: int, name_kk: str, name_ru: str) -> AddedSector:
        names = clean_name(name_kk), clean_name(name_ru)
        async with self.database.transaction() as uow:
            await self._check_admin(uow, user_id)
            self._check_free(await load_catalogue(uow), names)
            sector_id = await uow.sectors.add(*names, added_by=user_id, now=self.clock.now())
        return AddedSector(sector_id, *names)

    async def rename(self, user_id: int, sector_id: int, name_kk: str, name_ru: str) -> AddedSector:
        """New names for an added sector; its calls are re-indexed under them."""
        from bot.services.grants import reindex_calls  # grants reads the catalogue through this module

        names = clean_name(name_kk), clean_name(name_ru)
        async with self.database.transaction() as uow:
            await self._check_admin(uow, user_id)
            catalogue = await load_catalogue(uow)
            sector = _added(catalogue, sector_id)
            if sector is None:
                raise SectorError(SectorProblem.NO_SUCH_SECTOR)
            self._check_free(catalogue, names, except_id=sector_id)
            await uow.sectors.rename(sector_id, *names)
            await reindex_calls(uow, await uow.sectors.grant_ids(added_code(sector_id)), self.catalogs.all())
        return AddedSector(sector_id, *names, retired=sector.retired)

    async def set_retired(self, user_id: int, sector_id: int, *, retired: bool) -> AddedSector:
        """Retire an added sector (no longer offered; what names it keeps it), or offer it again."""
        async with self.database.transaction() as uow:
            await self._check_admin(uow, user_id)
            sector = _added(await load_catalogue(uow), sector_id)
            if sector is None:
                raise SectorError(SectorProblem.NO_SUCH_SECTOR)
            if sector.retired != retired:
                await uow.sectors.set_retired(sector_id, self.clock.now() if retired else None)
        return AddedSector(sector.id, sector.name_kk, sector.name_ru, retired)

    def _check_free(self, catalogue: SectorCatalogue, names: Sequence[str], *, except_id: int = 0) -> None:
        for locale, name in zip(("kk", "ru"), names, strict=True):
            if _taken(catalogue, self.catalogs[locale], name, except_id=except_id):
                raise SectorError(SectorProblem.TAKEN)

    async def _check_admin(self, uow: UnitOfWork, user_id: int) -> None:
        if not await is_admin(uow, self.admin_ids, user_id):
            raise SectorError(SectorProblem.NOT_ALLOWED)


def _added(catalogue: SectorCatalogue, sector_id: int) -> AddedSector | None:
    return next((sector for sector in catalogue.added if sector.id == sector_id), None)
