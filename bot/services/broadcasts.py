"""Broadcasts: an admin writes one message (in Kazakh and Russian, or one text for all, with an optional
photo or document) to a segment of active users, or an organizer to the people of their own event; each
recipient's copy is an outbox row, sent at the sender's pace in their language.

- `start` writes one row per recipient in one transaction, each with the dedupe key
  `broadcast:<id>:<user>`, so starting twice (a double tap, two admins, a scan run twice) sends once.
- **Scheduled** broadcasts wait as rows of `broadcasts` (status `scheduled`, `scheduled_at`); the
  "broadcasts-start" scan (`start_due`) starts those whose time has come, once: the start is the same
  conditional `scheduled → sending` update, so a scan run twice, or after downtime, starts it once.
  Until then its texts and time can be changed, or it can be cancelled.
- **Pause** moves the broadcast's pending rows' `due_at` far ahead (`PAUSED_UNTIL`): the sender never
  finds them due, and nothing in the outbox's states changes. Rows already claimed (at most a batch)
  still go. **Resume** makes them due now. **Cancel** drops the pending ones with the reason
  "broadcast cancelled".
- **Progress** counts the broadcast's rows by outcome; a sending broadcast with nothing left becomes
  done. Done or cancelled once started, a report to its author is written to the outbox in the same
  transaction; `live()` and `mark_reported` serve the progress message edited live
  (bot/broadcast_progress.py).
- Active users: consented, not blocked, and (admins' broadcasts) not muted. An event's people are its
  registered volunteers (a seat), its waitlist, or those who attended (not recorded yet: nobody).
- Only admins (ADMIN_IDS or promoted), and for an event's people its organizer, create, start, pause, resume,
  cancel, edit or look: checked here on every call, whatever the button data says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import Role
from bot.domain.typed_time import read_typed_time
from bot.services.admins import is_admin
from bot.text import CAPTION_LIMIT, utf16_length
from storage.database import Database
from storage.repositories.broadcasts import BroadcastRecord
from storage.repositories.events import EventRecord
from storage.repositories.outbox import Message, OutboxStatus
from storage.unit_of_work import UnitOfWork

BROADCAST = "broadcast"
BROADCAST_REPORT = "broadcast_report"
TEXT_MAX = 3500  # a text alone: room left in Telegram's 4096 for escaping
CAPTION_MAX = CAPTION_LIMIT  # a text under a photo or a document
PAUSED_UNTIL = datetime(3000, 1, 1, tzinfo=UTC)
CANCELLED = "broadcast cancelled"
BLOCKED = "blocked"  # the sender's reason for rows to someone who blocked the bot
LANGUAGES = ("kk", "ru")
MEDIA_KINDS = ("photo", "document")
EVENT_AUDIENCES = ("r", "w", "a")  # registered (a seat), waitlisted, attended
SCHEDULE_AHEAD_MAX = timedelta(days=365)


class Status(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


ENDED = (Status.CANCELLED, Status.DONE)


class Problem(StrEnum):
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    CAPTION_TOO_LONG = "caption_too_long"
    TIME_FORMAT = "time_format"
    TIME_PAST = "time_past"
    TIME_TOO_FAR = "time_too_far"
    # A scheduled broadcast that has started meanwhile (or was cancelled): no longer editable.
    NOT_SCHEDULED = "not_scheduled"


class InvalidBroadcastError(ValueError):
    """What the author entered cannot be sent as it is; `length` and `limit` for the long ones."""

    def __init__(self, problem: Problem, *, length: int = 0, limit: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.length = length
        self.limit = limit


class NotAllowedError(Exception):
    """The one asking is not an admin (nor, for an event's people, the event's organizer)."""

    def __init__(self, user_id: int, *, event: bool = False) -> None:
        super().__init__(user_id)
        self.event = event


@dataclass(frozen=True, slots=True)
class Draft:
    """What the author composed: whom to, the texts (one may be None: the other serves both), and an
    optional photo or document (Telegram's file_id)."""

    segment: str
    text_kk: str | None
    text_ru: str | None
    media_kind: str | None = None
    media_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    broadcast_id: int
    status: Status
    recipients: int
    counts: dict[OutboxStatus, int]
    blocked: int = 0  # among the dropped: the recipient had blocked the bot
    seconds_left: float | None = None  # while sending: at the rate it has gone so far
    segment: str = "everyone"
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def waiting(self) -> int:
        return self.counts[OutboxStatus.PENDING] + self.counts[OutboxStatus.SENDING]

    @property
    def sent(self) -> int:
        return self.counts[OutboxStatus.SENT]

    @property
    def failed(self) -> int:
        """Not delivered for another reason than a block (Telegram refused it, or it was cancelled)."""
        return self.counts[OutboxStatus.FAILED] + self.counts[OutboxStatus.DROPPED] - self.blocked


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A broadcast waiting for its time, as its author's card shows it."""

    id: int
    segment: str
    text_kk: str | None
    text_ru: str | None
    media_kind: str | None
    scheduled_at: datetime


@dataclass(frozen=True, slots=True)
class LiveBroadcast:
    """A started broadcast whose progress message is still to be kept up to date."""

    progress: Progress
    author_id: int
    author_language: str | None
    author_telegram_language: str | None
    message_id: int | None


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
    if kind == "event":
        event_id, _, audience = value.partition(":")
        return event_id.isdigit() and audience in EVENT_AUDIENCES
    return False


def event_segment(event_id: int, audience: str) -> str:
    return f"event:{event_id}:{audience}"


def event_of(segment: str) -> int | None:
    """The event whose people `segment` names, or None for a segment of all users."""
    kind, _, value = segment.partition(":")
    event_id = value.partition(":")[0]
    return int(event_id) if kind == "event" and event_id.isdigit() else None


def check_text(text: str | None, *, with_media: bool) -> str:
    """The text as it will be sent (trimmed), or why it cannot be: empty, or over Telegram's limit of a
    message, or of a caption under a photo or document (counted as Telegram counts, in UTF-16 units)."""
    text = (text or "").strip()
    if not text:
        raise InvalidBroadcastError(Problem.TEXT_EMPTY)
    limit = CAPTION_MAX if with_media else TEXT_MAX
    length = utf16_length(text)
    if length > limit:
        problem = Problem.CAPTION_TOO_LONG if with_media else Problem.TEXT_TOO_LONG
        raise InvalidBroadcastError(problem, length=length, limit=limit)
    return text


def parse_start_time(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """A start typed as `28.11.2026 10:00` (the forms of bot/domain/typed_time.py), in `tz`, as UTC;
    in the future, within a year."""
    moment = read_typed_time(text, tz, now)
    if moment is None:
        raise InvalidBroadcastError(Problem.TIME_FORMAT)
    if moment <= now:
        raise InvalidBroadcastError(Problem.TIME_PAST)
    if moment - now > SCHEDULE_AHEAD_MAX:
        raise InvalidBroadcastError(Problem.TIME_TOO_FAR)
    return moment


def message_params(broadcast_id: int | None, draft: Draft) -> dict[str, Any]:
    """What each recipient's row carries, and what the preview and the test to oneself render: the one
    rendering of a broadcast (bot/views/broadcasts.py `broadcast_view`)."""
    params: dict[str, Any] = {
        "broadcast_id": broadcast_id,
        "text_kk": draft.text_kk,
        "text_ru": draft.text_ru,
    }
    if draft.media_kind and draft.media_file_id:
        params["media_kind"] = draft.media_kind
        params["media_file_id"] = draft.media_file_id
    event_id = event_of(draft.segment)
    if event_id is not None:
        params["event_id"] = event_id  # about the event they signed up for: no mute button
    return params


def _key_prefix(broadcast_id: int) -> str:
    return f"{BROADCAST}:{broadcast_id}:"


def _draft(broadcast: BroadcastRecord) -> Draft:
    return Draft(
        broadcast.segment, broadcast.text_kk, broadcast.text_ru, broadcast.media_kind, broadcast.media_file_id
    )


class BroadcastService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        admins: frozenset[int],
        tz: ZoneInfo | None = None,
        send_rate: float = 24.0,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admins = admins
        self.tz = tz or ZoneInfo("Asia/Almaty")
        self.send_rate = send_rate  # the sender's messages per second: the time left before any went
        self.wake_sender = wake_sender

    async def is_admin(self, user_id: int) -> bool:
        async with self.database.reading() as uow:
            return await is_admin(uow, self.admins, user_id)

    def parse_time(self, text: str) -> datetime:
        """A start time as the author typed it (in the bot's time zone), checked against now."""
        return parse_start_time(text, now=self.clock.now(), tz=self.tz)

    async def authorize(self, user_id: int, segment: str) -> EventRecord | None:
        """May `user_id` write to `segment`? Raises NotAllowedError if not; the event for an event's
        people (its titles name the recipients)."""
        if not valid_segment(segment):
            raise ValueError(f"unknown segment {segment!r}")
        async with self.database.reading() as uow:
            return await self._check(uow, user_id, segment)

    async def _check(self, uow: UnitOfWork, user_id: int, segment: str) -> EventRecord | None:
        event_id = event_of(segment)
        event = await uow.events.get(event_id) if event_id is not None else None
        if await is_admin(uow, self.admins, user_id):
            return event
        if event is not None and event.organizer_id == user_id:
            return event
        raise NotAllowedError(user_id, event=event_id is not None)

    async def _broadcast(self, uow: UnitOfWork, user_id: int, broadcast_id: int) -> BroadcastRecord | None:
        """The broadcast, if `user_id` may steer it (NotAllowedError if not); None: no such broadcast
        (told apart only after the check for those who are no admin: an id is not a secret, but no
        answer should differ for them)."""
        broadcast = await uow.broadcasts.get(broadcast_id)
        if broadcast is None:
            if not await is_admin(uow, self.admins, user_id):
                raise NotAllowedError(user_id)
            return None
        await self._check(uow, user_id, broadcast.segment)
        return broadcast

    def _validated(self, draft: Draft) -> Draft:
        if not valid_segment(draft.segment):
            raise ValueError(f"unknown segment {draft.segment!r}")
        media = draft.media_kind in MEDIA_KINDS and bool(draft.media_file_id)
        text_kk = check_text(draft.text_kk, with_media=media) if draft.text_kk else None
        text_ru = check_text(draft.text_ru, with_media=media) if draft.text_ru else None
        if text_kk is None and text_ru is None:
            raise InvalidBroadcastError(Problem.TEXT_EMPTY)
        return Draft(
            draft.segment,
            text_kk,
            text_ru,
            draft.media_kind if media else None,
            draft.media_file_id if media else None,
        )

    async def create(
        self,
        user_id: int,
        segment: str,
        text_kk: str | None,
        text_ru: str | None,
        *,
        media_kind: str | None = None,
        media_file_id: str | None = None,
        scheduled_at: datetime | None = None,
        author_language: str | None = None,
    ) -> int:
        """A draft (or, with `scheduled_at`, a broadcast waiting for that time); `text_ru` None: the
        Kazakh text is for everyone (and the other way round). `author_language`: the dialog's, for the
        progress message of an author who has not chosen one."""
        draft = self._validated(Draft(segment, text_kk, text_ru, media_kind, media_file_id))
        now = self.clock.now()
        if scheduled_at is not None and scheduled_at <= now:
            raise InvalidBroadcastError(Problem.TIME_PAST)
        async with self.database.transaction() as uow:
            await self._check(uow, user_id, draft.segment)
            return await uow.broadcasts.create(
                user_id,
                draft.segment,
                draft.text_kk,
                draft.text_ru,
                now=now,
                media_kind=draft.media_kind,
                media_file_id=draft.media_file_id,
                scheduled_at=scheduled_at,
                author_language=author_language,
            )

    async def recipients(self, segment: str) -> list[int]:
        """Active users of `segment`: consented, not blocked, broadcasts not muted (an event's people:
        muting does not apply)."""
        async with self.database.reading() as uow:
            return [user_id for user_id, _ in await uow.broadcasts.recipients(segment)]

    async def start(self, user_id: int, broadcast_id: int) -> Progress | None:
        """One outbox row per recipient, in one transaction; a broadcast already started is left as it
        is (and its rows' keys would refuse a second copy anyway). None: no such broadcast."""
        async with self.database.transaction() as uow:
            broadcast = await self._broadcast(uow, user_id, broadcast_id)
            if broadcast is None:
                return None
            await self._start(uow, broadcast, self.clock.now())
        self.wake_sender()
        return await self.progress(user_id, broadcast_id)

    async def start_due(self) -> list[int]:
        """The scan: start the scheduled broadcasts whose time has come (each once, however often this
        runs, and once after downtime); returns their ids."""
        now = self.clock.now()
        async with self.database.reading() as uow:
            due = await uow.broadcasts.due(now=now)
        started = []
        for broadcast_id in due:  # one transaction each: one broadcast's rows at a time
            async with self.database.transaction() as uow:
                broadcast = await uow.broadcasts.get(broadcast_id)
                if broadcast is not None and await self._start(uow, broadcast, now):
                    started.append(broadcast_id)
        if started:
            self.wake_sender()
        return started

    async def _start(self, uow: UnitOfWork, broadcast: BroadcastRecord, now: datetime) -> bool:
        if broadcast.status not in (Status.DRAFT, Status.SCHEDULED):
            return False
        recipients = await uow.broadcasts.recipients(broadcast.segment)
        params = message_params(broadcast.id, _draft(broadcast))
        copies = [
            Message(
                kind=BROADCAST,
                recipient=recipient,
                due_at=now,
                params=params,
                dedupe_key=f"{_key_prefix(broadcast.id)}{recipient}",
            )
            for recipient, _ in recipients
        ]
        # Multi-row inserts: one statement per row held the writer (every user's taps) for a minute at
        # 90,000 recipients.
        await uow.outbox.add_many(copies, now=now)
        return await uow.broadcasts.mark_started(broadcast.id, len(recipients), now=now)

    async def scheduled(self, user_id: int, broadcast_id: int) -> Scheduled:
        """A scheduled broadcast its author may still change; InvalidBroadcastError(NOT_SCHEDULED) once
        it started or was cancelled."""
        async with self.database.reading() as uow:
            broadcast = await self._broadcast(uow, user_id, broadcast_id)
        return _scheduled(_waiting(broadcast))

    async def edit_texts(
        self, user_id: int, broadcast_id: int, text_kk: str | None, text_ru: str | None
    ) -> Scheduled:
        """New texts for a broadcast still waiting for its time (within the caption limit if it has a
        photo or document)."""
        async with self.database.transaction() as uow:
            broadcast = _waiting(await self._broadcast(uow, user_id, broadcast_id))
            draft = self._validated(
                Draft(broadcast.segment, text_kk, text_ru, broadcast.media_kind, broadcast.media_file_id)
            )
            values = {"text_kk": draft.text_kk, "text_ru": draft.text_ru}
            if not await uow.broadcasts.edit_scheduled(broadcast_id, **values):
                raise InvalidBroadcastError(Problem.NOT_SCHEDULED)
            return _scheduled(_waiting(await uow.broadcasts.get(broadcast_id)))

    async def reschedule(self, user_id: int, broadcast_id: int, when: datetime) -> Scheduled:
        if when <= self.clock.now():
            raise InvalidBroadcastError(Problem.TIME_PAST)
        async with self.database.transaction() as uow:
            _waiting(await self._broadcast(uow, user_id, broadcast_id))
            if not await uow.broadcasts.edit_scheduled(broadcast_id, scheduled_at=when):
                raise InvalidBroadcastError(Problem.NOT_SCHEDULED)
            return _scheduled(_waiting(await uow.broadcasts.get(broadcast_id)))

    async def scheduled_list(self, user_id: int) -> list[Scheduled]:
        """Broadcasts waiting for their time: all of them for an admin, one's own for an organizer."""
        async with self.database.reading() as uow:
            admin = await is_admin(uow, self.admins, user_id)
            records = await uow.broadcasts.scheduled_by(None if admin else user_id)
        return [_scheduled(record) for record in records]

    async def pause(self, user_id: int, broadcast_id: int) -> Progress | None:
        async with self.database.transaction() as uow:
            if await self._broadcast(uow, user_id, broadcast_id) is None:
                return None
            if await uow.broadcasts.set_status(broadcast_id, Status.PAUSED, only_from=(Status.SENDING,)):
                await uow.outbox.reschedule_pending_with_key_prefix(_key_prefix(broadcast_id), PAUSED_UNTIL)
        return await self.progress(user_id, broadcast_id)

    async def resume(self, user_id: int, broadcast_id: int) -> Progress | None:
        async with self.database.transaction() as uow:
            if await self._broadcast(uow, user_id, broadcast_id) is None:
                return None
            if await uow.broadcasts.set_status(broadcast_id, Status.SENDING, only_from=(Status.PAUSED,)):
                await uow.outbox.reschedule_pending_with_key_prefix(
                    _key_prefix(broadcast_id), self.clock.now()
                )
        self.wake_sender()
        return await self.progress(user_id, broadcast_id)

    async def cancel(self, user_id: int, broadcast_id: int) -> Progress | None:
        """Stop it: a scheduled one never starts; a started one's pending rows are dropped, and its
        author gets the final report."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            broadcast = await self._broadcast(uow, user_id, broadcast_id)
            if broadcast is None:
                return None
            if broadcast.started_at is not None:
                await self._progress(uow, broadcast_id, now)  # all sent already: it is done, not stopped
            changed = await uow.broadcasts.set_status(
                broadcast_id,
                Status.CANCELLED,
                only_from=(Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.PAUSED),
                finished_at=now,
            )
            if changed and broadcast.started_at is not None:
                await uow.outbox.drop_pending_with_key_prefix(_key_prefix(broadcast_id), CANCELLED)
                progress = await self._measure(uow, broadcast_id, now)
                await self._report(uow, broadcast, progress, now)
        self.wake_sender()
        return await self.progress(user_id, broadcast_id)

    async def progress(self, user_id: int, broadcast_id: int) -> Progress | None:
        """Its rows by outcome; a sending broadcast with nothing left to send becomes done (and its
        author's report is written). None: no such broadcast."""
        async with self.database.transaction() as uow:
            if await self._broadcast(uow, user_id, broadcast_id) is None:
                return None
            return await self._progress(uow, broadcast_id, self.clock.now())

    async def _progress(self, uow: UnitOfWork, broadcast_id: int, now: datetime) -> Progress:
        """Its progress now, in a write transaction: a sending one with nothing left becomes done here,
        and its author's report is written."""
        progress = await self._measure(uow, broadcast_id, now)
        if progress.status is Status.SENDING and not progress.waiting:
            done = await uow.broadcasts.set_status(
                broadcast_id, Status.DONE, only_from=(Status.SENDING,), finished_at=now
            )
            broadcast = await uow.broadcasts.get(broadcast_id)
            if done and broadcast is not None:
                progress = replace(progress, status=Status.DONE, finished_at=now)
                await self._report(uow, broadcast, progress, now)
        return progress

    async def _measure(self, uow: UnitOfWork, broadcast_id: int, now: datetime) -> Progress:
        """Its rows by outcome (reads only)."""
        broadcast = await uow.broadcasts.get(broadcast_id)
        if broadcast is None:
            raise LookupError(broadcast_id)
        prefix = _key_prefix(broadcast_id)
        counts = await uow.outbox.counts_with_key_prefix(prefix)
        blocked = await uow.outbox.dropped_with_key_prefix(prefix, BLOCKED)
        status = Status(broadcast.status)
        return Progress(
            broadcast_id,
            status,
            broadcast.recipients,
            counts,
            blocked,
            seconds_left=self._seconds_left(status, counts, broadcast.started_at, now),
            segment=broadcast.segment,
            scheduled_at=broadcast.scheduled_at,
            started_at=broadcast.started_at,
            finished_at=broadcast.finished_at,
        )

    def _seconds_left(
        self, status: Status, counts: dict[OutboxStatus, int], started_at: datetime | None, now: datetime
    ) -> float | None:
        waiting = counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING]
        if status is not Status.SENDING or not waiting or started_at is None:
            return None
        handled = counts[OutboxStatus.SENT] + counts[OutboxStatus.FAILED] + counts[OutboxStatus.DROPPED]
        elapsed = (now - started_at).total_seconds()
        rate = handled / elapsed if handled and elapsed > 0 else self.send_rate
        return waiting / max(rate, 0.001)

    async def _report(
        self, uow: UnitOfWork, broadcast: BroadcastRecord, progress: Progress, now: datetime
    ) -> None:
        """The author hears that it ended, once (the key), in their language when it goes out."""
        await uow.outbox.add(
            Message(
                kind=BROADCAST_REPORT,
                recipient=broadcast.author_id,
                due_at=now,
                params={
                    "broadcast_id": broadcast.id,
                    "status": progress.status.value,
                    "recipients": broadcast.recipients,
                    "sent": progress.sent,
                    "failed": progress.failed,
                    "blocked": progress.blocked,
                    "seconds": int((now - broadcast.started_at).total_seconds())
                    if broadcast.started_at
                    else 0,
                },
                dedupe_key=f"{BROADCAST_REPORT}:{broadcast.id}",
            ),
            now=now,
        )

    async def live(self) -> list[LiveBroadcast]:
        """Started broadcasts whose progress message does not show their end yet, with their progress now
        (for the scan that edits the progress messages). Reads, and writes only for one that has just
        run out of rows (done, and its report)."""
        now = self.clock.now()
        async with self.database.reading() as uow:
            broadcasts = await uow.broadcasts.unreported()
            authors = await uow.users.recipients(b.author_id for b in broadcasts)
            measured = [await self._measure(uow, b.id, now) for b in broadcasts]
        live = []
        for broadcast, progress in zip(broadcasts, measured, strict=True):
            if progress.status is Status.SENDING and not progress.waiting:
                async with self.database.transaction() as uow:
                    progress = await self._progress(uow, broadcast.id, now)
                self.wake_sender()  # its report
            author = authors.get(broadcast.author_id)
            live.append(
                LiveBroadcast(
                    progress,
                    broadcast.author_id,
                    (author.language if author else None) or broadcast.author_language,
                    author.telegram_language if author else None,
                    broadcast.progress_message_id,
                )
            )
        return live

    async def keep_progress_message(self, broadcast_id: int, message_id: int) -> None:
        """The message that shows this broadcast's progress now (the live edits go to it)."""
        async with self.database.transaction() as uow:
            await uow.broadcasts.set_progress_message(broadcast_id, message_id)

    async def mark_reported(self, broadcast_id: int) -> None:
        """Its progress message shows how it ended: no more edits."""
        async with self.database.transaction() as uow:
            await uow.broadcasts.mark_reported(broadcast_id, now=self.clock.now())

    async def mute(self, user_id: int) -> bool:
        """The user gets no more admins' broadcasts; False if they had muted them already (or are unknown)."""
        async with self.database.transaction() as uow:
            return await uow.broadcasts.mute(user_id, now=self.clock.now())


def _waiting(broadcast: BroadcastRecord | None) -> BroadcastRecord:
    """The broadcast if it still waits for its time; NOT_SCHEDULED once it started or was cancelled."""
    if broadcast is None or broadcast.status != Status.SCHEDULED:
        raise InvalidBroadcastError(Problem.NOT_SCHEDULED)
    return broadcast


def _scheduled(broadcast: BroadcastRecord) -> Scheduled:
    if broadcast.scheduled_at is None:  # never so: a scheduled broadcast has its time
        raise InvalidBroadcastError(Problem.NOT_SCHEDULED)
    return Scheduled(
        broadcast.id,
        broadcast.segment,
        broadcast.text_kk,
        broadcast.text_ru,
        broadcast.media_kind,
        broadcast.scheduled_at,
    )
