"""aiogram FSM storage on the bot's own database, so conversations survive a restart.

State data is JSON, never pickle: what cannot be serialised fails loudly where it is stored.
"""

from __future__ import annotations

import json
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
    ) -> None:
        self.session_maker = session_maker
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(self.key_builder.build(key), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._read(self.key_builder.build(key))
        return record[0] if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(self.key_builder.build(key), data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._read(self.key_builder.build(key))
        return json.loads(record[1]) if record else {}

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""

    async def _read(self, key: str) -> tuple[str | None, str] | None:
        async with self.session_maker() as session:
            row = (
                await session.execute(select(FSMRecord.state, FSMRecord.data).where(FSMRecord.key == key))
            ).one_or_none()
            return (row.state, row.data) if row else None

    async def _write(self, key: str, **values: str | None) -> None:
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
