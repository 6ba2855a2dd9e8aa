"""The sectors a grant call, a subscription or an NGO profile may name: the built-in ones (`Sector`, named
by the catalogs) and those an admin added in the bot (named in Kazakh and Russian by that admin).

A `SectorCatalogue` is loaded for a use case (bot/services/sectors.py) and handed to the views as data:
every list of sectors to choose from and every sector's name goes through it. An added sector's code is
"x-<id>"; a retired one is no longer offered for a choice, but calls, subscriptions and profiles that name
it keep it and still show its name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bot.collation import sorted_by_alphabet
from bot.domain.grants import SECTOR_NAMES, Sector
from bot.i18n import Translator
from bot.text import escape

ADDED_PREFIX = "x-"
# An added sector's code, for the handlers' button filters (the catalogue says whether it exists).
ADDED_CODE_PATTERN = r"^x-[1-9][0-9]{0,8}$"
# A sector's name fits on a button.
SECTOR_NAME_MIN = 2
SECTOR_NAME_MAX = 40


def added_code(sector_id: int) -> str:
    return f"{ADDED_PREFIX}{sector_id}"


def added_id(code: str) -> int | None:
    """The id of an added sector's code, None for any other text."""
    if not code.startswith(ADDED_PREFIX):
        return None
    digits = code[len(ADDED_PREFIX) :]
    if not digits.isascii() or not digits.isdecimal() or digits.startswith("0") or len(digits) > 9:
        return None
    return int(digits)


@dataclass(frozen=True, slots=True)
class AddedSector:
    """A sector an admin added: its names as the admin wrote them (plain text, escaped when shown)."""

    id: int
    name_kk: str
    name_ru: str
    retired: bool = False

    @property
    def code(self) -> str:
        return added_code(self.id)

    def name_in(self, locale: str) -> str:
        return self.name_ru if locale == "ru" else self.name_kk


class SectorCatalogue:
    """Built-in and added sectors: immutable, a value to pass to views."""

    __slots__ = ("_added",)

    def __init__(self, added: Iterable[AddedSector] = ()) -> None:
        self._added: Mapping[str, AddedSector] = MappingProxyType({sector.code: sector for sector in added})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SectorCatalogue) and self.added == other.added

    def __hash__(self) -> int:
        return hash(self.added)

    def __repr__(self) -> str:
        return f"SectorCatalogue({list(self.added)!r})"

    @property
    def added(self) -> tuple[AddedSector, ...]:
        return tuple(self._added.values())

    def is_known(self, code: str) -> bool:
        """A built-in or added code (a retired one too: what names it keeps it)."""
        return code in Sector.__members__.values() or code in self._added

    def is_offered(self, code: str) -> bool:
        """A code the pickers offer: built-in, or added and not retired."""
        added = self._added.get(code)
        return code in Sector.__members__.values() or (added is not None and not added.retired)

    def label(self, t: Translator, code: str) -> str:
        """The sector's name in the reader's language, as plain text (for a button); the code if unknown."""
        if code in Sector.__members__.values():
            return t._(SECTOR_NAMES[Sector(code)])
        added = self._added.get(code)
        return added.name_in(t.locale) if added is not None else code

    def name(self, t: Translator, code: str) -> str:
        """The sector's name for an HTML message (escaped)."""
        return escape(self.label(t, code))

    def names(self, t: Translator, codes: Iterable[str]) -> str:
        """The known ones of `codes`, named and joined with commas, for an HTML message."""
        return ", ".join(self.name(t, code) for code in codes if self.is_known(code))

    def choices(self, t: Translator) -> list[tuple[str, str]]:
        """(code, label) of every sector offered, in the reader's alphabet, «Other» last."""
        offered: list[str] = [code for code in Sector if code is not Sector.OTHER]
        offered += [sector.code for sector in self._added.values() if not sector.retired]
        pairs = [(str(code), self.label(t, code)) for code in offered]
        ordered = sorted_by_alphabet(pairs, lambda pair: pair[1], t.locale)
        return [*ordered, (Sector.OTHER.value, self.label(t, Sector.OTHER))]

    def ordered(self, codes: Collection[str]) -> tuple[str, ...]:
        """The known ones of `codes`, once each: built-in ones in `Sector`'s order, then added ones."""
        chosen = set(codes)
        return tuple(code for code in [*Sector, *self._added] if code in chosen)

    def index_names(self, code: str, languages: Sequence[Translator]) -> list[str]:
        """The sector's names in every language, for the search index."""
        added = self._added.get(code)
        if added is not None:
            return [added.name_kk, added.name_ru]
        if code in Sector.__members__.values():
            return [t._(SECTOR_NAMES[Sector(code)]) for t in languages]
        return []


BUILT_IN = SectorCatalogue()
