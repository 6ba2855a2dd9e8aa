"""Replies survive Telegram's limits: 429 waits and retries (the whole bot pausing together), network
failures back off, a 403 is reported once and ends the update quietly, and every button press is
answered in time, a late answer never being an error."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import F
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from aiogram.utils.callback_answer import CallbackAnswer

from bot.app import build_application
from bot.dispatcher import create_bot
from bot.middlewares.callback_answers import DEFAULT_DEADLINE
from bot.middlewares.long_messages import SplitLongMessages
from bot.pacing import PacedRequests
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.resilience import RecipientUnavailableError, ResilientRequests, RetryPolicy
from bot.telegram.response_types import KeepResponseTypes
from bot.text import TEXT_LIMIT
from fake_telegram.recording import InstantClock, RecordingSession
from storage.database import Database
from tests.harness import BotHarness, recording_bot, stored_user, texts

PROBE = SendMessage(chat_id=1, text="probe")  # the method a made-up Telegram error names
ERROR_NOTICE_KK = "⚠️ Біз жақта ақау шықты. Сәлден соң қайталап көріңіз немесе /menu жіберіңіз."
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def flood(retry_after: int = 3) -> TelegramRetryAfter:
    return TelegramRetryAfter(PROBE, f"Too Many Requests: retry after {retry_after}", retry_after)


def blocked() -> TelegramForbiddenError:
    return TelegramForbiddenError(PROBE, "Forbidden: bot was blocked by the user")


def sent_texts(session: RecordingSession) -> list[str]:
    return [request.text for request in session.requests if isinstance(request, SendMessage)]


async def settle() -> None:
    """Let every task that can run, run (the recording session never waits on anything real)."""
    for _ in range(20):
        await asyncio.sleep(0)


class ManualClock:
    """A clock that only the test moves: `sleep` waits until `advance` has moved time past its end."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    @property
    def sleepers(self) -> int:
        return len(self._sleepers)

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, wake))
        await wake

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [(end, wake) for end, wake in self._sleepers if end <= self.now]
        for entry in due:
            self._sleepers.remove(entry)
            entry[1].set_result(None)


# -- the session layer on its own -------------------------------------------------------------------


async def test_a_429_waits_retry_after_then_sends() -> None:
    bot, session = recording_bot()
    session.responses.append(flood(3))
    message = await bot.send_message(1, "hello")
    assert message.text == "hello"
    assert sent_texts(session) == ["hello", "hello"]
    assert session.clock.sleeps == [3]


async def test_429_retries_are_bounded_in_number_and_in_total_wait() -> None:
    clock = InstantClock()
    bot, session = recording_bot(
        ResilientRequests(RetryPolicy(flood_retries=2, max_wait=100), sleep=clock.sleep, clock=clock)
    )
    session.responses.extend([flood(1), flood(1), flood(1), flood(1)])
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(1, "a")
    assert len(session.requests) == 3  # the call and two retries
    assert clock.sleeps == [1, 1]

    clock_bot, clock_session = recording_bot()  # default policy: at most 30 s of waiting per call
    clock_session.responses.append(flood(31))
    with pytest.raises(TelegramRetryAfter):
        await clock_bot.send_message(1, "b")
    assert len(clock_session.requests) == 1
    assert clock_session.clock.sleeps == []  # gave up at once rather than wait past its budget


async def test_one_429_pauses_every_caller_until_it_ends_but_not_button_answers() -> None:
    clock = ManualClock()
    bot, session = recording_bot(ResilientRequests(sleep=clock.sleep, clock=clock))
    session.responses.append(flood(3))
    first = asyncio.create_task(bot.send_message(1, "first"))
    calls = [first]
    try:
        await settle()
        assert not first.done()
        assert clock.sleepers == 1  # refused, waiting out the pause
        second = asyncio.create_task(bot.send_message(2, "second"))
        tap = asyncio.create_task(bot.answer_callback_query("q1"))
        calls += [second, tap]
        await settle()
        assert tap.done()  # a spinner is not kept turning for a flood that sends caused
        assert sent_texts(session) == ["first"]  # the second caller did not hammer Telegram
        assert clock.sleepers == 2
        clock.advance(3)
        await asyncio.gather(first, second)
        assert sorted(sent_texts(session)) == ["first", "first", "second"]
    finally:
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)


async def test_a_pause_longer_than_a_calls_budget_fails_it_without_a_request() -> None:
    clock = InstantClock()
    bot, session = recording_bot(ResilientRequests(RetryPolicy(max_wait=10), sleep=clock.sleep, clock=clock))
    session.responses.append(flood(20))
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(1, "refused")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(2, "would wait 20 s")
    assert raised.value.retry_after == 20
    assert sent_texts(session) == ["refused"]  # Telegram was not asked again during the pause
    assert clock.sleeps == []
    clock.now += 20
    await bot.send_message(2, "after the pause")
    assert sent_texts(session) == ["refused", "after the pause"]


async def test_network_failures_and_5xx_are_retried_with_exponential_backoff() -> None:
    bot, session = recording_bot()
    session.responses.extend(
        [TelegramNetworkError(PROBE, "timeout"), TelegramServerError(PROBE, "Bad Gateway")]
    )
    await bot.send_message(1, "x")
    assert len(session.requests) == 3
    assert session.clock.sleeps == [0.5, 1.0]

    session.responses.extend([TelegramServerError(PROBE, "Internal Server Error")] * 4)
    with pytest.raises(TelegramServerError):
        await bot.send_message(1, "y")  # three retries, then the error
    assert session.clock.sleeps == [0.5, 1.0, 0.5, 1.0, 2.0]

    session.responses.append(TelegramEntityTooLarge(PROBE, "Request Entity Too Large"))
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_message(1, "z")  # the same request would be too large again
    assert len(session.requests) == 3 + 4 + 1


async def test_a_403_is_reported_once_and_raised_as_recipient_unavailable() -> None:
    refused: list[int] = []

    async def on_forbidden(chat_id: int) -> None:
        refused.append(chat_id)

    session_clock = ManualClock()
    bot, session = recording_bot(
        ResilientRequests(on_forbidden=on_forbidden, sleep=session_clock.sleep, clock=session_clock)
    )
    session.responses.append(blocked())
    with pytest.raises(RecipientUnavailableError) as raised:
        await bot.send_message(7001, "hi")
    assert isinstance(raised.value, TelegramForbiddenError)  # old `except TelegramForbiddenError` still hold
    assert raised.value.chat_id == 7001
    assert refused == [7001]
    assert len(session.requests) == 1  # not retried


async def test_a_failing_on_forbidden_is_logged_and_the_403_still_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(_chat_id: int) -> None:
        raise RuntimeError("database on fire")

    bot, session = recording_bot(ResilientRequests(on_forbidden=broken))
    session.responses.append(blocked())
    with caplog.at_level(logging.ERROR), pytest.raises(RecipientUnavailableError):
        await bot.send_message(7002, "hi")
    assert [r.getMessage() for r in caplog.records] == ["on_forbidden failed for a refused chat"]


async def test_before_call_runs_before_every_call_and_can_refuse_it() -> None:
    calls: list[int] = []
    open_transaction = False

    def guard() -> None:
        calls.append(1)
        if open_transaction:
            raise RuntimeError("a Bot API call inside a database transaction")

    bot, session = recording_bot(ResilientRequests(before_call=guard))
    await bot.send_message(1, "a")
    await bot.answer_callback_query("q")
    assert len(calls) == 2
    open_transaction = True
    with pytest.raises(RuntimeError, match="inside a database transaction"):
        await bot.send_message(1, "b")
    assert len(session.requests) == 2  # the refused call never reached Telegram


async def test_each_part_of_a_long_text_is_retried_on_its_own() -> None:
    bot, session = recording_bot()
    text = "\n".join(f"line {n} " + "x" * 80 for n in range(80))
    assert len(text) > TEXT_LIMIT
    session.responses.extend([_ok_message(), flood(1)])  # the first part goes, the second is refused once
    await bot.send_message(1, text)
    parts = sent_texts(session)
    assert len(parts) == 3
    assert parts[1] == parts[2]  # the refused part again, not the whole text
    assert parts[0] != parts[1]
    assert "\n".join(parts[1:]) != text


def _ok_message() -> Message:
    return Message(message_id=1, date=0, chat=Chat(id=1, type="private"), text="part")


# -- through the production dispatcher -------------------------------------------------------------


@pytest.fixture
async def make_harness(settings: Settings) -> AsyncIterator[Callable[..., BotHarness]]:
    """A harness over the production application with settings overrides (its own SQLite file)."""
    made: list[BotHarness] = []

    def make(**overrides: Any) -> BotHarness:
        session = RecordingSession()
        app = build_application(
            settings.model_copy(update=overrides),
            bot_session=session,
            inbox_options={"retry_delays": (0.0,), "done_flush_delay": 0.0},
            bot_options={"sleep": session.clock.sleep, "monotonic": session.clock},
        )
        made.append(BotHarness(app))
        return made[-1]

    yield make
    for harness in made:
        await harness.app.inbox.stop(drain_timeout=5)
        await harness.app.close()


async def test_a_reply_refused_with_429_still_arrives_without_an_error_notice(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    user = harness.user(7101, language_code="kk")
    await user.onboard("kk")
    harness.session.responses.append(flood(2))
    with caplog.at_level(logging.ERROR):
        requests = await user.send("/help")
    seen = texts(requests)
    assert len(seen) == 2  # the refused reply and its retry
    assert seen[0] == seen[1]
    assert "Қазақстандағы еріктілерді" in seen[0]
    assert ERROR_NOTICE_KK not in seen
    assert caplog.records == []
    # The 2 s pause, waited out once; the rest are the pacer's turns (fractions of a second).
    assert [sleep for sleep in harness.session.clock.sleeps if sleep >= 0.5] == [2]


async def test_a_reply_to_a_user_who_blocked_the_bot_ends_quietly(
    harness: BotHarness, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    user = harness.user(7102, language_code="kk")
    await user.onboard("kk")
    harness.session.responses.append(blocked())
    with caplog.at_level(logging.INFO):
        requests = await user.send("/help")
    assert len(requests) == 1  # the refused reply; no error notice sent after it
    stored = await stored_user(database, 7102)
    assert stored is not None
    assert stored.blocked_at is not None  # nothing more is sent to them
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert all(r.exc_info is None for r in caplog.records)
    assert any("blocked by the user" in r.getMessage() for r in caplog.records)  # one quiet line


async def test_a_button_answer_that_comes_too_late_is_not_an_error(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    user = harness.user(7103, language_code="kk")
    await user.onboard("kk")
    harness.session.responses.append(TelegramBadRequest(PROBE, QUERY_TOO_OLD))
    with caplog.at_level(logging.DEBUG, logger="bot.middlewares.callback_answers"):
        requests = await user.press("zz:forged")  # the stale-button handler: only an answer
    assert [type(r) for r in requests] == [AnswerCallbackQuery]  # no error notice after it
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("answered too late" in r.getMessage() for r in caplog.records)


async def test_a_slow_handler_gets_its_press_answered_at_the_deadline(
    make_harness: Callable[..., BotHarness],
) -> None:
    harness = make_harness(callback_answer_deadline=0.01)
    release = asyncio.Event()

    async def slow(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
        await release.wait()
        callback_answer.text = "done"  # too late for the answer: dropped, not raised
        assert query.message is not None
        await query.message.answer("slow work finished")

    harness.dispatcher.callback_query.register(slow, F.data == "slow")
    user = harness.user(7104, language_code="kk")
    await user.onboard("kk")
    start = len(harness.session.requests)
    press = asyncio.create_task(user.press("slow"))
    for _ in range(500):  # up to 5 s; the deadline is 10 ms
        if harness.session.requests[start:]:
            break
        await asyncio.sleep(0.01)
    assert [type(r) for r in harness.session.requests[start:]] == [AnswerCallbackQuery]
    assert not press.done()  # answered while the handler still works
    release.set()
    requests = await press
    assert [type(r) for r in requests] == [AnswerCallbackQuery, SendMessage]
    answer = requests[0]
    assert isinstance(answer, AnswerCallbackQuery)
    assert answer.text is None
    assert texts(requests) == ["slow work finished"]


async def test_a_fast_handler_is_answered_once_with_its_own_text(harness: BotHarness) -> None:
    user = harness.user(7105, language_code="ru")
    await user.onboard("kk")
    await user.send("/language")
    requests = await user.press_text("Русский")
    answers = [r for r in requests if isinstance(r, AnswerCallbackQuery)]
    assert len(answers) == 1
    assert answers[0].text == "✅ Язык изменён: теперь говорим по-русски."
    assert requests[-1] is answers[0]  # after the handler's screen: it was in time


async def test_a_press_no_handler_takes_is_answered_too(harness: BotHarness) -> None:
    person = User(id=7106, is_bot=False, first_name="Арман", language_code="kk")
    group = Chat(id=-100777, type="supergroup", title="Eco")
    message = Message(message_id=5, date=int(time.time()), chat=group, text="old")
    query = CallbackQuery(id="q7106", from_user=person, chat_instance="ci", message=message, data="x")
    before = len(harness.session.requests)
    await harness.feed_update(Update(update_id=71060, callback_query=query))
    requests = harness.session.requests[before:]
    assert [type(r) for r in requests] == [AnswerCallbackQuery]  # the spinner stops; nothing else is said


async def test_the_pre_flag_answers_before_the_handler_and_later_changes_are_dropped(
    harness: BotHarness,
) -> None:
    async def announced(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
        assert callback_answer.answered
        callback_answer.text = "changed later"
        assert callback_answer.text == "⏳"
        assert query.message is not None
        await query.message.answer("working")

    harness.dispatcher.callback_query.register(
        announced, F.data == "pre", flags={"callback_answer": {"pre": True, "text": "⏳"}}
    )
    user = harness.user(7107, language_code="kk")
    await user.onboard("kk")
    requests = await user.press("pre")
    assert [type(r) for r in requests] == [AnswerCallbackQuery, SendMessage]
    answer = requests[0]
    assert isinstance(answer, AnswerCallbackQuery)
    assert answer.text == "⏳"


def test_the_settings_defaults_are_the_layers_defaults() -> None:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    policy = RetryPolicy()
    assert defaults.telegram_flood_retries == policy.flood_retries
    assert defaults.telegram_network_retries == policy.network_retries
    assert defaults.telegram_max_wait == policy.max_wait
    assert defaults.callback_answer_deadline == DEFAULT_DEADLINE


def test_the_variables_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in {
        "TELEGRAM_FLOOD_RETRIES": "7",
        "TELEGRAM_NETWORK_RETRIES": "1",
        "TELEGRAM_MAX_WAIT": "12.5",
        "CALLBACK_ANSWER_DEADLINE": "0.5",
    }.items():
        monkeypatch.setenv(variable, value)
    read = load_settings(_env_file=None)
    assert (read.telegram_flood_retries, read.telegram_network_retries) == (7, 1)
    assert (read.telegram_max_wait, read.callback_answer_deadline) == (12.5, 0.5)
    for variable, value in {"CALLBACK_ANSWER_DEADLINE": "15", "TELEGRAM_MAX_WAIT": "-1"}.items():
        monkeypatch.setenv(variable, value)
        with pytest.raises(SettingsError) as raised:
            load_settings(_env_file=None)
        assert raised.value.variable == variable
        monkeypatch.delenv(variable)


async def test_the_production_bot_splits_long_texts_then_retries_each_part(settings: Settings) -> None:
    async def on_forbidden(_chat_id: int) -> None:
        pass

    bot = create_bot(
        settings.model_copy(update={"telegram_flood_retries": 7, "telegram_max_wait": 12.0}),
        on_forbidden=on_forbidden,
    )
    try:
        layers = list(bot.session.middleware)
        # Outermost first: the answers' types held (test_update_cost.py) before anything else; each
        # try of the resilience layer takes its own turn of the sending budget.
        assert [type(layer) for layer in layers] == [
            KeepResponseTypes,
            SplitLongMessages,
            ResilientRequests,
            PacedRequests,
        ]
        resilience = layers[2]
        assert isinstance(resilience, ResilientRequests)
        assert resilience.policy == RetryPolicy(flood_retries=7, network_retries=3, max_wait=12.0)
        assert resilience.on_forbidden is on_forbidden
    finally:
        await bot.session.close()
