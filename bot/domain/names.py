"""Display names: one line of what people really write, without what only hides or disguises text."""

from __future__ import annotations

import unicodedata

NAME_MAX = 64

ZWJ = "\u200d"  # joins emoji into one (👨‍👩‍👧) and letters into ligatures
ZWNJ = "\u200c"  # keeps Persian and Arabic letters apart inside a word (می‌خواهم)
JOINERS = frozenset({ZWJ, ZWNJ})

# Format characters that are visible signs, not hidden controls (Unicode's Prepended_Concatenation_Mark):
# the Arabic number signs and end of ayah, the Syriac abbreviation mark, the Kaithi number signs.
VISIBLE_FORMAT = frozenset(
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
)

BLACK_FLAG = "\U0001f3f4"
CANCEL_TAG = "\U000e007f"
TAGS = range(0xE0020, 0xE007F)  # tag letters and digits: 🏴 + tags + cancel tag = a region's flag


def clean_name(raw: str) -> str:
    """A name as one line: controls (line breaks among them) become spaces, spaces are collapsed.

    Kept: every letter, mark and emoji, ZWJ and ZWNJ between two characters they can join (a family
    emoji, a Persian name), a subdivision flag's tag sequence (🏴 Scotland), visible format signs and
    characters newer than Python's Unicode tables (new emoji). Dropped: bidi embeddings, overrides,
    isolates and marks (they make a name read backwards and disguise what follows), zero-width spaces,
    soft hyphens, word joiners, byte order marks, stray tags and surrogates: invisible, they only make
    two names that look the same differ.
    """
    kept: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == BLACK_FLAG:
            end = _tag_sequence_end(raw, index + 1)
            kept.append(raw[index:end])
            index = end
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif _visible_or_joining(char, category):
            kept.append(char)
        index += 1
    return " ".join(_joiners_that_join("".join(kept)).split())


def _visible_or_joining(char: str, category: str) -> bool:
    """Kept as it is: not an invisible format character (but a joiner) and not half of a UTF-16 pair."""
    if category == "Cf":
        return char in JOINERS or char in VISIBLE_FORMAT
    return category != "Cs"


def _tag_sequence_end(text: str, start: int) -> int:
    """The end of 🏴's tag sequence starting at `start`, or `start` when none is complete there."""
    end = start
    while end < len(text) and ord(text[end]) in TAGS:
        end += 1
    if end > start and end < len(text) and text[end] == CANCEL_TAG:
        return end + 1
    return start


def _joiners_that_join(text: str) -> str:
    """ZWJ and ZWNJ only between two characters that are neither spaces nor joiners; one of a run."""
    result: list[str] = []
    for index, char in enumerate(text):
        if char in JOINERS:
            before = result[-1] if result else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if not _joinable(before) or not _joinable(after):
                continue
        result.append(char)
    return "".join(result)


def _joinable(char: str) -> bool:
    return bool(char) and not char.isspace() and char not in JOINERS
