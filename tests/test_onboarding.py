"""Onboarding in-process: the production dispatcher, a recording bot, a real SQLite file."""

from __future__ import annotations

from aiogram.methods import SendMessage, SetMyCommands

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
    assert any("заявка на подтверждение роли «Представитель НПО»" in text for text in seen)
    seen = texts(await user.press(RegionCallback(code="almaty")))
    assert any("Главное меню" in text for text in seen)
    profile = await stored_user(database, 1002)
    assert profile is not None
    assert (profile.role, profile.requested_role) == ("volunteer", "ngo")
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
    assert any("Бұл сілтеме ашылмады" in text for text in seen)
    seen = texts(await user.send("/start"))  # the link was taken: not offered twice
    assert not any("сілтеме" in text for text in seen)
