"""Words as the search index keeps them, for Kazakh and Russian alike.

1. Case folded; in a word with Cyrillic letters, Latin look-alikes become Cyrillic (Latin i is Kazakh і:
   phones without Kazakh letters type `отiнiм` for `өтінім`).
2. Kazakh endings stripped (plural, possessive, case), respecting vowel harmony: `жастарға` → `жас`.
3. Kazakh letters folded to their look-alikes: ә→а, ғ→г, қ→к, ң→н, ө→о, ұ/ү→у, і→и, һ→х, and ё→е,
   so that `агаш` and `ағаш` are one word.
4. Russian endings stripped by Snowball's Russian stemmer, and a few derivations joined to their noun
   (`молодежных` → `молодеж`, as `молодежь`).

A document is indexed by each word's folded form and both stems; a query word matches its folded form
as a prefix (`жаста` finds `жастар`) or either stem exactly (`жастарға` finds `жастар`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

KAZAKH_LETTERS = frozenset("әғқңөұүһі")
FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "і": "и", "һ": "х", "ё": "е"}
)
# Latin letters that look like Cyrillic ones, as typed inside a Cyrillic word.
LOOK_ALIKES = str.maketrans(
    {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "i": "і"}
)
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]")


def word_list(text: str) -> tuple[str, ...]:
    """A list of words written as one text (long lists read better so)."""
    return tuple(text.split())


BACK, FRONT = "b", "f"
# Vowels and the harmony class they show; a word typed without Kazakh letters may mean ә by а, ө by о,
# ү by у and і by и, so there those count as either.
_VOWELS = {
    "а": {BACK},
    "о": {BACK},
    "ұ": {BACK},
    "ы": {BACK},
    "ә": {FRONT},
    "ө": {FRONT},
    "ү": {FRONT},
    "і": {FRONT},
    "е": {FRONT},
    "у": {BACK, FRONT},
    "и": {BACK, FRONT},
    "ю": {BACK, FRONT},
    "я": {BACK, FRONT},
    "э": {FRONT},
    "ё": {BACK},
}
_AMBIGUOUS_WITHOUT_KAZAKH_LETTERS = {"а": {BACK, FRONT}, "о": {BACK, FRONT}}

# Kazakh endings (back and front variants), outermost kinds first in the comments: case (with the
# adjectival -ғы/-гі after a locative), possessive, plural. Stripped from the end, longest first, up to
# four times, each only where the stem before it agrees in vowel harmony and stays long enough.
_KAZAKH_SUFFIXES = word_list(
    # locative + adjectival: Ақтөбедегі, қаладағы
    "дағы дегі тағы тегі ндағы ндегі "
    # ablative, locative, dative, genitive, accusative, instrumental
    "дан ден тан тен нан нен да де та те нда нде ға ге қа ке на не "
    "ның нің дың дің тың тің ны ні ды ді ты ті ын ін мен бен пен "
    # possessive
    "ымыз іміз мыз міз ыңыз іңіз ңыз ңіз ым ім ың ің сы сі лары лері дары дері тары тері ы і "
    # plural
    "лар лер дар дер тар тер "
    # adjectives made of nouns: экологиялық → экология, әлеуметтік → әлеумет; doers: домбырашы
    "лық лік дық дік тық тік шы ші"
)


def _suffix_table() -> tuple[tuple[str, frozenset[str]], ...]:
    """Each ending, and its form typed without Kazakh letters, with the harmony classes it allows."""
    table: dict[str, set[str]] = {}
    for suffix in _KAZAKH_SUFFIXES:
        vowel = next((letter for letter in suffix if letter in _VOWELS), None)
        classes = set(_VOWELS[vowel]) if vowel else {BACK, FRONT}
        for form in (suffix, suffix.translate(FOLD)):
            table.setdefault(form, set()).update(classes)
    return tuple(
        (form, frozenset(classes)) for form, classes in sorted(table.items(), key=lambda item: -len(item[0]))
    )


_SUFFIXES = _suffix_table()
_RUSSIAN = snowballstemmer.stemmer("russian")
_RUSSIAN_VOWELS = frozenset("аеиоуыэюяё")


def words(text: str) -> list[str]:
    """The words of a text: case folded, Latin look-alikes inside Cyrillic words made Cyrillic."""
    result = []
    for word in _WORD.findall(text.casefold()):
        if _CYRILLIC.search(word):
            word = word.translate(LOOK_ALIKES)
        result.append(word)
    return result


def fold(word: str) -> str:
    """Kazakh letters and ё as their look-alikes: ағаш → агаш."""
    return word.translate(FOLD)


def _last_vowel_classes(stem: str, trusted: bool) -> set[str]:
    for letter in reversed(stem):
        if letter in _VOWELS:
            if not trusted and letter in _AMBIGUOUS_WITHOUT_KAZAKH_LETTERS:
                return _AMBIGUOUS_WITHOUT_KAZAKH_LETTERS[letter]
            return _VOWELS[letter]
    return {BACK, FRONT}


def kazakh_stem(word: str) -> str:
    """A light Kazakh stemmer: plural, possessive and case endings off, in vowel harmony, folded.

    `жастарға` → `жас`, `ұйымдарына` → `уйым`, `Ақтөбедегі` → `актобе`."""
    trusted = any(letter in KAZAKH_LETTERS for letter in word)
    stem = word
    for _ in range(4):
        for suffix, classes in _SUFFIXES:
            if not stem.endswith(suffix):
                continue
            rest = stem[: -len(suffix)]
            # One-letter endings only after a longer stem: fewer words lose a letter of their own.
            if len(rest) < (4 if len(suffix) == 1 else 3) or not any(letter in _VOWELS for letter in rest):
                continue
            if classes & _last_vowel_classes(rest, trusted):
                stem = rest
                break
        else:
            break
    return fold(stem)


@lru_cache(maxsize=65536)
def russian_stem(word: str) -> str:
    """Snowball's Russian stem, with adjectives joined to their noun: `молодежных` → `молодеж`."""
    stem = str(_RUSSIAN.stemWord(fold(word)))
    if len(stem) < 4:
        # Too short to tell a Russian ending from a Kazakh word's own letters (жасыл is not жас).
        return fold(word)
    if stem.endswith("ическ") and len(stem) > 7:
        return stem[:-5]
    if stem.endswith(("ов", "ев")) and len(stem) > 6:  # пластиковых → пластик
        return stem[:-2]
    if stem.endswith("н") and len(stem) > 5 and stem[-2] not in _RUSSIAN_VOWELS:
        return stem[:-1]
    return stem


@dataclass(frozen=True, slots=True)
class WordForms:
    """What one word is looked up by: its folded form (matched as a prefix) and its stems."""

    folded: str
    stems: tuple[str, ...]


@lru_cache(maxsize=65536)
def forms(word: str) -> WordForms:
    folded = fold(word)
    stems = tuple(dict.fromkeys(stem for stem in (kazakh_stem(word), russian_stem(word)) if stem != folded))
    return WordForms(folded, stems)


def index_text(*texts: str | None) -> str:
    """The texts as the index keeps them: each word's folded form and its stems, space-separated."""
    tokens: dict[str, None] = {}
    for text in texts:
        for word in words(text or ""):
            word_forms = forms(word)
            tokens[word_forms.folded] = None
            tokens.update(dict.fromkeys(word_forms.stems))
    return " ".join(tokens)
