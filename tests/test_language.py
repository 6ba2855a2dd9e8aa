"""The native speakers' review of the texts (issue 6): region order and layout, dates, plurals,
terms and the bot's voice, in Kazakh and Russian."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot.domain.roles import Role
from bot.i18n import Catalogs, format_date, format_datetime, format_day_time
from bot.services.users import Problem
from bot.views import profile as profile_views
from bot.views.language import language_changed_text
from bot.views.layout import ROW_CHARACTERS, columns_that_fit, row_widths
from bot.views.menu import Origin, stranger_button_text
from bot.views.onboarding import (
    RegionCallback,
    consent_view,
    finish_setting_up_text,
    region_keyboard,
    role_chosen_text,
    stale_step_text,
)
from bot.views.privacy import erase_confirm_view
from bot.views.profile import profile_view
from storage.repositories.users import UserProfile
from tests.test_catalogs import catalog


def rendered(catalogs: Catalogs, locale: str) -> InlineKeyboardMarkup:
    return region_keyboard(catalogs[locale])


def labels(markup: InlineKeyboardMarkup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


KAZAKH_REGIONS = [
    "Абай облысы",
    "Ақмола облысы",
    "Ақтөбе облысы",
    "Алматы облысы",
    "Атырау облысы",
    "Батыс Қазақстан облысы",
    "Жамбыл облысы",
    "Жетісу облысы",
    "Қарағанды облысы",
    "Қостанай облысы",
    "Қызылорда облысы",
    "Маңғыстау облысы",
    "Павлодар облысы",
    "Солтүстік Қазақстан облысы",
    "Түркістан облысы",
    "Ұлытау облысы",
    "Шығыс Қазақстан облысы",
]

RUSSIAN_REGIONS = [
    "Акмолинская область",
    "Актюбинская область",
    "Алматинская область",
    "Атырауская область",
    "Восточно-Казахстанская область",
    "Жамбылская область",
    "Западно-Казахстанская область",
    "Карагандинская область",
    "Костанайская область",
    "Кызылординская область",
    "Мангистауская область",
    "Область Абай",
    "Область Жетісу",
    "Область Ұлытау",
    "Павлодарская область",
    "Северо-Казахстанская область",
    "Туркестанская область",
]


def test_kazakh_region_keyboard_follows_the_kazakh_alphabet_one_region_a_row(catalogs: Catalogs) -> None:
    rows = labels(rendered(catalogs, "kk"))
    assert rows == [["Астана", "Алматы", "Шымкент"], *([name] for name in KAZAKH_REGIONS)]


def test_russian_region_keyboard_in_official_names_one_region_a_row(catalogs: Catalogs) -> None:
    rows = labels(rendered(catalogs, "ru"))
    assert rows == [["Астана", "Алматы", "Шымкент"], *([name] for name in RUSSIAN_REGIONS)]


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_region_buttons_carry_every_region_once_and_no_label_is_cut(catalogs: Catalogs, locale: str) -> None:
    markup = rendered(catalogs, locale)
    codes = [RegionCallback.unpack(str(b.callback_data)).code for row in markup.inline_keyboard for b in row]
    assert len(codes) == len(set(codes)) == 20
    for row in markup.inline_keyboard:
        assert all(len(button.text) <= ROW_CHARACTERS // len(row) for button in row)


def test_columns_are_as_many_as_the_longest_label_allows() -> None:
    assert columns_that_fit(["Астана", "Алматы", "Шымкент"], max_columns=3) == 3
    assert columns_that_fit(["Абай облысы", "Қызылорда облысы"], max_columns=3) == 2
    assert columns_that_fit(["Абай облысы", "x" * (ROW_CHARACTERS // 2 + 1)], max_columns=3) == 1
    assert columns_that_fit([], max_columns=2) == 2
    assert row_widths([3, 5], [3, 2]) == [3, 2, 2, 1]
    assert row_widths([4, 2], [3, 1]) == [3, 1, 1, 1]


# Dates: one style per language, the written norm.

ALMATY = ZoneInfo("Asia/Almaty")
KAZAKH_MONTHS = ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек"]
KAZAKH_MONTHS += ["қазан", "қараша", "желтоқсан"]
RUSSIAN_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября"]
RUSSIAN_MONTHS += ["октября", "ноября", "декабря"]


@pytest.mark.parametrize("month", range(1, 13))
def test_dates_in_every_month(month: int) -> None:
    moment = datetime(2026, month, 4, 12, 5, tzinfo=ALMATY)
    kk, ru = KAZAKH_MONTHS[month - 1], RUSSIAN_MONTHS[month - 1]
    assert format_date(moment, "kk", ALMATY) == f"2026 жылғы 4 {kk}"
    assert format_date(moment, "ru", ALMATY) == f"4 {ru} 2026\xa0г."
    assert format_datetime(moment, "kk", ALMATY) == f"2026 жылғы 4 {kk}, 12:05"
    assert format_datetime(moment, "ru", ALMATY) == f"4 {ru} 2026\xa0г., 12:05"
    assert format_day_time(moment, "kk", ALMATY) == f"4 {kk}, 12:05"
    assert format_day_time(moment, "ru", ALMATY) == f"4 {ru}, 12:05"


def test_dates_are_shown_in_the_bot_time_zone() -> None:
    evening_utc = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert format_day_time(evening_utc, "kk", ALMATY) == "24 қараша, 17:00"
    assert format_day_time(evening_utc, "ru", ALMATY) == "24 ноября, 17:00"
    new_year_utc = datetime(2026, 12, 31, 19, 0, tzinfo=UTC)  # midnight in Almaty
    assert format_datetime(new_year_utc, "kk", ALMATY) == "2027 жылғы 1 қаңтар, 00:00"
    assert format_date(new_year_utc, "ru", ALMATY) == "1 января 2027\xa0г."


def a_user(language: str, created_at: datetime) -> UserProfile:
    return UserProfile(
        id=1,
        name="Дана",
        username=None,
        language=language,
        telegram_language=None,
        consent_at=created_at,
        role="volunteer",
        requested_role=None,
        role_requested_at=None,
        region="abai",
        phone=None,
        start_payload=None,
        blocked_at=None,
        created_at=created_at,
    )


def profile_text(catalogs: Catalogs, user: UserProfile, locale: str) -> str:
    return profile_view(catalogs[locale], user).text


def test_the_profile_says_when_the_user_joined_as_a_label(catalogs: Catalogs) -> None:
    joined = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    kk = profile_text(catalogs, a_user("kk", joined), "kk").splitlines()
    ru = profile_text(catalogs, a_user("ru", joined), "ru").splitlines()
    assert kk[-1] == "Belsendi-ге қосылған күні: 2026 жылғы 24 қараша"
    assert ru[-1] == "В Belsendi с 24 ноября 2026\xa0г."
    assert "Өңір: Абай облысы" in kk
    assert "Регион: Область Абай" in ru


@pytest.mark.parametrize(
    ("language", "locale", "line"),
    [
        ("kk", "kk", "Тіл: Қазақша"),
        ("ru", "kk", "Тіл: Орысша"),
        ("kk", "ru", "Язык: Казахский"),
        ("ru", "ru", "Язык: Русский"),
    ],
)
def test_the_profile_names_the_language_in_the_language_of_the_screen(
    catalogs: Catalogs, language: str, locale: str, line: str
) -> None:
    text = profile_text(catalogs, a_user(language, datetime(2026, 1, 1, tzinfo=UTC)), locale)
    assert line in text.splitlines()


# Numbers in texts agree with their nouns: ru has three forms, kk two (the same words).


@pytest.mark.parametrize(
    ("limit", "ru_prompt", "ru_too_long"),
    [
        (1, "(до 1 символа)", "не больше 1 символа."),
        (2, "(до 2 символов)", "не больше 2 символов."),
        (5, "(до 5 символов)", "не больше 5 символов."),
        (11, "(до 11 символов)", "не больше 11 символов."),
        (21, "(до 21 символа)", "не больше 21 символа."),
        (64, "(до 64 символов)", "не больше 64 символов."),
    ],
)
def test_russian_name_limits_agree_with_the_number(
    catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch, limit: int, ru_prompt: str, ru_too_long: str
) -> None:
    monkeypatch.setattr(profile_views, "NAME_MAX", limit)
    t = catalogs["ru"]
    prompt = profile_views.ask_name_view(t).text
    too_long = profile_views.problem_text(t, Problem.NAME_TOO_LONG)
    assert prompt == f"✏️ Отправьте имя, как оно должно отображаться {ru_prompt}, или /cancel."
    assert too_long == f"Слишком длинно: в имени может быть {ru_too_long} Попробуйте короче."


@pytest.mark.parametrize("limit", [1, 2, 64])
def test_kazakh_name_limits_keep_the_noun_singular_after_a_number(
    catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(profile_views, "NAME_MAX", limit)
    t = catalogs["kk"]
    prompt = profile_views.ask_name_view(t).text
    too_long = profile_views.problem_text(t, Problem.NAME_TOO_LONG)
    assert prompt == f"✏️ Көрсетілетін атыңызды ({limit} таңбаға дейін) немесе /cancel жіберіңіз."
    assert too_long == f"Тым ұзын: атыңыз {limit} таңбадан аспауы керек. Қысқартып, қайта жіберіңіз."


def test_kazakh_plural_forms_are_two_and_both_filled(catalogs: Catalogs) -> None:
    one = "Too many messages. Please wait %(seconds)d second."
    many = "Too many messages. Please wait %(seconds)d seconds."
    assert catalogs["kk"].ngettext(one, many, 1) % {"seconds": 1} == "Хабарлама тым көп. 1 секунд күтіңіз."
    assert catalogs["kk"].ngettext(one, many, 2) % {"seconds": 2} == "Хабарлама тым көп. 2 секунд күтіңіз."
    for message in catalog("kk"):
        if isinstance(message.id, tuple):
            assert len(message.string) == 2
            assert all(message.string), message.id


# Terms, calques and the bot's voice.


def translations(locale: str) -> list[tuple[str, str]]:
    """(msgid, translation) for every form of every entry."""
    found = []
    for message in catalog(locale):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(msgid, string) for string in strings]
    return found


def offending(locale: str, pattern: str) -> list[str]:
    return [string for _msgid, string in translations(locale) if re.search(pattern, string)]


def test_russian_says_npo_as_kazakhstan_does() -> None:
    assert offending("ru", r"\bНКО\b") == []
    assert any("НПО" in string for _msgid, string in translations("ru"))


def test_kazakh_calls_a_role_rol_everywhere() -> None:
    assert offending("kk", "мәртебе") == []


@pytest.mark.parametrize(
    ("locale", "pattern"),
    [
        ("kk", r"/\w+ (басыңыз|жазыңыз|енгізіңіз)"),  # a command is sent: "/start жіберіңіз"
        ("ru", r"(нажмите|введите|напишите) /\w+"),  # "отправьте /start"
    ],
)
def test_one_verb_for_commands(locale: str, pattern: str) -> None:
    assert offending(locale, pattern) == []


@pytest.mark.parametrize(
    "calque",
    [
        "Нөмірімен",  # "his number"
        "Belsendi-ді",  # Belsendi ends in a vowel: -ні
        "Belsendi осы",  # the subject of a verbal noun takes the genitive
        "Belsendi деректеріңізді",
        "Бізде бірдеңе",
        "Сіз өткен",
        "керек пе?",
        "%(date)s бастап",  # no case ending can follow a date placeholder
        "%(amount)s бастап",  # nor an amount: "кемінде %(amount)s", "ең көбі %(amount)s"
        "%(amount)s дейін",
        "20:00-де",  # жиырма: 20:00-да
        "Дайын:",  # "Done:" before a sentence is a calque
        "Қазір сіз осы жердесіз",  # "Here is where you are now"
        "рахмет",  # the written norm is рақмет
        "түймесін",  # a button is батырма everywhere
        "қолданушы",  # a user is пайдаланушы everywhere
        "өтініш",  # a request (for a role or a grant) is өтінім everywhere
    ],
)
def test_kazakh_has_none_of_the_reviewed_mistakes(calque: str) -> None:
    assert offending("kk", re.escape(calque)) == []


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("📱 Share my number", "📱 Нөміріммен бөлісу"),
        (
            "⚠️ Something went wrong on our side. Please try again in a moment, or send /menu.",
            "⚠️ Біз жақта ақау шықты. Сәлден соң қайталап көріңіз немесе /menu жіберіңіз.",
        ),
        (
            "The link you followed cannot be opened: what it points to is not available.",
            "Бұл сілтеме ашылмады: ол апаратын мазмұн қолжетімсіз.",
        ),
        (
            "First agree to let Belsendi keep your data: send /start.",
            "Алдымен Belsendi-нің деректеріңізді сақтауына келісім беріңіз: /start жіберіңіз.",
        ),
    ],
)
def test_kazakh_reviewed_texts(catalogs: Catalogs, msgid: str, expected: str) -> None:
    assert catalogs["kk"]._(msgid) == expected


def test_kazakh_reviewed_texts_inside_longer_ones(catalogs: Catalogs) -> None:
    t = catalogs["kk"]
    consent = consent_view(t).text
    erase = erase_confirm_view(t, Origin.PROFILE).text
    request = role_chosen_text(t, Role.NGO)
    assert consent.endswith("\n\nBelsendi-нің осы деректерді сақтауына келісесіз бе?")
    assert erase.startswith("🗑 <b>Барлық деректеріңіз өшірілсін бе?</b>\n")
    assert "«ҮЕҰ өкілі» рөлін растау" in request
    assert "Belsendi-ні ерікті ретінде" in request


# The bot speaks as "we" and "Belsendi", never as "I". Buttons the user presses speak for the user.
USER_VOICE = {"✅ I agree", "My profile", "👤 My profile", "👤 <b>My profile</b>", "📤 My data"}
USER_VOICE |= {"🗑 Delete my data", "📱 Share my number"}
USER_VOICE |= {"📋 My events", "📋 <b>My events</b>", "❌ Cancel my registration"}
USER_VOICE |= {"📋 <b>My events</b>\nYou have not registered for any upcoming event yet."}
USER_VOICE |= {"🗂 Events I organize", "🗂 <b>Events I organize</b>", "⬅️ Events I organize"}
USER_VOICE |= {"✅ Yes, I am coming", "❌ No, I cannot come"}
USER_VOICE |= {"I don't know", "⬅️ My profile"}  # the NGO profile: an answer button, the way back
# Saved calls and the subscription: buttons and headings named as the user would, and a text quoting one.
USER_VOICE |= {"📂 My saved calls", "⬅️ My saved calls", "⭐ <b>My saved calls</b>, nearest deadline first"}
USER_VOICE |= {"⭐ Save and remind me", "🔔 My subscription"}
USER_VOICE |= {
    "No saved calls yet. Open a call's card and press ⭐ Save and remind me: reminders of its deadline will "
    "come here."
}
USER_VOICE |= {"⭐ In your saved calls. Reminders are off: turn them on in 📂 My saved calls → 🔔 Reminders."}
FIRST_PERSON_SINGULAR = {
    "en": r"\b(I|I'm|I'll|I've|me|my|mine)\b",
    "ru": r"(?i)\b(я|меня|мне|мной|мой|моя|моё|мои|понял|поняла|умею|могу)\b",
    # Verb endings of the first person singular (түсінбедім, келемін, аламын) and "менің".
    "kk": r"(?i)\w(мын|мін|бын|бін|пын|пін|дым|дім|тым|тім)\b|\bменің\b",
}


def test_english_msgids_do_not_speak_as_i() -> None:
    found = [
        msgid
        for msgid, _string in translations("kk")
        if msgid not in USER_VOICE and re.search(FIRST_PERSON_SINGULAR["en"], msgid)
    ]
    assert found == []


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_translations_do_not_speak_as_i(locale: str) -> None:
    found = [
        string
        for msgid, string in translations(locale)
        if msgid not in USER_VOICE and re.search(FIRST_PERSON_SINGULAR[locale], string)
    ]
    assert found == []


def test_pop_ups_fit_telegrams_200_characters_in_both_languages(catalogs: Catalogs) -> None:
    both = catalogs.all()
    pop_ups = [
        stale_step_text(both),
        finish_setting_up_text(both),
        stranger_button_text(both),
        *(language_changed_text(t) for t in both),
        *(role_chosen_text(t, Role.VOLUNTEER) for t in both),
    ]
    assert max(len(text) for text in pop_ups) <= 200
