"""Grant subscriptions: the SQL of what users want to hear of, the calls that reached them (one row per
user and call) and the calls they marked "not relevant"."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_subscriptions = Base.metadata.tables["grant_subscriptions"]
_alerts = Base.metadata.tables["grant_alerts"]
_hidden = Base.metadata.tables["grant_hidden"]
_grants = Base.metadata.tables["grants"]
_subscribers = _subscriptions.c


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A user's subscription: codes and words as tuples (empty: any)."""

    user_id: int
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    words: tuple[str, ...]
    delivery: str
    active: bool


def _record(row: object) -> SubscriptionRecord:
    return SubscriptionRecord(
        user_id=int(row.user_id),  # type: ignore[attr-defined]
        sectors=tuple(row.sectors.split()),  # type: ignore[attr-defined]
        regions=tuple(row.regions.split()),  # type: ignore[attr-defined]
        words=tuple(row.words.split()),  # type: ignore[attr-defined]
        delivery=str(row.delivery),  # type: ignore[attr-defined]
        active=bool(row.active),  # type: ignore[attr-defined]
    )


_COLUMNS = (
    _subscribers.user_id,
    _subscribers.sectors,
    _subscribers.regions,
    _subscribers.words,
    _subscribers.delivery,
    _subscribers.active,
)


class GrantSubscriptionRepository:
    """SQL for grant subscriptions, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    def _insert(self, table: Table) -> Any:
        """An INSERT with this dialect's ON CONFLICT (both dialects spell it the same)."""
        return (pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert)(table)

    # Subscriptions

    async def get(self, user_id: int) -> SubscriptionRecord | None:
        row = (
            await self.connection.execute(select(*_COLUMNS).where(_subscribers.user_id == user_id))
        ).first()
        return _record(row) if row else None

    async def save(self, record: SubscriptionRecord, *, now: datetime) -> None:
        """Write the subscription as it is in `record` (added or replaced)."""
        values = {
            "sectors": " ".join(record.sectors),
            "regions": " ".join(record.regions),
            "words": " ".join(record.words),
            "delivery": record.delivery,
            "active": record.active,
            "updated_at": now,
        }
        statement = (
            self._insert(_subscriptions)
            .values(user_id=record.user_id, created_at=now, **values)
            .on_conflict_do_update(index_elements=[_subscribers.user_id], set_=values)
        )
        await self.connection.execute(statement)

    async def active(self) -> list[SubscriptionRecord]:
        statement = select(*_COLUMNS).where(_subscribers.active.is_(True)).order_by(_subscribers.user_id)
        return [_record(row) for row in await self.connection.execute(statement)]

    async def search_texts(self, grant_ids: Collection[int]) -> dict[int, str]:
        """Each call's normalized words (title and body), as the search index has them."""
        if not grant_ids:
            return {}
        statement = select(_grants.c.id, _grants.c.search_title, _grants.c.search_body).where(
            _grants.c.id.in_(list(grant_ids))
        )
        return {
            int(grant_id): f"{title} {body}"
            for grant_id, title, body in await self.connection.execute(statement)
        }

    # The calls that reached a user

    async def add_alert(self, user_id: int, grant_id: int, delivery: str, *, now: datetime) -> bool:
        """Record that a call matched the user; False when it had already (nothing is announced twice)."""
        statement = (
            self._insert(_alerts)
            .values(user_id=user_id, grant_id=grant_id, delivery=delivery, created_at=now)
            .on_conflict_do_nothing(index_elements=[_alerts.c.user_id, _alerts.c.grant_id])
            .returning(_alerts.c.grant_id)
        )
        return (await self.connection.execute(statement)).scalar_one_or_none() is not None

    async def waiting_for_digest(
        self, *, before: datetime, user_id: int | None = None
    ) -> dict[int, list[int]]:
        """The weekly alerts recorded before `before` that no digest took yet, of those still
        subscribed weekly (of one user, or all): call ids by user, oldest first."""
        statement = (
            select(_alerts.c.user_id, _alerts.c.grant_id)
            .select_from(_alerts.join(_subscriptions, _subscribers.user_id == _alerts.c.user_id))
            .where(
                _alerts.c.delivery == "weekly",
                _alerts.c.digested_at.is_(None),
                _alerts.c.created_at < before,
                _subscribers.active.is_(True),
                _subscribers.delivery == "weekly",
            )
            .order_by(_alerts.c.user_id, _alerts.c.created_at, _alerts.c.grant_id)
        )
        if user_id is not None:
            statement = statement.where(_alerts.c.user_id == user_id)
        waiting: dict[int, list[int]] = {}
        for user_id, grant_id in await self.connection.execute(statement):
            waiting.setdefault(int(user_id), []).append(int(grant_id))
        return waiting

    async def waiting_of(self, user_id: int) -> list[int]:
        """The user's weekly alerts no digest took yet, oldest first."""
        statement = (
            select(_alerts.c.grant_id)
            .where(
                _alerts.c.user_id == user_id,
                _alerts.c.delivery == "weekly",
                _alerts.c.digested_at.is_(None),
            )
            .order_by(_alerts.c.created_at, _alerts.c.grant_id)
        )
        return [int(grant_id) for grant_id in (await self.connection.execute(statement)).scalars()]

    async def mark_digested(self, user_id: int, grant_ids: Collection[int], *, now: datetime) -> None:
        if grant_ids:
            await self.connection.execute(
                update(_alerts)
                .where(_alerts.c.user_id == user_id, _alerts.c.grant_id.in_(list(grant_ids)))
                .values(digested_at=now)
            )

    async def settle_waiting(self, user_id: int, *, now: datetime) -> int:
        """Weekly alerts no digest will take (the user unsubscribed or chose instant) are let go."""
        result = await self.connection.execute(
            update(_alerts)
            .where(
                _alerts.c.user_id == user_id,
                _alerts.c.delivery == "weekly",
                _alerts.c.digested_at.is_(None),
            )
            .values(digested_at=now)
        )
        return int(result.rowcount)

    # Calls marked "not relevant"

    async def hide(self, user_id: int, grant_id: int, *, now: datetime) -> bool:
        statement = (
            self._insert(_hidden)
            .values(user_id=user_id, grant_id=grant_id, hidden_at=now)
            .on_conflict_do_nothing(index_elements=[_hidden.c.user_id, _hidden.c.grant_id])
        )
        return bool((await self.connection.execute(statement)).rowcount)

    async def unhide(self, user_id: int, grant_ids: Iterable[int] | None = None) -> int:
        """Show the calls again (all the user hid, when `grant_ids` is None); how many were hidden."""
        condition = _hidden.c.user_id == user_id
        if grant_ids is not None:
            condition = and_(condition, _hidden.c.grant_id.in_(list(grant_ids)))
        return int((await self.connection.execute(delete(_hidden).where(condition))).rowcount)

    async def hidden(self, user_id: int, grant_ids: Collection[int]) -> set[int]:
        """Which of these calls the user hid."""
        if not grant_ids:
            return set()
        statement = select(_hidden.c.grant_id).where(
            _hidden.c.user_id == user_id, _hidden.c.grant_id.in_(list(grant_ids))
        )
        return {int(grant_id) for grant_id in (await self.connection.execute(statement)).scalars()}

    async def hidden_count(self, user_id: int) -> int:
        statement = select(func.count()).select_from(_hidden).where(_hidden.c.user_id == user_id)
        return int((await self.connection.execute(statement)).scalar_one())
