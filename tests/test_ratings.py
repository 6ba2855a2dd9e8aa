"""Ratings after an event (issue 8, item 10): attendees are asked through the outbox once the event has
ended, rate it in one tap (once per attendee: a double tap counts once, a second score changes it),
may add a comment or skip, and the organizer sees the aggregate with the comments escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.attendance import Attendance
from bot.scheduling import SCAN_JOB_PREFIX
from bot.services.attendance import ToolProblem, ToolRefusedError
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from bot.views.ratings import RateCallback, SkipCommentCallback
from tests.events_support import ADMIN
from tests.harness import BotHarness, texts
from tests.organizer_support import answers, delivered, organizer, organizers_event, volunteer


def buttons(message: SendMessage) -> list[str]:
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    return [button.text for row in message.reply_markup.inline_keyboard for button in row]


async def finished_event_with(
    app: Application, clock: ManualClock, organizer_id: int, marks: dict[int, Attendance | None]
) -> int:
    """An event of the organizer's that has ended, its volunteers marked as given."""
    event_id = await organizers_event(app, organizer_id, clock.now(), capacity=None)
    for user_id in marks:
        await app.events.register(user_id, event_id)
    clock.advance(timedelta(days=3, hours=1))
    roster = await app.attendance.roster(organizer_id, event_id)
    for person in roster.people:
        await app.attendance.mark(organizer_id, event_id, person.registration_id, marks[person.user_id])
    clock.advance(timedelta(hours=3))  # over
    return event_id


async def test_attendees_rate_once_and_the_organizer_sees_the_aggregate(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 5101, "ru")
    dana = await volunteer(harness, 7001, "ru")
    aigerim = await volunteer(harness, 7002, "kk")
    absent = await volunteer(harness, 7003, "ru")
    event_id = await finished_event_with(
        app, clock, 5101, {7001: Attendance.ATTENDED, 7002: Attendance.ATTENDED, 7003: Attendance.NO_SHOW}
    )

    (early,) = texts(
        await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.RATINGS))
    )
    assert "Это мероприятие ещё никто не оценил." in early

    assert await app.ratings.ask_attendees() == 2  # attendees only
    assert await app.ratings.ask_attendees() == 0  # each once (the scan runs again and again)
    sent = {message.chat_id: message for message in await delivered(app)}
    assert set(sent) == {7001, 7002}
    assert sent[7001].text.startswith("🙏 Спасибо, что пришли на <b>Весенний субботник</b>!")
    assert sent[7002].text.startswith("🙏 <b>Көктемгі сенбілік</b> іс-шарасына келгеніңізге рақмет!")
    assert buttons(sent[7001]) == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]

    requests = await dana.press(RateCallback(event_id=event_id, score=4))
    (thanks,) = texts(requests)
    assert thanks.startswith("✅ Ваша оценка мероприятия <b>Весенний субботник</b>: 4 из 5. Спасибо!")
    assert "• 4 ⭐" in [label for label, _ in dana.buttons()]
    await dana.press(RateCallback(event_id=event_id, score=4))  # a double tap
    await dana.press(RateCallback(event_id=event_id, score=2))  # changing one's mind is fine
    (saved,) = texts(await dana.send("<b>Мусора</b> было много & мешков не хватило"))
    assert saved == "✅ Спасибо: комментарий передан организатору."

    await aigerim.press(RateCallback(event_id=event_id, score=5))
    (skipped,) = texts(await aigerim.press(SkipCommentCallback(event_id=event_id)))
    assert skipped == "✅ Бағаңызға рақмет!"
    assert (
        texts(await aigerim.send("Бұл пікір емес, жай хабарлама"))[0]
        != "✅ Рахмет: пікіріңіз ұйымдастырушыға жеткізілді."
    )

    refused = await absent.press(RateCallback(event_id=event_id, score=1))
    assert answers(refused) == ["Оценить мероприятие могут только те, кто на нём был."]

    (summary,) = texts(
        await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.RATINGS))
    )
    assert "Средняя оценка: 3,5 из 5, всего 2 оценки." in summary
    assert "5 ⭐ ▇▇▇▇▇▇▇▇ 1" in summary
    assert "4 ⭐ 0" in summary
    assert "2 ⭐ ▇▇▇▇▇▇▇▇ 1" in summary
    assert "2 ⭐ — &lt;b&gt;Мусора&lt;/b&gt; было много &amp; мешков не хватило" in summary
    assert "Дана" not in summary  # without names
    assert "Бұл пікір" not in summary  # after Skip, a message is no comment


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "Пікірді мәтінмен жіберіңіз немесе «Өткізу» батырмасын басыңыз."),
        ("ru", "Отправьте комментарий текстом или нажмите «Пропустить»."),
    ],
)
async def test_a_file_instead_of_a_comment_is_explained_and_the_comment_still_taken(
    harness: BotHarness, app: Application, clock: ManualClock, language: str, expected: str
) -> None:
    await organizer(harness, app, 5103, language)
    user = await volunteer(harness, 7201, language)
    event_id = await finished_event_with(app, clock, 5103, {7201: Attendance.ATTENDED})
    await user.press(RateCallback(event_id=event_id, score=3))
    assert texts(await user.send_document()) == [expected]
    too_long = texts(await user.send("ы" * 501))
    assert "500" in too_long[0]
    await user.send("Жақсы өтті")
    summary = await app.ratings.summary(5103, event_id)
    assert [comment.comment for comment in summary.recent_comments] == ["Жақсы өтті"]


async def test_ratings_wait_for_the_end_and_for_attendance(app: Application, clock: ManualClock) -> None:
    event_id = await organizers_event(app, ADMIN, clock.now(), capacity=None)
    await app.events.register(7301, event_id)
    clock.advance(timedelta(days=3, hours=1))  # started, not over
    roster = await app.attendance.roster(ADMIN, event_id)
    await app.attendance.mark(ADMIN, event_id, roster.people[0].registration_id, Attendance.ATTENDED)
    assert await app.ratings.ask_attendees() == 0  # not before the end
    with pytest.raises(ToolRefusedError) as refused:
        await app.ratings.rate(7301, event_id, 5)
    assert refused.value.problem is ToolProblem.NOT_FINISHED
    with pytest.raises(ToolRefusedError) as refused:
        await app.ratings.summary(ADMIN, event_id)
    assert refused.value.problem is ToolProblem.NOT_FINISHED
    clock.advance(timedelta(hours=3))
    with pytest.raises(ToolRefusedError) as refused:
        await app.ratings.rate(7301, event_id, 6)  # a forged score
    assert refused.value.problem is ToolProblem.BAD_SCORE
    with pytest.raises(ToolRefusedError) as refused:
        await app.ratings.rate(7302, event_id, 5)  # never registered
    assert refused.value.problem is ToolProblem.NOT_ATTENDED
    await app.ratings.rate(7301, event_id, 5)
    await app.ratings.rate(7301, event_id, 5)
    assert (await app.ratings.summary(ADMIN, event_id)).count == 1
    assert await app.ratings.ask_attendees() == 1  # marked before the end: asked at the first scan after


async def test_an_attendee_marked_late_is_asked_at_the_next_scan_but_not_after_two_weeks(
    app: Application, clock: ManualClock
) -> None:
    event_id = await organizers_event(app, ADMIN, clock.now(), capacity=None)
    for user_id in (7401, 7402):
        await app.events.register(user_id, event_id)
    clock.advance(timedelta(days=4))
    assert await app.ratings.ask_attendees() == 0  # nobody marked yet
    roster = {person.user_id: person for person in (await app.attendance.roster(ADMIN, event_id)).people}
    await app.attendance.mark(ADMIN, event_id, roster[7401].registration_id, Attendance.ATTENDED)
    assert await app.ratings.ask_attendees() == 1
    clock.advance(timedelta(days=15))
    await app.attendance.mark(ADMIN, event_id, roster[7402].registration_id, Attendance.ATTENDED)
    assert await app.ratings.ask_attendees() == 0  # too long after: the question would be stale


async def test_the_scheduler_asks_for_ratings_with_a_scan(app: Application, clock: ManualClock) -> None:
    event_id = await finished_event_with(app, clock, ADMIN, {7501: Attendance.ATTENDED})
    scan = next(job for job in app.scheduler.get_jobs() if job.id == SCAN_JOB_PREFIX + "event-ratings-ask")
    assert await scan.func() == 1
    assert await scan.func() == 0  # safe to run twice
    assert event_id


async def test_erasing_ones_data_deletes_ones_ratings(app: Application, clock: ManualClock) -> None:
    async with app.database.transaction() as uow:
        await uow.users.add(7601, now=clock.now(), consent_at=clock.now(), name="Дана")
    event_id = await finished_event_with(app, clock, ADMIN, {7601: Attendance.ATTENDED})
    await app.ratings.rate(7601, event_id, 5)
    await app.ratings.comment(7601, event_id, "Керемет")
    await app.users.erase(7601)
    summary = await app.ratings.summary(ADMIN, event_id)
    assert (summary.count, summary.recent_comments) == (0, [])
