"""Conversation state (aiogram FSM) rows: one per key, removed when it holds nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_table = Base.metadata.tables["fsm_states"]
EMPTY_DATA = "{}"


class FSMRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, key: str) -> tuple[str | None, str]:
        """(state, data as JSON); a key never written reads as no state and no data."""
        statement = select(_table.c.state, _table.c.data).where(_table.c.key == key)
        row = (await self.connection.execute(statement)).first()
        return (row.state, row.data) if row else (None, EMPTY_DATA)

    async def put(self, key: str, *, now: datetime, **values: str | None) -> None:
        """Set `state` and/or `data` (JSON) of a key in one statement; an emptied key is removed."""
        if "data" in values and values["data"] is None:
            values["data"] = EMPTY_DATA
        empties = {"state": None, "data": EMPTY_DATA}
        if all(values.get(name, empty) == empty for name, empty in empties.items()) and set(values) == set(
            empties
        ):
            await self.connection.execute(delete(_table).where(_table.c.key == key))
            return
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        statement = insert(_table).values(key=key, updated_at=now, **{**empties, **values})
        statement = statement.on_conflict_do_update(
            index_elements=[_table.c.key], set_={**values, "updated_at": now}
        )
        await self.connection.execute(statement)
        if any(values.get(name, empty) == empty for name, empty in empties.items()):
            # One half is now empty: if the other is too, the row holds nothing.
            await self.connection.execute(
                delete(_table).where(
                    _table.c.key == key, _table.c.state.is_(None), _table.c.data == EMPTY_DATA
                )
            )

    async def delete_user(self, user_id: int) -> None:
        """Every conversation of a user in their private chat (keys `fsm:<chat>:<user>:<destiny>`)."""
        await self.connection.execute(delete(_table).where(_table.c.key.like(f"fsm:{user_id}:{user_id}:%")))
