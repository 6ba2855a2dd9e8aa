"""What a new-user trial of the grant features found, in Kazakh and Russian: a saved call's card keeps
all of a reader's card, muted reminders are never promised, a hidden call leads back to the list,
/cancel leaves no live-looking buttons, subscription words without markup, the profile by role, what
/privacy says is kept, and the wording of reminders and buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.domain.ngo_profiles import LegalForm, Listed
from bot.i18n import Catalogs
from bot.views.grant_saves import SavedAction, SavedCallback, grant_reminder_view
from bot.views.grant_subscriptions import SubscriptionAction, SubscriptionCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.menu import MenuAction, MenuCallback
from bot.views.ngo_profiles import NgoProfileAction, NgoProfileCallback
from tests.grants_support import ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777


async def ngo(harness: BotHarness, user_id: int, language: str, *, profile: bool = True) -> PlayedUser:
    """An approved NGO of Aktobe (for youth, education), with its NGO profile filled in or not."""
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role="ngo", region="aktobe")
    await harness.app.approvals.decide(ADMIN, user_id, "ngo", approve=True)
    await harness.app.sender.send_due()  # the decision
    if profile:
        await harness.app.ngo_profiles.save(
            user_id,
            legal_form=LegalForm.PUBLIC_ASSOCIATION.value,
            listed=Listed.YES.value,
            region="aktobe",
            sectors=[Sector.YOUTH.value, Sector.EDUCATION.value],
            youth=True,
        )
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


def labels(user: PlayedUser, message_id: int | None = None) -> list[str]:
    return [label for label, _ in user.buttons(message_id)]


def answers(requests: list[TelegramMethod[Any]]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def shown_text(requests: list[TelegramMethod[Any]]) -> str:
    """The one message drawn (the press's answer aside)."""
    (drawn,) = [r.text for r in requests if isinstance(r, SendMessage | EditMessageText)]
    return drawn


def card(grant_id: int) -> GrantsCallback:
    return GrantsCallback(action=GrantsAction.CARD, grant_id=grant_id)


TEXTS = {
    "kk": {
        "save": "⭐ Сақтап, еске салу",
        "hide": "🙈 Қажет емес",
        "ask": "❓ Сұрақ қою",
        "fits": "✅ Сізге сәйкес",
        "fill": "📋 ҮЕҰ профилін толтыру",
        "hint": "📋 ҮЕҰ профиліңізді толтырыңыз",
        "saved_list": "📂 Сақталған конкурстарым",
        "reminders": "🔔 Еске салғыштар",
        "mute": "🔕 Барлық еске салғышты өшіру",
        "unmute": "🔔 Еске салғыштарды қайта қосу",
        "saved": "⭐ Сақталды: мерзімі туралы еске салып отырамыз.",
        "on_card": "⭐ Сақталған конкурстарыңызда: мерзімі жақындағанда еске саламыз.",
        "off": "⭐ Сақталған конкурстарыңызда. Еске салғыштар өшірулі: оларды 📂 Сақталған конкурстарым → "
        "🔔 Еске салғыштар бөлімінде қосыңыз.",
        "first_unmute": "Еске салғыштар өшірулі: алдымен «🔔 Еске салғыштарды қайта қосу» батырмасын "
        "басыңыз.",
        "back": "⬅️ Гранттар",
    },
    "ru": {
        "save": "⭐ Сохранить и напомнить",
        "hide": "🙈 Не подходит",
        "ask": "❓ Задать вопрос",
        "fits": "✅ Подходит вам",
        "fill": "📋 Заполнить профиль НПО",
        "hint": "📋 Заполните профиль НПО",
        "saved_list": "📂 Мои сохранённые конкурсы",
        "reminders": "🔔 Напоминания",
        "mute": "🔕 Выключить все напоминания",
        "unmute": "🔔 Снова включить напоминания",
        "saved": "⭐ Сохранено: напомним о сроке подачи.",
        "on_card": "⭐ Конкурс в ваших сохранённых: перед окончанием срока придут напоминания.",
        "off": "⭐ Конкурс в ваших сохранённых. Напоминания выключены: включить их можно в разделе "
        "📂 Мои сохранённые конкурсы → 🔔 Напоминания.",
        "first_unmute": "Напоминания выключены: сначала нажмите «🔔 Снова включить напоминания».",
        "back": "⬅️ Гранты",
    },
}


# 1. One reader's card, whichever handler draws it


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_saving_a_call_keeps_the_whole_readers_card(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    words = TEXTS[language]
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7101, language)
    (opened,) = texts(await user.press(card(ids["youth-aktobe"])))
    before = set(labels(user))
    requests = await user.press_text(words["save"])
    assert answers(requests) == [words["saved"]]
    saved = shown_text(requests)
    # The fit marks, Not relevant and the question stay; only save → remove changes.
    assert f"<b>{words['fits']}</b>" in opened
    assert f"<b>{words['fits']}</b>" in saved
    assert words["on_card"] in saved
    after = set(labels(user))
    assert {words["hide"], words["ask"]} <= after
    assert before - after == {words["save"]}
    # An NGO without a profile keeps the hint and the button to fill it in.
    bare = await ngo(harness, 7102, language, profile=False)
    await bare.press(card(ids["youth-aktobe"]))
    saved = shown_text(await bare.press_text(words["save"]))
    assert words["hint"] in saved
    assert {words["fill"], words["hide"], words["ask"]} <= set(labels(bare))


# 2. Reminders off are never promised


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_muted_reminders_show_greyed_and_the_toast_and_the_card_say_they_are_off(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    words = TEXTS[language]
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7111, language)
    await app.saved_grants.save(7111, ids["youth-aktobe"])
    await user.press(SavedCallback(action=SavedAction.SETTINGS))
    await user.press_text(words["mute"])
    slots = labels(user)[:4]
    assert all(label.startswith("⬜ ") for label in slots), slots
    # A greyed reminder says how to have them again, and changes nothing.
    requests = await user.press_text(slots[0])
    assert answers(requests) == [words["first_unmute"]]
    assert labels(user)[:4] == slots
    # Saving another call, and the cards, say reminders are off.
    await user.press(card(ids["youth-all"]))
    requests = await user.press_text(words["save"])
    assert answers(requests) == [words["off"]]
    shown = shown_text(requests)
    assert words["off"] in shown
    assert words["on_card"] not in shown
    (shown,) = texts(await user.press(card(ids["youth-aktobe"])))
    assert words["off"] in shown
    # On again: the choices are back, and so is the promise.
    await user.press(SavedCallback(action=SavedAction.SETTINGS))
    await user.press_text(words["unmute"])
    assert all(label.startswith("✅ ") for label in labels(user)[:4])
    (shown,) = texts(await user.press(card(ids["youth-aktobe"])))
    assert words["on_card"] in shown
    # No reminder chosen is off too.
    await user.press(SavedCallback(action=SavedAction.SETTINGS))
    for slot in labels(user)[:4]:
        await user.press_text(slot)
    (shown,) = texts(await user.press(card(ids["youth-aktobe"])))
    assert words["off"] in shown


# 4. A hidden call leads back to the list


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_hidden_call_offers_the_way_back_to_the_grant_calls(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    words = TEXTS[language]
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7121, language)
    await user.press(card(ids["trees"]))
    await user.press_text(words["hide"])
    assert words["back"] in labels(user)
    (listing,) = texts(await user.press_text(words["back"]))
    assert listing.startswith("💰")
    assert "1. <b>" in listing


# 5. /cancel takes the dialog's buttons away


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_cancel_takes_the_buttons_off_the_ngo_profile_and_question_dialogs(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7131, language)
    await user.press(NgoProfileCallback(action=NgoProfileAction.START))
    dialog = user.last_bot_message
    assert dialog is not None
    assert labels(user, dialog.message_id)
    await user.send("/cancel")
    assert labels(user, dialog.message_id) == []

    await user.press(card(ids["youth-aktobe"]))
    await user.press_text(TEXTS[language]["ask"])
    prompt = user.last_bot_message
    assert prompt is not None
    assert labels(user, prompt.message_id)
    await user.send("/cancel")
    assert labels(user, prompt.message_id) == []
    assert user.with_buttons() == []  # nothing left that would answer "out of date"


# 6. Subscription words


async def test_subscription_words_drop_markup_and_single_letters(
    harness: BotHarness, app: Application
) -> None:
    await ngo(harness, 7141, "ru", profile=False)
    subscription = await app.grant_subscriptions.set_words(7141, "<i>инвалид</i>, аутизм")
    assert subscription.record.words == ("инвалид", "аутизм")
    subscription = await app.grant_subscriptions.set_words(7141, "в <b>экология</b> и 5 спорт<br/>")
    assert subscription.record.words == ("экология", "спорт")


# 7. The profile by role, and what /privacy says is kept


@pytest.mark.parametrize(
    ("language", "hours", "ngo_line"),
    [
        ("kk", "Еріктілік уақыты:", "🏢 ҮЕҰ профилі: Қоғамдық бірлестік · Ақтөбе облысы · "),
        ("ru", "Время волонтёрства:", "🏢 Профиль НПО: Общественное объединение · Актюбинская область · "),
    ],
)
async def test_the_profile_shows_volunteer_stats_to_volunteers_and_the_ngo_profile_to_ngos(
    harness: BotHarness, language: str, hours: str, ngo_line: str
) -> None:
    user = await ngo(harness, 7151, language)
    (screen,) = texts(await user.send("/profile"))
    assert hours not in screen
    assert ngo_line in screen
    bare = await ngo(harness, 7152, language, profile=False)
    (screen,) = texts(await bare.send("/profile"))
    assert (
        "🏢 ҮЕҰ профилі: әлі толтырылмаған" if language == "kk" else "🏢 Профиль НПО: ещё не заполнен"
    ) in (screen)
    pending = harness.user(7154, first_name="Асель", language_code=language)
    await pending.onboard(language, role="ngo", region="aktobe")  # a volunteer until approved
    (screen,) = texts(await pending.send("/profile"))
    assert hours not in screen
    volunteer = harness.user(7153, first_name="Ерлан", language_code=language)
    await volunteer.onboard(language, role="volunteer", region="aktobe")
    (screen,) = texts(await volunteer.send("/profile"))
    assert hours in screen
    assert ngo_line[:6] not in screen


@pytest.mark.parametrize(
    ("language", "kept"),
    [
        (
            "kk",
            "Гранттық конкурстарды пайдалансаңыз, Belsendi сақтаған конкурстарыңызды және мерзім туралы еске "
            "салғыштар таңдауыңызды, конкурстар туралы сұрақтарыңызды (жауаптарымен бірге), гранттар "
            "туралы хабарландыруларға жазылымыңызды және «Қажет емес» деп белгілеген конкурстарыңызды "
            "да сақтайды",
        ),
        (
            "ru",
            "Если вы пользуетесь разделом «Гранты», Belsendi хранит также сохранённые вами конкурсы и "
            "выбранные напоминания о сроках, ваши вопросы о конкурсах (вместе с ответами), подписку на "
            "уведомления о грантах и конкурсы, отмеченные вами как неподходящие",
        ),
    ],
)
async def test_privacy_lists_the_grant_data_kept(harness: BotHarness, language: str, kept: str) -> None:
    user = await ngo(harness, 7161, language)
    (screen,) = texts(await user.send("/privacy"))
    assert kept in screen


# 8. Wording


def test_a_reminder_a_day_before_says_tomorrow_and_its_button_is_the_usual_one(catalogs: Catalogs) -> None:
    deadline = datetime(2026, 12, 15, 13, 0, tzinfo=UTC)  # 18:00 in Almaty
    params = {"grant_id": 5, "title_kk": "Жастар", "title_ru": "Молодежь", "deadline": deadline.isoformat()}
    kk = grant_reminder_view(catalogs["kk"], {**params, "days": 1})
    ru = grant_reminder_view(catalogs["ru"], {**params, "days": 1})
    assert kk.text == "⏰ Сақталған <b>Жастар</b> конкурсы ертең жабылады (сағат 18:00)."
    assert ru.text == "⏰ Сохранённый конкурс <b>Молодежь</b> закрывается завтра в 18:00."
    assert isinstance(kk.markup, InlineKeyboardMarkup)
    assert isinstance(ru.markup, InlineKeyboardMarkup)
    assert kk.markup.inline_keyboard[0][0].text == "📄 Конкурсты ашу"
    assert ru.markup.inline_keyboard[0][0].text == "📄 Открыть конкурс"
    week = grant_reminder_view(
        catalogs["ru"], {**params, "deadline": (deadline + timedelta(days=6)).isoformat(), "days": 7}
    )
    assert "через 7 дней" in week.text


@pytest.mark.parametrize(
    ("language", "chosen", "other", "no_words"),
    [
        ("kk", "✅ Бірден", "🗓 Апта сайын", "✖️ Сөздерді алып тастау"),
        ("ru", "✅ Сразу", "🗓 Раз в неделю", "✖️ Убрать слова"),
    ],
)
async def test_subscription_buttons_one_mark_each_and_words_removed_not_undoubtedly(
    harness: BotHarness, app: Application, language: str, chosen: str, other: str, no_words: str
) -> None:
    await ngo(harness, 7171, language, profile=False)
    user = harness.user(7171)
    await app.grant_subscriptions.set_words(7171, "жастар")
    await user.press(SubscriptionCallback(action=SubscriptionAction.SHOW))
    assert {chosen, other, no_words} <= set(labels(user))
    assert not [label for label in labels(user) if label.startswith("✅ ⚡")]


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_saved_calls_button_is_not_a_second_star(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7181, language)
    await user.press(card(ids["youth-aktobe"]))
    stars = [label for label in labels(user) if label.startswith("⭐")]
    assert stars == [TEXTS[language]["save"]]
    assert TEXTS[language]["saved_list"] in labels(user)


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_sent_question_takes_the_cancel_button_off_its_prompt(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7191, language)
    await user.press(card(ids["youth-aktobe"]))
    await user.press_text(TEXTS[language]["ask"])
    prompt = user.last_bot_message
    assert prompt is not None
    await user.send("Сұрақ " * 100)  # too long: the dialog waits, the prompt keeps its button
    assert labels(user, prompt.message_id)
    await user.send("Тіркелгеніне бір жыл толмаса бола ма?")
    assert labels(user, prompt.message_id) == []


@pytest.mark.parametrize(
    ("language", "cancel", "cancelled"),
    [("kk", "❌ Бас тарту", "Тоқтатылды."), ("ru", "❌ Отмена", "Отменено.")],
)
async def test_cancelling_a_question_goes_back_to_the_whole_readers_card(
    harness: BotHarness, app: Application, clock: ManualClock, language: str, cancel: str, cancelled: str
) -> None:
    words = TEXTS[language]
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7201, language)
    await user.press(card(ids["youth-aktobe"]))
    await user.press_text(words["ask"])
    shown = shown_text(await user.press_text(cancel))
    assert shown.startswith(f"{cancelled}\n\n<b>")
    assert f"<b>{words['fits']}</b>" in shown
    assert {words["save"], words["hide"], words["ask"]} <= set(labels(user))


async def test_the_profile_line_names_a_sector_an_admin_added(harness: BotHarness, app: Application) -> None:
    added = await app.sectors.add(ADMIN, "Цифрлық дағдылар", "Цифровые навыки")
    user = await ngo(harness, 7211, "ru", profile=False)
    await app.ngo_profiles.save(
        7211,
        legal_form=LegalForm.FOUNDATION.value,
        listed=Listed.NO.value,
        region="aktobe",
        sectors=[Sector.YOUTH.value, added.code],
        youth=False,
    )
    (screen,) = texts(await user.send("/profile"))
    assert "🏢 Профиль НПО: Фонд · Актюбинская область · " in screen
    assert "Цифровые навыки" in screen
