"""What one update costs the database, and that what it reads is never stale: the user and their
conversation come in one statement, a read-only update takes no write lock, and a change made by
another process between two updates is seen by the next one."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiosqlite
import pytest
from aiogram import Router
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import Response
from aiogram.types import ChatFullInfo, Message

from bot.app import Application
from bot.views.profile import ProfileAction, ProfileCallback
from storage import sqlite
from storage.database import Database
from storage.fsm import SQLStorage
from tests.harness import BotHarness, recording_bot, stored_user, texts


@contextmanager
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The trips to SQLite's threads (aiosqlite's connections) meanwhile, each as what it did:
    "SELECT", "BEGIN IMMEDIATE + INSERT" (a write transaction's first statement), "COMMIT"..."""
    seen: list[str] = []
    execute = aiosqlite.Connection._execute

    async def record(connection: aiosqlite.Connection, function: Any, *args: Any, **kwargs: Any) -> Any:
        if function is sqlite._run:
            _driver, begin, operation, _parameters = args
            seen.append(("BEGIN IMMEDIATE + " if begin else "") + operation.split()[0].upper())
        else:
            seen.append(getattr(function, "__name__", repr(function)).upper())
        return await execute(connection, function, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", record)
        yield seen


async def test_a_read_only_update_is_one_select_and_takes_no_write_lock(
    harness: BotHarness, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = harness.user(8001, language_code="kk")
    await user.onboard("kk")
    with trips(monkeypatch) as seen:
        assert texts(await user.send("/help"))
    # The inbox stores the update; one SELECT reads the user and their conversation; /help changes
    # nothing, so no write of its own; the inbox marks the update done. One trip each, and one for
    # each commit: a read-only unit of work has nothing to end.
    assert seen == ["BEGIN IMMEDIATE + INSERT", "COMMIT", "SELECT", "BEGIN IMMEDIATE + UPDATE", "COMMIT"]


async def test_a_conversation_changed_by_another_process_is_seen_by_the_next_update(
    harness: BotHarness, app: Application, database_url: str
) -> None:
    user = harness.user(8002, language_code="kk")
    await user.onboard("kk")
    await user.press(ProfileCallback(action=ProfileAction.NAME))  # the bot now waits for a name
    other = Database(database_url)  # another process: an admin's CLI, a replica
    try:
        key = StorageKey(bot_id=harness.bot.id, chat_id=8002, user_id=8002)
        await SQLStorage(other).clear(key)
    finally:
        await other.dispose()
    seen = texts(await user.send("Жаңа ат"))
    assert "Атыңыз сақталды" not in " ".join(seen)  # no longer waiting for a name: the bot knows it
    stored = await stored_user(app.database, 8002)
    assert stored is not None
    assert stored.name != "Жаңа ат"


async def test_a_state_written_during_an_update_is_what_a_later_read_in_it_sees(
    harness: BotHarness, app: Application
) -> None:
    user = harness.user(8003, language_code="kk")
    await user.onboard("kk")
    await user.press(ProfileCallback(action=ProfileAction.NAME))
    seen = texts(await user.send("Айгүл"))
    assert any("Атыңыз сақталды" in text for text in seen)
    stored = await stored_user(app.database, 8003)
    assert stored is not None
    assert stored.name == "Айгүл"


def test_no_filter_or_handler_runs_in_a_thread(app: Application) -> None:
    # aiogram runs a filter or handler that is not a coroutine (a bare `F`, a `State`, a plain
    # function) in a thread, a trip there and back on every update that reaches it: use `Matches(F...)`
    # and `StateFilter(...)` (bot/filters.py), which are checked on the event loop.
    in_threads: list[str] = []

    def walk(router: Router) -> None:
        for name, observer in router.observers.items():
            # The router's own filters (`router.message.filter(...)`) sit on the observer's handler.
            checks = [("router filter", check) for check in observer._handler.filters or []]
            for handler in observer.handlers:
                checks.append(("handler", handler))
                checks.extend(("filter", check) for check in handler.filters or [])
            in_threads.extend(
                f"{router.name}.{name} {what}: {check.callback!r}"
                for what, check in checks
                if not check.awaitable
            )
        for sub_router in router.sub_routers:
            walk(sub_router)

    walk(app.dispatcher)
    assert in_threads == []


async def test_the_answer_types_of_the_bots_calls_stay_built() -> None:
    # aiogram parses each answer with pydantic's Response[T]; pydantic holds those classes weakly, so
    # the garbage collector takes one that nothing holds, and the next call builds it again.
    unused = weakref.ref(Response[ChatFullInfo])
    gc.collect()
    assert unused() is None
    bot, _session = recording_bot()
    await bot.send_message(1, "Сәлем")
    used = weakref.ref(Response[Message])
    gc.collect()
    assert used() is not None
    assert Response[Message] is used()
