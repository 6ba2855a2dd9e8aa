"""Publishing events (issue 8, point 2): an organizer creates an event question by question (each bad
answer explained, the question kept), sees the preview in both languages, publishes it or keeps a
draft; edits, cancels and duplicates it; volunteers hear of a new time or place and of a cancellation
in their language, their reminders follow the new start or go; nobody else may touch the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import Location, PhotoSize, Update

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.typed_time import read_typed_time
from bot.services.events import EventProblem, InvalidEventError, NotAllowedError
from bot.services.publishing import Step
from bot.views.menu import MenuAction, MenuCallback, stale_button_text
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from bot.views.publishing import (
    EditFieldCallback,
    ManageAction,
    ManageCallback,
    OrganizedAction,
    OrganizedCallback,
    PreviewCallback,
    PreviewChoice,
    StepAction,
    StepCallback,
)
from fake_telegram.recording import RecordingSession
from storage.repositories.events import EventRecord
from tests.events_support import ADMIN, draft
from tests.harness import BotHarness, PlayedUser, texts

# Wednesday 25 November 2026, 11:00 in Kazakhstan.
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


# Playing the users


async def organizer(harness: BotHarness, app: Application, user_id: int, language: str) -> PlayedUser:
    """An organizer whose request an admin approved."""
    user = harness.user(user_id, language_code=language)
    await user.onboard(language, region="almaty")
    async with app.database.transaction() as uow:
        await uow.users.update(user_id, now=NOW, role="organizer", requested_role=None)
    return user


async def volunteer(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, language_code=language)
    await user.onboard(language, region="almaty")
    return user


async def send_photo(user: PlayedUser) -> list[TelegramMethod[Any]]:
    photo = [PhotoSize(file_id="p1", file_unique_id="u1", width=10, height=10)]
    return await user.harness.feed(user, Update(update_id=_next_id(), message=user._message(photo=photo)))


async def send_location(user: PlayedUser, latitude: float, longitude: float) -> list[TelegramMethod[Any]]:
    location = Location(latitude=latitude, longitude=longitude)
    return await user.harness.feed(
        user, Update(update_id=_next_id(), message=user._message(location=location))
    )


_ids = iter(range(9_000_000, 10_000_000))


def _next_id() -> int:
    return next(_ids)


def answers(requests: list[TelegramMethod[Any]]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def last_text(requests: list[TelegramMethod[Any]]) -> str:
    seen = texts(requests)
    assert seen, "the bot said nothing"
    return seen[-1]


async def delivered(app: Application) -> dict[int, list[str]]:
    """What the sender sends now, by chat."""
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    sent: dict[int, list[str]] = {}
    for request in session.requests[start:]:
        if isinstance(request, SendMessage):
            sent.setdefault(int(request.chat_id), []).append(request.text)
    return sent


async def the_event(app: Application, event_id: int) -> EventRecord:
    event = await app.events.get(event_id)
    assert event is not None
    return event


async def events_of(app: Application, organizer_id: int) -> list[EventRecord]:
    page = await app.publishing.organized(organizer_id)
    return [item.event for item in page.items]


VALID_ANSWERS: list[tuple[Step, str | None]] = [
    (Step.TITLE_KK, "Көктемгі сенбілік"),
    (Step.TITLE_RU, None),
    (Step.DESCRIPTION_KK, None),
    (Step.DESCRIPTION_RU, None),
    (Step.CATEGORY, "cleanup"),
    (Step.REGION, "almaty"),
    (Step.CITY, "Алматы"),
    (Step.ADDRESS, "Бас ботаникалық бақ"),
    (Step.MAP, None),
    (Step.STARTS, "28.11.2026 10:00"),
    (Step.ENDS, "13:00"),
    (Step.CAPACITY, "30"),
    (Step.DEADLINE, None),
    (Step.CUTOFF, None),
    (Step.CONTACT, "+77010000001"),
]


async def answer_all(user: PlayedUser, answers: list[tuple[Step, str | None]]) -> list[TelegramMethod[Any]]:
    """Answer the dialog's questions from the first: None skips, buttons are pressed; the requests of
    the last answer."""
    requests: list[TelegramMethod[Any]] = []
    for step, answer in answers:
        if step in (Step.CATEGORY, Step.REGION):
            requests = await user.press(StepCallback(step=step, action=StepAction.CHOOSE, value=str(answer)))
        elif answer is None:
            requests = await user.press(StepCallback(step=step, action=StepAction.SKIP))
        else:
            requests = await user.send(answer)
    return requests


# Creating


async def test_the_whole_dialog_explains_every_bad_answer_and_keeps_the_question(
    harness: BotHarness, app: Application
) -> None:
    user = await organizer(harness, app, 9501, "ru")
    await user.press(MenuCallback(action=MenuAction.MENU))
    assert "🗂 Я организую" in [label for label, _ in user.buttons()]
    listing = last_text(await user.press_text("🗂 Я организую"))
    assert listing == "🗂 <b>Мероприятия, которые я организую</b>\nМероприятий пока нет: создайте первое."
    question = last_text(await user.press_text("➕ Новое мероприятие"))
    assert question.startswith("<i>Новое мероприятие, шаг 1 из 15</i>\n📝 Название на казахском, до 120")
    assert question.endswith("Чтобы прервать, отправьте /cancel.")

    async def refused(answer: str | None, expected: str) -> None:
        """The answer is refused with `expected`, and nothing else is said: the question stays."""
        requests = await (send_photo(user) if answer is None else user.send(answer))
        assert texts(requests) == [expected]

    await refused(None, "Отправьте текст или /cancel.")  # a photo where text was expected
    await refused("я" * 5000, "Название слишком длинное: не больше 120 символов.")
    assert "шаг 2 из 15" in last_text(await user.send("<b>Сенбілік</b>"))
    # Both titles skipped: one language is needed.
    await user.press(StepCallback(step=Step.TITLE_RU, action=StepAction.SKIP))
    await user.press(StepCallback(step=Step.DESCRIPTION_KK, action=StepAction.SKIP))
    assert "шаг 5 из 15" in last_text(await user.send("Уборка & <i>парка</i>"))
    await refused("cleanup", "Выберите вариант кнопками выше или отправьте /cancel.")
    await refused(None, "Выберите вариант кнопками выше или отправьте /cancel.")
    await user.press_text("Субботник")
    # The organizer's own region is offered first.
    assert user.buttons()[0] == (
        "📍 Алматы",
        StepCallback(step=Step.REGION, action=StepAction.CHOOSE, value="almaty").pack(),
    )
    await user.press_text("📍 Алматы")
    await user.send("Алматы")
    assert "шаг 9 из 15" in last_text(await user.send("Бас ботаникалық бақ"))
    await refused("тут", "Отправьте геопозицию (📎 → Геопозиция), пропустите шаг или отправьте /cancel.")
    await refused(None, "Отправьте геопозицию (📎 → Геопозиция), пропустите шаг или отправьте /cancel.")
    assert "шаг 10 из 15" in last_text(await send_location(user, 43.2275, 76.9135))
    bad_time = (
        "Не удалось разобрать дату и время. Отправьте их в виде день.месяц.год часы:минуты по "
        "казахстанскому времени, например 28.11.2026 10:00."
    )
    requests = await send_location(user, 43.0, 76.0)  # a location where a time was expected
    assert texts(requests) == ["Отправьте текст или /cancel."]
    await refused("завтра", bad_time)
    await refused("31.11.2026 10:00", bad_time)
    await refused("01.01.2020 10:00", "Это время уже прошло: начало должно быть в будущем.")
    assert "шаг 11 из 15" in last_text(await user.send("28.11.2026 10:00"))
    await refused("09:00", "Окончание должно быть позже начала.")
    assert "шаг 12 из 15" in last_text(await user.send("13:00"))
    await refused("0", "Число мест должно быть от 1 до 10000.")
    await refused("1000000", "Число мест должно быть от 1 до 10000.")
    await refused("тридцать", "Отправьте целое число, например 30.")
    assert "шаг 13 из 15" in last_text(await user.send("30"))
    await refused("29.11.2026 10:00", "Запись должна закрыться не позже начала.")
    await user.send("27.11.2026 20:00")
    await refused("400", "Число часов должно быть от 0 до 336.")
    await user.send("2")
    await refused(None, "Отправьте текст или /cancel.")

    # The preview: each language's card exactly as volunteers will see it, user text escaped.
    preview = texts(await user.send("+7 701 000 00 01"))
    assert preview[0] == "👁 Так это увидят на казахском:"
    assert preview[1].startswith(
        "<b>&lt;b&gt;Сенбілік&lt;/b&gt;</b>\nСанаты: Сенбілік\nБасталуы: 2026 жылғы 28 қараша, 10:00"
    )
    assert preview[2] == "👁 Так это увидят на русском:"
    assert "Начало: 28 ноября 2026\xa0г., 10:00\nОкончание: 28 ноября 2026\xa0г., 13:00" in preview[3]
    assert "Осталось 30 мест\nЗапись до: 27 ноября 2026\xa0г., 20:00" in preview[3]
    assert preview[3].endswith("Уборка &amp; &lt;i&gt;парка&lt;/i&gt;")
    assert [label for label, _ in user.buttons()] == [
        "📢 Опубликовать",
        "💾 Сохранить черновик",
        "✖️ Не сохранять",
    ]
    assert await events_of(app, 9501) == []  # nothing stored before the choice

    screen = last_text(await user.press_text("📢 Опубликовать"))
    assert screen.startswith("📢 Опубликовано: волонтёры уже могут записываться.\n\n<b>&lt;b&gt;Сенбілік")
    assert "Статус: опубликовано" in screen
    assert "Записались: 0 · В листе ожидания: 0" in screen
    (event,) = await events_of(app, 9501)
    assert (event.status, event.title_kk, event.title_ru) == ("published", "<b>Сенбілік</b>", None)
    assert (event.description_kk, event.description_ru) == (None, "Уборка & <i>парка</i>")
    assert (event.category, event.region, event.city) == ("cleanup", "almaty", "Алматы")
    assert (event.latitude, event.longitude) == (43.2275, 76.9135)
    assert event.starts_at == datetime(2026, 11, 28, 10, 0, tzinfo=ALMATY)
    assert event.ends_at == datetime(2026, 11, 28, 13, 0, tzinfo=ALMATY)
    assert event.registration_deadline == datetime(2026, 11, 27, 20, 0, tzinfo=ALMATY)
    assert (event.capacity, event.cancellation_cutoff_hours, event.contact) == (30, 2, "+7 701 000 00 01")
    # Volunteers find it.
    assert [e.id for e in (await app.events.upcoming("almaty")).events] == [event.id]
    # The list's button shows the title as typed: a label is plain text, never HTML.
    await user.press_text("⬅️ Я организую")
    assert user.buttons()[0][0] == "📢 28 ноября, 10:00 · <b>Сенбілік</b> · 👥 0 · ⏳ 0"


async def test_a_kazakh_organizer_saves_a_draft_and_publishes_it_later(
    harness: BotHarness, app: Application
) -> None:
    user = await organizer(harness, app, 9502, "kk")
    await user.press(OrganizedCallback(action=OrganizedAction.NEW))
    await answer_all(user, VALID_ANSWERS)
    screen = last_text(await user.press_text("💾 Жоба ретінде сақтау"))
    assert screen.startswith("💾 Жоба ретінде сақталды. Дайын болғанда жариялаңыз.")
    assert "Күйі: жоба, еріктілер оны әлі көрмейді" in screen
    (event,) = await events_of(app, 9502)
    assert event.status == "draft"
    assert event.registration_deadline == event.starts_at  # skipped: until the start
    assert (await app.events.upcoming("almaty")).events == []

    screen = last_text(await user.press_text("📢 Жариялау"))
    assert screen.startswith("📢 Жарияланды: еріктілер енді тіркеле алады.")
    assert (await the_event(app, event.id)).status == "published"
    # The list shows it with its counts.
    listing = await user.press_text("⬅️ Мен ұйымдастыратын іс-шаралар")
    assert last_text(listing) == "🗂 <b>Мен ұйымдастыратын іс-шаралар</b>"
    assert user.buttons()[0][0] == "📢 28 қараша, 10:00 · Көктемгі сенбілік · 👥 0 · ⏳ 0"


async def test_cancel_leaves_the_dialog_cleanly(harness: BotHarness, app: Application) -> None:
    user = await organizer(harness, app, 9503, "kk")
    await user.press(OrganizedCallback(action=OrganizedAction.NEW))
    await answer_all(user, VALID_ANSWERS[:10])
    assert texts(await user.send("/cancel")) == ["Тоқтатылды. Жалғастыру үшін /menu жіберіңіз."]
    # What is typed now is no answer: the dialog is over, and nothing was stored.
    assert "/menu" in last_text(await user.send("13:00"))
    stale = stale_button_text(app.catalogs["kk"])
    assert answers(await user.press(StepCallback(step=Step.ENDS, action=StepAction.SKIP))) == [stale]
    assert await events_of(app, 9503) == []
    # The preview's buttons after /cancel store nothing either.
    await user.press(OrganizedCallback(action=OrganizedAction.NEW))
    await answer_all(user, VALID_ANSWERS)
    await user.send("/cancel")
    await user.press(PreviewCallback(choice=PreviewChoice.PUBLISH))
    assert await events_of(app, 9503) == []


async def test_only_organizers_and_admins_see_the_entry_and_start_the_dialog(
    harness: BotHarness, app: Application
) -> None:
    user = await volunteer(harness, 9504, "kk")
    await user.press(MenuCallback(action=MenuAction.MENU))
    assert "🗂 Мен ұйымдастыратын іс-шаралар" not in [label for label, _ in user.buttons()]
    refusal = "Мұны тек іс-шараның ұйымдастырушысы мен әкімшілер істей алады."
    assert answers(await user.press(OrganizedCallback())) == [refusal]
    assert answers(await user.press(OrganizedCallback(action=OrganizedAction.NEW))) == [refusal]
    admin = await volunteer(harness, ADMIN, "ru")
    await admin.press(MenuCallback(action=MenuAction.MENU))
    assert "🗂 Я организую" in [label for label, _ in admin.buttons()]


# Editing, cancelling, duplicating


async def organizers_event(app: Application, organizer_id: int, **changes: object) -> int:
    """A published event of the organizer: 28 November 2026, 11:00–14:00 in Almaty (draft(NOW))."""
    event = await app.events.create(organizer_id, draft(NOW, **changes))
    await app.events.publish(organizer_id, event.id)
    return event.id


async def test_moving_the_start_tells_the_volunteers_and_replans_their_reminders(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 9511, "kk")
    event_id = await organizers_event(app, 9511, capacity=1)
    await volunteer(harness, 9512, "ru")
    await volunteer(harness, 9513, "kk")
    await app.events.register(9512, event_id)
    assert (await app.events.register(9513, event_id)).waitlisted

    await boss.press(OrganizerEventCallback(event_id=event_id))
    await boss.press_text("✏️ Өзгерту")
    question = last_text(await boss.press_text("Басталуы мен аяқталуы"))
    assert question.startswith("<i>✏️ Іс-шараны өзгерту</i>\n🕙 Қашан басталады?")
    assert "\nҚазір: 2026 жылғы 28 қараша, 11:00\n" in question
    question = last_text(await boss.send("30.11.2026 11:00"))  # the end follows
    assert question.startswith("<i>✏️ Іс-шараны өзгерту</i>\n🕛 Қашан аяқталады?")
    assert "\nҚазір: 2026 жылғы 28 қараша, 14:00\n" in question
    screen = last_text(await boss.send("14:00"))
    assert screen.startswith("✅ Сақталды; 2 ерікті не өзгергенін біледі.\n\n")
    assert "Басталуы: 2026 жылғы 30 қараша, 11:00" in screen

    out = await delivered(app)
    assert out[9512] == [
        "✏️ В мероприятии <b>Весенний субботник</b> изменения:\n"
        "Начало: 28 ноября 2026\xa0г., 11:00 → 30 ноября 2026\xa0г., 11:00\n"
        "Окончание: 28 ноября 2026\xa0г., 14:00 → 30 ноября 2026\xa0г., 14:00\n"
        "Ваша запись остаётся в силе."
    ]
    assert out[9513] == [
        "✏️ <b>Көктемгі сенбілік</b> іс-шарасында өзгеріс бар:\n"
        "Басталуы: 2026 жылғы 28 қараша, 11:00 → 2026 жылғы 30 қараша, 11:00\n"
        "Аяқталуы: 2026 жылғы 28 қараша, 14:00 → 2026 жылғы 30 қараша, 14:00\n"
        "Тіркеуіңіз өзгерген жоқ."
    ]
    # The reminders planned for the old start are gone; new ones come before the new start.
    clock.advance(timedelta(days=2, minutes=1))  # a day before the old start
    assert await delivered(app) == {}
    clock.advance(timedelta(days=2))  # a day before the new start
    out = await delivered(app)
    assert list(out) == [9512]  # the waitlisted volunteer has no reminders
    (reminder,) = out[9512]
    assert reminder.startswith("⏰ <b>Весенний субботник</b> начнётся через 24 часа: 30 ноября, 11:00.")
    clock.advance(timedelta(hours=22))
    assert len((await delivered(app))[9512]) == 1  # the 2-hour one, once


async def test_moving_the_place_tells_the_volunteers_and_a_new_title_tells_nobody(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 9521, "kk")
    event_id = await organizers_event(app, 9521)
    await volunteer(harness, 9522, "kk")
    await app.events.register(9522, event_id)

    await boss.press(EditFieldCallback(event_id=event_id, step=Step.ADDRESS))
    screen = last_text(await boss.send("Орталық саябақ <кіреберіс>"))
    assert screen.startswith("✅ Сақталды; 1 ерікті не өзгергенін біледі.")
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.MAP))
    await send_location(boss, 43.238, 76.945)
    assert await delivered(app) == {
        9522: [
            "✏️ <b>Көктемгі сенбілік</b> іс-шарасында өзгеріс бар:\n"
            "Өтетін жері: Алматы, Бас ботаникалық бақ, Тимирязев к-сі, 36Д → Алматы, Орталық саябақ "
            "&lt;кіреберіс&gt;\nТіркеуіңіз өзгерген жоқ.",
            "✏️ <b>Көктемгі сенбілік</b> іс-шарасында өзгеріс бар:\n"
            "Картадағы нүкте: жоқ → 43.23800, 76.94500\nТіркеуіңіз өзгерген жоқ.",
        ]
    }
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.TITLE_KK))
    assert last_text(await boss.send("Күзгі сенбілік")).startswith("✅ Сақталды.\n\n<b>Күзгі сенбілік</b>")
    assert await delivered(app) == {}  # a new title is no news to send
    # A region comes with its city.
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.REGION))
    question = last_text(await boss.press_text("Алматы облысы"))
    assert "🏙 Қала немесе ауыл.\nҚазір: Алматы" in question
    assert last_text(await boss.send("Талғар")).startswith("✅ Сақталды; 1 ерікті")
    moved = await the_event(app, event_id)
    assert (moved.region, moved.city) == ("almaty_reg", "Талғар")
    (moved_city,) = (await delivered(app))[9522]
    assert "Өтетін жері: Алматы, Орталық саябақ &lt;кіреберіс&gt; → Талғар, Орталық саябақ" in moved_city
    # The reminder reads as the event is now.
    clock.advance(timedelta(days=2, minutes=1))
    (reminder,) = (await delivered(app))[9522]
    assert reminder.startswith("⏰ <b>Күзгі сенбілік</b>")
    assert "Талғар, Орталық саябақ &lt;кіреберіс&gt;" in reminder


async def test_an_edit_breaking_a_rule_is_explained_and_the_question_stays(
    harness: BotHarness, app: Application
) -> None:
    boss = await organizer(harness, app, 9525, "ru")
    event_id = await organizers_event(app, 9525, capacity=5)
    await app.events.register(1, event_id, companions=2)
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.CAPACITY))
    assert texts(await boss.send("2")) == ["Мест уже занято больше: меньше указать нельзя."]
    assert texts(await boss.send("1000000")) == ["Число мест должно быть от 1 до 10000."]
    # Checked against the event itself: a deadline 2 days ahead is before its start, 3 days ahead.
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.DEADLINE))
    assert texts(await boss.send("29.11.2026 11:00")) == ["Запись должна закрыться не позже начала."]
    assert last_text(await boss.send("27.11.2026 11:00")).startswith("✅ Сохранено.")
    assert (await the_event(app, event_id)).registration_deadline == datetime(2026, 11, 27, 11, tzinfo=ALMATY)
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.TITLE_RU))
    await boss.press(StepCallback(step=Step.TITLE_RU, action=StepAction.SKIP))  # the Kazakh one stays
    await boss.press(EditFieldCallback(event_id=event_id, step=Step.TITLE_KK))
    requests = await boss.press(StepCallback(step=Step.TITLE_KK, action=StepAction.SKIP))
    assert answers(requests) == ["У мероприятия должно быть название хотя бы на одном языке."]
    event = await the_event(app, event_id)
    assert (event.capacity, event.title_kk, event.title_ru) == (5, "Көктемгі сенбілік", None)
    assert "Осталось" not in last_text(await boss.send("3"))  # still the title's question: 3 is a title
    assert (await the_event(app, event_id)).title_kk == "3"


async def test_cancelling_tells_everyone_holding_a_place_and_leaves_no_reminder_or_offer(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 9531, "ru")
    event_id = await organizers_event(app, 9531, capacity=2)
    for user_id, language in ((9532, "ru"), (9533, "kk"), (9534, "kk"), (9535, "kk")):
        await volunteer(harness, user_id, language)
        await app.events.register(user_id, event_id)
    await app.events.cancel(9533, event_id)  # a seat freed: offered to 9534, first in line

    await boss.press(OrganizerEventCallback(event_id=event_id))
    confirm = last_text(await boss.press_text("✖️ Отменить мероприятие"))
    assert "Об этом узнают 3 записавшихся или ожидающих волонтёра." in confirm
    screen = last_text(await boss.send("Штормовое предупреждение <МЧС>"))
    assert screen.startswith("✖️ Мероприятие отменено. Об этом узнают 3 волонтёра.\n\n")
    assert "Статус: отменено" in screen
    assert "✏️ Изменить" not in [label for label, _ in boss.buttons()]

    out = await delivered(app)
    assert sorted(out) == [9532, 9534, 9535]  # not 9533, who had left; no offer to 9534 any more
    assert out[9532] == [
        "✖️ Организатор отменил мероприятие <b>Весенний субботник</b> (28 ноября, 11:00).\n"
        "Причина: Штормовое предупреждение &lt;МЧС&gt;\n"
        "Ваша запись отменена, больше ничего делать не нужно."
    ]
    assert out[9534] == [
        "✖️ Ұйымдастырушы <b>Көктемгі сенбілік</b> (28 қараша, 11:00) іс-шарасын болдырмады.\n"
        "Себебі: Штормовое предупреждение &lt;МЧС&gt;\n"
        "Тіркеуіңіз жойылды, басқа ештеңе істеудің қажеті жоқ."
    ]
    for user_id in (9532, 9534, 9535):
        assert await app.events.registration_of(user_id, event_id) is None
    assert (await the_event(app, event_id)).taken_seats == 0
    clock.advance(timedelta(days=2, hours=23))
    assert await delivered(app) == {}  # no reminder, no offer
    # Cancelled is final: neither cancelled again nor edited.
    refusal = ["Это мероприятие отменено."]
    assert answers(await boss.press(ManageCallback(event_id=event_id, action=ManageAction.CANCEL))) == refusal
    assert answers(await boss.press(EditFieldCallback(event_id=event_id, step=Step.STARTS))) == refusal


async def test_cancelling_without_a_reason_and_a_draft_tells_nobody(
    harness: BotHarness, app: Application
) -> None:
    boss = await organizer(harness, app, 9536, "kk")
    event_id = await organizers_event(app, 9536)
    await volunteer(harness, 9537, "ru")
    await app.events.register(9537, event_id)
    await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.CANCEL))
    screen = last_text(await boss.press_text("✖️ Себеп көрсетпей болдырмау"))
    assert screen.startswith("✖️ Іс-шара болдырылмады; бұл туралы 1 ерікті хабар алады.")
    (notice,) = (await delivered(app))[9537]
    assert "Причина" not in notice
    draft_event = await app.events.create(9536, draft(NOW))
    await app.publishing.cancel(9536, draft_event.id)
    assert (await the_event(app, draft_event.id)).status == "cancelled"
    assert await delivered(app) == {}


async def test_duplicating_a_past_event_makes_a_draft_to_move_and_publish(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 9541, "kk")
    event_id = await organizers_event(app, 9541, external_id="akimat-7", capacity=40)
    clock.advance(timedelta(days=4))  # it is over
    screen = last_text(await boss.press(OrganizerEventCallback(event_id=event_id)))
    assert "Күйі: аяқталды" in screen
    labels = [label for label, _ in boss.buttons()]
    assert "✏️ Өзгерту" not in labels
    assert {"📄 Көшірме жасау", "📥 Тізімді жүктеп алу", "✉️ Еріктілерге жазу"} <= set(labels)
    assert {"✅ Қатысуды белгілеу", "⭐ Бағалар"} <= set(labels)  # the organizer tools' buttons

    screen = last_text(await boss.press_text("📄 Көшірме жасау"))
    assert screen.startswith(
        "📄 Бұл — жоба ретінде сақталған көшірме: күнін өзгертіп, содан кейін жариялаңыз."
    )
    original, copy = await events_of(app, 9541)
    assert copy.status == "draft"
    same = (
        "title_kk",
        "title_ru",
        "category",
        "region",
        "city",
        "address",
        "capacity",
        "contact",
        "starts_at",
    )
    assert [getattr(copy, name) for name in same] == [getattr(original, name) for name in same]
    assert (copy.external_id, copy.taken_seats, copy.organizer_id) == (None, 0, 9541)
    # Its dates are past: publishing says so; moved, it is published.
    assert answers(await boss.press_text("📢 Жариялау")) == [
        "Бұл уақыт өтіп кетті: басталу уақыты алда болуы керек."
    ]
    await boss.press(EditFieldCallback(event_id=copy.id, step=Step.STARTS))
    await boss.send("05.12.2026 10:00")
    assert last_text(await boss.send("13:00")).startswith("✅ Сақталды.")
    assert last_text(await boss.press_text("📢 Жариялау")).startswith("📢 Жарияланды")
    moved = await the_event(app, copy.id)
    assert (moved.status, moved.starts_at) == ("published", datetime(2026, 12, 5, 10, 0, tzinfo=ALMATY))


async def test_a_forged_organizer_button_is_refused_and_changes_nothing(
    harness: BotHarness, app: Application
) -> None:
    await organizer(harness, app, 9551, "kk")
    event_id = await organizers_event(app, 9551)
    other = await organizer(harness, app, 9552, "ru")
    stranger = await volunteer(harness, 9553, "kk")
    forged = [
        *(OrganizerEventCallback(event_id=event_id, action=action) for action in OrganizerAction),
        EditFieldCallback(event_id=event_id, step=Step.STARTS),
        ManageCallback(event_id=event_id, action=ManageAction.PUBLISH),
        ManageCallback(event_id=event_id, action=ManageAction.CANCEL),
    ]
    own = {OrganizerAction.OPEN, OrganizerAction.EDIT, OrganizerAction.CANCEL, OrganizerAction.DUPLICATE}
    for user, refusal in (
        (other, "Это могут только организатор мероприятия и администраторы."),
        (stranger, "Мұны тек іс-шараның ұйымдастырушысы мен әкімшілер істей алады."),
    ):
        for data in forged:
            if isinstance(data, OrganizerEventCallback) and data.action not in own:
                continue  # the organizer tools answer these
            assert answers(await user.press(data)) == [refusal], data
    event = await the_event(app, event_id)
    assert event.status == "published"
    assert await events_of(app, 9552) == []
    assert await delivered(app) == {}
    with pytest.raises(NotAllowedError):
        await app.publishing.edit(9552, event_id, {"address": "elsewhere"})
    # An admin may manage anyone's event.
    admin = await volunteer(harness, ADMIN, "ru")
    assert "Записались: 0" in last_text(await admin.press(OrganizerEventCallback(event_id=event_id)))
    assert (await app.publishing.edit(ADMIN, event_id, {"contact": "@akimat"})).event.contact == "@akimat"
    # An organizer whose role was revoked manages their events no more.
    async with app.database.transaction() as uow:
        await uow.users.update(9551, now=NOW, role="volunteer")
    with pytest.raises(NotAllowedError):
        await app.publishing.cancel(9551, event_id)


async def test_more_places_are_offered_to_the_people_in_line(harness: BotHarness, app: Application) -> None:
    await organizer(harness, app, 9561, "kk")
    event_id = await organizers_event(app, 9561, capacity=1)
    await volunteer(harness, 9562, "kk")
    await volunteer(harness, 9563, "ru")
    await app.events.register(9562, event_id)
    assert (await app.events.register(9563, event_id)).waitlisted
    with pytest.raises(InvalidEventError) as refused:
        await app.publishing.edit(9561, event_id, {"capacity": 0})
    assert refused.value.problem is EventProblem.CAPACITY_OUT_OF_RANGE
    await app.publishing.edit(9561, event_id, {"capacity": 2})
    out = await delivered(app)
    assert list(out) == [9563]
    assert out[9563][0].startswith("🎉")  # the waitlist offer


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("28.11.2026 10:00", datetime(2026, 11, 28, 10, 0)),
        ("28.11.2026, 10:00", datetime(2026, 11, 28, 10, 0)),
        ("28/11/26 9.30", datetime(2026, 11, 28, 9, 30)),
        ("2026-11-28 10:00", datetime(2026, 11, 28, 10, 0)),
        ("10:00 28.11.2026", datetime(2026, 11, 28, 10, 0)),
        ("28.11 10:00", datetime(2026, 11, 28, 10, 0)),
        ("20.11 10:00", datetime(2027, 11, 20, 10, 0)),  # no year, and this year's is past: next year's
        ("25.11 10:00", datetime(2026, 11, 25, 10, 0)),  # earlier today: today's, refused as past later
        ("29.02.2027 10:00", None),
        ("28.11.2026 25:00", None),
        ("10:00", None),  # a time alone only for an end
        ("завтра в 10", None),
    ],
)
def test_typed_times_are_read_in_kazakhstan_time(typed: str, expected: datetime | None) -> None:
    moment = read_typed_time(typed, ALMATY, NOW)
    assert moment == (None if expected is None else expected.replace(tzinfo=ALMATY))
    if moment is not None:
        assert moment.tzinfo == UTC


def test_an_end_may_be_a_time_alone_on_the_starts_day() -> None:
    start = datetime(2026, 11, 28, 23, 0, tzinfo=ALMATY)  # 18:00 UTC: the day is Almaty's
    assert read_typed_time("23:30", ALMATY, NOW, start) == datetime(2026, 11, 28, 23, 30, tzinfo=ALMATY)


async def test_registering_again_after_cancelling_plans_the_reminders_again(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    """Dropped reminders free their keys (they once blocked the same reminders from being planned)."""
    event_id = await organizers_event(app, ADMIN)
    await volunteer(harness, 9571, "kk")
    await app.events.register(9571, event_id)
    await app.events.cancel(9571, event_id)
    await app.events.register(9571, event_id)
    clock.advance(timedelta(days=2, minutes=1))
    assert len((await delivered(app))[9571]) == 1


async def test_the_organizers_list_is_theirs_by_start_five_a_page_with_counts(
    harness: BotHarness, app: Application
) -> None:
    await organizer(harness, app, 9581, "kk")
    await organizer(harness, app, 9582, "kk")
    ids = [
        await organizers_event(
            app, 9581, starts_at=NOW + timedelta(days=n + 1), ends_at=NOW + timedelta(days=n + 1, hours=2)
        )
        for n in reversed(range(7))
    ]
    await organizers_event(app, 9582)  # someone else's
    await app.events.register(1, ids[-1], companions=1)
    first, second = await app.publishing.organized(9581, 0), await app.publishing.organized(9581, 1)
    assert ([item.event.id for item in first.items], first.has_next) == (ids[::-1][:5], True)
    assert ([item.event.id for item in second.items], second.has_next) == (ids[::-1][5:], False)
    assert (first.items[0].registered, first.items[0].waitlisted) == (1, 0)
    with pytest.raises(NotAllowedError):
        await app.publishing.organized(9583)


async def test_an_admins_list_holds_every_organizers_events(harness: BotHarness, app: Application) -> None:
    await organizer(harness, app, 9591, "kk")
    await organizer(harness, app, 9592, "kk")
    theirs = [await organizers_event(app, 9591), await organizers_event(app, 9592)]
    page = await app.publishing.organized(ADMIN)
    assert page.everyone
    assert sorted(item.event.id for item in page.items) == sorted(theirs)
    assert [item.event.id for item in (await app.publishing.organized(9591)).items] == theirs[:1]
    admin = await volunteer(harness, ADMIN, "ru")
    screen = last_text(await admin.press(OrganizedCallback(page=0)))
    assert "Как администратор вы видите мероприятия всех организаторов." in screen
    labels = [label for label, data in admin.buttons() if data.startswith("oe:")]
    assert len(labels) == 2
    assert all(label.endswith(" · 👤 Aigerim") for label in labels), labels  # whose event each is
    own = await harness.user(9591).press(OrganizedCallback(page=0))
    assert "👤" not in " ".join(texts(own)) + " ".join(label for label, _ in harness.user(9591).buttons())
    # An admin promoted in the bot (not in ADMIN_IDS) sees them all too.
    await volunteer(harness, 9593, "kk")
    async with app.database.transaction() as uow:
        await uow.admins.add(9593, promoted_by=ADMIN, now=NOW)
    promoted = await app.publishing.organized(9593)
    assert promoted.everyone
    assert sorted(item.event.id for item in promoted.items) == sorted(theirs)


async def test_removing_the_limit_offers_places_to_everyone_in_line(
    harness: BotHarness, app: Application
) -> None:
    await organizer(harness, app, 9601, "ru")
    event_id = await organizers_event(app, 9601, capacity=1)
    for user_id, language in ((9602, "kk"), (9603, "ru"), (9604, "kk")):
        await volunteer(harness, user_id, language)
        await app.events.register(user_id, event_id, companions=1 if user_id == 9604 else 0)
    await app.publishing.edit(9601, event_id, {"capacity": None})
    out = await delivered(app)
    assert sorted(out) == [9603, 9604]  # both in line, the group of two too
    assert all(messages[0].startswith("🎉") for messages in out.values())
    assert (await the_event(app, event_id)).taken_seats == 4  # held for their offers
    await volunteer(harness, 9605, "kk")
    assert not (await app.events.register(9605, event_id)).waitlisted  # nobody waits any more


async def test_a_change_notice_not_sent_yet_is_dropped_when_the_event_is_cancelled(
    harness: BotHarness, app: Application
) -> None:
    await organizer(harness, app, 9611, "kk")
    event_id = await organizers_event(app, 9611)
    other_id = await organizers_event(app, 9611)
    await volunteer(harness, 9612, "ru")
    await app.events.register(9612, event_id)
    await app.events.register(9612, other_id)
    await app.publishing.edit(9611, event_id, {"address": "Ботанический сад, главный вход"})
    await app.publishing.edit(9611, event_id, {"city": "Қаскелең"})  # two notices in the same second
    await app.publishing.edit(9611, other_id, {"address": "Парк Первого Президента"})
    await app.publishing.cancel(9611, event_id, "Буран")
    out = await delivered(app)
    # The other event's notice still goes; this one's only the cancellation.
    assert len(out[9612]) == 2
    assert "Парк Первого Президента" in out[9612][0]
    assert out[9612][1].startswith("✖️")
    assert not any("Ботанический сад" in text or "Қаскелең" in text for text in out[9612])
