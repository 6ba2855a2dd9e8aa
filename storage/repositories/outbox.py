"""The outbox: messages the bot sends on its own initiative, written by use cases, sent by the sender.

A use case writes a row in its own unit of work (`await uow.outbox.add(Message(...), now=now)`), so the
message exists if and only if the change that caused it was committed. The sender claims due rows under
a lease, sends them and records the outcome; the statements here are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Base

_table = Base.metadata.tables["outbox"]
ERROR_MAX = 500
KIND_MAX = 32
DEDUPE_KEY_MAX = 128


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Message:
    """A message to send: what it is about (`kind` and `params`, JSON), never its text.

    `due_at`: not before; `expires_at`: not after (then it is dropped as "expired"); `dedupe_key`: a
    second message with the same key is not added (re-planning the same thing twice).
    """

    kind: str
    recipient: int
    due_at: datetime
    params: Mapping[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A row a sender holds under its lease."""

    id: int
    kind: str
    recipient: int
    params: dict[str, Any]
    attempts: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class FailedMessage:
    id: int
    kind: str
    recipient: int
    attempts: int
    created_at: datetime
    error: str | None


class OutboxRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, message: Message, *, now: datetime) -> int | None:
        """Add a pending message; returns its id, or None if one with its `dedupe_key` exists already."""
        if not message.kind or len(message.kind) > KIND_MAX:
            raise ValueError(f"kind must be 1-{KIND_MAX} characters")
        if message.dedupe_key is not None and len(message.dedupe_key) > DEDUPE_KEY_MAX:
            raise ValueError(f"dedupe_key must be at most {DEDUPE_KEY_MAX} characters")
        values = {
            "kind": message.kind,
            "recipient": message.recipient,
            # Refuses what JSON cannot hold now, in the use case, not later in the sender.
            "params": json.dumps(dict(message.params), ensure_ascii=False, sort_keys=True),
            "due_at": message.due_at,
            "expires_at": message.expires_at,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "dedupe_key": message.dedupe_key,
            "created_at": now,
        }
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(_table)
            .values(values)
            .on_conflict_do_nothing(index_elements=[_table.c.dedupe_key])
            .returning(_table.c.id)
        )
        added: int | None = (await self.connection.execute(statement)).scalar_one_or_none()
        return added

    async def add_many(self, messages: Sequence[Message], *, now: datetime) -> None:
        """Add many pending messages (a broadcast's copies) with one statement executed for all of them
        (executemany), not one compiled statement each; those whose `dedupe_key` exists already are
        skipped."""
        if not messages:
            return
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        statement = insert(_table).on_conflict_do_nothing(index_elements=[_table.c.dedupe_key])
        await self.connection.execute(statement, [self._values(message, now) for message in messages])

    @staticmethod
    def _values(message: Message, now: datetime) -> dict[str, Any]:
        if not message.kind or len(message.kind) > KIND_MAX:
            raise ValueError(f"kind must be 1-{KIND_MAX} characters")
        if message.dedupe_key is not None and len(message.dedupe_key) > DEDUPE_KEY_MAX:
            raise ValueError(f"dedupe_key must be at most {DEDUPE_KEY_MAX} characters")
        return {
            "kind": message.kind,
            "recipient": message.recipient,
            "params": json.dumps(dict(message.params), ensure_ascii=False, sort_keys=True),
            "due_at": message.due_at,
            "expires_at": message.expires_at,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "dedupe_key": message.dedupe_key,
            "created_at": now,
        }

    async def drop_expired(self, *, now: datetime) -> int:
        """Drop, as "expired", what is too late to send: pending rows and rows whose lease ran out."""
        result = await self.connection.execute(
            update(_table)
            .where(_table.c.expires_at <= now, _claimable(now))
            .values(status=OutboxStatus.DROPPED.value, error="expired", lease_owner=None, lease_until=None)
        )
        return int(result.rowcount)

    async def claim(
        self, owner: str, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedMessage]:
        """Take up to `limit` due rows (pending, or sending under a lease that ran out), oldest due
        first, under `owner`'s lease until `lease_until`; each claim counts as an attempt.

        One statement. On SQLite the writer's `BEGIN IMMEDIATE` makes it atomic. On PostgreSQL the
        subselect locks its rows and skips those another sender has locked (`FOR UPDATE SKIP LOCKED`),
        and the outer condition is checked again on the row as it is after a concurrent claim committed
        (READ COMMITTED re-evaluates the UPDATE's WHERE, not the subselect), so a row is never claimed by
        two senders under live leases.
        """
        due = (
            select(_table.c.id)
            .where(_claimable(now), _table.c.due_at <= now)
            .order_by(_table.c.due_at, _table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL only; SQLite renders nothing
            .scalar_subquery()
        )
        statement = (
            update(_table)
            .where(_table.c.id.in_(due), _claimable(now))
            .values(
                status=OutboxStatus.SENDING.value,
                lease_owner=owner,
                lease_until=lease_until,
                attempts=_table.c.attempts + 1,
            )
            .returning(
                _table.c.id,
                _table.c.kind,
                _table.c.recipient,
                _table.c.params,
                _table.c.attempts,
                _table.c.due_at,
            )
        )
        rows = [
            ClaimedMessage(row_id, kind, recipient, json.loads(params), attempts, due_at)
            for row_id, kind, recipient, params, attempts, due_at in await self.connection.execute(statement)
        ]
        rows.sort(key=lambda row: (row.due_at, row.id))  # RETURNING promises no order
        return rows

    async def mark_sent(self, message_ids: Iterable[int], *, now: datetime) -> None:
        """Telegram confirmed them. Recorded whoever holds the lease now: they were sent."""
        await self.connection.execute(
            update(_table)
            .where(_table.c.id.in_(list(message_ids)))
            .values(
                status=OutboxStatus.SENT.value, sent_at=now, lease_owner=None, lease_until=None, error=None
            )
        )

    async def release(
        self,
        message_id: int,
        owner: str,
        *,
        due_at: datetime,
        error: str | None = None,
        give_back_attempt: bool = False,
    ) -> bool:
        """Back to pending, due at `due_at`, if `owner` still holds it; False if it did not."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING.value,
            "due_at": due_at,
            "lease_owner": None,
            "lease_until": None,
            "error": error[:ERROR_MAX] if error else None,
        }
        if give_back_attempt:
            values["attempts"] = self._one_attempt_less()
        result = await self.connection.execute(
            update(_table).where(_held_by(owner), _table.c.id == message_id).values(**values)
        )
        return bool(result.rowcount)

    async def release_all(self, owner: str, message_ids: Iterable[int]) -> int:
        """Give back rows `owner` claimed and did not send (a clean stop): pending again, the claim's
        attempt given back."""
        ids = list(message_ids)
        if not ids:
            return 0
        attempts = self._one_attempt_less()
        result = await self.connection.execute(
            update(_table)
            .where(_held_by(owner), _table.c.id.in_(ids))
            .values(status=OutboxStatus.PENDING.value, lease_owner=None, lease_until=None, attempts=attempts)
        )
        return int(result.rowcount)

    async def finish(self, message_id: int, owner: str, status: OutboxStatus, reason: str) -> bool:
        """Record a row `owner` holds as failed or dropped, with the reason."""
        if status not in (OutboxStatus.FAILED, OutboxStatus.DROPPED):
            raise ValueError("finish() records failed or dropped rows")
        result = await self.connection.execute(
            update(_table)
            .where(_held_by(owner), _table.c.id == message_id)
            .values(status=status.value, error=reason[:ERROR_MAX], lease_owner=None, lease_until=None)
        )
        return bool(result.rowcount)

    async def drop_for_recipient(
        self,
        recipient: int,
        reason: str,
        *,
        owner: str,
        kinds: Collection[str] | None = None,
        forget_params: bool = False,
    ) -> int:
        """Drop what is still to be sent to `recipient` (of `kinds` only, if given): pending rows and
        those `owner` holds; with `forget_params` what they said goes too (the recipient erased their
        data)."""
        statement = (
            update(_table)
            .where(
                _table.c.recipient == recipient,
                or_(_table.c.status == OutboxStatus.PENDING.value, _held_by(owner)),
                _table.c.kind.in_(list(kinds)) if kinds is not None else true(),
            )
            .values(status=OutboxStatus.DROPPED.value, error=reason[:ERROR_MAX], lease_owner=None)
            .values(lease_until=None)
        )
        if forget_params:
            statement = statement.values(params="{}")
        result = await self.connection.execute(statement)
        return int(result.rowcount)

    async def drop_pending_with_key_prefix(
        self, prefix: str, reason: str, *, release_keys: bool = False, forget_params: bool = False
    ) -> int:
        """Drop the pending rows whose dedupe key starts with `prefix` (a plan that no longer holds);
        with `release_keys` their keys are freed, so that the same plan can be made again; with
        `forget_params` what they said goes too (someone's erased data)."""
        values: dict[str, Any] = {"status": OutboxStatus.DROPPED.value, "error": reason[:ERROR_MAX]}
        if release_keys:
            values["dedupe_key"] = None
        if forget_params:
            values["params"] = "{}"
        result = await self.connection.execute(
            update(_table)
            .where(_table.c.status == OutboxStatus.PENDING.value, _key_prefix(prefix))
            .values(**values)
        )
        return int(result.rowcount)

    async def reschedule_pending_with_key_prefix(self, prefix: str, due_at: datetime) -> int:
        """Move the pending rows whose dedupe key starts with `prefix` to `due_at` (a broadcast paused:
        far ahead; resumed: now)."""
        result = await self.connection.execute(
            update(_table)
            .where(_table.c.status == OutboxStatus.PENDING.value, _key_prefix(prefix))
            .values(due_at=due_at)
        )
        return int(result.rowcount)

    async def counts_with_key_prefix(self, prefix: str) -> dict[OutboxStatus, int]:
        """Rows by status among those whose dedupe key starts with `prefix`."""
        statement = select(_table.c.status, func.count()).where(_key_prefix(prefix)).group_by(_table.c.status)
        counts = dict.fromkeys(OutboxStatus, 0)
        for status, count in await self.connection.execute(statement):
            counts[OutboxStatus(status)] = count
        return counts

    async def dropped_with_key_prefix(self, prefix: str, reason: str) -> int:
        """How many rows whose dedupe key starts with `prefix` were dropped for `reason` ("blocked")."""
        statement = select(func.count()).where(
            _key_prefix(prefix), _table.c.status == OutboxStatus.DROPPED.value, _table.c.error == reason
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def release_expired_leases(self, *, now: datetime) -> int:
        """Rows whose sender died while holding them: pending again (the claim's attempt stays counted,
        so a row that kills its sender every time runs out of attempts)."""
        result = await self.connection.execute(
            update(_table)
            .where(_table.c.status == OutboxStatus.SENDING.value, _table.c.lease_until < now)
            .values(status=OutboxStatus.PENDING.value, lease_owner=None, lease_until=None)
        )
        return int(result.rowcount)

    async def prune(self, *, before: datetime) -> int:
        """Forget sent and dropped rows older than `before` (failed ones stay, to be looked at)."""
        finished_at = func.coalesce(_table.c.sent_at, _table.c.due_at)
        result = await self.connection.execute(
            delete(_table).where(
                _table.c.status.in_([OutboxStatus.SENT.value, OutboxStatus.DROPPED.value]),
                finished_at < before,
            )
        )
        return int(result.rowcount)

    async def next_due(self) -> datetime | None:
        """When the earliest pending row is due (None when none is pending)."""
        statement = select(func.min(_table.c.due_at)).where(_table.c.status == OutboxStatus.PENDING.value)
        due: datetime | None = (await self.connection.execute(statement)).scalar_one_or_none()
        return due

    async def counts(self) -> dict[str, dict[OutboxStatus, int]]:
        """Rows by kind and status."""
        statement = select(_table.c.kind, _table.c.status, func.count()).group_by(
            _table.c.kind, _table.c.status
        )
        counts: dict[str, dict[OutboxStatus, int]] = {}
        for kind, status, count in await self.connection.execute(statement):
            counts.setdefault(kind, dict.fromkeys(OutboxStatus, 0))[OutboxStatus(status)] = count
        return dict(sorted(counts.items()))

    async def failed(self, limit: int = 20) -> list[FailedMessage]:
        statement = (
            select(
                _table.c.id,
                _table.c.kind,
                _table.c.recipient,
                _table.c.attempts,
                _table.c.created_at,
                _table.c.error,
            )
            .where(_table.c.status == OutboxStatus.FAILED.value)
            .order_by(_table.c.id.desc())
            .limit(limit)
        )
        return [FailedMessage(*row) for row in await self.connection.execute(statement)]

    async def retry(self, message_ids: Sequence[int] | None, *, now: datetime) -> list[int]:
        """Failed rows back to pending, due now, with their attempts reset; `None`: every failed row.
        Returns the ids put back (ids that are not failed rows are left alone)."""
        condition: ColumnElement[bool] = _table.c.status == OutboxStatus.FAILED.value
        if message_ids is not None:
            condition = and_(condition, _table.c.id.in_(list(message_ids)))
        result = await self.connection.execute(
            update(_table)
            .where(condition)
            .values(status=OutboxStatus.PENDING.value, due_at=now, attempts=0, error=None)
            .returning(_table.c.id)
        )
        return sorted(result.scalars())

    async def get_status(self, message_id: int) -> tuple[OutboxStatus, str | None] | None:
        """A row's status and its error (for tests and the CLI)."""
        statement = select(_table.c.status, _table.c.error).where(_table.c.id == message_id)
        row = (await self.connection.execute(statement)).first()
        return (OutboxStatus(row[0]), row[1]) if row else None

    def _one_attempt_less(self) -> ColumnElement[int]:
        # Scalar max() is SQLite's spelling of PostgreSQL's greatest().
        larger = func.max if self.connection.dialect.name == "sqlite" else func.greatest
        return larger(_table.c.attempts - 1, 0)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending, or sending under a lease that ran out (its sender died)."""
    return or_(
        _table.c.status == OutboxStatus.PENDING.value,
        and_(_table.c.status == OutboxStatus.SENDING.value, _table.c.lease_until < now),
    )


def _held_by(owner: str) -> ColumnElement[bool]:
    return and_(_table.c.status == OutboxStatus.SENDING.value, _table.c.lease_owner == owner)


def _key_prefix(prefix: str) -> ColumnElement[bool]:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _table.c.dedupe_key.like(escaped + "%", escape="\\")
