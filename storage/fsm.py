"""aiogram FSM storage on the bot's own database, so conversations survive a restart.

State data is JSON, never pickle: what cannot be serialised fails loudly where it is stored.

aiogram reads the state of every update, and most users have none: with `cache=True` reads are
served from memory after the first, and writes that change nothing are skipped. The database stays
the truth (every change is written through before it is cached), so this is right for one process
per database, which is what SQLite is; replicas sharing PostgreSQL must not cache.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FSMRecord, utcnow


class SQLStorage(BaseStorage):
    """One row per key in `fsm_states`; a row with no state and no data is removed."""

    def __init__(
        self,
        session_maker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
        *,
        cache: bool = False,
        cache_size: int = 10_000,
    ) -> None:
        self.session_maker = session_maker
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self.cache_size = cache_size
        # key -> (state, data as JSON), most recently used last; no row is cached as (None, "{}").
        self._cache: OrderedDict[str, tuple[str | None, str]] | None = OrderedDict() if cache else None

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(self.key_builder.build(key), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(self.key_builder.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(self.key_builder.build(key), data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((await self._read(self.key_builder.build(key)))[1])
        return data

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""

    async def _read(self, key: str) -> tuple[str | None, str]:
        if self._cache is not None and key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        async with self.session_maker() as session:
            row = (
                await session.execute(select(FSMRecord.state, FSMRecord.data).where(FSMRecord.key == key))
            ).one_or_none()
        record = (row.state, row.data) if row else (None, "{}")
        self._remember(key, record)
        return record

    def _remember(self, key: str, record: tuple[str | None, str]) -> None:
        if self._cache is None:
            return
        self._cache[key] = record
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def _write(self, key: str, **values: str | None) -> None:
        cached = self._cache.get(key) if self._cache is not None else None
        if cached is not None:
            record = (values.get("state", cached[0]), values.get("data", cached[1]) or "{}")
            if record == cached:
                return  # nothing changes: clear() on an empty state, say
        await self._write_through(key, **values)
        if cached is not None:
            self._remember(key, record)
        elif self._cache is not None:
            self._cache.pop(key, None)  # half known: read it afresh next time

    async def _write_through(self, key: str, **values: str | None) -> None:
        async with self.session_maker() as session, session.begin():
            result = await session.execute(
                update(FSMRecord).where(FSMRecord.key == key).values(**values, updated_at=utcnow())
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                if _is_empty(values.get("state"), values.get("data")):
                    return
                try:
                    async with session.begin_nested():
                        session.add(FSMRecord(key=key, **values))
                except IntegrityError:
                    # Another writer inserted the key first: ours is the later value.
                    await session.execute(update(FSMRecord).where(FSMRecord.key == key).values(**values))
            await session.execute(
                delete(FSMRecord).where(
                    FSMRecord.key == key, FSMRecord.state.is_(None), FSMRecord.data == "{}"
                )
            )


def _is_empty(state: str | None, data: str | None) -> bool:
    return state is None and data in (None, "{}")
