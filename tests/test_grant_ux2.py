"""A second review of the grant features, in Kazakh and Russian: toggles set the state their button
showed (a double tap or an old screen never turns them the other way), a hidden call's card says so and
offers to show it again, taking a question off the Q&A list keeps the list, an old "Later" never says
a list is empty, "Subscribe again" subscribes, no two reminders of a call on one day and a deadline at
midnight said as such, and "📄 Open the call" on a notice leaves the notice as it was."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.i18n import Catalogs
from bot.services.grant_saves import ReminderSlot, reminder_times
from bot.services.grants import GrantQuery
from bot.views.grant_saves import SavedAction, SavedCallback, grant_reminder_view
from bot.views.grant_subscriptions import SubscriptionAction, SubscriptionCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.menu import MenuAction, MenuCallback
from bot.views.ngo_profiles import NgoProfileAction, NgoProfileCallback
from fake_telegram.recording import RecordingSession
from tests.grants_support import call, ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777
ALMATY = ZoneInfo("Asia/Almaty")


async def ngo(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role="ngo", region="aktobe")
    await harness.app.approvals.decide(ADMIN, user_id, "ngo", approve=True)
    await harness.app.sender.send_due()  # the decision
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


def labels(user: PlayedUser, message_id: int | None = None) -> list[str]:
    return [label for label, _ in user.buttons(message_id)]


def data_of(user: PlayedUser, label: str) -> str:
    (data,) = [data for text, data in user.buttons() if text == label]
    assert len(data.encode()) <= 64
    return data


def answers(requests: list[TelegramMethod[Any]]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def card(grant_id: int) -> GrantsCallback:
    return GrantsCallback(action=GrantsAction.CARD, grant_id=grant_id)


async def delivered(harness: BotHarness, user: PlayedUser) -> list[SendMessage]:
    """What the sender sends now, drawn in the user's chat as Telegram would."""
    session = harness.app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await harness.app.sender.send_due()
    sent = [r for r in session.requests[start:] if isinstance(r, SendMessage) and r.chat_id == user.id]
    for request in sent:
        harness._apply(user, request)
    return sent


# 1. Toggles set the state their button showed


@pytest.mark.parametrize(("language", "seven"), [("kk", "7 күн қалғанда"), ("ru", "за 7 дней")])
async def test_a_reminder_slot_pressed_twice_or_on_an_old_screen_stays_as_the_button_showed(
    harness: BotHarness, app: Application, language: str, seven: str
) -> None:
    user = await ngo(harness, 7201, language)
    await user.press(SavedCallback(action=SavedAction.SETTINGS))
    off = data_of(user, f"✅ {seven}")
    await user.press(off)
    await user.press(off)  # a double tap, or the old screen's button
    assert not (await app.saved_grants.settings(7201)).days_7
    assert f"⬜ {seven}" in labels(user)
    on = data_of(user, f"⬜ {seven}")
    await user.press(on)
    await user.press(on)
    assert (await app.saved_grants.settings(7201)).days_7
    assert f"✅ {seven}" in labels(user)


@pytest.mark.parametrize(
    ("language", "youth", "aktobe", "sectors", "regions"),
    [
        ("kk", "Жастар", "Ақтөбе облысы", "🏷 Салалар", "📍 Өңірлер"),
        ("ru", "Молодёжь", "Актюбинская область", "🏷 Сферы", "📍 Регионы"),
    ],
)
async def test_a_subscription_sector_or_region_pressed_twice_stays_as_the_button_showed(
    harness: BotHarness,
    app: Application,
    language: str,
    youth: str,
    aktobe: str,
    sectors: str,
    regions: str,
) -> None:
    user = await ngo(harness, 7211, language)
    await user.press(SubscriptionCallback(action=SubscriptionAction.SHOW))
    await user.press_text(sectors)
    tick = data_of(user, youth)
    await user.press(tick)
    await user.press(tick)
    assert (await app.grant_subscriptions.get(7211)).record.sectors == (Sector.YOUTH.value,)
    untick = data_of(user, f"✅ {youth}")
    await user.press(untick)
    await user.press(untick)
    assert (await app.grant_subscriptions.get(7211)).record.sectors == ()
    await user.press(SubscriptionCallback(action=SubscriptionAction.SHOW))
    await user.press_text(regions)
    tick = data_of(user, aktobe)
    await user.press(tick)
    await user.press(tick)
    assert (await app.grant_subscriptions.get(7211)).record.regions == ("aktobe",)


@pytest.mark.parametrize(
    ("language", "form", "listed", "region", "youth"),
    [
        ("kk", "Қоғамдық бірлестік", "Иә", "Ақтөбе облысы", "Жастар"),
        ("ru", "Общественное объединение", "Да", "Актюбинская область", "Молодёжь"),
    ],
)
async def test_an_ngo_profile_sector_pressed_twice_stays_ticked(
    harness: BotHarness, app: Application, language: str, form: str, listed: str, region: str, youth: str
) -> None:
    user = await ngo(harness, 7221, language)
    await user.press(NgoProfileCallback(action=NgoProfileAction.START))
    await user.press_text(form)
    await user.press_text(listed)
    await user.press_text(region)
    tick = data_of(user, youth)
    await user.press(tick)
    await user.press(tick)
    assert f"✅ {youth}" in labels(user)
    untick = data_of(user, f"✅ {youth}")
    await user.press(untick)
    await user.press(untick)
    assert youth in labels(user)


# 2. A hidden call's card


@pytest.mark.parametrize(
    ("language", "hidden", "show", "hide", "again"),
    [
        ("kk", "🙈 Сіз бұл конкурсты «Қажет емес» деп белгіледіңіз", "👁 Қайта көрсету",
         "🙈 Қажет емес", "👁 «Ағаш отырғызу»"),
        ("ru", "🙈 Вы отметили этот конкурс как неподходящий", "👁 Показывать снова", "🙈 Не подходит",
         "👁 Конкурс «Посадка деревьев»"),
    ],
)  # fmt: skip
async def test_a_hidden_calls_card_says_so_and_shows_it_again(
    harness: BotHarness,
    app: Application,
    clock: ManualClock,
    language: str,
    hidden: str,
    show: str,
    hide: str,
    again: str,
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await ngo(harness, 7231, language)
    await app.grant_subscriptions.hide(7231, ids["trees"])
    (shown,) = texts(await user.press(card(ids["trees"])))
    assert hidden in shown
    assert show in labels(user)
    assert hide not in labels(user)
    (shown,) = texts(await user.press_text(show))
    assert shown.startswith(again)
    assert hidden not in shown
    assert hide in labels(user)
    assert ids["trees"] in [g.id for g in (await app.grants.find(7231, GrantQuery())).grants]


# 3. Taking a question off the Q&A list keeps the list


@pytest.mark.parametrize(
    ("language", "heading", "take_off", "taken"),
    [
        ("kk", "туралы <b>сұрақтар мен жауаптар</b>", "🙈 №1 алып тастау", "🙈 Карточкадан алынды."),
        ("ru", "<b>Вопросы и ответы</b> о конкурсе", "🙈 Убрать №1", "🙈 Убрано из карточки."),
    ],
)
async def test_taking_a_question_off_the_published_list_shows_the_list_without_it(
    harness: BotHarness,
    app: Application,
    clock: ManualClock,
    language: str,
    heading: str,
    take_off: str,
    taken: str,
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    admin = harness.user(ADMIN, first_name="Асель", language_code=language)
    await admin.onboard(language)
    await ngo(harness, 7241, "ru")
    grant_id = ids["health-almaty"]
    for text, answer in (("Первый вопрос?", "Первый ответ."), ("Второй вопрос?", "Второй ответ.")):
        asked = await app.grant_questions.ask(7241, grant_id, text)
        await app.grant_questions.answer(ADMIN, asked.question.id, answer)
        await app.grant_questions.publish(ADMIN, asked.question.id, published=True)
        clock.advance(timedelta(minutes=1))
    await app.sender.send_due()
    await admin.press(card(grant_id))
    (listing,) = [label for label in labels(admin) if label.startswith("💬")]
    await admin.press_text(listing)
    requests = await admin.press_text(take_off)  # the latest published: the second
    assert answers(requests) == [taken]
    (shown,) = [r.text for r in requests if isinstance(r, EditMessageText | SendMessage)]
    assert heading in shown
    assert "Первый вопрос?" in shown
    assert "Второй вопрос?" not in shown
    assert take_off in labels(admin)  # the first is number 1 now


# 4. An old "Later" on a list that has shrunk


@pytest.mark.parametrize(
    ("language", "later", "empty"),
    [
        ("kk", "Келесі ➡️", "Сақталған конкурс әлі жоқ"),
        ("ru", "Позже ➡️", "Сохранённых конкурсов пока нет"),
    ],
)
async def test_an_old_later_on_a_shrunk_saved_list_shows_the_last_page(
    harness: BotHarness, app: Application, clock: ManualClock, language: str, later: str, empty: str
) -> None:
    outcome = await app.grants.import_calls(
        [call(clock.now(), f"s{n}", deadline=clock.now() + timedelta(days=10 + n)) for n in range(6)]
    )
    user = await ngo(harness, 7251, language)
    for grant_id in outcome.added:
        await app.saved_grants.save(7251, grant_id)
    await user.press(SavedCallback(action=SavedAction.LIST))
    old_later = data_of(user, later)
    await app.saved_grants.unsave(7251, outcome.added[-1])
    (shown,) = texts(await user.press(old_later))
    assert empty not in shown
    assert "1. <b>" in shown
    assert later not in labels(user)  # five left: one page


@pytest.mark.parametrize(
    ("language", "later", "none"),
    [
        ("kk", "Келесі ➡️", "Қазір ашық гранттық конкурс жоқ"),
        ("ru", "Позже ➡️", "Сейчас открытых грантовых конкурсов нет"),
    ],
)
async def test_an_old_later_on_a_shrunk_grants_list_shows_a_page_with_calls(
    harness: BotHarness, app: Application, clock: ManualClock, language: str, later: str, none: str
) -> None:
    outcome = await app.grants.import_calls(
        [call(clock.now(), f"g{n}", deadline=clock.now() + timedelta(days=10 + n)) for n in range(6)]
    )
    user = await ngo(harness, 7261, language)
    await user.press(GrantsCallback(action=GrantsAction.LIST))
    old_later = data_of(user, later)
    await app.grant_subscriptions.hide(7261, outcome.added[-1])
    (shown,) = texts(await user.press(old_later))
    assert none not in shown
    assert "1. <b>" in shown


# 5. Subscribe again is one tap


async def test_subscribe_again_subscribes_in_one_tap_in_russian(
    harness: BotHarness, app: Application
) -> None:
    user = await ngo(harness, 7271, "ru")
    await app.grant_subscriptions.toggle_sector(7271, Sector.YOUTH.value)
    await app.grant_subscriptions.subscribe(7271)
    await user.press(SubscriptionCallback(action=SubscriptionAction.SHOW))
    await user.press_text("🔕 Отписаться")
    assert not (await app.grant_subscriptions.get(7271)).record.active
    (shown,) = texts(await user.press_text("🔔 Подписаться снова"))
    assert (await app.grant_subscriptions.get(7271)).record.active
    assert "✅ Вы подписаны." in shown


# 6. Reminders: never two on one day; a deadline at midnight


def test_no_two_reminders_of_a_call_on_one_day_or_within_twelve_hours() -> None:
    slots = list(ReminderSlot)
    for hour in (0, 9, 11, 12, 18):
        deadline = datetime(2026, 12, 15, hour, 0, tzinfo=ALMATY)
        planned = reminder_times(deadline, ALMATY, slots)
        days = [r.due_at.astimezone(ALMATY).date() for r in planned]
        assert len(set(days)) == len(days), (hour, planned)
        gaps = [b.due_at - a.due_at for a, b in itertools.pairwise(planned)]
        assert all(gap >= timedelta(hours=12) for gap in gaps), (hour, planned)
        assert all(r.due_at < deadline for r in planned)
    # At 00:00 the call closes at the end of the 14th: reminded at 10:00 that day, 14 hours before.
    midnight = reminder_times(datetime(2026, 12, 15, 0, 0, tzinfo=ALMATY), ALMATY, slots)
    assert [(r.slot, r.due_at.astimezone(ALMATY)) for r in midnight][-2:] == [
        (ReminderSlot.DAYS_1, datetime(2026, 12, 13, 10, 0, tzinfo=ALMATY)),
        (ReminderSlot.CLOSING_DAY, datetime(2026, 12, 14, 10, 0, tzinfo=ALMATY)),
    ]


@pytest.mark.parametrize(
    ("language", "tonight", "tomorrow"),
    [
        (
            "kk",
            "⏰ Сақталған <b>Жастар</b> конкурсы бүгін түн ортасында (сағат 24:00) жабылады.",
            "⏰ Сақталған <b>Жастар</b> конкурсы ертең жабылады (сағат 24:00).",
        ),
        (
            "ru",
            "⏰ Сохранённый конкурс <b>Молодежь</b> закрывается сегодня в полночь (в 24:00).",
            "⏰ Сохранённый конкурс <b>Молодежь</b> закрывается завтра в 24:00.",
        ),
    ],
)
def test_a_deadline_at_midnight_is_said_as_tonight_at_midnight(
    catalogs: Catalogs, language: str, tonight: str, tomorrow: str
) -> None:
    t = catalogs[language]
    deadline = datetime(2026, 12, 15, 0, 0, tzinfo=ALMATY)
    params = {"grant_id": 5, "title_kk": "Жастар", "title_ru": "Молодежь", "deadline": deadline.isoformat()}
    # As planned now: the closing day is the 14th.
    assert grant_reminder_view(t, {**params, "days": 0, "on_day": "2026-12-14"}).text == tonight
    assert grant_reminder_view(t, {**params, "days": 1, "on_day": "2026-12-13"}).text == tomorrow
    # As planned before (no day in the params): the evening before, or a day before, is that night.
    assert grant_reminder_view(t, {**params, "days": 0, "evening_before": True}).text == tonight
    assert grant_reminder_view(t, {**params, "days": 1}).text == tonight


async def test_a_planned_reminder_of_a_midnight_deadline_says_tonight(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    local = now.astimezone(ALMATY)
    deadline = datetime.combine(local.date() + timedelta(days=3), datetime.min.time(), tzinfo=ALMATY)
    (grant_id,) = (await app.grants.import_calls([call(now, "m", deadline=deadline)])).added
    user = await ngo(harness, 7281, "ru")
    await app.saved_grants.save(7281, grant_id)
    clock.set(deadline - timedelta(days=1, hours=14))  # 10:00 two days before
    (reminder,) = await delivered(harness, user)
    assert "закрывается завтра в 24:00." in reminder.text
    clock.set(deadline - timedelta(hours=14))  # 10:00 on the day before: its closing day
    (reminder,) = await delivered(harness, user)
    assert "закрывается сегодня в полночь (в 24:00)" in reminder.text


# 7. Open the call from a notice: a new message, the notice stays


@pytest.mark.parametrize(
    ("language", "open_call", "unsubscribe", "funder"),
    [
        ("kk", "📄 Конкурсты ашу", "🔕 Жазылымнан бас тарту", "Грант беруші:"),
        ("ru", "📄 Открыть конкурс", "🔕 Отписаться", "Грантодатель:"),
    ],
)
async def test_opening_the_call_from_an_alert_keeps_the_alert(
    harness: BotHarness,
    app: Application,
    clock: ManualClock,
    language: str,
    open_call: str,
    unsubscribe: str,
    funder: str,
) -> None:
    user = await ngo(harness, 7291, language)
    await app.grant_subscriptions.toggle_sector(7291, Sector.YOUTH.value)
    await app.grant_subscriptions.subscribe(7291)
    await app.grants.import_calls([call(clock.now(), "a", sectors=(Sector.YOUTH,))])
    (alert,) = await delivered(harness, user)
    alert_id = harness.results[id(alert)].message_id
    requests = await user.press_text(open_call, on=alert_id)
    assert not [r for r in requests if isinstance(r, EditMessageText)]
    (sent,) = [r for r in requests if isinstance(r, SendMessage)]
    assert funder in sent.text
    assert {open_call, unsubscribe} <= set(labels(user, alert_id))
    assert user.bot_messages[alert_id].text == alert.text


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_opening_the_call_from_a_reminder_or_a_change_keeps_them(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    open_call = {"kk": "📄 Конкурсты ашу", "ru": "📄 Открыть конкурс"}[language]
    now = clock.now()
    (grant_id,) = (await app.grants.import_calls([call(now, "r", deadline=now + timedelta(days=2))])).added
    user = await ngo(harness, 7301, language)
    await app.saved_grants.save(7301, grant_id)
    await app.grants.import_calls([call(now, "r", deadline=now + timedelta(days=2, hours=1))])
    (change,) = await delivered(harness, user)
    change_id = harness.results[id(change)].message_id
    requests = await user.press_text(open_call, on=change_id)
    assert [type(r) for r in requests if isinstance(r, EditMessageText | SendMessage)] == [SendMessage]
    assert user.bot_messages[change_id].text == change.text
    assert open_call in labels(user, change_id)
