"""A question typed in plain words, read as filters plus keywords.

«Ақтөбедегі жастар ұйымдарына грант бар ма?» → region aktobe, sector youth, no other words;
«какие гранты есть для молодежных НПО в Актобе» → the same. Question and filler words (бар ма, какие,
есть, грант, НПО, ұйым ...) are dropped; what is left is searched for.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grants import Sector
from bot.search.text import forms, word_list, words

# Region codes (bot/domain/regions.py) by the beginnings of their names, folded, in both languages and
# with their main cities; a word naming a region in any case form begins so.
REGION_PREFIXES: dict[str, tuple[str, ...]] = {
    "astana": ("астан", "нур-султан", "нурсултан"),
    "almaty": ("алмат", "алма-ат"),
    "shymkent": ("шымкент", "чимкент"),
    "abai": ("семей", "семипалат"),
    "akmola": ("акмол", "кокшетау"),
    "aktobe": ("актоб", "актюб"),
    "almaty_reg": ("конаев", "капшагай"),
    "atyrau": ("атырау",),
    "east_kz": ("восточно-казах", "оскемен", "усть-камен"),
    "jambyl": ("жамбыл", "тараз"),
    "jetisu": ("жетису", "талдыкорган"),
    "karaganda": ("караганд", "карагандин"),
    "kostanay": ("костанай", "кустанай"),
    "kyzylorda": ("кызылорд", "кызылордин"),
    "mangystau": ("мангыстау", "мангистау", "актау"),
    "north_kz": ("северо-казах", "петропавл"),
    "pavlodar": ("павлодар",),
    "turkistan": ("туркистан", "туркестан"),
    "ulytau": ("улытау", "жезказган"),
    "west_kz": ("западно-казах", "орал", "уральск"),
}
# Sectors by the beginnings of their words, folded.
SECTOR_PREFIXES: dict[Sector, tuple[str, ...]] = {
    Sector.YOUTH: ("жастар", "жастык", "молодеж", "youth"),
    Sector.EDUCATION: ("билим", "образован", "мектеп", "школ", "education"),
    Sector.HEALTH: ("денсаул", "здоров", "здравоохр", "медицин", "health"),
    Sector.SPORT: ("спорт", "sport"),
    Sector.SOCIAL: ("алеумет", "социал", "мугедек", "инвалид"),
    Sector.CULTURE: ("мадени", "культур", "онер", "искусств", "culture"),
    Sector.ECOLOGY: ("эколог", "табигат", "природ", "eco"),
    Sector.CIVIC: ("азаматтык", "граждан", "civic"),
}
# Words that ask rather than say what about (folded, and their stems).
FILLER_WORDS = frozenset(
    word_list(
        # Kazakh
        "бар ма ме ба бе па пе жок кандай кайда калай кай ушин мен жане бизге маган бизде керек "
        "алу табу беру беретин бериледи бола ма уеу уйым коммерциялык емес жоба "
        # Russian
        "какие какой какая каких есть ли для в во на и по о об с со а что где как можно получить найти "
        "хочу мне нам нужен нужны нужно бывают ест нпо нко нго ооо "
        # either
        "грант гранты гранттар грантов грантовые ngo grant grants"
    )
)
FILLER_PREFIXES = ("организац", "обществен", "некоммерч", "грант", "уйым", "проект")


@dataclass(frozen=True, slots=True)
class ReadQuestion:
    """How a typed text was read: the words left to search for, and the filters it named (with the
    words that named them, to show the reading and to give them back if a filter is dropped)."""

    keywords: tuple[str, ...]
    region: str | None = None
    region_word: str | None = None
    sector: Sector | None = None
    sector_word: str | None = None

    @property
    def has_filters(self) -> bool:
        return self.region is not None or self.sector is not None


def _candidates(word: str) -> tuple[str, ...]:
    word_forms = forms(word)
    return (word_forms.folded, *word_forms.stems)


def _region_of(word: str) -> str | None:
    folded = forms(word).folded
    for code, prefixes in REGION_PREFIXES.items():
        if any(folded.startswith(prefix) for prefix in prefixes):
            return code
    return None


def _sector_of(word: str) -> Sector | None:
    folded = forms(word).folded
    for sector, prefixes in SECTOR_PREFIXES.items():
        if any(folded.startswith(prefix) for prefix in prefixes):
            return sector
    return None


def is_filler(word: str) -> bool:
    return (
        any(
            candidate in FILLER_WORDS or candidate.startswith(FILLER_PREFIXES)
            for candidate in _candidates(word)
        )
        or len(word) < 2
    )


def read_question(text: str) -> ReadQuestion:
    """The text's region and sector (the first of each it names) and its other meaningful words."""
    region = region_word = sector_word = None
    sector: Sector | None = None
    keywords: list[str] = []
    for word in words(text):
        if region is None and (code := _region_of(word)) is not None:
            region, region_word = code, word
        elif sector is None and (found := _sector_of(word)) is not None:
            sector, sector_word = found, word
        elif not is_filler(word):
            keywords.append(word)
    return ReadQuestion(tuple(keywords), region, region_word, sector, sector_word)
