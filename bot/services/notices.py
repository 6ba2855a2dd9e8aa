"""Notices: a plain text for one user, in both languages, sent by the outbox (bot/views/notices.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.clock import Clock
from bot.outbox_kinds import Kind
from storage.database import Database
from storage.repositories.outbox import Message


class NoticeService:
    """`wake_sender` is called after a notice is committed, so that it goes out at once."""

    def __init__(self, database: Database, clock: Clock, wake_sender: Callable[[], None]) -> None:
        self.database = database
        self.clock = clock
        self.wake_sender = wake_sender

    async def send_notice(
        self,
        recipient: int,
        *,
        text_kk: str,
        text_ru: str,
        due_at: datetime | None = None,
        expires_at: datetime | None = None,
        dedupe_key: str | None = None,
    ) -> int | None:
        """Plan a notice; returns its outbox id (None: one with this `dedupe_key` was planned before)."""
        if not text_kk.strip() and not text_ru.strip():
            raise ValueError("a notice needs a text")
        now = self.clock.now()
        message = Message(
            kind=Kind.NOTICE,
            recipient=recipient,
            params={"text_kk": text_kk, "text_ru": text_ru},
            due_at=due_at or now,
            expires_at=expires_at,
            dedupe_key=dedupe_key,
        )
        async with self.database.transaction() as uow:
            message_id = await uow.outbox.add(message, now=now)
        self.wake_sender()
        return message_id
