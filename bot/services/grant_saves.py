"""Saved grant calls: a user saves a call from its card and is reminded of its deadline, and told when
the call changes.

Reminders are outbox rows planned when the call is saved (and re-planned whenever the call or the
user's choice changes), each due at REMIND_AT (10:00) in the bot's time zone (Asia/Almaty) 7, 3 and 1
days before the closing day and on the closing day itself, and expiring at the deadline: none can
arrive after it, even after downtime. A deadline at 00:00 is the end of the day before: that day is
its closing day ("closes tonight at midnight" at 10:00). A call that closes before NOON_MARGIN after
10:00 (before 12:00, say at 09:00) gets its closing-day reminder at EVENING (20:00) the evening
before instead ("closes tomorrow at 09:00"): a 10:00 reminder would come too late or too close. No
two reminders of a call come on the same day or within MIN_GAP (12 hours): the earlier is dropped
(the "1 day before" at 10:00 of that evening).

Their keys are `grant_reminder:{user}:{grant}:{slot}:{deadline}`: a user's reminders of a call are
dropped by prefix (unsaving, a moved deadline, a changed choice), and a reminder already sent for the
same deadline is not planned again.

Changes (bot/services/grants.py records them: deadline, amount, status) are announced in the same
transaction as the change, one message per call and change to each user who saved it (key
`grant_changed:{first change id}:{user}`), and the changes marked announced: never twice to anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.grants import GrantStatus
from bot.services.grant_access import set_up_user
from bot.services.paging import clamp_page
from storage.database import Database
from storage.repositories.grant_saves import ReminderSettingsRecord
from storage.repositories.grants import GrantRecord
from storage.repositories.outbox import Message
from storage.unit_of_work import UnitOfWork

GRANT_REMINDER = "grant_reminder"
GRANT_CHANGED = "grant_changed"
REMIND_AT = time(10, 0)
# A call closing less than this after REMIND_AT gets its closing-day reminder the evening before.
NOON_MARGIN = timedelta(hours=2)
EVENING = time(20, 0)
# Two reminders of one call come at least this far apart (and never on the same day).
MIN_GAP = timedelta(hours=12)
# A user may keep this many saved calls (a list beyond it is no longer a short list).
MAX_SAVED = 100
PAGE_SIZE = 5


class ReminderSlot(StrEnum):
    """A reminder a user may choose: days before the closing day (0: the closing day itself)."""

    DAYS_7 = "7"
    DAYS_3 = "3"
    DAYS_1 = "1"
    CLOSING_DAY = "0"

    @property
    def days(self) -> int:
        return int(self.value)

    @property
    def setting(self) -> str:
        """Its field in ReminderSettingsRecord."""
        return "closing_day" if self is ReminderSlot.CLOSING_DAY else f"days_{self.value}"


def chosen_slots(settings: ReminderSettingsRecord) -> list[ReminderSlot]:
    if settings.muted:
        return []
    return [slot for slot in ReminderSlot if getattr(settings, slot.setting)]


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    slot: ReminderSlot
    due_at: datetime  # UTC
    evening_before: bool = False


def closing_day(deadline: datetime, tz: ZoneInfo) -> date:
    """The day a call closes on, in `tz`: a deadline at 00:00 is the end (24:00) of the day before."""
    local = deadline.astimezone(tz)
    if local.time() == time(0, 0):
        return local.date() - timedelta(days=1)
    return local.date()


def reminder_times(deadline: datetime, tz: ZoneInfo, slots: Iterable[ReminderSlot]) -> list[PlannedReminder]:
    """When each chosen reminder of a call with this deadline is due (UTC), before the deadline. No
    two come on one day or within MIN_GAP of each other: of two such, the earlier is left out (a call
    closing at 09:00 gets its closing-day reminder at 20:00 the evening before, and no "1 day before"
    at 10:00 that same day)."""
    last_day = closing_day(deadline, tz)
    planned = []
    for slot in slots:
        day = last_day - timedelta(days=slot.days)
        due = datetime.combine(day, REMIND_AT, tzinfo=tz)
        evening = False
        if slot is ReminderSlot.CLOSING_DAY and deadline - due < NOON_MARGIN:
            due = datetime.combine(last_day - timedelta(days=1), EVENING, tzinfo=tz)
            evening = True
        if due < deadline:
            planned.append(PlannedReminder(slot, due.astimezone(UTC), evening))
    kept: list[PlannedReminder] = []
    for reminder in sorted(planned, key=lambda reminder: reminder.due_at, reverse=True):
        later = kept[-1] if kept else None
        if later is not None and (
            later.due_at - reminder.due_at < MIN_GAP
            or later.due_at.astimezone(tz).date() == reminder.due_at.astimezone(tz).date()
        ):
            continue  # the later one, nearer the deadline, says it
        kept.append(reminder)
    return kept[::-1]


class SavedGrantProblem(StrEnum):
    NO_SUCH_GRANT = "no_such_grant"
    CLOSED = "closed"  # saving a call whose deadline passed or that was closed
    NOT_SAVED = "not_saved"  # removing a call the user has not saved
    TOO_MANY = "too_many"
    BAD_SLOT = "bad_slot"
    NOT_SET_UP = "not_set_up"  # no consent or no role (or no such user)
    MUTED = "muted"  # choosing a reminder while all are turned off


class SavedGrantError(ValueError):
    def __init__(self, problem: SavedGrantProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class SavedPage:
    grants: list[GrantRecord]
    page: int
    has_next: bool
    settings: ReminderSettingsRecord


def _reminder_prefix(user_id: int, grant_id: int | None = None) -> str:
    return f"{GRANT_REMINDER}:{user_id}:" + ("" if grant_id is None else f"{grant_id}:")


def _is_open(grant: GrantRecord, now: datetime) -> bool:
    return grant.status == GrantStatus.OPEN and grant.deadline > now


async def plan_reminders(
    uow: UnitOfWork,
    user_id: int,
    grant: GrantRecord,
    settings: ReminderSettingsRecord,
    tz: ZoneInfo,
    *,
    now: datetime,
) -> int:
    """Plan the user's chosen reminders of the call still ahead; how many were planned."""
    if not _is_open(grant, now):
        return 0
    deadline = grant.deadline.astimezone(UTC).isoformat()
    planned = 0
    for reminder in reminder_times(grant.deadline, tz, chosen_slots(settings)):
        if reminder.due_at <= now:
            continue
        message = Message(
            kind=GRANT_REMINDER,
            recipient=user_id,
            due_at=reminder.due_at,
            expires_at=grant.deadline,
            # What the view shows, as it is now; a changed call re-plans them.
            params={
                "grant_id": grant.id,
                "days": reminder.slot.days,
                "evening_before": reminder.evening_before,
                # The day it comes on (Almaty): the view counts "today", "tomorrow" from it.
                "on_day": reminder.due_at.astimezone(tz).date().isoformat(),
                "title_kk": grant.title_kk,
                "title_ru": grant.title_ru,
                "deadline": deadline,
            },
            dedupe_key=f"{_reminder_prefix(user_id, grant.id)}{reminder.slot.value}:{deadline}",
        )
        if await uow.outbox.add(message, now=now) is not None:
            planned += 1
    return planned


async def drop_reminders(uow: UnitOfWork, user_id: int, grant_id: int | None, reason: str) -> int:
    """Drop the user's pending reminders of the call (None: of every call); their keys are freed."""
    return await uow.outbox.drop_pending_with_key_prefix(
        _reminder_prefix(user_id, grant_id), reason, release_keys=True
    )


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """A change as recorded in grant_changes (its id) with its values."""

    change_id: int
    field: str
    old_value: str | None
    new_value: str | None


async def after_grant_changed(
    uow: UnitOfWork, grant_id: int, changes: Sequence[RecordedChange], tz: ZoneInfo, *, now: datetime
) -> int:
    """In the transaction that changed the call: re-plan the reminders of everyone who saved it (a
    closed call keeps none), tell each of them of the recorded changes once, and mark those announced
    (when someone saved it).
    Returns how many announcements were written (due now)."""
    grant = await uow.grants.get(grant_id)
    if grant is None:
        return 0
    savers = await uow.grant_saves.savers(grant_id)
    settings = await uow.grant_saves.settings_of(savers)
    written = 0
    for user_id in savers:
        await drop_reminders(uow, user_id, grant_id, "the call changed")
        await plan_reminders(uow, user_id, grant, settings[user_id], tz, now=now)
        if not changes:
            continue
        message = Message(
            kind=GRANT_CHANGED,
            recipient=user_id,
            due_at=now,
            params={
                "grant_id": grant.id,
                "title_kk": grant.title_kk,
                "title_ru": grant.title_ru,
                "changes": [
                    {"field": change.field, "old": change.old_value, "new": change.new_value}
                    for change in changes
                ],
            },
            dedupe_key=f"{GRANT_CHANGED}:{changes[0].change_id}:{user_id}",
        )
        if await uow.outbox.add(message, now=now) is not None:
            written += 1
    if savers:
        # Left unannounced when nobody saved the call (for the subscriptions to come).
        await uow.grants.mark_announced([change.change_id for change in changes], now=now)
    return written


class SavedGrantService:
    """Saving and unsaving calls, the list of saved calls and the choice of reminders. Every button is
    the user's to forge: each use case checks that the user is set up, the call and the user's own
    saves."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        tz: ZoneInfo,
        *,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.tz = tz
        self.wake_sender = wake_sender

    async def save(self, user_id: int, grant_id: int) -> GrantRecord:
        """Save an open call and plan its reminders (saving it again changes nothing)."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            await _check_user(uow, user_id)
            # Locked (PostgreSQL): an admin closing or moving the call at this moment waits and then
            # finds this save (its reminders dropped or re-planned), or is waited for and seen closed.
            grant = await uow.grants.get(grant_id, lock=True)
            if grant is None:
                raise SavedGrantError(SavedGrantProblem.NO_SUCH_GRANT)
            if await uow.grant_saves.is_saved(user_id, grant_id):
                return grant
            if not _is_open(grant, now):
                raise SavedGrantError(SavedGrantProblem.CLOSED)
            if await uow.grant_saves.count(user_id) >= MAX_SAVED:
                raise SavedGrantError(SavedGrantProblem.TOO_MANY)
            await uow.grant_saves.save(user_id, grant_id, now=now)
            settings = await uow.grant_saves.settings(user_id)
            await plan_reminders(uow, user_id, grant, settings, self.tz, now=now)
        return grant

    async def unsave(self, user_id: int, grant_id: int) -> GrantRecord:
        """Remove a call from the user's saved calls; its pending reminders are dropped."""
        async with self.database.transaction() as uow:
            await _check_user(uow, user_id)
            grant = await uow.grants.get(grant_id)
            if grant is None:
                raise SavedGrantError(SavedGrantProblem.NO_SUCH_GRANT)
            if not await uow.grant_saves.unsave(user_id, grant_id):
                raise SavedGrantError(SavedGrantProblem.NOT_SAVED)
            await drop_reminders(uow, user_id, grant_id, "the call was unsaved")
        return grant

    async def is_saved(self, user_id: int, grant_id: int) -> bool:
        async with self.database.reading() as uow:
            return await uow.grant_saves.is_saved(user_id, grant_id)

    async def page(self, user_id: int, page: int) -> SavedPage:
        """A page of the user's saved calls: open ones nearest deadline first, then closed ones. A page
        past the end (an old "Later" after calls were removed) is the last page there is."""
        page = clamp_page(page)
        now = self.clock.now()
        async with self.database.reading() as uow:
            await _check_user(uow, user_id)
            ids = await uow.grant_saves.saved_ids(
                user_id, now=now, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1
            )
            if not ids and page > 0:
                page = max(await uow.grant_saves.count(user_id) - 1, 0) // PAGE_SIZE
                ids = await uow.grant_saves.saved_ids(
                    user_id, now=now, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1
                )
            grants = await uow.grants.many(ids[:PAGE_SIZE])
            settings = await uow.grant_saves.settings(user_id)
        return SavedPage(grants, page, len(ids) > PAGE_SIZE, settings)

    async def settings(self, user_id: int) -> ReminderSettingsRecord:
        async with self.database.reading() as uow:
            return await uow.grant_saves.settings(user_id)

    async def toggle(self, user_id: int, slot: str, *, on: bool | None = None) -> ReminderSettingsRecord:
        """Turn one reminder on or off for every saved call; pending reminders are re-planned.

        `on`: the state the button showed it would set (a button's data says it, so that a double tap
        or a press on an old screen never turns it the other way); None flips it."""
        if slot not in ReminderSlot.__members__.values():
            raise SavedGrantError(SavedGrantProblem.BAD_SLOT)
        field = ReminderSlot(slot).setting

        def toggled(settings: ReminderSettingsRecord) -> ReminderSettingsRecord:
            if settings.muted:  # the choices are greyed out while all are off: they are turned on first
                raise SavedGrantError(SavedGrantProblem.MUTED)
            return replace(settings, **{field: not getattr(settings, field) if on is None else on})

        return await self._change(user_id, toggled)

    async def set_muted(self, user_id: int, *, muted: bool) -> ReminderSettingsRecord:
        """Mute all reminders of saved calls (the choices are kept), or unmute them."""
        return await self._change(user_id, lambda s: replace(s, muted=muted))

    async def _change(
        self, user_id: int, change: Callable[[ReminderSettingsRecord], ReminderSettingsRecord]
    ) -> ReminderSettingsRecord:
        now = self.clock.now()
        async with self.database.transaction() as uow:
            # Locked: two quick taps are made one after the other, the second on the first's settings.
            await _check_user(uow, user_id, lock=True)
            settings = change(await uow.grant_saves.settings(user_id))
            await uow.grant_saves.set_settings(user_id, settings, now=now)
            await drop_reminders(uow, user_id, None, "the reminder settings changed")
            saved = await uow.grants.many(await uow.grant_saves.saved_ids(user_id, now=now))
            for grant in saved:
                await plan_reminders(uow, user_id, grant, settings, self.tz, now=now)
        return settings


async def _check_user(uow: UnitOfWork, user_id: int, *, lock: bool = False) -> None:
    if await set_up_user(uow, user_id, lock=lock) is None:
        raise SavedGrantError(SavedGrantProblem.NOT_SET_UP)
