"""Names (issue 6, point 4): what people really write is kept whole; only what hides or disguises text
goes."""

from __future__ import annotations

import pytest

from bot.domain.names import clean_name
from storage.database import Database
from tests.harness import BotHarness, stored_user, texts

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one emoji: four faces joined by ZWJ
RAINBOW_FLAG = "🏳\ufe0f\u200d🌈"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # a tag sequence


@pytest.mark.parametrize(
    "name",
    [
        f"Дана {FAMILY}",
        f"{RAINBOW_FLAG} Ерлан",
        f"{SCOTLAND} Aileen",
        "مهرداد می\u200cخواهد",  # Persian: ZWNJ keeps the letters apart inside a word
        "نرگس\u200cبانو",
        "क्\u200dष",  # Devanagari: ZWJ asks for a half form
        "\u0600\u0661\u0662 Ali",  # a visible Arabic number sign
        "Қанат Ұлықбекұлы",
        "🫨 Nurlan",  # newer than Python's Unicode tables: unassigned to it, kept
    ],
)
def test_names_with_joiners_and_emoji_are_kept_whole(name: str) -> None:
    assert clean_name(name) == name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ali\u202eeviL\u202c", "AlieviL"),  # a right-to-left override would show it reversed
        ("x\u2066admin\u2069", "xadmin"),  # isolates
        ("\u200fДана\u200e", "Дана"),  # direction marks
        ("Дa\u200bна", "Дaна"),  # zero-width space
        ("Ер\u00adлан", "Ерлан"),  # soft hyphen
        ("\ufeffАсель\u2060", "Асель"),  # byte order mark, word joiner
        ("Айгерім\nСәрсенова\tұлы", "Айгерім Сәрсенова ұлы"),  # controls become spaces
        ("  Дана \u2028 Ахметова  ", "Дана Ахметова"),
        ("\u200dДана\u200c", "Дана"),  # joiners at the edges join nothing
        ("Дана \u200d Ахметова", "Дана Ахметова"),  # nor next to a space
        ("👨\u200d\u200d👩", "👨\u200d👩"),  # one of a run
        ("🏴\U000e0067 flag", "🏴 flag"),  # a tag sequence without its end is not a flag
        ("\U000e0041hidden", "hidden"),  # stray tags are invisible text
    ],
)
def test_only_what_hides_or_disguises_text_is_removed(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


async def test_a_family_emoji_name_survives_consent_and_a_rename(
    harness: BotHarness, database: Database
) -> None:
    user = harness.user(3001, first_name="Дана", last_name=FAMILY, language_code="kk")
    await user.onboard("kk")
    stored = await stored_user(database, 3001)
    assert stored is not None
    assert stored.name == f"Дана {FAMILY}"

    await user.send("/profile")
    await user.press_text("✏️ Аты")
    (profile,) = texts(await user.send("مهرداد می\u200cخواهد \u202e"))
    assert "Аты: مهرداد می\u200cخواهد\n" in profile
    stored = await stored_user(database, 3001)
    assert stored is not None
    assert stored.name == "مهرداد می\u200cخواهد"
