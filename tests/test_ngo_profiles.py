"""The NGO profile in Kazakh and Russian: the button on the approval message, the five-step dialog (and
bad input: text or a file where a button was expected, forged and stale buttons, a volunteer or an NGO
still waiting for approval refused), editing from the profile, the grant catalogue's marks with their
reasons (and the hint without a profile), and the profile in the data export, erasure and withdrawal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import text

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.domain.ngo_profiles import LegalForm, Listed, NgoProfile
from bot.services.ngo_profiles import NgoProfileError, NgoProfileProblem
from bot.views.approvals import role_decision_view
from bot.views.menu import MenuAction, MenuCallback, Origin
from bot.views.ngo_profiles import NgoProfileAction, NgoProfileCallback
from bot.views.privacy import PrivacyAction, PrivacyCallback
from tests.grants_support import ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777  # ADMIN_IDS in the tests' settings


async def ngo(harness: BotHarness, user_id: int, language: str, *, approve: bool = True) -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role="ngo", region="aktobe")
    if approve:
        await harness.app.approvals.decide(ADMIN, user_id, "ngo", approve=True)
    return user


def labels(user: PlayedUser) -> list[str]:
    return [label for label, _ in user.buttons()]


def answers(requests: list[TelegramMethod[Any]]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


async def stored_profile(app: Application, user_id: int) -> NgoProfile | None:
    return await app.ngo_profiles.get(user_id)


async def rows(app: Application) -> int:
    async with app.database.reading() as uow:
        return int((await uow.connection.execute(text("SELECT count(*) FROM ngo_profiles"))).scalar_one())


def press(action: NgoProfileAction, value: str = "") -> NgoProfileCallback:
    """A press as the step's button has it (a sector's button ticks an unticked one)."""
    return NgoProfileCallback(action=action, value=value, on=int(action is NgoProfileAction.SECTOR))


async def test_the_approval_message_offers_the_profile_and_the_dialog_fills_it_in_kazakh(
    harness: BotHarness, app: Application
) -> None:
    user = await ngo(harness, 5001, "kk")
    start = len(harness.session.requests)
    await app.sender.send_due()
    (told,) = [
        r for r in harness.session.requests[start:] if isinstance(r, SendMessage) and r.chat_id == 5001
    ]
    assert told.text.startswith("✅ Өтініміңіз мақұлданды: Belsendi-дегі рөліңіз енді — «ҮЕҰ өкілі».")
    assert "ҮЕҰ-ның қысқа профилін толтырыңыз" in told.text
    assert isinstance(told.reply_markup, InlineKeyboardMarkup)
    (fill,) = told.reply_markup.inline_keyboard[0]
    assert fill.text == "📋 ҮЕҰ профилін толтыру"
    assert fill.callback_data == press(NgoProfileAction.START).pack()

    (step,) = texts(await user.press(fill.callback_data))
    assert step.startswith("🏢 <b>ҮЕҰ профилі</b> · 5 қадамның 1-қадамы\nҰйымыңыз қандай?")
    assert "Тіркелмеген бастамашыл топ" in labels(user)
    (step,) = texts(await user.press_text("Қоғамдық бірлестік"))
    assert "ҮЕҰ ұлттық дерекқорына енгізілген бе?" in step
    assert labels(user)[:3] == ["Иә", "Жоқ", "Білмеймін"]
    (step,) = texts(await user.press_text("Білмеймін"))
    assert "Ұйымыңыз қай өңірде жұмыс істейді?" in step
    (step,) = texts(await user.press_text("Ақтөбе облысы"))
    assert "Қай салаларда жұмыс істейсіз?" in step
    await user.press_text("Жастар")
    await user.press_text("Экология")
    await user.press_text("✅ Экология")  # pressed again: unchosen
    await user.press_text("Білім беру")
    assert {"✅ Жастар", "✅ Білім беру", "Экология"} <= set(labels(user))
    (step,) = texts(await user.press_text("➡️ Дайын"))
    assert "Ұйымыңыз жастар ұйымы ма?" in step
    (saved,) = texts(await user.press_text("Иә"))
    assert saved.startswith("✅ ҮЕҰ профилі сақталды: енді гранттық конкурстар сізге белгіленеді.")
    assert "Ұйымдық-құқықтық нысаны: Қоғамдық бірлестік" in saved
    assert "ҮЕҰ ұлттық дерекқорында: Білмеймін" in saved
    assert "Өңір: Ақтөбе облысы" in saved
    assert "Салалар: Білім беру, Жастар" in saved
    assert "Жастар ұйымы: Иә" in saved
    assert await stored_profile(app, 5001) == NgoProfile(
        legal_form=LegalForm.PUBLIC_ASSOCIATION,
        listed=Listed.UNKNOWN,
        region="aktobe",
        sectors=(Sector.EDUCATION, Sector.YOUTH),
        youth=True,
    )


def test_the_decision_message_has_the_button_only_for_an_approved_ngo(app: Application) -> None:
    ru = app.catalogs["ru"]
    approved = role_decision_view(ru, {"role": "ngo", "approved": True, "reason": None})
    assert "Заполните короткий профиль НПО" in approved.text
    assert isinstance(approved.markup, InlineKeyboardMarkup)
    assert approved.markup.inline_keyboard[0][0].text == "📋 Заполнить профиль НПО"
    assert role_decision_view(ru, {"role": "organizer", "approved": True, "reason": None}).markup is None
    assert role_decision_view(ru, {"role": "ngo", "approved": False, "reason": None}).markup is None


async def test_a_russian_ngo_edits_the_profile_from_the_profile_screen(
    harness: BotHarness, app: Application
) -> None:
    user = await ngo(harness, 5002, "ru")
    await app.ngo_profiles.save(
        5002, legal_form="foundation", listed="yes", region="aktobe", sectors=["youth"], youth=False
    )
    await user.send("/profile")
    assert "🏢 Профиль НПО" in labels(user)
    (screen,) = texts(await user.press_text("🏢 Профиль НПО"))
    assert screen.startswith("🏢 <b>Профиль НПО</b>\nОрганизационно-правовая форма: Фонд")
    assert "В национальной базе данных НПО: Да" in screen
    assert "Молодёжная организация: Нет" in screen
    await user.press_text("✏️ Изменить профиль НПО")
    assert "✅ Фонд" in labels(user)  # the saved answers are marked
    await user.press_text("Инициативная группа без регистрации")
    assert "✅ Да" in labels(user)
    (step,) = texts(await user.press_text("Нет"))
    assert step.endswith("В каком регионе работает ваша организация?\nСейчас: Актюбинская область")
    await user.press_text("Алматы")
    assert "✅ Молодёжь" in labels(user)
    await user.press_text("Экология")
    await user.press_text("➡️ Готово")
    assert "✅ Нет" in labels(user)
    (saved,) = texts(await user.press_text("✅ Нет"))
    assert saved.startswith("✅ Профиль НПО сохранён")
    profile = await stored_profile(app, 5002)
    assert profile is not None
    assert (profile.legal_form, profile.listed, profile.region, profile.sectors, profile.youth) == (
        LegalForm.INITIATIVE_GROUP,
        Listed.NO,
        "almaty",
        (Sector.ECOLOGY, Sector.YOUTH),
        False,
    )
    # Cancel half-way: nothing changes.
    await user.press(press(NgoProfileAction.SHOW))
    await user.press_text("✏️ Изменить профиль НПО")
    await user.press_text("Фонд")
    (cancelled,) = texts(await user.press_text("✖️ Отмена"))
    assert cancelled.startswith("Профиль НПО не изменён.")
    assert await stored_profile(app, 5002) == profile


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_text_files_and_forged_buttons_in_the_dialog(
    harness: BotHarness, app: Application, language: str
) -> None:
    user_id = 5003 if language == "kk" else 5004
    user = await ngo(harness, user_id, language)
    t = app.catalogs[language]
    await user.press(press(NgoProfileAction.START))
    use_buttons = t._("Please answer with the buttons above, or send /cancel.")
    out_of_date = t._("This button is out of date. Send /menu.")
    assert texts(await user.send("қоғамдық бірлестік")) == [use_buttons]
    assert texts(await user.send("<b>" + "x" * 5000)) == [use_buttons]
    assert texts(await user.send_document()) == [use_buttons]
    # A value no button offers, and a later step's button pressed now.
    assert answers(await user.press(press(NgoProfileAction.LEGAL_FORM, "company"))) == [out_of_date]
    assert answers(await user.press(press(NgoProfileAction.YOUTH, "1"))) == [out_of_date]
    assert answers(await user.press("ng:f")) == [out_of_date]  # malformed data: no value
    await user.press(press(NgoProfileAction.LEGAL_FORM, "group"))
    assert answers(await user.press(press(NgoProfileAction.LISTED, "maybe"))) == [out_of_date]
    await user.press(press(NgoProfileAction.LISTED, "no"))
    assert answers(await user.press(press(NgoProfileAction.REGION, "atlantis"))) == [out_of_date]
    await user.press(press(NgoProfileAction.REGION, "aktobe"))
    assert answers(await user.press(press(NgoProfileAction.SECTOR, "charity"))) == [out_of_date]
    # Done with no sector: told, the step stays.
    assert answers(await user.press(press(NgoProfileAction.SECTORS_DONE))) == [
        t._("Choose at least one sector.")
    ]
    await user.press(press(NgoProfileAction.SECTOR, "youth"))
    await user.press(press(NgoProfileAction.SECTORS_DONE))
    assert answers(await user.press(press(NgoProfileAction.YOUTH, "2"))) == [out_of_date]
    assert await rows(app) == 0
    await user.press(press(NgoProfileAction.YOUTH, "0"))
    profile = await stored_profile(app, user_id)
    assert profile is not None
    assert (profile.legal_form, profile.sectors) == (LegalForm.INITIATIVE_GROUP, (Sector.YOUTH,))
    # The dialog is over: its old buttons do nothing.
    assert answers(await user.press(press(NgoProfileAction.YOUTH, "1"))) == [out_of_date]
    assert (await stored_profile(app, user_id)) == profile
    # A command leaves it: /cancel mid-dialog.
    await user.press(press(NgoProfileAction.START))
    await user.send("/cancel")
    assert answers(await user.press(press(NgoProfileAction.LEGAL_FORM, "foundation"))) == [out_of_date]


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_volunteer_or_an_ngo_waiting_for_approval_is_refused(
    harness: BotHarness, app: Application, language: str
) -> None:
    t = app.catalogs[language]
    refusal = t._("The NGO profile is for NGO representatives an admin has approved.")
    volunteer = harness.user(5005 if language == "kk" else 5006, language_code=language)
    await volunteer.onboard(language, role="volunteer", region="aktobe")
    waiting = await ngo(harness, 5007 if language == "kk" else 5008, language, approve=False)
    for user in (volunteer, waiting):
        assert answers(await user.press(press(NgoProfileAction.START))) == [refusal]
        assert answers(await user.press(press(NgoProfileAction.SHOW))) == [refusal]
        # No dialog was started: its buttons are stale, and text is not taken for an answer.
        out_of_date = t._("This button is out of date. Send /menu.")
        assert answers(await user.press(press(NgoProfileAction.LEGAL_FORM, "group"))) == [out_of_date]
        await user.send("/profile")
        assert t._("🏢 NGO profile") not in labels(user)
        with pytest.raises(NgoProfileError) as refused:
            await app.ngo_profiles.save(
                user.id, legal_form="group", listed="no", region="aktobe", sectors=["youth"], youth=True
            )
        assert refused.value.problem is NgoProfileProblem.NOT_NGO
    assert await rows(app) == 0


async def test_a_role_taken_back_mid_dialog_saves_nothing(harness: BotHarness, app: Application) -> None:
    user = await ngo(harness, 5009, "ru")
    for action, value in (
        (NgoProfileAction.START, ""),
        (NgoProfileAction.LEGAL_FORM, "foundation"),
        (NgoProfileAction.LISTED, "yes"),
        (NgoProfileAction.REGION, "aktobe"),
        (NgoProfileAction.SECTOR, "health"),
        (NgoProfileAction.SECTORS_DONE, ""),
    ):
        await user.press(press(action, value))
    await app.admins.revoke(ADMIN, 5009, "ngo")
    seen = await user.press(press(NgoProfileAction.YOUTH, "1"))
    assert "Профиль НПО — для представителей НПО, подтверждённых администратором." in texts(seen)
    assert await rows(app) == 0


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_catalogue_hints_without_a_profile_and_marks_each_call_with_one(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    t = app.catalogs[language]
    await ids_by_external_id(app.grants, clock.now())
    user_id = 5010 if language == "kk" else 5011
    user = await ngo(harness, user_id, language)
    await user.press(MenuCallback(action=MenuAction.MENU))
    (listing,) = texts(await user.press_text(t._("💰 Grants")))
    hint = t._("📋 Fill in your NGO profile, and each call shows whether it fits you.")
    assert hint in listing
    assert t._("✅ Fits you") not in listing
    assert t._("📋 Fill in the NGO profile") in labels(user)
    (card,) = texts(await user.press_text(next(label for label in labels(user) if label.startswith("1."))))
    assert hint in card

    # An initiative group in Aktobe, a youth organization, in the youth sector.
    await app.ngo_profiles.save(
        user_id, legal_form="group", listed="no", region="aktobe", sectors=["youth"], youth=True
    )
    await user.press(MenuCallback(action=MenuAction.MENU))
    (listing,) = texts(await user.press_text(t._("💰 Grants")))
    assert hint not in listing
    blocks = {block.split("\n")[0]: block for block in listing.split("\n\n")[1:]}
    title = {
        "kk": ("Ақтөбе жастарына арналған грант", "Денсаулық сақтау жобалары", "Ағаш отырғызу"),
        "ru": ("Грант для молодежи Актобе", "Проекты в здравоохранении", "Посадка деревьев"),
    }[language]
    by_title = {next(k for k in blocks if name in k): name for name in title}
    youth_aktobe, health_almaty, trees = (
        blocks[next(k for k, v in by_title.items() if v == name)] for name in title
    )
    # On the list: the verdict and the one reason that decided it (none for a call that fits); a call
    # only of another sector is unsure, not "probably not" (region and eligibility fit).
    if language == "ru":
        assert youth_aktobe.endswith("\n✅ Подходит вам")
        assert health_almaty.endswith(
            "\n⛔ Скорее не подходит: только для региона: Алматы; ваш регион — Актюбинская область"
        )
        assert trees.endswith(
            "\n❔ Неясно, подходит ли: в конкурсе не сказано, могут ли подавать инициативные группы; "
            "смотрите, кто может подать заявку"
        )
    else:
        assert youth_aktobe.endswith("\n✅ Сізге сәйкес")
        assert health_almaty.endswith(
            "\n⛔ Сізге сәйкес келмеуі мүмкін: тек мына өңірге арналған: Алматы; "
            "сіздің өңіріңіз — Ақтөбе облысы"
        )
        assert trees.endswith(
            "\n❔ Сәйкес келетіні белгісіз: бастамашыл топтар өтінім бере ала ма, конкурста айтылмаған; "
            "кім өтінім бере алатынын қараңыз"
        )

    name = title[0]
    (card,) = texts(await user.press_text(next(label for label in labels(user) if name in label)))
    assert f"<b>{t._('✅ Fits you')}</b>" in card
    assert "✅ " + t._("initiative groups may apply") in card
    assert "✅ " + t._("open to %(region)s") % {"region": t._("Aktobe Region")} in card
    assert hint not in card


async def test_an_unsure_call_says_why_on_its_card(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    from tests.grants_support import call

    outcome = await app.grants.import_calls(
        [
            call(
                clock.now(),
                "db",
                title_ru="Для базы НПО",
                ngo_database_required=True,
                sectors=(Sector.YOUTH,),
            )
        ]
    )
    user = await ngo(harness, 5012, "ru")
    await app.ngo_profiles.save(
        5012, legal_form="association", listed="unknown", region="aktobe", sectors=["youth"], youth=False
    )
    from bot.views.grants import GrantsAction, GrantsCallback

    (card,) = texts(await user.press(GrantsCallback(action=GrantsAction.CARD, grant_id=outcome.added[0])))
    assert "<b>❔ Неясно, подходит ли</b>" in card
    assert "❔ для включённых в национальную базу НПО; вы не указали, есть ли вы в ней" in card
    assert "✅ открыт для всего Казахстана" in card


async def test_others_see_no_marks_and_no_hint(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    user = harness.user(5013, language_code="ru")
    await user.onboard("ru", role="volunteer", region="aktobe")
    await user.press(MenuCallback(action=MenuAction.MENU))
    (listing,) = texts(await user.press_text("💰 Гранты"))
    assert "профиль НПО" not in listing
    assert "Подходит" not in listing
    assert "Скорее не" not in listing


async def test_the_export_has_the_profile_and_erasure_removes_it(
    harness: BotHarness, app: Application
) -> None:
    user = await ngo(harness, 5014, "kk")
    await app.ngo_profiles.save(
        5014,
        legal_form="institution",
        listed="yes",
        region="aktobe",
        sectors=["health", "sport"],
        youth=False,
    )
    requests = await user.press(PrivacyCallback(action=PrivacyAction.EXPORT, origin=Origin.PROFILE))
    document = next(r for r in requests if isinstance(r, SendDocument))
    data = json.loads(document.document.data)  # type: ignore[union-attr]
    assert data["ngo_profile"]["legal_form"] == "institution"
    assert data["ngo_profile"]["listed_in_ngo_database"] == "yes"
    assert data["ngo_profile"]["region"] == "aktobe"
    assert data["ngo_profile"]["sectors"] == ["health", "sport"]
    assert data["ngo_profile"]["youth_organization"] is False
    assert data["ngo_profile"]["updated_at"].endswith("+00:00")

    other = await ngo(harness, 5015, "ru")
    await app.ngo_profiles.save(
        5015, legal_form="group", listed="no", region="aktobe", sectors=["youth"], youth=True
    )
    await user.press(PrivacyCallback(action=PrivacyAction.ERASE_CONFIRM, origin=Origin.PROFILE))
    assert await rows(app) == 1  # only the other one's is left
    # Withdrawn consent takes it too (it belongs to the role, which goes).
    await other.press(PrivacyCallback(action=PrivacyAction.WITHDRAW_CONFIRM, origin=Origin.PROFILE))
    assert await rows(app) == 0


async def test_an_export_without_a_profile_has_none(harness: BotHarness, app: Application) -> None:
    user = await ngo(harness, 5016, "ru")
    requests = await user.press(PrivacyCallback(action=PrivacyAction.EXPORT, origin=Origin.PROFILE))
    document = next(r for r in requests if isinstance(r, SendDocument))
    assert "ngo_profile" not in json.loads(document.document.data)  # type: ignore[union-attr]
