"""aiogram FSM storage on the bot's own database, so conversations survive a restart.

State data is JSON, never pickle: what cannot be serialised fails loudly where it is stored. Reads go
to the reader pool; every write is its own short transaction. No cache: another process (a replica,
the CLI) may change a state, and a cache in this one would not know.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from storage.database import Database
from storage.models import utcnow

Record = tuple[str | None, str]  # (state, data as JSON)

# The conversation of the update being handled, read with its user in one statement (see `primed`).
_primed: ContextVar[dict[str, Record] | None] = ContextVar("fsm_primed", default=None)


class SQLStorage(BaseStorage):
    """One row per key in `fsm_states`; a row with no state and no data is removed."""

    def __init__(
        self,
        database: Database,
        key_builder: KeyBuilder | None = None,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self.now = now

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._put(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._get(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._put(key, data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((await self._get(key))[1])
        return data

    async def set(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None:
        """State and data in one write."""
        value = state.state if isinstance(state, State) else state
        await self._put(key, state=value, data=json.dumps(dict(data), ensure_ascii=False))

    async def clear(self, key: StorageKey) -> None:
        """State and data in one write (aiogram's FSMContext.clear would take two)."""
        await self._put(key, state=None, data=None)

    async def close(self) -> None:
        """The database belongs to the application, which disposes of it."""

    def storage_key(self, key: StorageKey) -> str:
        """The row key of a conversation."""
        return self.key_builder.build(key)

    @contextmanager
    def primed(self, key: str, record: Record) -> Iterator[None]:
        """While one update is handled: its conversation as read a moment ago with its user, so that
        aiogram's read of the state costs nothing. Kept for that update only (writes go through and
        update it), never across updates: another process may change the state in between."""
        token = _primed.set({key: record})
        try:
            yield
        finally:
            _primed.reset(token)

    async def _get(self, key: StorageKey) -> Record:
        built = self.key_builder.build(key)
        primed = _primed.get()
        if primed is not None and built in primed:
            return primed[built]
        async with self.database.reading() as uow:
            return await uow.fsm.get(built)

    async def _put(self, key: StorageKey, **values: str | None) -> None:
        built = self.key_builder.build(key)
        async with self.database.transaction() as uow:
            await uow.fsm.put(built, now=self.now(), **values)
        primed = _primed.get()
        if primed is not None and built in primed:
            state, data = primed[built]
            primed[built] = (values.get("state", state), values.get("data", data) or "{}")


async def end_conversation(state: FSMContext, raw_state: str | None) -> None:
    """Forget a conversation's state and data in one write, and skip the write when there is none."""
    if raw_state is None:
        return  # most updates: nothing to forget, and no write to wait for
    storage = state.storage
    if isinstance(storage, SQLStorage):
        await storage.clear(state.key)
    else:
        await state.clear()


async def start_conversation(state: FSMContext, new_state: State, data: Mapping[str, Any]) -> None:
    """Enter `new_state` with `data` (replacing what was there) in one write."""
    storage = state.storage
    if isinstance(storage, SQLStorage):
        await storage.set(state.key, new_state, data)
    else:
        await state.set_state(new_state)
        await state.set_data(dict(data))


async def conversation_data(state: FSMContext, raw_state: str | None, expected: State) -> dict[str, Any]:
    """The data of the conversation in `expected`; empty (and nothing read) in any other state."""
    if raw_state is None or raw_state != expected.state:
        return {}
    return await state.get_data()


# The key, in a dialog's data, of the id of the message that shows the dialog's question with its buttons
# (onboarding's question, the NGO-profile dialog, a question about a grant call): when the dialog ends
# another way (/cancel), that message loses its buttons (handlers/menu.py), as onboarding retires its
# question (handlers/onboarding.py retire_question), so no button there says "out of date" later.
DIALOG_MESSAGE = "message"


async def dialog_message(state: FSMContext, raw_state: str | None) -> int | None:
    """The id of the message showing the open dialog's question, if the dialog keeps one."""
    if raw_state is None:
        return None
    return dialog_message_in(await state.get_data())


def dialog_message_in(data: Mapping[str, Any]) -> int | None:
    """The id of the dialog's question message in its data, if it keeps one."""
    message_id = data.get(DIALOG_MESSAGE)
    return message_id if isinstance(message_id, int) else None
