"""Saved grant calls, in Kazakh and Russian: ⭐ Save / ✖️ Remove on a call's card, the list of saved
calls (nearest deadline first), deadline reminders at 10:00 Almaty 7, 3 and 1 days before and on the
closing day (none after the deadline), the choice of reminders, changes announced once to those who
saved the call, and forged or late buttons refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage
from sqlalchemy import select

from bot.app import Application
from bot.clock import ManualClock
from bot.services.grant_saves import RecordedChange, ReminderSlot, after_grant_changed, reminder_times
from bot.services.grants import draft_of
from bot.views.grant_saves import SavedAction, SavedCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.menu import MenuAction, MenuCallback
from fake_telegram.recording import RecordingSession
from storage.models import Base
from tests.grants_support import call
from tests.harness import BotHarness, PlayedUser, texts

ALMATY = ZoneInfo("Asia/Almaty")
ADMIN = 777
# 08:00 in Almaty on 1 December 2026.
START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
# Closes on 15 December at 18:00 Almaty (13:00 UTC).
DEADLINE = datetime(2026, 12, 15, 18, 0, tzinfo=ALMATY)
_outbox = Base.metadata.tables["outbox"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


async def member(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role="ngo", region="aktobe")
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


async def a_call(app: Application, external_id: str = "youth", **changes: object) -> int:
    values: dict[str, object] = {
        "title_kk": "Жастар бастамалары",
        "title_ru": "Молодежные инициативы",
        "deadline": DEADLINE,
    }
    values.update(changes)
    (grant_id,) = (await app.grants.import_calls([call(START, external_id, **values)])).added
    return grant_id


async def reminders(
    app: Application, user_id: int, status: str = "pending"
) -> list[tuple[datetime, datetime]]:
    """(due_at, expires_at) of the user's grant reminders with this status, earliest first."""
    async with app.database.reading() as uow:
        rows = await uow.connection.execute(
            select(_outbox.c.due_at, _outbox.c.expires_at)
            .where(
                _outbox.c.recipient == user_id,
                _outbox.c.kind == "grant_reminder",
                _outbox.c.status == status,
            )
            .order_by(_outbox.c.due_at)
        )
        return [(due.astimezone(UTC), expires.astimezone(UTC)) for due, expires in rows]


async def sent_to(app: Application, chat_id: int) -> list[str]:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    return [r.text for r in session.requests[start:] if isinstance(r, SendMessage) and r.chat_id == chat_id]


async def sent_by_chat(app: Application) -> dict[int, list[str]]:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    sent: dict[int, list[str]] = {}
    for request in session.requests[start:]:
        if isinstance(request, SendMessage):
            sent.setdefault(int(request.chat_id), []).append(request.text)
    return sent


def answers(requests: list[object]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def labels(user: PlayedUser) -> list[str]:
    return [label for label, _ in user.buttons()]


def card(grant_id: int) -> GrantsCallback:
    return GrantsCallback(action=GrantsAction.CARD, grant_id=grant_id)


def test_reminders_come_at_ten_in_almaty_and_never_after_the_deadline() -> None:
    slots = list(ReminderSlot)
    assert [r.due_at for r in reminder_times(DEADLINE, ALMATY, slots)] == [
        utc(8, 5),  # 10:00 Almaty is 05:00 UTC
        utc(12, 5),
        utc(14, 5),
        utc(15, 5),
    ]
    # Closing at 09:00: the closing-day reminder comes the evening before, at 20:00, and takes the
    # place of "1 day before" at 10:00 that same day (no two reminders of a call on one day).
    early = reminder_times(datetime(2026, 12, 15, 9, 0, tzinfo=ALMATY), ALMATY, slots)
    assert [(r.slot, r.due_at, r.evening_before) for r in early][-2:] == [
        (ReminderSlot.DAYS_3, utc(12, 5), False),
        (ReminderSlot.CLOSING_DAY, utc(14, 15), True),
    ]
    # Closing at 11:00 is too close to 10:00 too; at 12:00 it is not.
    assert reminder_times(datetime(2026, 12, 15, 11, 0, tzinfo=ALMATY), ALMATY, slots)[-1].evening_before
    assert not reminder_times(datetime(2026, 12, 15, 12, 0, tzinfo=ALMATY), ALMATY, slots)[-1].evening_before
    assert all(r.due_at < DEADLINE for r in early)


async def test_a_kazakh_user_saves_a_call_and_is_reminded_at_ten_until_the_closing_day(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    user = await member(harness, 6001, "kk")
    await user.press(card(grant_id))
    assert "⭐ Сақтап, еске салу" in labels(user)
    requests = await user.press_text("⭐ Сақтап, еске салу")
    assert answers(requests) == ["⭐ Сақталды: мерзімі туралы еске салып отырамыз."]
    (shown,) = [text for text in texts(requests) if text.startswith("<b>")]
    assert "⭐ Сақталған конкурстарыңызда: мерзімі жақындағанда еске саламыз." in shown
    assert "✖️ Сақталғандардан алу" in labels(user)
    expires = DEADLINE.astimezone(UTC)
    assert await reminders(app, 6001) == [
        (utc(8, 5), expires),
        (utc(12, 5), expires),
        (utc(14, 5), expires),
        (utc(15, 5), expires),
    ]
    await app.saved_grants.save(6001, grant_id)
    assert len(await reminders(app, 6001)) == 4  # saving twice plans nothing twice

    assert await sent_to(app, 6001) == []
    clock.set(utc(8, 5, 1))
    (week,) = await sent_to(app, 6001)
    assert week == (
        "⏰ Сақталған <b>Жастар бастамалары</b> конкурсы 7 күннен кейін жабылады: 15 желтоқсан, 18:00."
    )
    clock.set(utc(15, 5, 1))  # the bot was down on the 12th and the 14th: those are late, not lost
    sent = await sent_to(app, 6001)
    assert sent[-1] == "⏰ Сақталған <b>Жастар бастамалары</b> конкурсы бүгін жабылады (сағат 18:00)."
    assert len(sent) == 3


async def test_nothing_is_sent_after_the_deadline_even_after_downtime(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    await member(harness, 6002, "ru")
    await app.saved_grants.save(6002, grant_id)
    clock.set(utc(15, 13, 1))  # a minute after the deadline
    assert await sent_to(app, 6002) == []
    assert await reminders(app, 6002) == []


async def test_saving_late_plans_only_the_reminders_still_ahead_in_russian(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    clock.set(utc(13, 9))  # 14:00 Almaty on the 13th: the 7- and 3-day reminders are past
    user = await member(harness, 6003, "ru")
    await user.press(card(grant_id))
    await user.press_text("⭐ Сохранить и напомнить")
    assert [due for due, _ in await reminders(app, 6003)] == [utc(14, 5), utc(15, 5)]
    clock.set(utc(14, 5))
    assert await sent_to(app, 6003) == [
        # A day before: «завтра», not «через 1 день»
        "⏰ Сохранённый конкурс <b>Молодежные инициативы</b> закрывается завтра в 18:00."
    ]
    clock.set(utc(15, 5))
    assert await sent_to(app, 6003) == [
        "⏰ Сохранённый конкурс <b>Молодежные инициативы</b> закрывается сегодня в 18:00."
    ]


async def test_the_saved_list_is_nearest_deadline_first_with_the_time_left(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    later = await a_call(app, "later", title_ru="Поздний", deadline=DEADLINE + timedelta(days=20))
    sooner = await a_call(app, "sooner", title_ru="Ранний", deadline=DEADLINE)
    user = await member(harness, 6004, "ru")
    (empty,) = texts(await user.press_text("💰 Гранты"))
    (empty,) = texts(await user.press_text("📂 Мои сохранённые конкурсы"))
    assert "Сохранённых конкурсов пока нет." in empty
    for grant_id in (later, sooner):
        await app.saved_grants.save(6004, grant_id)
    (listing,) = texts(await user.press(SavedCallback(action=SavedAction.LIST)))
    assert listing.index("1. <b>Ранний</b>") < listing.index("2. <b>Поздний</b>")
    assert "осталось 14 дней" in listing
    assert "🔔 Напоминания в 10:00: за 7 дней, за 3 дня, за 1 день, в день закрытия." in listing
    (opened,) = texts(await user.press_text("1. Ранний"))
    assert opened.startswith("<b>Ранний</b>")
    requests = await user.press_text("✖️ Убрать из сохранённых")
    assert answers(requests) == ["Конкурс убран из сохранённых, напоминания о нём отменены."]
    assert "⭐ Сохранить и напомнить" in labels(user)
    assert [due.day for due, _ in await reminders(app, 6004)] == [28, 1, 3, 4]  # the later call's only
    assert len(await reminders(app, 6004, "dropped")) == 4


async def test_a_moved_deadline_re_plans_and_is_announced_once_in_each_language(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    await member(harness, 6005, "kk")
    await member(harness, 6006, "ru")
    await member(harness, 6007, "ru")  # did not save it
    for user_id in (6005, 6006):
        await app.saved_grants.save(user_id, grant_id)
    moved = DEADLINE + timedelta(days=7)
    draft = replace(draft_of(await app.grants.get(grant_id)), deadline=moved)
    await app.grants.edit(ADMIN, grant_id, draft)
    await app.grants.edit(ADMIN, grant_id, draft)  # the same edit again changes nothing
    sent = await sent_by_chat(app)
    assert set(sent) & {6005, 6006, 6007} == {6005, 6006}  # not to 6007
    (kk,) = sent[6005]
    assert kk.startswith("📝 Сақталған <b>Жастар бастамалары</b> конкурсында өзгеріс бар:\n")
    assert "Өтінім қабылдау мерзімі: 2026 жылғы 15 желтоқсан, 18:00 → 2026 жылғы 22 желтоқсан, 18:00" in kk
    (ru,) = sent[6006]
    assert ru == (
        "📝 В сохранённом конкурсе <b>Молодежные инициативы</b> изменения:\n"
        "Срок подачи: 15 декабря 2026\xa0г., 18:00 → 22 декабря 2026\xa0г., 18:00"
    )
    assert set(await sent_by_chat(app)) & {6005, 6006} == set()  # once
    expires = moved.astimezone(UTC)
    assert await reminders(app, 6006) == [
        (utc(15, 5), expires),
        (utc(19, 5), expires),
        (utc(21, 5), expires),
        (utc(22, 5), expires),
    ]
    async with app.database.reading() as uow:
        assert await uow.grants.unannounced_changes() == []


async def test_an_import_that_moves_the_amount_is_announced_once_even_when_run_twice(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    await member(harness, 6008, "ru")
    await app.saved_grants.save(6008, grant_id)
    changed = call(START, "youth", title_ru="Молодежные инициативы", deadline=DEADLINE)
    changed = replace(changed, title_kk="Жастар бастамалары", amount_min=None, amount_max=5_000_000)
    for _ in range(2):
        await app.grants.import_calls([changed])
    (text,) = await sent_to(app, 6008)
    assert "Сумма: 1 000 000 ₸ – 3 000 000 ₸ → до 5 000 000 ₸" in text.replace("\xa0", " ")
    assert await sent_to(app, 6008) == []
    assert len(await reminders(app, 6008)) == 4  # the deadline did not move: the same reminders


async def test_a_closed_call_drops_the_reminders_and_an_old_save_button_is_refused(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    saver = await member(harness, 6009, "kk")
    late = await member(harness, 6010, "ru")
    await app.saved_grants.save(6009, grant_id)
    await late.press(card(grant_id))  # the card with ⭐ Save, pressed after the call closed
    await app.grants.close(ADMIN, grant_id)
    (closed,) = await sent_to(app, 6009)
    assert "Күйі: ашық → жабылды" in closed
    assert "🔒 Өтінім енді қабылданбайды; еске салғыштары тоқтатылды." in closed
    assert await reminders(app, 6009) == []
    requests = await late.press_text("⭐ Сохранить и напомнить")
    assert answers(requests) == ["Этот конкурс закрыт: сохранить его уже нельзя."]
    assert "⭐ Сохранить и напомнить" not in labels(late)  # the card as it is now
    assert not await app.saved_grants.is_saved(6010, grant_id)
    # The one who saved it may still remove it from the list.
    await saver.press(card(grant_id))
    requests = await saver.press_text("✖️ Сақталғандардан алу")
    assert answers(requests) == ["Сақталғандардан алынды; оның еске салғыштары тоқтатылды."]


async def test_reminders_can_be_chosen_or_muted_and_pending_ones_are_re_planned(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    user = await member(harness, 6011, "kk")
    await app.saved_grants.save(6011, grant_id)
    await user.press(SavedCallback(action=SavedAction.LIST))
    (screen,) = texts(await user.press_text("🔔 Еске салғыштар"))
    assert "Алматы уақытымен 10:00-да келеді" in screen
    await user.press_text("✅ 7 күн қалғанда")
    await user.press_text("✅ 3 күн қалғанда")
    assert "⬜ 7 күн қалғанда" in labels(user)
    assert [due for due, _ in await reminders(app, 6011)] == [utc(14, 5), utc(15, 5)]
    (muted,) = texts(await user.press_text("🔕 Барлық еске салғышты өшіру"))
    assert (
        "🔕 Мерзім туралы еске салғыштар өшірулі: оларды 🔔 Еске салғыштар бөлімінде қайта қосыңыз." in muted
    )
    assert await reminders(app, 6011) == []
    await user.press_text("🔔 Еске салғыштарды қайта қосу")
    assert [due for due, _ in await reminders(app, 6011)] == [utc(14, 5), utc(15, 5)]  # the choice kept
    clock.set(utc(16, 0))
    assert await sent_to(app, 6011) == []  # muted ones never went out; the rest expired
    assert len([t for t in await sent_to(app, 6011) if "7 күн" in t]) == 0


async def test_forged_buttons_are_refused_and_change_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    owner = await member(harness, 6012, "ru")
    other = await member(harness, 6013, "ru")
    await app.saved_grants.save(6012, grant_id)
    requests = await other.press(GrantsCallback(action=GrantsAction.SAVE, grant_id=999_999))
    assert answers(requests) == ["Этот грантовый конкурс недоступен."]
    # Removing someone else's saved call: it is not theirs, so nothing of the owner's changes.
    requests = await other.press(GrantsCallback(action=GrantsAction.UNSAVE, grant_id=grant_id))
    assert answers(requests) == ["Этого конкурса нет среди ваших сохранённых."]
    assert await app.saved_grants.is_saved(6012, grant_id)
    assert len(await reminders(app, 6012)) == 4
    requests = await other.press(SavedCallback(action=SavedAction.TOGGLE, slot="9"))
    assert answers(requests) == ["Эта кнопка устарела. Отправьте /menu."]
    assert await app.saved_grants.settings(6013) == await app.saved_grants.settings(6012)
    requests = await owner.press("gs:t:0:7:extra")  # malformed data is no button of ours
    assert len(await reminders(app, 6012)) == 4


async def test_a_user_who_erases_their_data_loses_their_saved_calls_and_reminders(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    await member(harness, 6014, "kk")
    await app.saved_grants.save(6014, grant_id)
    await app.users.erase(6014)
    assert await reminders(app, 6014) == []
    async with app.database.reading() as uow:
        assert await uow.grant_saves.savers(grant_id) == []


async def test_a_call_reopened_with_a_new_deadline_plans_the_reminders_again(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    await member(harness, 6015, "ru")
    await app.saved_grants.save(6015, grant_id)
    await app.grants.close(ADMIN, grant_id)
    assert await reminders(app, 6015) == []
    moved = DEADLINE + timedelta(days=7)
    await app.grants.edit(ADMIN, grant_id, replace(draft_of(await app.grants.get(grant_id)), deadline=moved))
    sent = await sent_by_chat(app)
    closed, reopened = sent[6015]
    assert "Статус: открыт → закрыт" in closed
    assert "Статус: закрыт → открыт" in reopened
    assert "Срок подачи: 15 декабря 2026\xa0г., 18:00 → 22 декабря 2026\xa0г., 18:00" in reopened
    assert [due.day for due, _ in await reminders(app, 6015)] == [15, 19, 21, 22]


async def test_announcing_the_same_recorded_change_twice_writes_one_message(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    grant_id = await a_call(app)
    await member(harness, 6016, "kk")
    await app.saved_grants.save(6016, grant_id)
    change = RecordedChange(0, "amount", "1000000-3000000", "-5000000")
    for _ in range(2):  # as a retried or repeated announcement would
        async with app.database.transaction() as uow:
            change = replace(
                change,
                change_id=change.change_id
                or await uow.grants.record_change(
                    grant_id, change.field, change.old_value, change.new_value, now=clock.now()
                ),
            )
            await after_grant_changed(uow, grant_id, [change], ALMATY, now=clock.now())
    (text,) = (await sent_by_chat(app))[6016]
    assert "Сомасы: 1 000 000 ₸ – 3 000 000 ₸ → ең көбі 5 000 000 ₸" in text.replace("\xa0", " ")
