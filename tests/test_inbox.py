"""The inbox: stored before confirmed, one user's updates in order, slow and failing ones isolated,
resumed after a crash; the webhook and the poller that feed it."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import Application
from bot.clock import ManualClock
from bot.heartbeat import Heartbeat, heartbeat_age
from bot.i18n import Catalogs
from bot.inbox import Inbox
from bot.inbox_report import print_inbox_report
from bot.polling import Poller
from bot.settings import Settings
from bot.webhook import create_webhook_app
from fake_telegram import FakeTelegram
from fake_telegram.recording import RecordingSession
from storage.database import Database
from storage.repositories.inbox import InboxStatus
from tests.harness import BotHarness

SECRET = "hook-secret_123"
TOKEN = "777001:poller-test-token-abcdefghijklmnop"


def text_update(update_id: int, user_id: int, text: str, *, language: str = "kk") -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Арман", "language_code": language}
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    )
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1_764_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Арман"},
        "from": person,
        "text": text,
    }
    if entities:
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


async def statuses(database: Database) -> dict[InboxStatus, int]:
    async with database.reading() as uow:
        return await uow.inbox.counts()


class Recorder:
    """A plain dispatcher whose handler can be held: what a slow database or Telegram would do."""

    def __init__(self) -> None:
        self.dispatcher = Dispatcher()
        self.handled: list[str] = []
        self.hold: dict[str, asyncio.Event] = {}
        self.failures: dict[str, int] = {}
        self.dispatcher.message.register(self._handle)

    async def _handle(self, message: Message) -> None:
        text = message.text or ""
        if text in self.hold:
            await self.hold[text].wait()
        if self.failures.get(text, 0) > 0:
            self.failures[text] -= 1
            raise RuntimeError(f"{text} failed")
        self.handled.append(text)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


MakeInbox = Callable[..., Inbox]


@pytest.fixture
def make_inbox(app: Application, recorder: Recorder, catalogs: Catalogs) -> MakeInbox:
    """An inbox over the recording dispatcher; the app's database and bot unless told otherwise."""

    def make(*, database: Database | None = None, bot: Bot | None = None, **options: Any) -> Inbox:
        options.setdefault("done_flush_delay", 0.0)
        return Inbox(
            database or app.database, recorder.dispatcher, bot or app.bot, app.clock, catalogs, **options
        )

    return make


@pytest.fixture
def bare_inbox(make_inbox: MakeInbox) -> Inbox:
    return make_inbox(retry_delays=(0.0,))


async def test_one_slow_update_does_not_hold_up_the_others(bare_inbox: Inbox, recorder: Recorder) -> None:
    recorder.hold["slow"] = asyncio.Event()
    await bare_inbox.receive([text_update(1, 1, "slow")])
    await bare_inbox.receive([text_update(2 + n, 100 + n, f"quick {n}") for n in range(150)])
    async with asyncio.timeout(5):
        while len(recorder.handled) < 150:
            await asyncio.sleep(0.01)
    assert "slow" not in recorder.handled
    recorder.hold["slow"].set()
    await bare_inbox.wait_idle()
    assert len(recorder.handled) == 151
    assert (await statuses(bare_inbox.database))[InboxStatus.DONE] == 151


async def test_one_users_updates_are_handled_in_the_order_they_came(
    bare_inbox: Inbox, recorder: Recorder
) -> None:
    recorder.hold["first"] = asyncio.Event()
    await bare_inbox.receive([text_update(1, 7, "first"), text_update(2, 7, "second")])
    await bare_inbox.receive([text_update(3, 7, "third"), text_update(4, 8, "someone else")])
    async with asyncio.timeout(5):
        while "someone else" not in recorder.handled:
            await asyncio.sleep(0.01)
    assert recorder.handled == ["someone else"]  # user 7 waits for their first update
    recorder.hold["first"].set()
    await bare_inbox.wait_idle()
    assert recorder.handled == ["someone else", "first", "second", "third"]


async def test_the_same_update_twice_is_handled_once(bare_inbox: Inbox, recorder: Recorder) -> None:
    assert await bare_inbox.receive([text_update(1, 7, "hello")]) == [1]
    assert await bare_inbox.receive([text_update(1, 7, "hello")]) == []
    await bare_inbox.wait_idle()
    assert await bare_inbox.receive([text_update(1, 7, "hello")]) == []  # after it was handled, too
    await bare_inbox.wait_idle()
    assert recorder.handled == ["hello"]


async def test_a_batch_with_updates_seen_before_stores_and_handles_only_the_new_ones(
    bare_inbox: Inbox, recorder: Recorder
) -> None:
    assert await bare_inbox.receive([text_update(1, 7, "one"), text_update(2, 8, "two")]) == [1, 2]
    batch = [text_update(update_id, 9, f"#{update_id}") for update_id in (2, 3, 1, 4)]
    assert await bare_inbox.receive(batch) == [3, 4]
    await bare_inbox.wait_idle()
    assert sorted(recorder.handled) == ["#3", "#4", "one", "two"]


async def test_an_unparsable_update_is_recorded_and_skipped(bare_inbox: Inbox, recorder: Recorder) -> None:
    broken = {"update_id": 1, "message": {"message_id": "not a number", "chat": "?"}}
    await bare_inbox.receive([broken, text_update(2, 7, "after it")])
    await bare_inbox.wait_idle()
    assert recorder.handled == ["after it"]
    async with bare_inbox.database.reading() as uow:
        (failed,) = await uow.inbox.failed()
        assert json.loads(await uow.inbox.payload(1) or "") == broken  # kept as it came
    assert failed.update_id == 1
    assert failed.error is not None
    assert failed.error.startswith("unparsable")


async def test_a_handler_that_keeps_failing_is_given_up_after_three_tries(
    bare_inbox: Inbox, recorder: Recorder, app: Application
) -> None:
    recorder.failures["always"] = 99
    recorder.failures["once"] = 1
    await bare_inbox.receive(
        [text_update(1, 7, "always"), text_update(2, 7, "next"), text_update(3, 8, "once")]
    )
    await bare_inbox.wait_idle()
    assert recorder.handled == ["next", "once"] or recorder.handled == ["once", "next"]
    assert recorder.failures["always"] == 96  # three tries
    async with bare_inbox.database.reading() as uow:
        (failed,) = await uow.inbox.failed()
    assert (failed.update_id, failed.attempts) == (1, 3)
    assert failed.error == "RuntimeError: always failed"
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    told = [r for r in session.requests if isinstance(r, SendMessage)]
    assert [(r.chat_id, r.text) for r in told] == [
        (7, "⚠️ Біз жақта ақау шықты. Сәлден соң қайталап көріңіз немесе /menu жіберіңіз.")
    ]  # once, at the end, in the user's language


async def test_after_a_crash_the_unfinished_updates_are_handled_on_start(
    app: Application, recorder: Recorder, make_inbox: MakeInbox
) -> None:
    recorder.hold["stuck"] = asyncio.Event()
    crashed = make_inbox()
    await crashed.receive([text_update(1, 7, "stuck"), text_update(2, 7, "waiting")])
    await asyncio.sleep(0.05)
    for task in list(crashed._lane_tasks):  # the process dies: nothing finishes
        task.cancel()
    await asyncio.sleep(0)
    assert recorder.handled == []
    assert (await statuses(app.database))[InboxStatus.PENDING] == 2

    recorder.hold.clear()
    restarted = make_inbox()
    assert await restarted.resume() == 2
    await restarted.wait_idle()
    assert recorder.handled == ["stuck", "waiting"]
    assert (await statuses(app.database))[InboxStatus.DONE] == 2


async def test_an_update_that_kills_the_process_every_time_is_given_up(
    app: Application, recorder: Recorder, make_inbox: MakeInbox
) -> None:
    async with app.database.transaction() as uow:
        from storage.repositories.inbox import StoredUpdate

        payload = json.dumps(text_update(1, 7, "deadly"))
        await uow.inbox.store([StoredUpdate(1, 7, payload, attempts=0)], now=app.clock.now())
    for start in range(3):
        inbox = make_inbox()
        recorder.hold["deadly"] = asyncio.Event()
        queued = await inbox.resume()
        await asyncio.sleep(0.02)
        for task in list(inbox._lane_tasks):
            task.cancel()
        await asyncio.sleep(0)
        if start < 2:
            assert queued == 1
    async with app.database.reading() as uow:
        (failed,) = await uow.inbox.failed()
    assert failed.attempts == 3
    assert failed.error is not None
    assert "stopped while handling it" in failed.error
    assert recorder.handled == []


async def test_handled_updates_are_pruned_after_the_configured_days(
    bare_inbox: Inbox, recorder: Recorder, clock: ManualClock
) -> None:
    await bare_inbox.receive([text_update(1, 7, "old")])
    await bare_inbox.wait_idle()
    clock.advance(timedelta(days=3))
    await bare_inbox.receive([text_update(2, 7, "new")])
    await bare_inbox.wait_idle()
    assert await bare_inbox.prune(timedelta(days=7)) == 0
    assert await bare_inbox.prune(timedelta(days=2)) == 1
    counts = await statuses(bare_inbox.database)
    assert counts[InboxStatus.DONE] == 1


async def test_the_inbox_report_shows_counts_and_failures(
    harness: BotHarness, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.feed_raw({"update_id": 99, "message": {"bogus": True}})
    await harness.user(5).send("/start")
    assert await print_inbox_report(settings) == 0
    out = capsys.readouterr().out
    assert "pending: 0  done: 1  failed: 1" in out
    assert "99" in out
    assert "unparsable" in out


# The webhook: stored, then answered at once.


def _webhook_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "run_mode": "webhook",
            "webhook_url": "https://bot.example.kz/tg/hook",
            "webhook_secret": SecretStr(SECRET),
        }
    )


@pytest.fixture
async def hook(app: Application, settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    web_app = create_webhook_app(app.inbox, _webhook_settings(settings), app.database)
    async with TestClient(TestServer(web_app)) as client:
        yield client


def _recorded(app: Application) -> list[Any]:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    return session.requests


@pytest.mark.parametrize("header", [None, "wrong-secret"])
async def test_webhook_refuses_updates_without_the_secret(
    hook: TestClient[Any, Any], app: Application, header: str | None
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    response = await hook.post("/tg/hook", json=text_update(1, 3001, "/start"), headers=headers)
    assert response.status == 401
    await app.inbox.wait_idle()
    assert _recorded(app) == []
    assert sum((await statuses(app.database)).values()) == 0  # nothing stored


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}'])
async def test_webhook_answers_400_to_a_body_that_is_not_an_update(
    hook: TestClient[Any, Any], app: Application, body: bytes
) -> None:
    response = await hook.post("/tg/hook", data=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status == 400


async def test_webhook_answers_at_once_and_a_retried_update_is_handled_once(
    hook: TestClient[Any, Any], app: Application
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    update = text_update(1, 3001, "/start")
    for _ in range(2):  # Telegram did not get our first answer, say, and sends it again
        response = await hook.post("/tg/hook", json=update, headers=headers)
        assert response.status == 200
    await app.inbox.wait_idle()
    sent = [r for r in _recorded(app) if isinstance(r, SendMessage)]
    assert len(sent) == 1
    assert "Belsendi" in sent[0].text


async def test_webhook_does_not_wait_for_a_slow_handler(
    app: Application, recorder: Recorder, settings: Settings, make_inbox: MakeInbox
) -> None:
    recorder.hold["slow"] = asyncio.Event()
    inbox = make_inbox()
    web_app = create_webhook_app(inbox, _webhook_settings(settings), app.database)
    async with TestClient(TestServer(web_app)) as client, asyncio.timeout(2):
        response = await client.post(
            "/tg/hook", json=text_update(1, 9, "slow"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status == 200
    assert recorder.handled == []
    recorder.hold["slow"].set()
    await inbox.wait_idle()
    assert recorder.handled == ["slow"]


async def test_healthz(hook: TestClient[Any, Any]) -> None:
    response = await hook.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_healthz_reports_a_database_without_its_schema(
    app: Application, settings: Settings, tmp_path: Path
) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    web_app = create_webhook_app(app.inbox, _webhook_settings(settings), broken)
    try:
        async with TestClient(TestServer(web_app)) as client:
            response = await client.get("/healthz")
            assert response.status == 503
    finally:
        await broken.dispose()


# The poller, against the fake Telegram server over HTTP.


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def http_bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    yield bot
    await bot.session.close()


async def test_the_poller_confirms_only_what_the_inbox_stored(
    tg: FakeTelegram,
    http_bot: Bot,
    app: Application,
    recorder: Recorder,
    make_inbox: MakeInbox,
) -> None:
    recorder.hold["сәлем"] = asyncio.Event()
    inbox = make_inbox(bot=http_bot)
    stop = asyncio.Event()
    poller = Poller(http_bot, inbox, polling_timeout=1)
    running = asyncio.create_task(poller.run(stop))
    await tg.user(1, language_code="kk").send("сәлем")
    async with asyncio.timeout(5):
        while inbox.queued == 0:
            await asyncio.sleep(0.01)
    await tg.wait_confirmed(timeout=5)  # stored: confirmed, though its handler is still at work
    assert recorder.handled == []
    stop.set()
    await asyncio.wait_for(running, 5)
    recorder.hold["сәлем"].set()
    await inbox.stop(drain_timeout=5)
    assert recorder.handled == ["сәлем"]
    assert tg.pending_updates() == []


async def test_the_poller_does_not_confirm_what_the_database_refused(
    tg: FakeTelegram,
    http_bot: Bot,
    app: Application,
    recorder: Recorder,
    tmp_path: Path,
    make_inbox: MakeInbox,
) -> None:
    unmigrated = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    inbox = make_inbox(database=unmigrated, bot=http_bot, done_flush_delay=0.02)
    stop = asyncio.Event()
    running = asyncio.create_task(Poller(http_bot, inbox, polling_timeout=0).run(stop))
    await tg.user(1).send("hello")
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(running, 5)
    await unmigrated.dispose()
    assert len(tg.pending_updates()) == 1  # Telegram keeps it: nothing is lost


async def test_the_poller_beats_the_heartbeat_the_health_check_reads(
    tg: FakeTelegram,
    http_bot: Bot,
    app: Application,
    recorder: Recorder,
    tmp_path: Path,
    make_inbox: MakeInbox,
) -> None:
    heartbeat_file = tmp_path / "data" / "heartbeat"
    inbox = make_inbox(bot=http_bot)
    stop = asyncio.Event()
    poller = Poller(http_bot, inbox, polling_timeout=0, on_round_trip=Heartbeat(heartbeat_file))
    running = asyncio.create_task(poller.run(stop))
    async with asyncio.timeout(5):
        while heartbeat_age(heartbeat_file) is None:
            await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(running, 5)
    age = heartbeat_age(heartbeat_file)
    assert age is not None
    assert age < 5


def test_the_heartbeat_touches_its_file_at_most_every_few_seconds(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    beat = Heartbeat(path, every=60)
    beat()
    first = path.stat().st_mtime_ns
    os.utime(path, ns=(first - 10**9, first - 10**9))  # as if a second had passed
    beat()  # within the minute: not touched again (a busy poller would write it on every batch)
    assert path.stat().st_mtime_ns == first - 10**9
