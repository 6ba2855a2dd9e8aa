"""Alphabetical order for Kazakh and Russian: what a reader of either language expects in a list.

Python sorts by code point, which puts Қ, Ұ, Ү, І after Я and Ақмола after Атырау. These keys follow
the alphabets instead, for every list a user reads (regions, grants, events):

- Kazakh: а ә б в г ғ д е ё ж з и й к қ л м н ң о ө п р с т у ұ ү ф х һ ц ч ш щ ъ ы і ь э ю я.
- Russian: а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я, with ё filed with е as
  Russian dictionaries do, and the Kazakh letters of names written in Russian text (Область Ұлытау)
  right after the letter they build on, as Unicode's default order has them: ә after а, ғ after г,
  і after и, қ after к, ң after н, ө after о, ұ and ү after у, һ after х.

Comparison goes level by level, as in ICU: first the letters alone (case, accents and punctuation
aside), then accents (е before ё in Russian, e before é), then case (lower first), then the text
itself, so the order is total and stable. Across scripts: digits, then Cyrillic, then Latin, then
anything else. A run of digits counts as its number ("2-кезең" before "10-кезең"). Punctuation,
quotes and emoji are skipped at the first level («Таза Қазақстан» files under Т); a space is not
(it ends a word: "Батыс Қазақстан" before "Батысқа").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
RUSSIAN_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"

# Groups of the first level, in order.
_SPACE, _DIGITS, _CYRILLIC, _LATIN, _OTHER = range(5)

# A letter's place: (first-level weight, accent weight).
Weights = dict[str, tuple[int, int]]


def _kazakh_weights() -> Weights:
    return {letter: (index, 0) for index, letter in enumerate(KAZAKH_ALPHABET)}


# The Russian order with the Kazakh letters placed after the letter they build on.
RUSSIAN_ORDER = "аәбвгғдежзиійкқлмнңоөпрстуұүфхһцчшщъыьэюя"


def _russian_weights() -> Weights:
    weights = {letter: (index, 0) for index, letter in enumerate(RUSSIAN_ORDER)}
    weights["ё"] = (weights["е"][0], 1)  # е with an accent, as dictionaries file it
    return weights


_WEIGHTS: dict[str, Weights] = {"kk": _kazakh_weights(), "ru": _russian_weights()}
_TOKENS = re.compile(r"\d+|\s+|.", re.DOTALL)

# One element of a level: (group, weight).
Element = tuple[int, int]
SortKey = tuple[tuple[Element, ...], tuple[int, ...], tuple[int, ...], str]


def _letter(char: str, weights: Weights) -> tuple[Element, int] | None:
    """The first-level element and accent weight of one lower-case letter, or None to skip it."""
    if char in weights:
        weight, accent = weights[char]
        return (_CYRILLIC, weight), accent
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    accent = sum(ord(mark) for mark in decomposed[1:])  # 0 for a bare letter
    if base in weights:  # a Cyrillic letter with a mark, e.g. ї
        return (_CYRILLIC, weights[base][0]), weights[base][1] + accent
    if "a" <= base <= "z":
        return (_LATIN, ord(base)), accent
    category = unicodedata.category(char)
    if category[0] in "PSCZ":  # punctuation, symbols (emoji), controls: not part of the word
        return None
    if "CYRILLIC" in unicodedata.name(char, ""):
        return (_CYRILLIC, len(weights) + ord(char)), 0
    return (_OTHER, ord(char)), 0


def _locale_weights(locale: str) -> Weights:
    language = locale.replace("-", "_").split("_")[0].lower()
    try:
        return _WEIGHTS[language]
    except KeyError:
        raise ValueError(f"no alphabet for locale {locale!r}: expected kk or ru") from None


def sort_key(text: str, locale: str) -> SortKey:
    """A key that orders texts alphabetically for readers of `locale` ("kk" or "ru", "kk_KZ" works too)."""
    weights = _locale_weights(locale)
    letters: list[Element] = []
    accents: list[int] = []
    cases: list[int] = []
    for token in _TOKENS.findall(unicodedata.normalize("NFC", text)):
        if token.isspace():
            if letters and letters[-1] != (_SPACE, 0):
                letters.append((_SPACE, 0))
            continue
        if token.isdecimal():
            letters.append((_DIGITS, int(token)))
            accents.append(len(token))  # "07" after "7"
            continue
        lower = token.lower()
        found = _letter(lower, weights)
        if found is None:
            continue
        element, accent = found
        letters.append(element)
        accents.append(accent)
        cases.append(0 if token == lower else 1)
    while letters and letters[-1] == (_SPACE, 0):
        letters.pop()
    return tuple(letters), tuple(accents), tuple(cases), text


def sorted_by_alphabet(items: Iterable[T], key: Callable[[T], str], locale: str) -> list[T]:
    """`items` in the alphabetical order of `locale`, by the text `key` gives for each."""
    return sorted(items, key=lambda item: sort_key(key(item), locale))
