"""Broadcasts at a chosen time and their live progress: the time typed in Almaty time and checked, the
scheduled broadcast changed or cancelled until it starts, started by the scan once its time has come (once,
also after downtime), and its progress message edited live (pause, resume, stop, the end) by the scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod

from bot.app import Application
from bot.clock import ManualClock
from bot.services.broadcasts import InvalidBroadcastError, Problem, Status, parse_start_time
from bot.views.broadcasts import ConfirmAction, ConfirmCallback, ControlCallback, SameTextCallback
from tests.harness import BotHarness, PlayedUser, texts
from tests.test_broadcasts import ADMIN, admin_to_everyone, bodies, delivered

ALMATY = ZoneInfo("Asia/Almaty")


def almaty(clock: ManualClock, days: int, hour: int) -> tuple[str, datetime]:
    """A time `days` ahead at `hour`:00 in Almaty, as typed and as stored (UTC)."""
    moment = (clock.now().astimezone(ALMATY) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return moment.strftime("%d.%m.%Y %H:%M"), moment.astimezone(UTC)


async def scheduled_by_admin(
    harness: BotHarness, admin: PlayedUser, clock: ManualClock, language: str
) -> int:
    await harness.user(9301, language_code="kk").onboard("kk")
    await harness.user(9302, language_code="ru").onboard("ru")
    await admin.onboard(language)
    await admin_to_everyone(admin, "Ертең тазалық", "Завтра уборка")
    await admin.press(ConfirmCallback(action=ConfirmAction.SCHEDULE))
    typed, _ = almaty(clock, 2, 10)
    await admin.send(typed)
    return ControlCallback.unpack(admin.buttons()[0][1]).id


def test_start_times_are_read_in_almaty_time() -> None:
    now = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 09:00 in Almaty
    assert parse_start_time("28.11.2026 10:00", now=now, tz=ALMATY) == datetime(
        2026, 11, 28, 5, 0, tzinfo=UTC
    )
    assert parse_start_time(" 25.11 9:30 ", now=now, tz=ALMATY) == datetime(2026, 11, 25, 4, 30, tzinfo=UTC)
    # The same forms as an event's start (bot/domain/typed_time.py): a day gone this year is next year's.
    assert parse_start_time("20.11 10:00", now=now, tz=ALMATY) == datetime(2027, 11, 20, 5, 0, tzinfo=UTC)
    assert parse_start_time("28/11/26, 10.00", now=now, tz=ALMATY) == datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    for typed, problem in [
        ("завтра", Problem.TIME_FORMAT),
        ("31.02.2027 10:00", Problem.TIME_FORMAT),
        ("28.11.2026 25:00", Problem.TIME_FORMAT),
        ("25.11.2026 08:59", Problem.TIME_PAST),
        ("01.01.2028 10:00", Problem.TIME_TOO_FAR),
    ]:
        with pytest.raises(InvalidBroadcastError) as error:
            parse_start_time(typed, now=now, tz=ALMATY)
        assert error.value.problem is problem, typed


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_broadcast_at_a_chosen_time_starts_by_itself_once(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    says = {
        "kk": ("Уақыт түсініксіз.", "Бұл уақыт өтіп кетті", "өздігінен басталады", "Жіберілуде", "аяқталды"),
        "ru": ("разобрать время.", "Это время уже прошло", "начнётся сама", "Отправляется", "завершена"),
    }[language]
    unclear, past, scheduled, sending, finished = says
    await harness.user(9301, language_code="kk").onboard("kk")
    await harness.user(9302, language_code="ru").onboard("ru")
    admin = harness.user(ADMIN, language_code=language)
    await admin.onboard(language)
    await admin_to_everyone(admin, "Ертең тазалық", "Завтра уборка")
    seen = texts(await admin.press(ConfirmCallback(action=ConfirmAction.SCHEDULE)))
    assert any("28.11.2026 10:00" in text for text in seen)
    assert any(unclear in text for text in texts(await admin.send("ертең таңертең")))
    seen = texts(await admin.send_document())  # a file instead of a time: the question again
    assert any("28.11.2026 10:00" in text for text in seen)
    yesterday, _ = almaty(clock, -1, 10)
    assert any(past in text for text in texts(await admin.send(yesterday)))
    typed, at = almaty(clock, 2, 10)
    seen = texts(await admin.send(typed))
    assert any(scheduled in text for text in seen)
    broadcast_id = ControlCallback.unpack(admin.buttons()[0][1]).id

    # Nothing before its time, however often the scan looks.
    assert await app.broadcasts.start_due() == []
    assert await app.broadcast_progress.refresh() == 0
    assert await delivered(app, harness) == {}

    clock.set(at + timedelta(seconds=5))
    assert await app.broadcasts.start_due() == [broadcast_id]
    assert await app.broadcasts.start_due() == []  # the scan again (or after a restart): once
    start = len(harness.session.requests)
    assert await app.broadcast_progress.refresh() == 1
    (progress,) = [r for r in harness.session.requests[start:] if isinstance(r, SendMessage)]
    assert progress.chat_id == ADMIN
    assert sending in progress.text
    out = await delivered(app, harness)
    copy = "Ертең тазалық" if language == "kk" else "Завтра уборка"
    assert bodies(out) == {9301: ["Ертең тазалық"], 9302: ["Завтра уборка"], ADMIN: [copy]}

    # The scan sees it done: the progress message shows the end, and the report goes out once.
    start = len(harness.session.requests)
    await app.broadcast_progress.refresh()
    edits = [r for r in harness.session.requests[start:] if isinstance(r, EditMessageText)]
    assert [e.reply_markup for e in edits] == [None]
    assert await app.broadcast_progress.refresh() == 0  # reported: no more edits
    (report,) = bodies(await delivered(app, harness))[ADMIN]
    assert finished in report


async def test_a_scheduled_broadcast_can_be_changed_or_cancelled_until_it_starts(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    admin = harness.user(ADMIN, language_code="kk")
    broadcast_id = await scheduled_by_admin(harness, admin, clock, "kk")
    card = admin.last_bot_message
    assert card is not None

    await admin.press(ControlCallback(id=broadcast_id, action="texts"), on=card.message_id)
    await admin.send("Жаңа мәтін")
    seen = texts(await admin.press(SameTextCallback()))
    assert any(text.startswith("✅ Мәтіндер сақталды.") for text in seen)

    await admin.press(ControlCallback(id=broadcast_id, action="time"))
    typed, at = almaty(clock, 3, 9)
    seen = texts(await admin.send(typed))
    assert any(text.startswith("✅ Уақыты өзгертілді.") for text in seen)

    clock.set(at - timedelta(minutes=1))
    assert await app.broadcasts.start_due() == []  # its old time has passed, the new one not yet
    clock.set(at)
    assert await app.broadcasts.start_due() == [broadcast_id]
    assert bodies(await delivered(app, harness)) == {
        ADMIN: ["Жаңа мәтін"],
        9301: ["Жаңа мәтін"],
        9302: ["Жаңа мәтін"],
    }

    # Started: no more changes, whatever button is pressed.
    seen = texts(await admin.press(ControlCallback(id=broadcast_id, action="texts")))
    assert seen == ["Бұл таратылым басталып кетті немесе одан бас тартылды: оны енді өзгерту мүмкін емес."]


async def test_a_cancelled_scheduled_broadcast_never_starts(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    admin = harness.user(ADMIN, language_code="ru")
    broadcast_id = await scheduled_by_admin(harness, admin, clock, "ru")
    assert [item.id for item in await app.broadcasts.scheduled_list(ADMIN)] == [broadcast_id]
    seen = texts(await admin.send("/broadcasts"))
    assert any(f"#{broadcast_id}" in text for text in seen)
    seen = texts(await admin.press(ControlCallback(id=broadcast_id, action="cancel")))
    assert seen == [f"Запланированная рассылка №{broadcast_id} отменена, ничего не отправлено."]
    clock.advance(timedelta(days=3))
    assert await app.broadcasts.start_due() == []
    assert await delivered(app, harness) == {}  # no copies, and no report of a broadcast never started
    assert await app.broadcasts.scheduled_list(ADMIN) == []
    with pytest.raises(InvalidBroadcastError):
        await app.broadcasts.reschedule(ADMIN, broadcast_id, clock.now() + timedelta(days=1))


async def test_the_progress_message_follows_pause_resume_and_stop(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    for user_id in (9311, 9312, 9313):
        await harness.user(user_id, language_code="kk").onboard("kk")
    admin = harness.user(ADMIN, language_code="kk")
    await admin_to_everyone(admin, "Бәріне", None)
    await admin.press(ConfirmCallback(action=ConfirmAction.SEND))
    progress_message = admin.last_bot_message
    assert progress_message is not None
    broadcast_id = ControlCallback.unpack(admin.buttons()[0][1]).id

    async def edits() -> list[EditMessageText]:
        start = len(harness.session.requests)
        await app.broadcast_progress.refresh()
        new: list[TelegramMethod[Any]] = harness.session.requests[start:]
        assert not [r for r in new if isinstance(r, SendMessage)]  # the one message, edited
        return [r for r in new if isinstance(r, EditMessageText)]

    (edit,) = await edits()
    assert edit.message_id == progress_message.message_id
    assert "Жіберілуде" in edit.text
    assert "Кезекте: 3" in edit.text
    assert "Қалған уақыт: шамамен" in edit.text
    assert await edits() == []  # nothing changed: no edit

    await app.broadcasts.pause(ADMIN, broadcast_id)
    (edit,) = await edits()
    assert "Кідіртілді" in edit.text
    assert "Қалған уақыт" not in edit.text
    assert "▶️ Жалғастыру" in str(edit.reply_markup)

    await app.broadcasts.resume(ADMIN, broadcast_id)
    harness.session.responses.append(
        TelegramBadRequest(method=edit, message="Bad Request: message is not modified")
    )
    assert await edits() != []  # Telegram said "not modified": not an error, nothing sent anew
    await app.sender.send_due()
    clock.advance(timedelta(seconds=10))
    await app.broadcasts.cancel(ADMIN, broadcast_id)  # nothing left to stop: it is over anyway
    (edit,) = await edits()
    assert "Жіберілді: 3" in edit.text
    assert edit.reply_markup is None
    assert await edits() == []


async def test_a_stopped_broadcast_ends_its_progress_message_and_reports(
    harness: BotHarness, app: Application
) -> None:
    for user_id in (9321, 9322):
        await harness.user(user_id, language_code="ru").onboard("ru")
    admin = harness.user(ADMIN, language_code="ru")
    await admin.onboard("ru")
    broadcast_id = await app.broadcasts.create(ADMIN, "language:ru", None, "Стоп")
    await app.broadcasts.start(ADMIN, broadcast_id)
    await app.broadcasts.pause(ADMIN, broadcast_id)
    start = len(harness.session.requests)
    await app.broadcast_progress.refresh()  # no progress message yet (started elsewhere): one is sent
    (sent,) = [r for r in harness.session.requests[start:] if isinstance(r, SendMessage)]
    assert "Приостановлена" in sent.text

    seen = texts(await admin.press(ControlCallback(id=broadcast_id, action="cancel")))
    assert any("Остановлена" in text and "Не доставлено: 3" in text for text in seen)
    start = len(harness.session.requests)
    await app.broadcast_progress.refresh()
    (edit,) = [r for r in harness.session.requests[start:] if isinstance(r, EditMessageText)]
    assert "Остановлена" in edit.text
    assert edit.reply_markup is None
    (report,) = bodies(await delivered(app, harness))[ADMIN]
    assert report.startswith(f"⏹ <b>Рассылка №{broadcast_id} остановлена</b>")
    progress = await app.broadcasts.progress(ADMIN, broadcast_id)
    assert progress is not None
    assert progress.status is Status.CANCELLED


async def test_a_progress_message_that_cannot_be_edited_is_sent_anew(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9331, language_code="kk").onboard("kk")
    broadcast_id = await app.broadcasts.create(ADMIN, "everyone", "Бір", None)
    await app.broadcasts.start(ADMIN, broadcast_id)
    await app.broadcasts.keep_progress_message(broadcast_id, 555)  # since deleted by the admin
    harness.session.responses.append(
        TelegramBadRequest(
            method=EditMessageText(text="x", chat_id=ADMIN, message_id=555),
            message="Bad Request: message to edit not found",
        )
    )
    start = len(harness.session.requests)
    assert await app.broadcast_progress.refresh() == 1
    new = harness.session.requests[start:]
    assert [type(r).__name__ for r in new] == ["EditMessageText", "SendMessage"]
    await app.sender.send_due()
    start = len(harness.session.requests)
    await app.broadcast_progress.refresh()
    (edit,) = [r for r in harness.session.requests[start:] if isinstance(r, EditMessageText)]
    assert edit.message_id != 555  # the new message from now on
    assert "Аяқталды" in edit.text
