"""Long texts, escaping, Babel formats, the time zone check, and flood control."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import timezones
from bot.dispatcher import create_bot
from bot.i18n import format_date, format_datetime, format_day_time, format_money, pick_locale
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.settings import Settings
from bot.text import TEXT_LIMIT, escape, split_html, utf16_length
from fake_telegram.html import parse_html
from fake_telegram.recording import RecordingSession
from tests.harness import BotHarness, texts

WORDS = [
    "сәлем",
    "Қазақстан",
    "ерікті",
    "<b>қалың</b>",
    "<i>italic <u>and</u></i>",
    "&amp;",
    "🌳",
    "\n",
    "\n\n",
]


@pytest.mark.parametrize("seed", range(12))
def test_split_parts_fit_and_each_parses_as_telegram_html(seed: int) -> None:
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(800, 6000)))
    whole, _ = parse_html(text)
    parts = split_html(text)
    assert all(utf16_length(part) <= TEXT_LIMIT for part in parts)
    plain = [parse_html(part)[0] for part in parts]  # raises on any broken tag
    assert "".join(plain).split() == whole.split()  # nothing lost, nothing added


def test_split_keeps_formatting_across_a_cut() -> None:
    text = "<b>" + "сөз " * 3000 + "</b>"
    parts = split_html(text)
    assert len(parts) == 3
    for part in parts:
        plain, entities = parse_html(part)
        assert entities[0]["type"] == "bold"
        assert entities[0]["length"] == utf16_length(plain)


def test_split_cuts_a_word_with_no_spaces_and_counts_emoji_as_two() -> None:
    trees = split_html("🌳" * 3000)
    assert all(utf16_length(part) <= TEXT_LIMIT for part in trees)
    assert "".join(trees) == "🌳" * 3000
    assert "".join(split_html("x" * 9000)) == "x" * 9000


def test_short_texts_are_left_alone() -> None:
    assert split_html("<b>сәлем</b>\n\n") == ["<b>сәлем</b>\n\n"]


async def test_a_long_message_goes_out_in_parts_with_the_keyboard_on_the_last(settings: Settings) -> None:
    session = RecordingSession()
    bot = create_bot(settings, session)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="OK", callback_data="ok")]])
    await bot.send_message(1, "абзац\n" * 1500, reply_markup=keyboard)
    sent = [r for r in session.requests if isinstance(r, SendMessage)]
    assert len(sent) == 3
    assert [r.reply_markup for r in sent] == [None, None, keyboard]
    assert "".join(r.text for r in sent).count("абзац") == 1500
    await bot.session.close()


def test_escape_leaves_quotes_but_not_markup() -> None:
    assert escape('<b>О\'Нил</b> & "Co"') == '&lt;b&gt;О\'Нил&lt;/b&gt; &amp; "Co"'


def test_money_dates_and_times_in_both_languages() -> None:
    almaty = ZoneInfo("Asia/Almaty")
    moment = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # already the 25th in Almaty
    nbsp = "\xa0"  # Babel groups digits with no-break spaces, so an amount never wraps
    assert format_money(2_100_000_000, "kk") == f"2{nbsp}100{nbsp}000{nbsp}000 ₸"
    assert format_money(Decimal("1500.50"), "ru") == f"1{nbsp}500,50 ₸"
    # One style per language, the written norm; a no-break space keeps "г." with its year.
    assert format_date(moment, "ru", almaty) == f"25 ноября 2026{nbsp}г."
    assert format_date(moment, "kk", almaty) == "2026 жылғы 25 қараша"
    assert format_datetime(moment, "ru", almaty) == f"25 ноября 2026{nbsp}г., 01:30"
    assert format_datetime(moment, "kk", almaty) == "2026 жылғы 25 қараша, 01:30"
    assert format_day_time(moment, "ru", almaty) == "25 ноября, 01:30"
    assert format_day_time(moment, "kk", almaty) == "25 қараша, 01:30"


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [("ru", "kk", "ru"), (None, "kk", "kk"), (None, "ru-RU", "ru"), (None, "en", "kk"), (None, None, "kk")],
)
def test_locale_choice(chosen: str | None, telegram: str | None, expected: str) -> None:
    assert pick_locale(chosen, telegram, "kk") == expected


def test_almaty_is_utc_plus_5_with_the_packaged_data() -> None:
    timezones.use_packaged_tzdata()
    timezones.check_almaty_offset()  # does not raise


def test_stale_time_zone_data_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Data from before tzdata 2024a gives Almaty +06:00, as Dhaka has.
    monkeypatch.setattr(timezones, "ZoneInfo", lambda key: ZoneInfo("Asia/Dhaka"))
    with pytest.raises(timezones.StaleTimeZoneDataError, match=r"UTC\+6"):
        timezones.check_almaty_offset()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_throttling_warns_once_then_drops_until_refilled(harness: BotHarness) -> None:
    fake_clock = FakeClock()
    throttling = ThrottlingMiddleware(rate=1.0, burst=3, clock=fake_clock)
    harness.dispatcher.message.middleware(throttling)
    user = harness.user(4001, language_code="ru")
    answered = [texts(await user.send("привет")) for _ in range(6)]
    assert all(answer for answer in answered[:3])  # the burst gets through
    assert answered[3] == ["Слишком много сообщений. Подождите 1 секунду."]
    assert answered[4:] == [[], []]  # dropped quietly, no flood back
    fake_clock.now += 2
    assert texts(await user.send("привет")) != []
    other = harness.user(4002, language_code="kk")
    assert texts(await other.send("сәлем")) != []  # one user's flood does not touch another


@pytest.mark.parametrize("limit", [48, 64, 100, 333])
@pytest.mark.parametrize("seed", range(8))
def test_split_holds_its_limit_with_deep_nesting_and_small_limits(limit: int, seed: int) -> None:
    rng = random.Random(seed)
    pieces = []
    for _ in range(rng.randint(50, 300)):
        roll = rng.random()
        if roll < 0.15:
            depth = rng.randint(1, 3)
            names = rng.sample(["b", "i", "u", "s", "code"], depth)
            inner = rng.choice(["сөз", "екі сөз", "🌳🌳"])
            pieces.append(
                "".join(f"<{n}>" for n in names) + inner + "".join(f"</{n}>" for n in reversed(names))
            )
        elif roll < 0.25:
            pieces.append("\n")
        else:
            pieces.append(rng.choice(["ерікті", "Қазақстан", "&lt;3", "a" * rng.randint(1, 30)]))
    text = " ".join(pieces)
    parts = split_html(text, limit)
    assert all(utf16_length(part) <= limit for part in parts)
    assert squeezed(parse_html(part)[0] for part in parts) == squeezed([parse_html(text)[0]])


def test_split_does_not_hang_on_a_tag_longer_than_the_limit() -> None:
    link = '<a href="https://example.kz/' + "x" * 200 + '">сілтеме</a>'
    parts = split_html((link + " ") * 3, limit=100)
    assert squeezed(parse_html(part)[0] for part in parts) == "сілтеме" * 3


def squeezed(texts: Iterable[str]) -> str:
    """The characters in order, without white space: cuts may drop the space they were made at."""
    return "".join("".join(text.split()) for text in texts)
