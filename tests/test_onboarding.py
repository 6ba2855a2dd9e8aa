"""Onboarding in-process: the production dispatcher, a recording bot, a real SQLite file."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import EditMessageReplyMarkup, SendMessage, SetMyCommands
from sqlalchemy import text

from bot.views.onboarding import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback
from storage.database import Database
from tests.harness import BotHarness, stored_user, texts


async def test_kazakh_onboarding_stores_every_choice(harness: BotHarness, database: Database) -> None:
    user = harness.user(1001, first_name="Айгерім", language_code="kk")
    seen = texts(await user.send("/start"))
    assert "Сәлеметсіз бе" in seen[0]
    assert "Здравствуйте" in seen[0]

    seen = texts(await user.press(LanguageCallback(code="kk")))
    assert any("Belsendi-дегі деректеріңіз" in text for text in seen)

    seen = texts(await user.press(ConsentCallback(agree=True)))
    assert any("Belsendi-де сіз кімсіз?" in text for text in seen)

    seen = texts(await user.press(RoleCallback(role="volunteer")))
    assert any("Қай өңірдесіз?" in text for text in seen)

    seen = texts(await user.press(RegionCallback(code="aktobe")))
    assert any("Басты мәзір" in text for text in seen)

    profile = await stored_user(database, 1001)
    assert profile is not None
    assert (profile.language, profile.role, profile.region, profile.name) == (
        "kk",
        "volunteer",
        "aktobe",
        "Айгерім",
    )
    assert profile.consent_at is not None
    assert profile.consent_at.tzinfo is not None


async def test_russian_ngo_request_is_kept_for_approval(harness: BotHarness, database: Database) -> None:
    user = harness.user(1002, first_name="Иван", language_code="ru")
    await user.send("/start")
    requests = await user.press(LanguageCallback(code="ru"))
    assert any(isinstance(r, SetMyCommands) and r.scope is not None for r in requests)
    await user.press(ConsentCallback(agree=True))
    seen = texts(await user.press(RoleCallback(role="ngo")))
    assert any("Какую организацию вы представляете?" in text for text in seen)
    seen = texts(await user.send("ОФ «Жасыл Алматы»"))
    assert any("БИН организации" in text for text in seen)
    seen = texts(await user.send("940140000385"))
    assert any("Где вы находитесь?" in text for text in seen)
    profile = await stored_user(database, 1002)
    assert profile is not None
    assert profile.role_requested_at is None  # not sent before the region is known
    seen = texts(await user.press(RegionCallback(code="almaty")))
    assert any("заявка на подтверждение роли «Представитель НПО»" in text for text in seen)
    assert any("Главное меню" in text for text in seen)
    profile = await stored_user(database, 1002)
    assert profile is not None
    assert (profile.role, profile.requested_role) == ("volunteer", "ngo")
    assert (profile.organization, profile.organization_bin) == ("ОФ «Жасыл Алматы»", "940140000385")
    assert profile.role_requested_at is not None


async def test_declining_consent_keeps_nothing_personal(harness: BotHarness, database: Database) -> None:
    user = harness.user(1003, language_code="ru")
    await user.send("/start")
    await user.press(LanguageCallback(code="ru"))
    seen = texts(await user.press(ConsentCallback(agree=False)))
    assert any("без вашего согласия" in text for text in seen)
    profile = await stored_user(database, 1003)
    assert profile is not None
    assert (profile.name, profile.consent_at, profile.language) == (None, None, "ru")
    # Anything else brings back the consent question, not the menu.
    seen = texts(await user.send("/menu"))
    assert any("Вы согласны" in text for text in seen)


async def test_forged_buttons_are_answered_and_change_nothing(
    harness: BotHarness, database: Database
) -> None:
    user = harness.user(1004, language_code="kk")
    await user.send("/start")
    await user.press(LanguageCallback(code="kk"))
    await user.press(ConsentCallback(agree=True))
    await user.press(RoleCallback(role="volunteer"))
    for forged in ("rg:narnia", "rl:admin", "lg:en", "zz:1", "x" * 64, "rg:"):
        requests = await user.press(forged)
        assert any(type(r).__name__ == "AnswerCallbackQuery" for r in requests), forged
    profile = await stored_user(database, 1004)
    assert profile is not None
    assert (profile.region, profile.role, profile.language) == (
        None,
        "volunteer",
        "kk",
    )


async def test_html_in_a_name_is_shown_escaped(harness: BotHarness) -> None:
    user = harness.user(1005, first_name="<b>Ерлан</b> & Co", language_code="ru")
    await user.onboard("ru")
    requests = await user.send("/profile")
    profile = next(r for r in requests if isinstance(r, SendMessage))
    assert "&lt;b&gt;Ерлан&lt;/b&gt; &amp; Co" in profile.text


async def test_a_deep_link_from_someone_already_onboarded_is_opened_at_once(harness: BotHarness) -> None:
    user = harness.user(1006, language_code="kk")
    await user.onboard("kk")
    seen = texts(await user.send("/start ev_42"))
    assert any("Басты мәзір" in text for text in seen)
    assert any("Сіз іс-шара сілтемесі арқылы келдіңіз" in text for text in seen)  # the card is a tap away
    seen = texts(await user.send("/start"))  # the link was taken: not offered twice
    assert not any("сілтеме" in text for text in seen)
    seen = texts(await user.send("/start gr_7"))  # grants open nothing yet, and say so
    assert any("Бұл сілтеме ашылмады" in text for text in seen)


# Old buttons never undo finished steps (issue 6, point 1).


async def test_an_old_no_thanks_after_onboarding_changes_nothing(
    harness: BotHarness, database: Database
) -> None:
    user = harness.user(1101, first_name="Айгерім", language_code="kk")
    await user.send("/start")
    await user.press(LanguageCallback(code="kk"))
    consent_message = user.last_bot_message
    assert consent_message is not None
    await user.press(ConsentCallback(agree=True))
    await user.press(RoleCallback(role="volunteer"))
    await user.press(RegionCallback(code="aktobe"))
    before = await stored_user(database, 1101)

    requests = await user.press(ConsentCallback(agree=False), on=consent_message.message_id)

    assert await stored_user(database, 1101) == before  # name, role, region and consent all kept
    seen = texts(requests)
    assert "Бұл батырма ескірген, сондықтан ештеңе өзгертілмеді. Төменде — қазіргі күйі." in seen
    assert any("Басты мәзір" in text for text in seen)  # where the user is: the menu


@pytest.mark.parametrize(
    ("at", "old_press"),
    [
        ("consent", LanguageCallback(code="ru")),
        ("role", ConsentCallback(agree=False)),
        ("role", RegionCallback(code="almaty")),
        ("region", RoleCallback(role="ngo")),
        ("region", LanguageCallback(code="ru")),
        ("done", RoleCallback(role="organizer")),
        ("done", RegionCallback(code="almaty")),
        ("done", LanguageCallback(code="ru")),
        ("done", ConsentCallback(agree=True)),
    ],
)
async def test_a_button_of_another_step_changes_nothing_and_shows_the_open_question(
    harness: BotHarness, database: Database, at: str, old_press: CallbackData
) -> None:
    user = harness.user(1102, language_code="kk")
    steps = [LanguageCallback(code="kk"), ConsentCallback(agree=True), RoleCallback(role="volunteer")]
    steps += [RegionCallback(code="aktobe")]
    await user.send("/start")
    for data in steps[: ["language", "consent", "role", "region", "done"].index(at)]:
        await user.press(data)
    before = await stored_user(database, 1102)
    seen = texts(await user.press(old_press))
    assert await stored_user(database, 1102) == before
    # The message shows where the user is; the pop-up (answered last) says why.
    assert seen[-1] == "Бұл батырма ескірген, сондықтан ештеңе өзгертілмеді. Төменде — қазіргі күйі."
    expected = {
        "consent": "келісесіз бе?",
        "role": "Belsendi-де сіз кімсіз?",
        "region": "Қай өңірдесіз?",
        "done": "Басты мәзір",
    }[at]
    assert expected in seen[0]


async def test_stray_text_asks_again_below_and_takes_the_buttons_off_the_old_copy(
    harness: BotHarness, database: Database
) -> None:
    user = harness.user(1103, language_code="ru")
    await user.send("/start")
    await user.press(LanguageCallback(code="ru"))
    (first,) = user.with_buttons()

    requests = await user.send("привет")
    (second,) = user.with_buttons()  # one copy of the question has buttons: the newest
    assert second != first
    asked = next(r for r in requests if isinstance(r, SendMessage))
    assert asked.text.startswith("Сначала закончим настройку.\n\n<b>Ваши данные в Belsendi</b>")
    assert any(isinstance(r, EditMessageReplyMarkup) and r.message_id == first for r in requests)

    for again in ("/menu", "/profile", "/start", "/cancel"):
        await user.send(again)
        assert len(user.with_buttons()) == 1, again

    # The question answered where it is now: edited in place, no copy left behind.
    (current,) = user.with_buttons()
    await user.press(ConsentCallback(agree=True), on=current)
    assert user.with_buttons() == [current]
    assert "Кто вы в Belsendi?" in (user.bot_messages[current].text or "")
    await user.press(RoleCallback(role="volunteer"), on=current)
    await user.press(RegionCallback(code="almaty"), on=current)
    assert user.with_buttons() == [current]  # the menu, in the same message
    async with database.reading() as uow:  # and the conversation state is gone with onboarding
        assert (await uow.connection.execute(text("SELECT count(*) FROM fsm_states"))).scalar() == 0


async def test_a_press_on_another_message_moves_the_question_there(harness: BotHarness) -> None:
    user = harness.user(1104, language_code="kk")
    await user.send("/help")  # a message with a button, before setting up
    help_message = user.last_bot_message
    assert help_message is not None
    await user.send("/start")
    (question,) = user.with_buttons()[-1:]
    seen = texts(await user.press_text("▶️ Баптауды жалғастыру", on=help_message.message_id))
    # The pop-up points nowhere ("below" was wrong for a press), in both languages: none chosen yet.
    assert seen[-1] == "Алдымен баптауды аяқтайық.\nСначала закончим настройку."
    assert "Belsendi сізбен қай тілде сөйлессін?" in seen[0]
    assert user.with_buttons() == [help_message.message_id]
    assert question not in user.with_buttons()


# /start, /cancel and hints that lead somewhere (issue 6, point 2).


async def test_start_for_someone_set_up_offers_what_to_change_and_loses_nothing(
    harness: BotHarness, database: Database
) -> None:
    user = harness.user(1105, language_code="ru")
    await user.onboard("ru", region="aktobe")
    before = await stored_user(database, 1105)
    (screen,) = texts(await user.send("/start"))
    assert screen.startswith("🔄 <b>Вы уже настроили Belsendi.</b>")
    assert [label for label, _ in user.buttons()] == [
        "🎭 Сменить роль",
        "📍 Сменить регион",
        "🌐 Сменить язык",
        "✅ Оставить всё как есть",
    ]
    assert await stored_user(database, 1105) == before

    await user.press_text("🎭 Сменить роль")
    await user.press_text("⬅️ Назад")  # back where it was opened: the /start screen
    assert "Вы уже настроили Belsendi" in (user.last_bot_message.text or "")  # type: ignore[union-attr]
    await user.press_text("🎭 Сменить роль")
    (question,) = texts(await user.press_text("Представитель НПО"))
    assert "Чтобы запросить роль «Представитель НПО», назовите организацию" in question
    (question,) = texts(await user.send("Жасыл ел"))
    assert "БИН организации" in question
    (profile,) = texts(await user.press_text("Пропустить"))
    assert profile.startswith("✅ Ваша заявка на подтверждение роли «Представитель НПО» отправлена")
    assert "ваша роль — «Волонтёр»" in profile
    stored = await stored_user(database, 1105)
    assert stored is not None
    assert (stored.role, stored.requested_role, stored.region) == ("volunteer", "ngo", "aktobe")

    await user.send("/start")
    (menu,) = texts(await user.press_text("✅ Оставить всё как есть"))
    assert "Главное меню" in menu


async def test_cancel_during_onboarding_leads_to_the_question_not_to_the_menu(harness: BotHarness) -> None:
    user = harness.user(1106, language_code="ru")
    await user.send("/start")
    await user.press(LanguageCallback(code="ru"))
    (answer,) = texts(await user.send("/cancel"))
    assert "/menu" not in answer
    assert answer.startswith("Сначала закончим настройку.")
    assert "Вы согласны, что Belsendi будет хранить эти данные?" in answer


@pytest.mark.parametrize("app_language", ["ru", "en", None])
async def test_before_a_language_is_chosen_hints_and_help_speak_both(
    harness: BotHarness, app_language: str | None
) -> None:
    user = harness.user(1107, language_code=app_language)
    await user.send("/start")
    (help_text,) = texts(await user.send("/help"))
    assert "Қазақстандағы еріктілерді" in help_text
    assert "объединяет волонтёров" in help_text
    (nudge,) = texts(await user.send("салем"))
    assert nudge.startswith("Алдымен баптауды аяқтайық.\nСначала закончим настройку.")
    seen = texts(await user.press("mn:p"))  # an old menu button
    assert seen[-1] == "Алдымен баптауды аяқтайық.\nСначала закончим настройку."

    await user.press(LanguageCallback(code="ru"))
    (help_text,) = texts(await user.send("/help"))
    assert "Қазақстандағы" not in help_text
    assert "объединяет волонтёров" in help_text


# Privacy before consent (issue 6, point 5).


async def test_before_consent_only_what_the_conversation_needs_is_kept(
    harness: BotHarness, database: Database
) -> None:
    user = harness.user(1108, first_name="Ерлан", username="erlan_kz", language_code="ru")
    await user.send("/start ev_42")
    await user.press(LanguageCallback(code="ru"))
    stored = await stored_user(database, 1108)
    assert stored is not None
    # The id, the language chosen and the link to open after setting up; not the app's language.
    assert (stored.name, stored.username, stored.telegram_language) == (None, None, None)
    assert (stored.language, stored.start_payload) == ("ru", "ev_42")

    await user.press(ConsentCallback(agree=False))
    stored = await stored_user(database, 1108)
    assert stored is not None
    assert (stored.start_payload, stored.telegram_language, stored.consent_at) == (None, None, None)

    await user.send("/start")
    await user.press(ConsentCallback(agree=True))
    stored = await stored_user(database, 1108)
    assert stored is not None
    assert (stored.name, stored.username, stored.telegram_language) == ("Ерлан", "erlan_kz", "ru")
