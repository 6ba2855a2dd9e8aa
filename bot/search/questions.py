"""A question typed in plain words, read as filters plus keywords.

«Ақтөбедегі жастар ұйымдарына грант бар ма?» → region aktobe, sector youth, no other words;
«какие гранты есть для молодежных НПО в Актобе» → the same. Phrases naming an amount («до 1 млн»,
«500 мың теңгеден бастап»), a deadline («в течение месяца», «2 апта ішінде», «до конца декабря») or
initiative groups («без регистрации», «бастамашыл топ») become filters too. Question and filler words
(бар ма, какие, есть, грант, НПО, ұйым, тенге, срок ...) and words of one or two letters are dropped;
what is left is searched for.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.grants import Sector
from bot.search.text import FOLD, fold, forms, word_list, words

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
# Words that ask rather than say what about (folded, and their stems). Words of one or two letters
# (в, на, до, от, ма, ме ...) are never keywords, so they are not listed.
FILLER_WORDS = frozenset(
    word_list(
        # Kazakh: question words and particles, postpositions, pronouns, verbs of asking and getting
        "бар жок кандай кайда калай кай канша кашан ким неше ушин туралы бойынша арналган "
        "арнал арналды дейин шейин бастап астам кейин дейинги мен жане мен немесе бизге маган бизде "
        "биз мен сиз олар керек кажет болады бола болса алу алуга табу беру беретин бериледи алатын "
        "уеу уйым коммерциялык емес жоба конкурс конкурсы байкау байкауы сома сомасы сомада тенге "
        "мын миллион млн млрд мерзим мерзими мерзимде ишинде ишиндеги жыл жылы жылга "
        "комектесиниз айтыныз керсетиниз рахмет сауле салем "
        # Russian: prepositions, particles, question words, pronouns, verbs of asking and getting
        "какие какой какая каких какое каким есть для что где как можно получить найти ищу ищем "
        "искать хочу хотим мне нам нас наш наша наши наших мой моя мои мы вас вам нужен нужна нужны "
        "нужно надо бывают ест нпо нко нго ооо без при про над под через около или либо тоже также "
        "есть ли кто чем когда сколько который которые которых подскажите скажите пожалуйста "
        "покажите найдите интересует интересуют конкурс конкурсы конкурсов конкурса сумма суммой сумму "
        "суммы размер размером тенге тнг млн миллион миллиона миллионов тыс тысяч тысячи млрд срок "
        "сроком сроки срока дедлайн дедлайном течение ближайшие ближайший свыше более менее больше "
        "меньше выше ниже максимум минимум год года году лет "
        "финансирование финансирования "
        # either
        "грант гранты гранттар грантов грантовые ngo grant grants"
    )
)
FILLER_PREFIXES = ("организац", "обществен", "некоммерч", "грант", "уйым", "проект")
# A keyword is at least this long: «до», «от», «ма» are no topic, and as prefixes they match anything.
KEYWORD_MIN = 3

# Phrases are matched on the text case-folded with Kazakh letters folded (ә → а, ң → н, і → и ...).
_NUMBER = r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:[.,]\d+)?)"
_UNIT = r"(млрд|миллиард\w*|млн|миллион\w*|мил|мын\w*|тыс\w*|(?<=\d)[kк])"  # «500к», not «5 к школам»
_CURRENCY = r"(?:тенге\w*|тнг|тг|kzt|₸)"
_ENDING = r"(?:-\w+)?"  # «1 млн-ға», «500 мың-нан»
_AMOUNT = rf"{_NUMBER}\s*(?:{_UNIT}\b{_ENDING}\s*(?:{_CURRENCY}{_ENDING})?|{_CURRENCY}{_ENDING})"
_UNITS = {"млрд": 10**9, "миллиард": 10**9, "млн": 10**6, "миллион": 10**6, "мил": 10**6}
_AT_MOST_BEFORE = r"(?:до|не\s+более|не\s+больше|максимум|в\s+пределах)"
_AT_LEAST_BEFORE = r"(?:от|свыше|более|больше|не\s+менее|минимум|от\s+суммы)"
_AT_MOST_AFTER = r"(?:дейин\w*|шейин\w*|аспайтын|максимум)"
_AT_LEAST_AFTER = r"(?:бастап|астам|жогары|артык|кем\s+емес)"
_AMOUNT_RANGE = re.compile(rf"\bот\s+{_NUMBER}\s*(?:{_UNIT}\b)?\s*до\s+{_AMOUNT}")
_AMOUNT_AT_MOST = re.compile(rf"\b{_AT_MOST_BEFORE}\s+{_AMOUNT}|\b{_AMOUNT}\s*{_AT_MOST_AFTER}")
_AMOUNT_AT_LEAST = re.compile(rf"\b{_AT_LEAST_BEFORE}\s+{_AMOUNT}|\b{_AMOUNT}\s*{_AT_LEAST_AFTER}")
_AMOUNT_ALONE = re.compile(rf"\b{_AMOUNT}")

# Numbers in words, up to ten, as typed with a period: «бір айда», «в течение двух недель».
_NUMBER_WORDS = {
    **dict.fromkeys(("один", "одна", "одну", "одного", "одной", "бир"), 1),
    **dict.fromkeys(("два", "две", "двух", "еки"), 2),
    **dict.fromkeys(("три", "трех", "уш"), 3),
    **dict.fromkeys(("четыре", "четырех", "торт"), 4),
    **dict.fromkeys(("пять", "пяти", "бес"), 5),
    **dict.fromkeys(("шесть", "шести", "алты"), 6),
    **dict.fromkeys(("десять", "десяти", "он"), 10),
}
_COUNT = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
# Periods and their days: день/дня/дней/суток, неделя/недели/неделю, месяц/месяца, year; күн, апта, ай, жыл.
_PERIOD_DAYS = (("дн", 1), ("ден", 1), ("сут", 1), ("недел", 7), ("месяц", 30), ("год", 365), ("лет", 365))
_KAZAKH_PERIOD_DAYS = {"кун": 1, "апта": 7, "ай": 30, "жыл": 365}
_RU_PERIOD = r"(дн\w*|день|суток|недел\w*|месяц\w*|год\w*|лет)"
_WITHIN_RU = re.compile(
    rf"\b(?:в\s+течени[еия]|в\s+пределах|в\s+ближайш\w*|ближайш\w*|за|не\s+позже\s+чем\s+через)"
    rf"\s+(?:{_COUNT}\s+)?{_RU_PERIOD}\b"
)
_KZ_PERIOD = r"(кун|апта|ай|жыл)"
_KZ_CASE = r"(?:да|де|та|те|га|ге|ка|ке|ын|ин|нын|нин|дын|дин)?"
_WITHIN_KZ = re.compile(
    rf"\b(?:{_COUNT}\s+{_KZ_PERIOD}{_KZ_CASE}(?:\s+(?:ишинде\w*|ичинде\w*|коле\w*))?"
    rf"|{_KZ_PERIOD}\s+(?:ишинде\w*|ичинде\w*))\b"
)
_RU_MONTHS = (
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма[йя]",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
)
_KZ_MONTHS = (
    "кантар",
    "акпан",
    "наурыз",
    "сауир",
    "мамыр",
    "маусым",
    "шилде",
    "тамыз",
    "кыркуйек",
    "казан",
    "караша",
    "желтоксан",
)
_MONTH = "|".join(
    f"(?P<m{index}>{ru}\\w*|{kk}\\w*)"
    for index, (ru, kk) in enumerate(zip(_RU_MONTHS, _KZ_MONTHS, strict=True))
)
_UNTIL_END_RU = re.compile(
    rf"\bдо\s+(?:самого\s+)?конца\s+(?:этого\s+|текущего\s+)?(?:(?P<span>месяц\w*|недел\w*|год\w*)|{_MONTH})"
)
_UNTIL_DATE_RU = re.compile(rf"\bдо\s+(?P<day>\d{{1,2}})\s+(?:{_MONTH})")
_UNTIL_END_KZ = re.compile(
    rf"\b(?:(?:осы\s+)?(?P<span>ай|апта|жыл)\w*|{_MONTH})\s+(?:сон\w*|аяг\w*)\s+(?:дейин|шейин)\w*"
)
_UNTIL_DATE_KZ = re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?:{_MONTH})\s*(?:дейин|шейин)\w*")
# Calls that initiative groups may apply to: «инициативная группа», «без регистрации», «бастамашыл топ»,
# «тіркеусіз».
_INITIATIVE = re.compile(
    r"\b(?:инициативн\w*\s+групп\w*|без\s+(?:юридической\s+|гос\w*\s+)?регистрац\w*|незарегистрир\w*"
    r"|бастамашыл\w*\s+топ\w*|тиркеусиз\w*|тиркелмеген\w*)"
)
# The longest deadline a reading names, in days.
DAYS_MAX = 366
# The most an amount may say (ten billion tenge: no call gives more).
AMOUNT_MAX = 10**10
# Greetings and thanks typed outside any dialog: no search, a hint.
SMALL_TALK = frozenset(
    word_list(
        "привет приветствую здравствуйте здравствуй добрый день вечер утро доброе спасибо благодарю "
        "большое огромное спс ок хорошо понятно пока до свидания "
        "салем салеметсиз бе сизге саган калайсыз калай кайырлы тан кеш рахмет ракмет рахмат коп "
        "жаксы тусиникти сау болыныз hi hello thanks thank you"
    )
)


@dataclass(frozen=True, slots=True)
class ReadQuestion:
    """How a typed text was read: the words left to search for, and the filters it named (with the
    words that named region and sector, to show the reading and to give them back if a filter is
    dropped). Amounts in tenge; `within_days`: the deadline within so many days from today."""

    keywords: tuple[str, ...]
    region: str | None = None
    region_word: str | None = None
    sector: Sector | None = None
    sector_word: str | None = None
    amount_at_least: int | None = None
    amount_at_most: int | None = None
    within_days: int | None = None
    initiative_groups: bool = False

    @property
    def has_filters(self) -> bool:
        return (
            self.region is not None
            or self.sector is not None
            or self.has_amount
            or self.within_days is not None
            or self.initiative_groups
        )

    @property
    def has_amount(self) -> bool:
        return self.amount_at_least is not None or self.amount_at_most is not None


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
    return len(word) < KEYWORD_MIN or any(
        candidate in FILLER_WORDS or candidate.startswith(FILLER_PREFIXES) for candidate in _candidates(word)
    )


def is_small_talk(text: str) -> bool:
    """A greeting or thanks and nothing else («Привет», «Сәлем!», «Спасибо большое», «Рахмет»)."""
    found = [fold(word) for word in words(text)]
    return bool(found) and len(found) <= 4 and all(word in SMALL_TALK for word in found)


def _tenge(number: str, unit: str | None) -> int | None:
    value = float(re.sub(r"[\s\u00a0\u202f]", "", number).replace(",", "."))
    if unit:
        value *= next((size for name, size in _UNITS.items() if unit.startswith(name)), 1000)
    amount = round(value)
    return amount if 0 < amount <= AMOUNT_MAX else None


def _blank(text: str, match: re.Match[str]) -> str:
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def _amounts(text: str) -> tuple[str, int | None, int | None]:
    """The amounts the text names (at least, at most), and the text with their phrases blanked."""
    if match := _AMOUNT_RANGE.search(text):
        low_number, low_unit, high_number, high_unit = match.groups()
        low = _tenge(low_number, low_unit or high_unit)
        return _blank(text, match), low, _tenge(high_number, high_unit)
    at_least = at_most = None
    if match := _AMOUNT_AT_MOST.search(text):
        number, unit = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        at_most, text = _tenge(number, unit), _blank(text, match)
    if match := _AMOUNT_AT_LEAST.search(text):
        number, unit = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        at_least, text = _tenge(number, unit), _blank(text, match)
    if at_least is None and at_most is None and (match := _AMOUNT_ALONE.search(text)):
        # «экология Алматы 5 млн»: a call that can give this much.
        at_least, text = _tenge(match.group(1), match.group(2)), _blank(text, match)
    return text, at_least, at_most


def _count(typed: str | None) -> int:
    if typed is None:
        return 1
    return int(typed) if typed.isdigit() else _NUMBER_WORDS[typed]


def _month_of(match: re.Match[str]) -> int | None:
    return next(
        (int(name[1:]) + 1 for name, value in match.groupdict().items() if name[0] == "m" and value), None
    )


def _end_of(span: str, today: date) -> date:
    if span.startswith(("недел", "апта")):
        return today + timedelta(days=6 - today.weekday())
    if span.startswith(("год", "жыл")):
        return date(today.year, 12, 31)
    return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])


def _next(month: int, day: int | None, today: date) -> date:
    """The day (the month's last without one) of the month, this year or, once past, the next."""
    for year in (today.year, today.year + 1):
        last = calendar.monthrange(year, month)[1]
        moment = date(year, month, min(day or last, last))
        if moment >= today:
            return moment
    return moment


def _deadline(text: str, today: date) -> tuple[str, int | None]:
    """The deadline the text names, in days from today, and the text with its phrase blanked."""
    if match := _WITHIN_RU.search(text):
        period = match.group(2)
        days = next(size for prefix, size in _PERIOD_DAYS if period.startswith(prefix))
        return _blank(text, match), min(_count(match.group(1)) * days, DAYS_MAX)
    if match := _WITHIN_KZ.search(text):
        count, period = (match.group(1), match.group(2)) if match.group(2) else (None, match.group(3))
        return _blank(text, match), min(_count(count) * _KAZAKH_PERIOD_DAYS[period], DAYS_MAX)
    for pattern in (_UNTIL_END_RU, _UNTIL_END_KZ, _UNTIL_DATE_RU, _UNTIL_DATE_KZ):
        if (match := pattern.search(text)) is None:
            continue
        groups = match.groupdict()
        month = _month_of(match)
        if groups.get("span"):
            end = _end_of(groups["span"], today)
        elif month is not None:
            day = int(groups["day"]) if groups.get("day") else None
            if day is not None and not 1 <= day <= 31:
                continue
            end = _next(month, day, today)
        else:
            continue
        # The whole last day counts: «до конца декабря» keeps calls closing on 31 December.
        return _blank(text, match), min((end - today).days + 1, DAYS_MAX)
    return text, None


def read_question(text: str, today: date | None = None) -> ReadQuestion:
    """The text's region and sector (the first of each it names), the amount, deadline and
    initiative groups it names, and its other meaningful words. `today` (in Almaty) dates phrases
    such as «до конца декабря»; without it they are left as words."""
    lowered = text.casefold()
    # One letter for one: positions in the folded text are positions in the typed one.
    folded = lowered.translate(FOLD)
    folded, amount_at_least, amount_at_most = _amounts(folded)
    within_days = None
    if today is not None:
        folded, within_days = _deadline(folded, today)
    initiative_groups = False
    for match in _INITIATIVE.finditer(folded):
        initiative_groups, folded = True, _blank(folded, match)
    # The typed words outside the phrases read, as typed (Kazakh letters kept for the stemmer).
    rest = "".join(
        letter if kept != " " or letter.isspace() else " "
        for letter, kept in zip(lowered, folded, strict=True)
    )
    region = region_word = sector_word = None
    sector: Sector | None = None
    keywords: list[str] = []
    for word in words(rest):
        if region is None and (code := _region_of(word)) is not None:
            region, region_word = code, word
        elif sector is None and (found := _sector_of(word)) is not None:
            sector, sector_word = found, word
        elif not is_filler(word):
            keywords.append(word)
    return ReadQuestion(
        tuple(keywords),
        region,
        region_word,
        sector,
        sector_word,
        amount_at_least,
        amount_at_most,
        within_days,
        initiative_groups,
    )
