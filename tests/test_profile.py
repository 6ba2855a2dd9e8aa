"""/profile: edits, bad input in both languages, export and erasure of personal data."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from unittest.mock import ANY

import pytest
from aiogram.methods import DeleteMyCommands, SendDocument, SendMessage
from aiogram.types import ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from sqlalchemy import text

from bot.i18n import Catalogs
from bot.views.menu import Origin, bot_commands, help_view
from bot.views.onboarding import ConsentCallback, LanguageCallback
from bot.views.privacy import PrivacyAction, PrivacyCallback
from bot.views.profile import ProfileAction, ProfileCallback
from storage.database import Database
from tests.harness import BotHarness, PlayedUser, stored_user, texts
from tests.test_robustness import membership as membership_change


def membership_update(user_id: int, *, blocked: bool) -> Update:
    return membership_change(user_id, "kicked" if blocked else "member")


async def onboarded(harness: BotHarness, user_id: int, language: str = "kk") -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language)
    return user


async def stored_name(database: Database, user_id: int) -> str | None:
    user = await stored_user(database, user_id)
    return user.name if user else None


async def test_profile_shows_the_date_through_babel_in_almaty_time(harness: BotHarness) -> None:
    user = await onboarded(harness, 2001, "ru")
    (profile,) = texts(await user.send("/profile"))
    assert "Имя: Дана" in profile
    assert "Регион: Астана" in profile
    assert "Язык: Русский" in profile
    assert re.search(r"В Belsendi с \d{1,2} [а-я]+ 20\d\d\xa0г\.$", profile)


async def test_rename_with_bad_input_then_a_good_one(harness: BotHarness, database: Database) -> None:
    user = await onboarded(harness, 2002, "ru")
    await user.send("/profile")
    seen = texts(await user.press(ProfileCallback(action=ProfileAction.NAME)))
    assert any("Отправьте имя" in t for t in seen)

    seen = texts(await user.send_document())
    assert seen == ["Отправьте текст или /cancel."]
    seen = texts(await user.send("   \n\t "))
    assert seen == ["Имя пустое. Отправьте имя текстом или /cancel."]
    seen = texts(await user.send("Д" * 65))
    assert seen == ["Слишком длинно: в имени может быть не больше 64 символов. Попробуйте короче."]
    assert await stored_name(database, 2002) == "Дана"

    seen = texts(await user.send("<i>Дана</i>\nО'Нил"))
    (profile,) = seen  # the confirmation is the profile's first line, as after a region change
    assert profile.startswith("✅ Имя сохранено.\n\n👤 <b>Мой профиль</b>")
    assert "Имя: &lt;i&gt;Дана&lt;/i&gt; О'Нил" in profile
    assert await stored_name(database, 2002) == "<i>Дана</i> О'Нил"


async def test_cancel_leaves_the_name_as_it_was(harness: BotHarness, database: Database) -> None:
    user = await onboarded(harness, 2003)
    await user.send("/profile")
    await user.press(ProfileCallback(action=ProfileAction.NAME))
    assert texts(await user.send("/cancel")) == ["Тоқтатылды. Жалғастыру үшін /menu жіберіңіз."]
    assert texts(await user.send("Жаңа ат")) == [
        "Хабарламаңызды түсінбедік. Belsendi не істей алатынын көру үшін /menu жіберіңіз."
    ]
    assert await stored_name(database, 2003) == "Дана"


async def test_phone_only_through_ones_own_contact(harness: BotHarness, database: Database) -> None:
    user = await onboarded(harness, 2004, "ru")
    await user.send("/profile")
    requests = await user.press(ProfileCallback(action=ProfileAction.PHONE))
    ask = next(r for r in requests if isinstance(r, SendMessage))
    assert isinstance(ask.reply_markup, ReplyKeyboardMarkup)
    assert ask.reply_markup.keyboard[0][0].request_contact is True

    seen = texts(await user.send_contact("+7 701 000 00 00", user_id=9999))
    assert seen == ["Нужен ваш собственный номер: поделитесь им кнопкой ниже."]

    requests = await user.send_contact("7 (701) 123-45-67")
    saved = [r for r in requests if isinstance(r, SendMessage)]
    assert saved[0].text == "✅ Номер телефона сохранён."
    assert isinstance(saved[0].reply_markup, ReplyKeyboardRemove)
    assert "Телефон: +77011234567" in saved[1].text
    stored = await stored_user(database, 2004)
    assert stored is not None
    assert stored.phone == "+77011234567"

    seen = texts(await user.press(ProfileCallback(action=ProfileAction.PHONE_REMOVE)))
    assert seen[-1].startswith("✅ Номер телефона удалён.\n\n👤 <b>Мой профиль</b>")
    assert "Телефон: —" in seen[-1]


async def test_cancel_button_in_either_language(harness: BotHarness) -> None:
    user = await onboarded(harness, 2005, "ru")
    await user.press(ProfileCallback(action=ProfileAction.PHONE))
    # The keyboard was shown in Russian; the Kazakh label works too (the user may have switched).
    seen = texts(await user.send("Бас тарту"))
    assert seen[0] == "Номер телефона не изменён."


async def test_export_sends_everything_we_keep_as_json(harness: BotHarness) -> None:
    user = await onboarded(harness, 2006)
    requests = await user.press(PrivacyCallback(action=PrivacyAction.EXPORT, origin=Origin.PROFILE))
    document = next(r for r in requests if isinstance(r, SendDocument))
    data = json.loads(document.document.data)  # type: ignore[union-attr]
    assert data["id"] == 2006
    assert data["name"] == "Дана"
    assert data["region"] == "astana"
    assert data["consent_at"].endswith("+00:00")


async def test_erase_forgets_the_user_and_their_conversation(harness: BotHarness, database: Database) -> None:
    user = await onboarded(harness, 2007)
    await user.press(ProfileCallback(action=ProfileAction.NAME))  # leaves a conversation state
    seen = texts(await user.press(PrivacyCallback(action=PrivacyAction.ERASE, origin=Origin.PROFILE)))
    assert any("Барлық деректеріңіз өшірілсін бе?" in t for t in seen)
    seen = texts(await user.press(PrivacyCallback(action=PrivacyAction.ERASE_CONFIRM, origin=Origin.PROFILE)))
    assert any("Барлық деректеріңіз өшірілді" in t for t in seen)
    assert await stored_user(database, 2007) is None
    async with database.reading() as uow:
        assert (await uow.connection.execute(text("SELECT count(*) FROM fsm_states"))).scalar() == 0


@pytest.mark.parametrize("command", ["/profile", "/menu"])
async def test_profile_and_menu_need_onboarding_first(harness: BotHarness, command: str) -> None:
    user = harness.user(2008, language_code="ru")
    await user.send("/start")
    await user.press(LanguageCallback(code="ru"))
    seen = texts(await user.send(command))
    assert seen[0].startswith("Сначала закончим настройку")
    assert any("Вы согласны" in t for t in seen)


# Dead ends (issue 6, point 3).


async def test_help_from_the_menu_has_a_way_back(harness: BotHarness) -> None:
    user = await onboarded(harness, 2101)
    await user.send("/menu")
    await user.press_text("❓ Анықтама")
    assert [label for label, _ in user.buttons()] == ["⬅️ Мәзір"]
    (menu,) = texts(await user.press_text("⬅️ Мәзір"))
    assert "Басты мәзір" in menu
    await user.send("/help")  # the command's help too
    assert [label for label, _ in user.buttons()] == ["⬅️ Мәзір"]


async def test_region_picker_has_a_back_button_and_both_edits_confirm_alike(
    harness: BotHarness, database: Database
) -> None:
    user = await onboarded(harness, 2102, "ru")
    await user.send("/profile")
    await user.press_text("📍 Регион")
    assert user.buttons()[-1][0] == "⬅️ Назад"
    (profile,) = texts(await user.press_text("⬅️ Назад"))
    assert profile.startswith("👤 <b>Мой профиль</b>")
    assert (await stored_user(database, 2102)).region == "astana"  # type: ignore[union-attr]

    await user.press_text("📍 Регион")
    (region_saved,) = texts(await user.press_text("Шымкент"))
    assert region_saved.startswith("✅ Регион сохранён.\n\n👤 <b>Мой профиль</b>")
    assert "Регион: Шымкент" in region_saved

    await user.press_text("✏️ Имя")
    (name_saved,) = texts(await user.send("Дана Ахметова"))
    assert name_saved.startswith("✅ Имя сохранено.\n\n👤 <b>Мой профиль</b>")


async def test_the_name_prompt_has_a_cancel_button_that_goes_once_the_name_is_saved(
    harness: BotHarness, database: Database
) -> None:
    user = await onboarded(harness, 2103, "ru")
    await user.send("/profile")
    await user.press_text("✏️ Имя")
    prompt = user.last_bot_message
    assert prompt is not None
    assert user.buttons() == [("✖️ Отмена", "mn:p")]
    (profile,) = texts(await user.press_text("✖️ Отмена"))
    assert profile.startswith("👤 <b>Мой профиль</b>")
    assert texts(await user.send("Другое имя")) == [
        "Мы не поняли ваше сообщение. Отправьте /menu, чтобы увидеть, что умеет Belsendi."
    ]
    assert await stored_name(database, 2103) == "Дана"

    await user.press_text("✏️ Имя")
    prompt_id = user.last_bot_message.message_id  # type: ignore[union-attr]
    await user.send("Дана Ахметова")
    assert user.buttons(prompt_id) == []  # nothing left to cancel: no live button stays behind


@pytest.mark.parametrize(
    ("opened_from", "returns_to"), [("/profile", "Менің профилім"), ("/menu", "Басты мәзір")]
)
async def test_the_language_picker_returns_where_it_was_opened(
    harness: BotHarness, opened_from: str, returns_to: str
) -> None:
    user = await onboarded(harness, 2104, "ru")
    await user.send(opened_from)
    await user.press_text("🌐 Язык")
    assert user.buttons()[-1][0] in {"⬅️ Назад", "⬅️ Меню"}
    seen = texts(await user.press_text("Қазақша"))
    assert seen[-1] == "✅ Тіл ауыстырылды: енді қазақша сөйлесеміз."
    assert returns_to in seen[0]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8 701 123 45 67", "+77011234567"),
        ("+7 (701) 123-45-67", "+77011234567"),
        ("7 701 123 45 67", "+77011234567"),
        ("701 123 45 67", "+77011234567"),
        ("8-727-250-00-00", "+77272500000"),
        ("+998 90 123 45 67", "+998901234567"),
    ],
)
async def test_a_typed_phone_number_is_kept_like_a_shared_one(
    harness: BotHarness, database: Database, typed: str, stored: str
) -> None:
    user = await onboarded(harness, 2105, "ru")
    await user.press(ProfileCallback(action=ProfileAction.PHONE))
    requests = await user.send(typed)
    saved = [r for r in requests if isinstance(r, SendMessage)]
    assert saved[0].text == "✅ Номер телефона сохранён."
    assert isinstance(saved[0].reply_markup, ReplyKeyboardRemove)
    assert f"Телефон: {stored}" in saved[1].text
    assert (await stored_user(database, 2105)).phone == stored  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("my number", "Это не похоже на номер телефона."),
        ("12345", "Это не похоже на номер телефона."),
        ("8 701 123 45", "В казахстанском номере после +7 или 8 идут 10 цифр"),
        ("+7 701 123 45 678", "В казахстанском номере после +7 или 8 идут 10 цифр"),
    ],
)
async def test_a_typed_phone_number_that_cannot_be_kept_says_why(
    harness: BotHarness, database: Database, typed: str, why: str
) -> None:
    user = await onboarded(harness, 2106, "ru")
    await user.press(ProfileCallback(action=ProfileAction.PHONE))
    (answer,) = texts(await user.send(typed))
    assert answer.startswith(why)
    assert (await stored_user(database, 2106)).phone is None  # type: ignore[union-attr]
    assert texts(await user.send("87011234567"))[0] == "✅ Номер телефона сохранён."  # still asked


async def test_the_role_can_be_changed_in_the_profile_and_ngo_stays_a_request(
    harness: BotHarness, database: Database
) -> None:
    user = await onboarded(harness, 2107)
    await user.send("/profile")
    await user.press_text("🎭 Рөл")
    (question,) = texts(await user.press_text("Іс-шара ұйымдастырушысы"))
    assert "өкілдік ететін ұйымның атауын" in question  # the request names the organisation before it goes
    await user.send("Ақтөбе жастары")
    (profile,) = texts(await user.send("-"))
    assert profile.startswith(
        "✅ «Іс-шара ұйымдастырушысы» рөлін растау туралы өтініміңіз әкімшілерге жіберілді."
    )
    stored = await stored_user(database, 2107)
    assert stored is not None
    assert (stored.role, stored.requested_role) == ("volunteer", "organizer")

    await user.press_text("🎭 Рөл")
    (profile,) = texts(await user.press_text("Ерікті"))  # and back: the request is dropped
    assert profile.startswith("✅ Енді рөліңіз — «Ерікті».")
    stored = await stored_user(database, 2107)
    assert stored is not None
    assert (stored.role, stored.requested_role) == ("volunteer", None)


# Deleting one's data (issue 6, point 2).


async def test_after_erasure_no_live_button_stays_and_old_ones_store_nothing(
    harness: BotHarness, database: Database
) -> None:
    user = await onboarded(harness, 2108)
    await user.send("/profile")
    profile_message = user.last_bot_message
    assert profile_message is not None
    await user.send("/privacy")
    await user.press_text("🗑 Деректерімді өшіру")
    requests = await user.press_text("🗑 Иә, бәрін өшіру")
    confirmation = user.last_bot_message
    assert confirmation is not None
    assert confirmation.text == "Барлық деректеріңіз өшірілді. Қайта оралғыңыз келсе, /start жіберіңіз."
    assert user.buttons(confirmation.message_id) == []  # replaced: no delete button left to press
    assert any(isinstance(r, DeleteMyCommands) for r in requests)  # the chat's menu is forgotten too

    for old in ("pf:n:p", "pv:ey:p", "lg:kk", "cs:1", "mn:m"):
        seen = texts(await user.press(old, on=profile_message.message_id))
        assert seen == ["Бұл батырма ескірген. /start жіберіңіз.\nЭта кнопка устарела. Отправьте /start."]
        assert await stored_user(database, 2108) is None, old
    assert user.buttons(profile_message.message_id) == []  # the old message's buttons are taken off

    await harness.feed_update(membership_update(2108, blocked=True))  # blocking the bot: still nothing
    assert await stored_user(database, 2108) is None

    await user.send("/start")  # a message is a first contact: the id and nothing personal
    stored = await stored_user(database, 2108)
    assert stored is not None
    assert {k: v for k, v in asdict(stored).items() if v is not None} == {"id": 2108, "created_at": ANY}


# Consent withdrawn, not everything deleted; /privacy (issue 6, point 5).


async def test_withdrawing_consent_wipes_personal_fields_and_asks_for_consent_again(
    harness: BotHarness, database: Database
) -> None:
    user = await onboarded(harness, 2109, "ru")
    await user.press(ProfileCallback(action=ProfileAction.PHONE))
    await user.send_contact("+77011234567")
    await user.send("/profile")
    await user.press_text("🔒 Конфиденциальность")
    (confirm,) = texts(await user.press_text("↩️ Отозвать согласие"))
    assert confirm.startswith("↩️ <b>Отозвать согласие?</b>")
    (screen,) = texts(await user.press_text("⬅️ Нет, оставить"))  # not yet
    assert (await stored_user(database, 2109)).consent_at is not None  # type: ignore[union-attr]
    assert screen.startswith("🔒 <b>Ваши данные в Belsendi</b>")

    await user.press_text("↩️ Отозвать согласие")
    (asked,) = texts(await user.press_text("↩️ Да, отозвать"))
    assert asked.startswith("↩️ Согласие отозвано:")
    assert "Вы согласны, что Belsendi будет хранить эти данные?" in asked
    stored = await stored_user(database, 2109)
    assert stored is not None
    assert (stored.language, stored.consent_at, stored.name, stored.phone) == ("ru", None, None, None)
    assert (stored.role, stored.region, stored.username, stored.telegram_language) == (None, None, None, None)

    seen = texts(await user.send("/profile"))  # back at the consent step
    assert "Вы согласны" in seen[0]
    await user.press(ConsentCallback(agree=True))
    assert (await stored_user(database, 2109)).consent_at is not None  # type: ignore[union-attr]


async def test_privacy_says_what_is_kept_before_and_after_consent(harness: BotHarness) -> None:
    user = harness.user(2110, language_code="ru")
    await user.send("/start")
    (before_choice,) = texts(await user.send("/privacy"))  # no language chosen yet: both
    assert "Вы не давали согласия" in before_choice
    assert "Сіз келісім бермегендіктен" in before_choice
    assert "↩️ Отозвать согласие" not in [label for label, _ in user.buttons()]  # nothing to withdraw

    await user.press(LanguageCallback(code="ru"))
    await user.press(ConsentCallback(agree=True))
    (screen,) = texts(await user.send("/privacy"))
    assert "С вашего согласия Belsendi хранит" in screen
    assert re.search(r"Согласие дано: \d{1,2} [а-я]+ 20\d\d\xa0г\.", screen)
    assert [label for label, _ in user.buttons()] == [
        "📤 Мои данные",
        "↩️ Отозвать согласие",
        "🗑 Удалить мои данные",
        "▶️ Продолжить настройку",  # not set up yet: back to the open question
    ]


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_privacy_is_in_the_command_menu_and_in_help(catalogs: Catalogs, locale: str) -> None:
    t = catalogs[locale]
    assert "privacy" in [command.command for command in bot_commands(t)]
    assert "\n/privacy — " in help_view(t, onboarded=True, languages=[t]).text


async def test_the_profile_shows_the_username_escaped(harness: BotHarness) -> None:
    user = harness.user(2111, first_name="Дана", username="dana_<b>", language_code="ru")
    await user.onboard("ru")
    (profile,) = texts(await user.send("/profile"))
    assert "Имя пользователя: @dana_&lt;b&gt;" in profile


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_help_points_admins_to_admins_where_their_commands_are(
    harness: BotHarness, language: str
) -> None:
    admin = await onboarded(harness, 777, language)
    (help_text,) = texts(await admin.send("/help"))
    assert "\n\n/admins — " in help_text  # said to everyone: /help reads nothing more
    (roster,) = texts(await admin.send("/admins"))
    for command in ("/broadcast", "/grant_new", "/questions", "/sectors"):
        assert f"\n{command} — " in roster, command
    someone = await onboarded(harness, 2112, language)
    (refused,) = texts(await someone.send("/admins"))
    assert "/grant_new" not in refused
