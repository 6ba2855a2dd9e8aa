"""Alphabetical order as Kazakh and Russian readers expect it (bot/collation.py)."""

from __future__ import annotations

import random

import pytest

from bot.collation import KAZAKH_ALPHABET, RUSSIAN_ALPHABET, sort_key, sorted_by_alphabet


def shuffled(items: list[str], seed: int = 0) -> list[str]:
    copy = items[:]
    random.Random(seed).shuffle(copy)
    return copy


def test_the_kazakh_alphabet_is_the_order_of_its_letters() -> None:
    letters = list(KAZAKH_ALPHABET)
    assert len(letters) == 42
    assert sorted_by_alphabet(shuffled(letters), str, "kk") == letters
    upper = [letter.upper() for letter in letters]
    assert sorted_by_alphabet(shuffled(upper), str, "kk") == upper


def test_the_russian_alphabet_is_the_order_of_its_letters() -> None:
    letters = list(RUSSIAN_ALPHABET)
    assert len(letters) == 33
    assert sorted_by_alphabet(shuffled(letters), str, "ru") == letters


@pytest.mark.parametrize("seed", range(5))
def test_kazakh_words_follow_the_kazakh_alphabet_not_code_points(seed: int) -> None:
    words = ["Абай", "Ақмола", "Ақтөбе", "Алматы", "Атырау", "Қарағанды", "Қостанай", "Ұлытау", "Үржар"]
    words += ["Іле", "Ырғыз", "Шымкент", "Яссы", "Һ", "Ғабит", "Гүл", "Өскемен", "Орал", "Ңң", "Нұра"]
    expected = ["Абай", "Ақмола", "Ақтөбе", "Алматы", "Атырау", "Гүл", "Ғабит", "Қарағанды", "Қостанай"]
    expected += ["Нұра", "Ңң", "Орал", "Өскемен", "Ұлытау", "Үржар", "Һ", "Шымкент", "Ырғыз", "Іле", "Яссы"]
    assert sorted_by_alphabet(shuffled(words, seed), str, "kk") == expected


def test_russian_files_yo_with_ye_and_kazakh_letters_after_their_base() -> None:
    words = [
        "ель",
        "ёлка",
        "ёж",
        "еда",
        "жук",
        "Ұлытау",
        "Уил",
        "Фурманов",
        "Үштөбе",
        "Іле",
        "Ирина",
        "Йошкар",
    ]
    expected = ["еда", "ёж", "ёлка", "ель", "жук", "Ирина", "Іле", "Йошкар", "Уил", "Ұлытау", "Үштөбе"]
    expected += ["Фурманов"]
    assert sorted_by_alphabet(shuffled(words), str, "ru") == expected


def test_case_is_ignored_until_everything_else_is_equal() -> None:
    assert sorted_by_alphabet(["Ақтөбе", "ақмола", "АЛМАТЫ", "абай"], str, "kk") == [
        "абай",
        "ақмола",
        "Ақтөбе",
        "АЛМАТЫ",
    ]
    assert sorted_by_alphabet(["Ель", "ель"], str, "ru") == ["ель", "Ель"]  # a total, stable order


def test_digits_count_as_numbers_and_come_before_letters() -> None:
    titles = ["10-кезең", "Жасыл ел", "2-кезең", "1-кезең", "Green Day", "Әлем"]
    expected = ["1-кезең", "2-кезең", "10-кезең", "Әлем", "Жасыл ел", "Green Day"]
    assert sorted_by_alphabet(titles, str, "kk") == expected


def test_latin_comes_after_cyrillic_and_keeps_its_own_order() -> None:
    words = ["Zebra", "apple", "Éclair", "eclair", "Banana", "Астана"]
    assert sorted_by_alphabet(words, str, "ru") == ["Астана", "apple", "Banana", "eclair", "Éclair", "Zebra"]


def test_punctuation_and_emoji_do_not_decide_but_a_space_ends_a_word() -> None:
    titles = ["Тас", "«Таза Қазақстан»", "🌳 Ағаш отырғызу", "Батысқа", "Батыс Қазақстан"]
    assert sorted_by_alphabet(titles, str, "kk") == [
        "🌳 Ағаш отырғызу",
        "Батыс Қазақстан",
        "Батысқа",
        "«Таза Қазақстан»",
        "Тас",
    ]


def test_key_takes_any_item_and_locale_with_territory() -> None:
    grants = [{"title": "Ұлттық грант"}, {"title": "Ақ жол"}, {"title": "Бастама"}]
    ordered = sorted_by_alphabet(grants, lambda grant: grant["title"], "kk_KZ")
    assert [grant["title"] for grant in ordered] == ["Ақ жол", "Бастама", "Ұлттық грант"]
    assert sort_key("Қ", "kk-KZ") == sort_key("Қ", "kk")


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="en"):
        sort_key("word", "en")
