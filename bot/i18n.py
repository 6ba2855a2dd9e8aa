"""Languages: gettext catalogs (compiled on demand), the locale of a user, and Babel formatting.

Views get a `Translator`: one language's texts and formats, passed explicitly. Nothing here reads a
hidden "current language", so a view renders the same for a reply and for a message the sender
writes to thousands of users, each in their own language.
"""

from __future__ import annotations

import gettext
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from bot.settings import SUPPORTED_LOCALES

logger = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
# Babel prints ₸ only with the territory: plain "kk"/"ru" would give "KZT".
BABEL_LOCALES = {"kk": "kk_KZ", "ru": "ru_KZ"}
# Each language's name in itself: the language picker shows these to everyone alike.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention that pybabel extracts
    """Mark a msgid kept in a data table; it is translated with `t._()` when rendered."""
    return message


# The same names as msgids, for texts in the user's language (the profile: "Язык: Казахский").
LANGUAGE_NAMES_TRANSLATED = {"kk": N_("Kazakh"), "ru": N_("Russian")}


@dataclass(frozen=True, slots=True)
class Translator:
    """One language: its texts (gettext), plurals, dates, times and money, in the bot's time zone."""

    locale: str
    catalog: gettext.NullTranslations
    tz: ZoneInfo

    def _(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def date(self, moment: datetime) -> str:
        """A calendar date in this language, in the bot's time zone."""
        return format_date(moment, self.locale, self.tz)

    def date_time(self, moment: datetime) -> str:
        """A date and time in this language and the bot's time zone."""
        return format_datetime(moment, self.locale, self.tz)

    def day_time(self, moment: datetime) -> str:
        """Day and time without the year, for what is near."""
        return format_day_time(moment, self.locale, self.tz)

    def money(self, amount: int | Decimal) -> str:
        return format_money(amount, self.locale)


class Catalogs:
    """The translators of every supported language, loaded once."""

    def __init__(self, default_locale: str, tz: ZoneInfo, locales_dir: Path = LOCALES_DIR) -> None:
        compile_catalogs(locales_dir)
        self.default_locale = default_locale
        self.tz = tz
        self._translators: dict[str, Translator] = {}
        for locale in SUPPORTED_LOCALES:
            mo_path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if not mo_path.exists():
                raise RuntimeError(f"no catalog for {locale!r} in {locales_dir}")
            with mo_path.open("rb") as mo_file:
                self._translators[locale] = Translator(locale, gettext.GNUTranslations(mo_file), tz)

    def __getitem__(self, locale: str) -> Translator:
        return self._translators[locale]

    def all(self) -> list[Translator]:
        """Every language, Kazakh first."""
        return [self._translators[locale] for locale in SUPPORTED_LOCALES]

    def speaking(self, chosen: str | None, t: Translator) -> list[Translator]:
        """The languages to write to a user in: theirs once chosen; until then every one, Kazakh
        first, as the language picker does (Kazakh speakers often run Telegram in Russian)."""
        return [t] if chosen in self._translators else self.all()

    def pick(self, chosen: str | None, telegram_language: str | None) -> Translator:
        return self._translators[pick_locale(chosen, telegram_language, self.default_locale)]


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Compile every .po whose .mo is missing or older; returns what was compiled.

    `make`, CI and Docker compile with pybabel; this keeps `python -m bot` from failing when
    someone edited a catalog and forgot to.
    """
    compiled = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)  # fuzzy entries are left out, as pybabel does
        compiled.append(mo_path)
        logger.info("Compiled %s", mo_path)
    return compiled


def pick_locale(chosen: str | None, telegram_language: str | None, default: str) -> str:
    """The language to speak: the user's choice, else Telegram's if it is ours, else the default."""
    if chosen in SUPPORTED_LOCALES:
        return chosen
    guess = (telegram_language or "").split("-")[0].lower()
    return guess if guess in SUPPORTED_LOCALES else default


# One date style per language, set here rather than taken from Babel's "long" format: Babel's kk data
# gives "2026 ж. 24 қараша", where no case ending can follow and "ж." is not the written norm. The
# patterns use Babel's month names (kk "қараша", ru "ноября"); between the year and "г." a no-break
# space, so a line never starts with "г.".
DATE_PATTERNS = {"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y\u00a0'г.'"}
DATETIME_PATTERNS = {"kk": "y 'жылғы' d MMMM, HH:mm", "ru": "d MMMM y\u00a0'г.', HH:mm"}
DAY_TIME_PATTERNS = {"kk": "d MMMM, HH:mm", "ru": "d MMMM, HH:mm"}


def format_date(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """The calendar date in the bot's time zone: "2026 жылғы 24 қараша", "24 ноября 2026 г."."""
    return babel_format_datetime(moment, DATE_PATTERNS[locale], tzinfo=tz, locale=BABEL_LOCALES[locale])


def format_datetime(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """Date and time in the bot's time zone: "2026 жылғы 24 қараша, 17:00", "24 ноября 2026 г., 17:00"."""
    return babel_format_datetime(moment, DATETIME_PATTERNS[locale], tzinfo=tz, locale=BABEL_LOCALES[locale])


def format_day_time(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """Day and time without the year, for what is near (an event this season): "24 қараша, 17:00"."""
    return babel_format_datetime(moment, DAY_TIME_PATTERNS[locale], tzinfo=tz, locale=BABEL_LOCALES[locale])


def format_money(amount: int | Decimal, locale: str) -> str:
    """Tenge, grouped the local way: "1 500 000 ₸"; tiyn shown only when there are any."""
    pattern = "#,##0 ¤" if Decimal(amount) == Decimal(amount).to_integral_value() else "#,##0.00 ¤"
    return format_currency(amount, "KZT", format=pattern, locale=BABEL_LOCALES[locale], currency_digits=False)
