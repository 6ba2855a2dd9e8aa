"""/profile: edits, bad input in both languages, export and erasure of personal data."""

from __future__ import annotations

import json
import re

import pytest
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import ReplyKeyboardMarkup, ReplyKeyboardRemove
from sqlalchemy import text

from bot.views.menu import Origin
from bot.views.onboarding import LanguageCallback
from bot.views.privacy import PrivacyAction, PrivacyCallback
from bot.views.profile import ProfileAction, ProfileCallback
from storage.database import Database
from tests.harness import BotHarness, PlayedUser, stored_user, texts


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
