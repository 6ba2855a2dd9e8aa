"""NGO and organizer requests name the organisation (and its BIN) before they reach the admins, in
onboarding and from the profile; what they say is personal data (export, withdrawal, erasure)."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage

from bot.app import Application
from bot.domain.organizations import InvalidOrganizationError, organization_bin, organization_name
from bot.views.onboarding import (
    BinSkipCallback,
    ConsentCallback,
    LanguageCallback,
    RegionCallback,
    RequestBackCallback,
    RoleCallback,
)
from tests.harness import BotHarness, PlayedUser, stored_user, texts
from tests.test_approvals import ADMIN, delivered


def test_a_bin_is_twelve_digits_with_a_matching_check_digit() -> None:
    assert organization_bin("940140000385") == "940140000385"
    assert organization_bin(" 990 140 004 654 ") == "990140004654"  # groups typed with spaces
    assert organization_bin("-") is None
    for wrong in (
        "940140000386",
        "123456789012",
        "94014000038",
        "9401400003851",
        "94014000038a",
        "９４０１４００００３８５",
    ):
        with pytest.raises(InvalidOrganizationError):
            organization_bin(wrong)


def test_an_organisation_name_is_one_line_of_2_to_150_characters() -> None:
    assert organization_name("  ОФ\n«Жасыл ел»  ") == "ОФ «Жасыл ел»"
    for wrong in ("", " ", "А", "\u200bА", "x" * 151):
        with pytest.raises(InvalidOrganizationError):
            organization_name(wrong)
    assert organization_name("x" * 150) == "x" * 150


async def start_as(harness: BotHarness, user_id: int, language: str, role: str) -> PlayedUser:
    user = harness.user(user_id, first_name="Гүлнар", language_code=language, username="gulnar_aktobe")
    await user.send("/start")
    for data in (LanguageCallback(code=language), ConsentCallback(agree=True), RoleCallback(role=role)):
        await user.press(data)
    return user


async def test_bad_answers_are_explained_in_russian_and_nothing_reaches_the_admins_early(
    harness: BotHarness, app: Application
) -> None:
    user = await start_as(harness, 9301, "ru", "ngo")
    seen = texts(await user.send_document())
    assert "Отправьте это текстом, одним сообщением" in seen[0]
    assert "Какую организацию вы представляете?" in seen[0]
    assert "не меньше 2 символов" in texts(await user.send("Ж"))[0]
    assert "не больше 150 символов" in texts(await user.send("Ж" * 151))[0]
    (note,) = texts(await user.send("/cancel"))  # setting up is not cancelled: the question again
    assert "Какую организацию вы представляете?" in note
    seen = texts(await user.press(RegionCallback(code="aktobe")))  # an old button of a later step
    assert "Эта кнопка устарела" in seen[-1]
    assert "БИН организации" in texts(await user.send("<i>Жасыл</i> Ақтөбе"))[0]

    assert "БИН состоит из 12 цифр" in texts(await user.send("12345"))[0]
    assert "последняя цифра не сходится" in texts(await user.send("940140000386"))[0]
    assert "Отправьте это текстом" in texts(await user.send_photo())[0]
    stored = await stored_user(app.database, 9301)
    assert stored is not None
    assert (stored.role, stored.organization, stored.organization_bin) == (None, "<i>Жасыл</i> Ақтөбе", None)
    assert await delivered(app, harness, ADMIN) == []

    assert "Где вы находитесь?" in texts(await user.press(BinSkipCallback()))[0]
    assert await delivered(app, harness, ADMIN) == []  # still: the region is not known yet
    await user.press(RegionCallback(code="aktobe"))
    (request,) = await delivered(app, harness, ADMIN)  # ADMIN_IDS' admin, in Kazakh by default
    assert "Гүлнар (@gulnar_aktobe)" in request.text
    assert "Ұйым: &lt;i&gt;Жасыл&lt;/i&gt; Ақтөбе" in request.text
    assert "БСН: көрсетілмеген" in request.text
    assert "Telegram id: <code>9301</code>" in request.text


async def test_kazakh_back_to_the_roles_and_old_buttons(harness: BotHarness, app: Application) -> None:
    user = await start_as(harness, 9302, "kk", "organizer")
    assert "Қай ұйымның өкілісіз?" in texts(await user.send_photo())[0]
    await user.send("Ақтөбе жастары")
    assert "БСН 12 цифрдан тұрады" in texts(await user.send("abc"))[0]
    seen = texts(await user.press(RequestBackCallback()))
    assert any("Belsendi-де сіз кімсіз?" in text for text in seen)
    stored = await stored_user(app.database, 9302)
    assert stored is not None
    assert (stored.role, stored.requested_role, stored.organization) == (None, None, None)
    seen = texts(await user.press(BinSkipCallback()))  # the old Skip: out of date now
    assert seen[-1].startswith("Бұл батырма ескірген")
    await user.press(RoleCallback(role="volunteer"))
    seen = texts(await user.press(RequestBackCallback()))  # and Back no longer undoes the role
    assert seen[-1].startswith("Бұл батырма ескірген")
    await user.press(RegionCallback(code="astana"))
    assert await delivered(app, harness, ADMIN) == []
    stored = await stored_user(app.database, 9302)
    assert stored is not None
    assert (stored.role, stored.requested_role) == ("volunteer", None)


async def test_a_role_change_from_the_profile_asks_for_the_organisation(
    harness: BotHarness, app: Application
) -> None:
    admin = harness.user(ADMIN, language_code="ru")
    await admin.send("/start")
    await admin.press_text("Русский")
    user = harness.user(9303, first_name="Асан", language_code="kk")
    await user.onboard("kk", region="aktobe")
    await user.send("/profile")
    await user.press_text("🎭 Рөл")
    (question,) = texts(await user.press_text("ҮЕҰ өкілі"))
    assert "«ҮЕҰ өкілі» рөлін сұрау үшін" in question
    assert texts(await user.send_document()) == ["Мәтін немесе /cancel жіберіңіз."]
    await user.send("Ж")  # too short: asked again
    assert await delivered(app, harness, ADMIN) == []
    (question,) = texts(await user.send("Жасыл ел"))
    assert "Ұйымның БСН-і" in question
    assert "БСН 12 цифрдан тұрады" in texts(await user.send("12"))[0]
    (profile,) = texts(await user.send("990 140 004 654"))
    assert "өтініміңіз әкімшілерге жіберілді" in profile
    assert "Ұйым: Жасыл ел" in profile
    (request,) = await delivered(app, harness, ADMIN)
    assert "Организация: Жасыл ел" in request.text
    assert "БИН: 990140004654" in request.text
    assert "Регион: Актюбинская область" in request.text
    assert "Telegram id: <code>9303</code>" in request.text
    stored = await stored_user(app.database, 9303)
    assert stored is not None
    assert (stored.role, stored.requested_role, stored.organization) == ("volunteer", "ngo", "Жасыл ел")

    # Cancelled half-way, nothing changes and nobody is asked.
    await user.send("/profile")
    await user.press_text("🎭 Рөл")
    await user.press_text("Іс-шара ұйымдастырушысы")
    await user.send("Басқа ұйым")
    await user.send("/cancel")
    assert await delivered(app, harness, ADMIN) == []
    assert await stored_user(app.database, 9303) == stored


async def test_the_request_is_personal_data(harness: BotHarness, app: Application) -> None:
    admin = harness.user(ADMIN, language_code="ru")
    await admin.send("/start")
    await harness.user(9304, language_code="ru").onboard("ru", role="ngo", organization="Жасыл ел")
    data = await app.users.export_data(9304)
    assert (data["organization"], data["organization_bin"]) == ("Жасыл ел", None)

    # Consent withdrawn before the request went out: the organisation and the request are gone.
    await app.users.decline_consent(9304)
    stored = await stored_user(app.database, 9304)
    assert stored is not None
    assert (stored.organization, stored.requested_role) == (None, None)
    assert [m for m in await delivered(app, harness, ADMIN) if "Жасыл ел" in (m.text or "")] == []

    await harness.user(9305, language_code="kk").onboard(
        "kk", role="organizer", organization="Ақтөбе жастары"
    )
    await app.users.erase(9305)
    sent = await delivered(app, harness, ADMIN)
    assert not any("Ақтөбе жастары" in (m.text or "") for m in sent if isinstance(m, SendMessage))
    assert await stored_user(app.database, 9305) is None
