"""The outbox and its sender, in-process: rows written by use cases, claimed under a lease, rendered in
the recipient's language of the moment, paced, and marked by what Telegram answered."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage

from bot.app import Application
from bot.clock import ManualClock
from bot.outbox_kinds import RENDERERS, Kind
from bot.outbox_report import print_outbox_report, retry_failed
from bot.pacing import Pacer
from bot.scheduling import JOB_DEFAULTS, PRUNE_JOB, RELEASE_LEASES_JOB, SCAN_JOB_PREFIX, WAKE_JOB
from bot.sender import Sender
from bot.settings import Settings
from fake_telegram.recording import InstantClock, RecordingSession
from storage.database import Database
from storage.repositories.outbox import Message, OutboxStatus
from tests.harness import recording_bot

KK = "Ертең сенбілік болады"
RU = "Завтра субботник"


async def plan(
    database: Database,
    clock: ManualClock,
    recipient: int,
    *,
    due_in: timedelta = timedelta(0),
    expires_in: timedelta | None = None,
    kind: str = Kind.NOTICE,
    params: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    now = clock.now()
    message = Message(
        kind=kind,
        recipient=recipient,
        params=params if params is not None else {"text_kk": KK, "text_ru": RU},
        due_at=now + due_in,
        expires_at=now + expires_in if expires_in is not None else None,
        dedupe_key=dedupe_key,
    )
    async with database.transaction() as uow:
        return await uow.outbox.add(message, now=now)


async def add_user(database: Database, clock: ManualClock, user_id: int, language: str | None) -> None:
    async with database.transaction() as uow:
        await uow.users.add(user_id, now=clock.now(), language=language)


async def status_of(database: Database, message_id: int | None) -> tuple[OutboxStatus, str | None]:
    assert message_id is not None
    async with database.reading() as uow:
        found = await uow.outbox.get_status(message_id)
    assert found is not None
    return found


def sends(session: RecordingSession) -> list[tuple[int, str]]:
    return [
        (int(request.chat_id), request.text)
        for request in session.requests
        if isinstance(request, SendMessage)
    ]


def session_of(app: Application) -> RecordingSession:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    return session


async def test_a_row_written_by_a_use_case_that_fails_is_never_sent(
    app: Application, clock: ManualClock
) -> None:
    async def plan_then_fail() -> None:
        async with app.database.transaction() as uow:
            await uow.outbox.add(
                Message(kind=Kind.NOTICE, recipient=501, params={"text_kk": KK}, due_at=clock.now()),
                now=clock.now(),
            )
            raise RuntimeError("the change that caused the message failed")

    with pytest.raises(RuntimeError):
        await plan_then_fail()
    kept = await plan(app.database, clock, 502)
    assert await app.sender.send_due() == 1
    assert sends(session_of(app)) == [(502, KK)]
    assert await status_of(app.database, kept) == (OutboxStatus.SENT, None)


async def test_rows_go_out_when_the_clock_says_they_are_due(app: Application, clock: ManualClock) -> None:
    now_row = await plan(app.database, clock, 511)
    later_row = await plan(app.database, clock, 512, due_in=timedelta(hours=2))
    assert await app.sender.send_due() == 1
    assert [chat for chat, _ in sends(session_of(app))] == [511]
    assert (await status_of(app.database, later_row))[0] is OutboxStatus.PENDING
    clock.advance(timedelta(hours=1, minutes=59))
    assert await app.sender.send_due() == 0
    clock.advance(timedelta(minutes=1))
    assert await app.sender.send_due() == 1
    assert [chat for chat, _ in sends(session_of(app))] == [511, 512]
    assert (await status_of(app.database, now_row))[0] is OutboxStatus.SENT


async def test_a_row_too_late_to_send_is_dropped_as_expired(app: Application, clock: ManualClock) -> None:
    # Due in an hour, too late after 90 minutes: the bot was down from now until 2 hours later.
    late = await plan(app.database, clock, 521, due_in=timedelta(hours=1), expires_in=timedelta(minutes=90))
    in_time = await plan(app.database, clock, 522, due_in=timedelta(hours=1), expires_in=timedelta(hours=3))
    clock.advance(timedelta(hours=2))
    assert await app.sender.send_due() == 1
    assert [chat for chat, _ in sends(session_of(app))] == [522]
    assert await status_of(app.database, late) == (OutboxStatus.DROPPED, "expired")
    assert (await status_of(app.database, in_time))[0] is OutboxStatus.SENT


async def test_rendered_in_the_language_the_recipient_has_when_it_is_sent(
    app: Application, clock: ManualClock
) -> None:
    await add_user(app.database, clock, 531, "kk")
    await plan(app.database, clock, 531)
    async with app.database.transaction() as uow:  # after the row was written
        await uow.users.update(531, now=clock.now(), language="ru")
    await plan(app.database, clock, 532)  # no such user: the default language (kk)
    await plan(app.database, clock, 533, params={"text_kk": "<b>бас</b> & т.б."})
    assert await app.sender.send_due() == 3
    assert sorted(sends(session_of(app))) == [
        (531, RU),
        (532, KK),
        (533, "&lt;b&gt;бас&lt;/b&gt; &amp; т.б."),
    ]


async def test_flood_control_pauses_then_the_row_is_sent_once(app: Application, clock: ManualClock) -> None:
    session = session_of(app)
    row = await plan(app.database, clock, 541)
    session.responses.append(TelegramRetryAfter(SendMessage(chat_id=541, text="x"), "Too Many Requests", 7))
    rate_before = app.sender.pacer.rate
    assert await app.sender.send_due() == 1
    assert [chat for chat, _ in sends(session)] == [541, 541]  # refused, then sent: one message arrived
    # The 7 s pause was waited out once (not by the resilience layer and then again by the pacer);
    # the chat's own second of pacing runs inside it.
    assert sum(session.clock.sleeps) == pytest.approx(7)
    assert await status_of(app.database, row) == (OutboxStatus.SENT, None)
    assert app.sender.pacer.rate < rate_before
    async with app.database.reading() as uow:
        attempts = (await uow.connection.exec_driver_sql("SELECT attempts FROM outbox")).scalar_one()
    assert attempts == 1  # a 429 is not an attempt


async def test_a_recipient_who_blocked_the_bot_is_marked_and_their_other_rows_dropped(
    app: Application, clock: ManualClock
) -> None:
    session = session_of(app)
    await add_user(app.database, clock, 551, "kk")
    first = await plan(app.database, clock, 551)
    second = await plan(app.database, clock, 551)
    later = await plan(app.database, clock, 551, due_in=timedelta(days=1))
    other = await plan(app.database, clock, 552)
    session.responses.append(
        TelegramForbiddenError(SendMessage(chat_id=551, text="x"), "bot was blocked by the user")
    )
    assert await app.sender.send_due() == 1
    assert [chat for chat, _ in sends(session)] == [551, 552]  # nothing more tried to 551
    for row in (first, second, later):
        assert await status_of(app.database, row) == (OutboxStatus.DROPPED, "blocked")
    assert (await status_of(app.database, other))[0] is OutboxStatus.SENT
    async with app.database.reading() as uow:
        user = await uow.users.get(551)
    assert user is not None
    assert user.blocked_at is not None
    # Planned after the block: dropped without a call to Telegram.
    after = await plan(app.database, clock, 551)
    assert await app.sender.send_due() == 0
    assert await status_of(app.database, after) == (OutboxStatus.DROPPED, "blocked")
    assert len(sends(session)) == 2


async def test_a_bad_request_fails_the_row_with_telegrams_reason(
    app: Application, clock: ManualClock
) -> None:
    session = session_of(app)
    row = await plan(app.database, clock, 561)
    session.responses.append(
        TelegramBadRequest(SendMessage(chat_id=561, text="x"), "Bad Request: chat not found")
    )
    assert await app.sender.send_due() == 0
    status, reason = await status_of(app.database, row)
    assert status is OutboxStatus.FAILED
    assert reason is not None
    assert "chat not found" in reason
    assert len(sends(session)) == 1  # not retried


async def test_a_row_no_renderer_takes_fails_alone(app: Application, clock: ManualClock) -> None:
    unknown = await plan(app.database, clock, 562, kind="no-such-kind")
    empty = await plan(app.database, clock, 563, params={})
    fine = await plan(app.database, clock, 564)
    assert await app.sender.send_due() == 1
    assert await status_of(app.database, unknown) == (
        OutboxStatus.FAILED,
        "no renderer for kind 'no-such-kind'",
    )
    assert (await status_of(app.database, empty))[0] is OutboxStatus.FAILED
    assert (await status_of(app.database, fine))[0] is OutboxStatus.SENT


async def test_network_failures_are_retried_with_backoff_then_the_row_fails(
    app: Application, clock: ManualClock
) -> None:
    session = session_of(app)
    row = await plan(app.database, clock, 571)
    for _ in range(10):
        session.responses.append(TelegramNetworkError(SendMessage(chat_id=571, text="x"), "connection reset"))
    assert app.sender.max_attempts == 5
    assert await app.sender.send_due() == 0
    assert len(sends(session)) == 1  # the resilience layer did not retry it: the sender does
    status, reason = await status_of(app.database, row)
    assert status is OutboxStatus.PENDING
    assert reason is not None
    assert "connection reset" in reason
    # Not before its backoff.
    clock.advance(timedelta(seconds=9))
    assert await app.sender.send_due() == 0
    assert len(sends(session)) == 1
    for _ in range(4):
        clock.advance(timedelta(hours=1))
        await app.sender.send_due()
    assert len(sends(session)) == 5
    status, reason = await status_of(app.database, row)
    assert status is OutboxStatus.FAILED
    assert reason is not None
    assert reason.startswith("5 attempts: ")
    clock.advance(timedelta(hours=1))
    assert await app.sender.send_due() == 0
    assert len(sends(session)) == 5


async def test_a_network_failure_then_success_is_sent(app: Application, clock: ManualClock) -> None:
    session = session_of(app)
    row = await plan(app.database, clock, 572)
    session.responses.append(TelegramNetworkError(SendMessage(chat_id=572, text="x"), "timeout"))
    await app.sender.send_due()
    clock.advance(timedelta(seconds=10))
    assert await app.sender.send_due() == 1
    assert await status_of(app.database, row) == (OutboxStatus.SENT, None)


async def test_the_same_dedupe_key_is_planned_once(app: Application, clock: ManualClock) -> None:
    first = await plan(app.database, clock, 581, dedupe_key="event:7:reminder:581")
    again = await plan(app.database, clock, 581, dedupe_key="event:7:reminder:581")
    assert first is not None
    assert again is None
    await plan(app.database, clock, 581)  # no key: never a duplicate of anything
    await plan(app.database, clock, 581)
    async with app.database.reading() as uow:
        counts = await uow.outbox.counts()
    assert counts[Kind.NOTICE][OutboxStatus.PENDING] == 3


def make_sender(app: Application, owner: str, **options: Any) -> tuple[Sender, RecordingSession]:
    bot, session = recording_bot()
    pacer = Pacer(1000, per_chat_rate=1000, monotonic=session.clock, sleep=session.clock.sleep)
    sender = Sender(
        app.database,
        bot,
        app.clock,
        app.catalogs,
        RENDERERS,
        pacer,
        owner=owner,
        monotonic=session.clock,
        sleep=session.clock.sleep,
        **options,
    )
    return sender, session


async def test_two_senders_on_one_database_never_send_the_same_row(
    app: Application, clock: ManualClock
) -> None:
    recipients = list(range(10_000, 10_300))
    for recipient in recipients:
        await plan(app.database, clock, recipient)
    first, first_session = make_sender(app, "first", batch_size=10)
    second, second_session = make_sender(app, "second", batch_size=10)
    sent = await asyncio.gather(first.send_due(), second.send_due())
    first_chats = [chat for chat, _ in sends(first_session)]
    second_chats = [chat for chat, _ in sends(second_session)]
    assert sorted(first_chats + second_chats) == recipients  # every row once, none twice
    assert first_chats
    assert second_chats  # they did share the work
    assert sum(sent) == 300


async def test_a_lease_that_ran_out_is_claimed_again(app: Application, clock: ManualClock) -> None:
    row = await plan(app.database, clock, 591)
    async with app.database.transaction() as uow:  # a sender that then died
        claimed = await uow.outbox.claim(
            "dead", now=clock.now(), lease_until=clock.now() + timedelta(seconds=60), limit=10
        )
    assert [message.id for message in claimed] == [row]
    assert await app.sender.send_due() == 0  # its lease is alive: not ours
    clock.advance(timedelta(seconds=61))
    assert await app.sender.send_due() == 1
    assert sends(session_of(app)) == [(591, KK)]
    assert await status_of(app.database, row) == (OutboxStatus.SENT, None)


async def test_the_lease_scan_puts_rows_of_a_dead_sender_back_to_pending(
    app: Application, clock: ManualClock
) -> None:
    row = await plan(app.database, clock, 592)
    async with app.database.transaction() as uow:
        await uow.outbox.claim(
            "dead", now=clock.now(), lease_until=clock.now() + timedelta(seconds=60), limit=10
        )
    assert await app.sender.release_expired_leases() == 0
    assert (await status_of(app.database, row))[0] is OutboxStatus.SENDING
    clock.advance(timedelta(seconds=61))
    assert await app.sender.release_expired_leases() == 1
    assert await app.sender.release_expired_leases() == 0  # safe to run twice
    assert (await status_of(app.database, row))[0] is OutboxStatus.PENDING


async def test_sent_rows_are_pruned_after_the_days_kept(app: Application, clock: ManualClock) -> None:
    sent = await plan(app.database, clock, 593)
    failed = await plan(app.database, clock, 594, kind="no-such-kind")
    await app.sender.send_due()
    clock.advance(timedelta(days=6))
    assert await app.sender.prune(timedelta(days=7)) == 0
    clock.advance(timedelta(days=2))
    assert await app.sender.prune(timedelta(days=7)) == 1
    async with app.database.reading() as uow:
        assert await uow.outbox.get_status(sent or 0) is None
        assert await uow.outbox.get_status(failed or 0) is not None  # failed rows stay to be looked at


async def test_the_sender_paces_its_share_of_telegrams_rate(app: Application, clock: ManualClock) -> None:
    session = session_of(app)
    for _ in range(4):
        await plan(app.database, clock, 20_000)  # four to one chat first: 1 a second
    for recipient in range(20_001, 20_048):
        await plan(app.database, clock, recipient)
    started = session.clock.now
    assert await app.sender.send_due() == 51
    elapsed = session.clock.now - started
    # 30/s minus the replies' 20 %: 24/s, so the 47 other chats take 2 s. The one chat's 3 more need
    # 3 x 1.1 s (1/s and its margin) after its first; the others go meanwhile instead of waiting behind
    # them (that would take 5 s).
    assert 3.3 <= elapsed < 3.5
    to_one_chat = [i for i, (chat, _) in enumerate(sends(session)) if chat == 20_000]
    assert len(to_one_chat) == 4


async def test_a_committed_notice_wakes_the_running_sender(app: Application, clock: ManualClock) -> None:
    await add_user(app.database, clock, 601, "ru")
    app.sender.start()
    await asyncio.sleep(0.05)  # its first look finds nothing
    message_id = await app.notices.send_notice(601, text_kk=KK, text_ru=RU)
    for _ in range(100):
        if sends(session_of(app)):
            break
        await asyncio.sleep(0.01)
    assert sends(session_of(app)) == [(601, RU)]
    await app.sender.stop()
    assert await status_of(app.database, message_id) == (OutboxStatus.SENT, None)


async def test_the_running_sender_sends_a_row_when_it_falls_due_without_being_woken(
    app: Application, clock: ManualClock
) -> None:
    row = await plan(app.database, clock, 602, due_in=timedelta(seconds=0.3))
    app.sender.start()
    await asyncio.sleep(0.1)  # its first look finds nothing due; nobody wakes it after this
    clock.advance(timedelta(seconds=0.3))
    for _ in range(100):
        if sends(session_of(app)):
            break
        await asyncio.sleep(0.01)
    await app.sender.stop()
    assert [chat for chat, _ in sends(session_of(app))] == [602]
    assert (await status_of(app.database, row))[0] is OutboxStatus.SENT


async def test_a_stop_gives_back_the_rows_claimed_and_not_sent(app: Application, clock: ManualClock) -> None:
    gate = asyncio.Event()
    session = session_of(app)
    original = session.make_request

    async def slow_request(*args: Any, **kwargs: Any) -> Any:
        await gate.wait()
        return await original(*args, **kwargs)

    session.make_request = slow_request  # type: ignore[method-assign]
    rows = [await plan(app.database, clock, recipient) for recipient in range(30_000, 30_020)]
    app.sender.start()
    while not session.requests and len(app.sender._in_flight) < app.sender.concurrency:
        await asyncio.sleep(0.01)
    stopping = asyncio.create_task(app.sender.stop())
    await asyncio.sleep(0.05)
    gate.set()  # the sends in flight are answered
    await stopping
    statuses = [(await status_of(app.database, row))[0] for row in rows]
    in_flight = statuses.count(OutboxStatus.SENT)
    assert 1 <= in_flight <= app.sender.concurrency
    assert statuses.count(OutboxStatus.PENDING) == len(rows) - in_flight  # none left "sending"
    assert len(sends(session)) == in_flight


def test_the_scheduler_only_wakes_and_scans_with_deliberate_job_settings(app: Application) -> None:
    jobs = {job.id: job for job in app.scheduler.get_jobs()}
    assert set(jobs) == {
        WAKE_JOB,
        RELEASE_LEASES_JOB,
        PRUNE_JOB,
        SCAN_JOB_PREFIX + "inbox-prune",
        SCAN_JOB_PREFIX + "events-finish",
        SCAN_JOB_PREFIX + "waitlist-offers-expire",
        SCAN_JOB_PREFIX + "event-ratings-ask",
        SCAN_JOB_PREFIX + "broadcasts-start",
        SCAN_JOB_PREFIX + "broadcasts-progress",
        SCAN_JOB_PREFIX + "grants-close",
        SCAN_JOB_PREFIX + "grant-searches-prune",
        SCAN_JOB_PREFIX + "grant-digests",
    }
    for job in jobs.values():
        assert job.misfire_grace_time is None  # never silently skipped for being late
        assert job.coalesce is True
        assert job.max_instances == 1
    assert JOB_DEFAULTS["misfire_grace_time"] is None


async def test_the_wake_job_wakes_the_sender(app: Application, clock: ManualClock) -> None:
    wake = next(job for job in app.scheduler.get_jobs() if job.id == WAKE_JOB)
    app.sender._wake.clear()
    await wake.func()
    assert app.sender._wake.is_set()


async def test_the_events_scan_marks_ended_events_finished(app: Application, clock: ManualClock) -> None:
    from tests.events_support import published_event

    event_id = await published_event(app.events, clock.now())
    scan = next(job for job in app.scheduler.get_jobs() if job.id == SCAN_JOB_PREFIX + "events-finish")
    assert await scan.func() == 0  # not over yet
    clock.advance(timedelta(days=4))
    assert await scan.func() == 1
    assert await scan.func() == 0  # safe to run twice
    assert (await app.events.get(event_id)).status == "finished"  # type: ignore[union-attr]


async def test_the_scheduler_runs_in_the_loop_and_shuts_down(app: Application) -> None:
    app.scheduler.start()
    assert app.scheduler.running
    app.scheduler.shutdown(wait=False)
    await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
    assert not app.scheduler.running


async def test_the_outbox_report_and_retry(
    app: Application, clock: ManualClock, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    session = session_of(app)
    refused = await plan(app.database, clock, 611)
    await plan(app.database, clock, 612)
    await plan(app.database, clock, 613, due_in=timedelta(hours=1))
    await plan(app.database, clock, 614, kind="reminder", params={"event": 7})
    session.responses.append(
        TelegramBadRequest(SendMessage(chat_id=611, text="x"), "Bad Request: can't parse entities")
    )
    await app.sender.send_due()
    assert await print_outbox_report(settings) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["kind", "pending", "sending", "sent", "failed", "dropped"]
    assert lines[1].split() == ["notice", "1", "0", "1", "1", "0"]
    assert lines[2].split() == ["reminder", "0", "0", "0", "1", "0"]
    assert lines[3].split() == ["total", "1", "0", "1", "2", "0"]
    assert "can't parse entities" in out
    assert "no renderer for kind 'reminder'" in out
    failed_ids = sorted(int(line.split()[0]) for line in lines[7:] if line.strip())
    assert len(failed_ids) == 2
    assert refused in failed_ids  # 611's send was refused; 612's went through

    assert await retry_failed(settings, [str(failed_ids[0]), "99999"], clock=clock) == 1
    captured = capsys.readouterr()
    assert f"1 failed message(s) put back to pending: {failed_ids[0]}" in captured.out
    assert "99999" in captured.err
    assert await app.sender.send_due() == 1
    assert await retry_failed(settings, ["--all-failed"], clock=clock) == 0
    assert "1 failed message(s) put back to pending" in capsys.readouterr().out
    assert await retry_failed(settings, ["soon"]) == 2


@pytest.mark.parametrize("arguments", [["outbox", "retry"], ["outbox", "now"]])
def test_outbox_command_usage(arguments: Sequence[str]) -> None:
    from bot.__main__ import main

    assert main(list(arguments)) == 2


async def test_the_sender_alone_takes_the_whole_budget_evenly(app: Application, clock: ManualClock) -> None:
    session = session_of(app)
    for recipient in range(21_000, 21_049):
        await plan(app.database, clock, recipient)
    started = session.clock.now
    assert await app.sender.send_due() == 49
    # No replies to make room for: SEND_RATE 30 less its 2 % margin, 29.4 a second, evenly (48 gaps).
    assert session.clock.now - started == pytest.approx(48 / 29.4, rel=0.02)


async def test_replies_take_turns_from_the_same_budget_before_the_broadcast(
    app: Application, clock: ManualClock
) -> None:
    session = session_of(app)
    sent_at: list[float] = []

    class Timestamps(BaseRequestMiddleware):
        async def __call__(self, make_request: Any, bot: Any, method: Any) -> Any:
            if isinstance(method, SendMessage):
                sent_at.append(session.clock.now)
            return await make_request(bot, method)

    session.middleware(Timestamps())  # innermost: when the call leaves, after its turn
    for recipient in range(22_000, 22_090):
        await plan(app.database, clock, recipient)
    waits: list[float] = []

    async def user_taps() -> None:  # a reply after every 8 broadcast messages (on the instant clock,
        for tap in range(10):  # which concurrent sleeps would move forward together)
            while len(sent_at) < 9 * tap + 8:
                await asyncio.sleep(0)
            asked = session.clock.now
            await app.bot.send_message(30_000 + tap, "reply")
            waits.append(session.clock.now - asked)

    await asyncio.gather(app.sender.send_due(), user_taps())
    assert len(sent_at) == 100
    # Together never over Telegram's 30 in any second, and the broadcast took what the replies left:
    # 100 messages on one timeline of 29.4 a second.
    assert max(sum(1 for t in sent_at if start <= t < start + 1.0) for start in sent_at) <= 30
    assert sent_at[-1] - sent_at[0] == pytest.approx(99 / 29.4, abs=0.05)
    # A reply waits behind at most the one turn the sender holds.
    assert max(waits) <= 2 / 29.4 + 1e-9


async def test_a_turn_waits_until_the_send_thirty_before_it_was_answered_a_second_ago() -> None:
    instant = InstantClock()
    pacer = Pacer(30, monotonic=instant, sleep=instant.sleep)
    turns = [await pacer.take(chat) for chat in range(30)]
    late = asyncio.ensure_future(pacer.take(99))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not late.done()  # all 30 unanswered: when they reached Telegram is not known yet
    instant.now = 5.0
    pacer.answered(turns[0])  # answered at 5.0: the next may leave at 6.0, not before
    await late
    assert instant.now == pytest.approx(6.0)
