"""Broadcasts: an admin writes one message (in Kazakh and Russian, or one text for all) to a segment of
active users; each recipient's copy is an outbox row, sent at the sender's pace in their language.

- `start` writes one row per recipient in one transaction, each with the dedupe key
  `broadcast:<id>:<user>`, so starting twice (a double tap, two admins) sends once.
- **Pause** moves the broadcast's pending rows' `due_at` far ahead (`PAUSED_UNTIL`): the sender never
  finds them due, and nothing in the outbox's states changes. Rows already claimed (at most a batch)
  still go. **Resume** makes them due now. **Cancel** drops the pending ones with the reason
  "broadcast cancelled".
- Active users: consented, not blocked, and not muted ("🔕 Mute such notices" under every broadcast).
- Only admins (ADMIN_IDS) create, start, pause, resume, cancel or look: checked here on every call,
  whatever the button data says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bot.clock import Clock
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import Role
from storage.database import Database
from storage.repositories.broadcasts import BroadcastRecord
from storage.repositories.outbox import Message, OutboxStatus

BROADCAST = "broadcast"
TEXT_MAX = 3500  # leaves room in Telegram's 4096 for the mute line and escaping
PAUSED_UNTIL = datetime(3000, 1, 1, tzinfo=UTC)
CANCELLED = "broadcast cancelled"
LANGUAGES = ("kk", "ru")


class Status(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class NotAllowedError(Exception):
    """The one asking is not an admin."""


@dataclass(frozen=True, slots=True)
class Progress:
    broadcast_id: int
    status: Status
    recipients: int
    counts: dict[OutboxStatus, int]

    @property
    def waiting(self) -> int:
        return self.counts[OutboxStatus.PENDING] + self.counts[OutboxStatus.SENDING]


def valid_segment(segment: str) -> bool:
    kind, _, value = segment.partition(":")
    if kind == "everyone":
        return not value
    if kind == "role":
        return value in {role.value for role in Role}
    if kind == "region":
        return value in REGIONS_BY_CODE
    if kind == "language":
        return value in LANGUAGES
    return False


def _key_prefix(broadcast_id: int) -> str:
    return f"{BROADCAST}:{broadcast_id}:"


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text[:TEXT_MAX] or None


class BroadcastService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        admins: frozenset[int],
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admins = admins
        self.wake_sender = wake_sender

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    def _check(self, user_id: int) -> None:
        if not self.is_admin(user_id):
            raise NotAllowedError(user_id)

    async def create(self, admin_id: int, segment: str, text_kk: str | None, text_ru: str | None) -> int:
        """A draft; `text_ru` None: the Kazakh text is for everyone (and the other way round)."""
        self._check(admin_id)
        if not valid_segment(segment):
            raise ValueError(f"unknown segment {segment!r}")
        text_kk, text_ru = _clean(text_kk), _clean(text_ru)
        if text_kk is None and text_ru is None:
            raise ValueError("a broadcast needs a text")
        async with self.database.transaction() as uow:
            return await uow.broadcasts.create(admin_id, segment, text_kk, text_ru, now=self.clock.now())

    async def recipients(self, segment: str) -> list[int]:
        """Active users of `segment`: consented, not blocked, broadcasts not muted."""
        async with self.database.reading() as uow:
            return [user_id for user_id, _ in await uow.broadcasts.recipients(segment)]

    async def start(self, admin_id: int, broadcast_id: int) -> Progress | None:
        """One outbox row per recipient, in one transaction; a broadcast already started is left as it
        is (and its rows' keys would refuse a second copy anyway). None: no such broadcast."""
        self._check(admin_id)
        now = self.clock.now()
        async with self.database.transaction() as uow:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None:
                return None
            if broadcast.status == Status.DRAFT:
                recipients = await uow.broadcasts.recipients(broadcast.segment)
                params = {
                    "broadcast_id": broadcast.id,
                    "text_kk": broadcast.text_kk,
                    "text_ru": broadcast.text_ru,
                }
                for user_id, _ in recipients:
                    await uow.outbox.add(
                        Message(
                            kind=BROADCAST,
                            recipient=user_id,
                            due_at=now,
                            params=params,
                            dedupe_key=f"{_key_prefix(broadcast.id)}{user_id}",
                        ),
                        now=now,
                    )
                await uow.broadcasts.mark_started(broadcast.id, len(recipients), now=now)
        self.wake_sender()
        return await self.progress(admin_id, broadcast_id)

    async def pause(self, admin_id: int, broadcast_id: int) -> Progress | None:
        self._check(admin_id)
        async with self.database.transaction() as uow:
            if await uow.broadcasts.set_status(broadcast_id, Status.PAUSED, only_from=(Status.SENDING,)):
                await uow.outbox.reschedule_pending_with_key_prefix(_key_prefix(broadcast_id), PAUSED_UNTIL)
        return await self.progress(admin_id, broadcast_id)

    async def resume(self, admin_id: int, broadcast_id: int) -> Progress | None:
        self._check(admin_id)
        async with self.database.transaction() as uow:
            if await uow.broadcasts.set_status(broadcast_id, Status.SENDING, only_from=(Status.PAUSED,)):
                await uow.outbox.reschedule_pending_with_key_prefix(
                    _key_prefix(broadcast_id), self.clock.now()
                )
        self.wake_sender()
        return await self.progress(admin_id, broadcast_id)

    async def cancel(self, admin_id: int, broadcast_id: int) -> Progress | None:
        self._check(admin_id)
        async with self.database.transaction() as uow:
            changed = await uow.broadcasts.set_status(
                broadcast_id, Status.CANCELLED, only_from=(Status.DRAFT, Status.SENDING, Status.PAUSED)
            )
            if changed:
                await uow.outbox.drop_pending_with_key_prefix(_key_prefix(broadcast_id), CANCELLED)
        return await self.progress(admin_id, broadcast_id)

    async def progress(self, admin_id: int, broadcast_id: int) -> Progress | None:
        """Its rows by outbox status; a sending broadcast with nothing left to send becomes done."""
        self._check(admin_id)
        async with self.database.transaction() as uow:
            broadcast: BroadcastRecord | None = await uow.broadcasts.get(broadcast_id)
            if broadcast is None:
                return None
            counts = await uow.outbox.counts_with_key_prefix(_key_prefix(broadcast_id))
            status = Status(broadcast.status)
            waiting = counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING]
            if status is Status.SENDING and not waiting:
                await uow.broadcasts.set_status(broadcast_id, Status.DONE, only_from=(Status.SENDING,))
                status = Status.DONE
        return Progress(broadcast_id, status, broadcast.recipients, counts)

    async def mute(self, user_id: int) -> bool:
        """The user gets no more broadcasts; False if they had muted them already (or are unknown)."""
        async with self.database.transaction() as uow:
            return await uow.broadcasts.mute(user_id, now=self.clock.now())
