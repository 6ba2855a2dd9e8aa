"""What one update costs the database, and that what it reads is never stale: the user and their
conversation come in one statement, a read-only update takes no write lock, and a change made by
another process between two updates is seen by the next one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event

from bot.app import Application
from bot.views.profile import ProfileAction, ProfileCallback
from storage.database import Database
from storage.fsm import SQLStorage
from tests.harness import BotHarness, stored_user, texts


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements sent on the writer and the readers meanwhile."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0].upper() + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    engines = {database.writer.sync_engine, database.reader.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def test_a_read_only_update_is_one_select_and_takes_no_write_lock(
    harness: BotHarness, app: Application
) -> None:
    user = harness.user(8001, language_code="kk")
    await user.onboard("kk")
    with statements(app.database) as seen:
        assert texts(await user.send("/help"))
    # The inbox stores the update; one SELECT reads the user and their conversation; /help changes
    # nothing, so no write of its own; the inbox marks the update done. (Commits are not statements.)
    assert seen == ["BEGIN IMMEDIATE", "INSERT", "SELECT", "BEGIN IMMEDIATE", "UPDATE"]


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
