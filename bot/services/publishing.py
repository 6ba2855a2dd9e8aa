"""Publishing events: an organizer's dialog creates one, and then edits, publishes, cancels or copies it.

The rules of what an event may be are EventService's (`validated`, `check_organizer`): the dialog
checks each answer with them as it comes, filling what is not asked yet with placeholders. Only the
event's organizer or an admin manages an event, checked here on every call, whatever a button said.
A change of time or place of a published event, and its cancellation, are told to its registered and
waitlisted volunteers through the outbox, in the same transaction as the change; a moved start
re-plans the reminders, a cancellation drops them and the open waitlist offers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.events import EventStatus, RegistrationStatus, effective_status
from bot.domain.roles import Role
from bot.domain.typed_time import read_typed_time
from bot.services.admins import is_admin
from bot.services.events import (
    EventDraft,
    EventProblem,
    EventService,
    InvalidEventError,
    NotAllowedError,
    RegistrationRefusedError,
)
from bot.services.line import drop_line_notice
from bot.services.offers import drop_offer_message
from bot.services.paging import clamp_page
from bot.services.reminders import drop_reminders, plan_reminders
from storage.database import Database
from storage.repositories.events import EventRecord
from storage.repositories.outbox import Message
from storage.repositories.publishing import OrganizedEvent
from storage.repositories.users import UserProfile
from storage.unit_of_work import UnitOfWork

EVENT_CHANGED = "event_changed"
EVENT_CANCELLED = "event_cancelled"
PAGE_SIZE = 5
REASON_MAX = 500

# What an organizer enters, by the names of EventDraft (the external id is for imports only).
DRAFT_FIELDS = tuple(field.name for field in fields(EventDraft) if field.name != "external_id")
_TIMES = ("starts_at", "ends_at", "registration_deadline")


class Step(StrEnum):
    """A question of the dialog; editing a field asks the same one."""

    TITLE_KK = "tk"
    TITLE_RU = "tr"
    DESCRIPTION_KK = "dk"
    DESCRIPTION_RU = "dr"
    CATEGORY = "c"
    REGION = "r"
    CITY = "ci"
    ADDRESS = "a"
    MAP = "m"
    STARTS = "s"
    ENDS = "e"
    CAPACITY = "n"
    DEADLINE = "d"
    CUTOFF = "x"
    CONTACT = "co"


CREATE_STEPS = tuple(Step)
SKIPPABLE = frozenset(
    {
        Step.TITLE_KK,
        Step.TITLE_RU,
        Step.DESCRIPTION_KK,
        Step.DESCRIPTION_RU,
        Step.MAP,
        Step.CAPACITY,
        Step.DEADLINE,
        Step.CUTOFF,
    }
)
# Asked with buttons (or a shared location), not typed.
NOT_TYPED = frozenset({Step.CATEGORY, Step.REGION, Step.MAP})
# An edit of the first asks the second too: a new start comes with its end, a region with its city.
EDITED_TOGETHER = {Step.STARTS: Step.ENDS, Step.REGION: Step.CITY}
_TEXT_FIELDS = {
    Step.TITLE_KK: "title_kk",
    Step.TITLE_RU: "title_ru",
    Step.DESCRIPTION_KK: "description_kk",
    Step.DESCRIPTION_RU: "description_ru",
    Step.CITY: "city",
    Step.ADDRESS: "address",
    Step.CONTACT: "contact",
}
_TIME_FIELDS = {Step.STARTS: "starts_at", Step.ENDS: "ends_at", Step.DEADLINE: "registration_deadline"}
_NUMBER_FIELDS = {Step.CAPACITY: "capacity", Step.CUTOFF: "cancellation_cutoff_hours"}


@dataclass(frozen=True, slots=True)
class OrganizedPage:
    items: list[OrganizedEvent]
    page: int
    has_next: bool
    everyone: bool = False  # an admin's list: every organizer's events


@dataclass(frozen=True, slots=True)
class Edit:
    """An edit's outcome: the event after it, and how many volunteers were told of it."""

    event: EventRecord
    notified: int


async def organizes(database: Database, user: UserProfile, admin_ids: Collection[int]) -> bool:
    """Whether the user may create events: the menu shows them theirs (the use cases check again)."""
    if user.role == Role.ORGANIZER and user.consent_at is not None:
        return True
    async with database.reading() as uow:
        return await is_admin(uow, admin_ids, user.id)


def draft_from(values: Mapping[str, Any]) -> EventDraft:
    """An EventDraft from the dialog's data (JSON: times as ISO strings)."""
    known: dict[str, Any] = {name: values[name] for name in DRAFT_FIELDS if name in values}
    for name in _TIMES:
        if isinstance(known.get(name), str):
            known[name] = datetime.fromisoformat(known[name])
    return EventDraft(**known)


def event_values(event: EventRecord) -> dict[str, Any]:
    """What an organizer entered for the event, by the names of EventDraft."""
    values = {name: getattr(event, name) for name in DRAFT_FIELDS}
    if event.registration_deadline == event.starts_at:
        values["registration_deadline"] = None  # the default: it moves with the start
    return values


class PublishingService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        events: EventService,
        admin_ids: Collection[int] = frozenset(),
        *,
        reminder_hours: Sequence[int] = (24, 2),
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.events = events
        self.admin_ids = frozenset(admin_ids)
        self.reminder_hours = tuple(reminder_hours)
        self.wake_sender = wake_sender

    async def organizes(self, user: UserProfile) -> bool:
        return await organizes(self.database, user, self.admin_ids)

    # The dialog

    def read_answer(
        self, step: Step, text: str | None, tz: ZoneInfo, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The fields a typed answer (None: skipped) to `step` sets, as JSON; InvalidEventError with
        BAD_TIME or BAD_NUMBER if it cannot be read. `values`: the answers so far (an end may be a
        time alone, on the start's day)."""
        if step in _TEXT_FIELDS:
            return {_TEXT_FIELDS[step]: text}
        if step in _TIME_FIELDS:
            if text is None:
                return {_TIME_FIELDS[step]: None}
            starts = values.get("starts_at")
            day = datetime.fromisoformat(starts) if step is Step.ENDS and isinstance(starts, str) else None
            moment = read_typed_time(text, tz, self.clock.now(), day)
            if moment is None:
                raise InvalidEventError(EventProblem.BAD_TIME)
            return {_TIME_FIELDS[step]: moment.isoformat()}
        if step in _NUMBER_FIELDS:
            if text is None:
                return {_NUMBER_FIELDS[step]: None}
            number = text.strip().replace(" ", "").replace("\u00a0", "")
            if not re.fullmatch(r"-?\d{1,9}", number):
                raise InvalidEventError(EventProblem.BAD_NUMBER)
            return {_NUMBER_FIELDS[step]: int(number)}
        if step is Step.MAP and text is None:
            return {"latitude": None, "longitude": None}
        raise ValueError(f"{step} is not typed")

    def check_answer(self, values: Mapping[str, Any]) -> None:
        """InvalidEventError if what the dialog has so far breaks a rule; what is not asked yet is
        filled with placeholders that break none."""
        probe = dict(values)
        if "title_kk" not in probe:  # not asked yet
            probe["title_kk"] = "-"
        elif "title_ru" not in probe:  # Kazakh answered (or skipped): the Russian one may come
            probe["title_ru"] = "-"
        for name, placeholder in (("category", "other"), ("region", "almaty")):
            probe.setdefault(name, placeholder)
        for name in ("city", "address", "contact"):
            probe.setdefault(name, "-")
        starts = probe.setdefault("starts_at", (self.clock.now() + timedelta(days=1)).isoformat())
        probe.setdefault("ends_at", (datetime.fromisoformat(str(starts)) + timedelta(hours=1)).isoformat())
        self.events.validated(draft_from(probe))

    def preview(self, user_id: int, values: Mapping[str, Any]) -> EventRecord:
        """The event the dialog's answers make, as volunteers would see it (not stored)."""
        checked = self.events.validated(draft_from(values))
        return EventRecord(
            id=0,
            taken_seats=0,
            waitlist_last=0,
            organizer_id=user_id,
            status=EventStatus.DRAFT.value,
            created_at=self.clock.now(),
            **checked,
        )

    async def create(self, user_id: int, values: Mapping[str, Any], *, publish: bool) -> EventRecord:
        """The dialog's event, published at once or kept as a draft."""
        checked = self.events.validated(draft_from(values))
        status = EventStatus.PUBLISHED if publish else EventStatus.DRAFT
        async with self.database.transaction() as uow:
            await self.events.check_organizer(uow, user_id)
            return await uow.events.add(
                now=self.clock.now(), organizer_id=user_id, status=status.value, **checked
            )

    # The organizer's events

    async def organized(self, user_id: int, page: int = 0) -> OrganizedPage:
        """The user's events of every status, by start, with their counts; an admin's list holds every
        organizer's events, since admins manage them all."""
        page = clamp_page(page)
        async with self.database.reading() as uow:
            await self.events.check_organizer(uow, user_id)
            everyone = await is_admin(uow, self.admin_ids, user_id)
            items = await uow.publishing.organized_by(
                None if everyone else user_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1
            )
        return OrganizedPage(items[:PAGE_SIZE], page, has_next=len(items) > PAGE_SIZE, everyone=everyone)

    async def event(self, user_id: int, event_id: int) -> OrganizedEvent:
        """One event with its counts, for its organizer or an admin."""
        async with self.database.reading() as uow:
            await self._managed(uow, user_id, event_id)
            organized = await uow.publishing.organized(event_id)
        assert organized is not None  # noqa: S101 - just read
        return organized

    async def changeable(self, user_id: int, event_id: int) -> OrganizedEvent:
        """The event with its counts if the user may edit or cancel it now."""
        organized = await self.event(user_id, event_id)
        _check_changeable(organized.event, self.clock.now())
        return organized

    async def publish(self, user_id: int, event_id: int) -> EventRecord:
        return await self.events.publish(user_id, event_id)

    async def edit(self, user_id: int, event_id: int, changes: Mapping[str, Any]) -> Edit:
        """Change what the organizer entered (names of EventDraft; times as ISO strings or aware),
        checked as a whole. A published event's volunteers hear of a new time or place; a new title,
        start or place re-plans their reminders; more places are offered to the people in line."""
        woken = 0
        async with self.database.transaction() as uow:
            now = self.clock.now()
            event = await self._managed(uow, user_id, event_id, lock=True)
            _check_changeable(event, now)
            values = event_values(event)
            values.update((name, value) for name, value in changes.items() if name in DRAFT_FIELDS)
            draft = draft_from(values)
            # A stale draft keeps its past start until the organizer changes it (publishing refuses it).
            checked = self.events.validated(draft, start_may_be_past=draft.starts_at == event.starts_at)
            checked.pop("external_id")
            if checked["capacity"] is not None and checked["capacity"] < event.taken_seats:
                raise InvalidEventError(EventProblem.CAPACITY_BELOW_TAKEN)
            updated = await uow.events.update(event_id, now=now, **checked)
            assert updated is not None  # noqa: S101 - the row is locked
            notified = 0
            if event.status == EventStatus.PUBLISHED:
                notified = await self._tell_of_change(uow, event, updated, now)
                woken += notified
                # Reminders show the title, start and place as planned: they follow a change of these.
                shown = ("title_kk", "title_ru", "starts_at", "city", "address")
                if any(getattr(updated, name) != getattr(event, name) for name in shown):
                    woken += await self._replan_reminders(uow, updated, now)
                # More places, or no limit any more: the people in line are offered them at once.
                if event.capacity is not None and (updated.capacity or event.capacity + 1) > event.capacity:
                    woken += await self.events.offer_free_seats(uow, updated, now)
        if woken:
            self.wake_sender()
        return Edit(updated, notified)

    async def cancel(self, user_id: int, event_id: int, reason: str | None = None) -> Edit:
        """Cancel the event: its registrations and places in line are cancelled, their reminders and
        open offers dropped, and (published) every one of them is told, with the reason if given."""
        reason = (reason or "").strip() or None
        if reason is not None and len(reason) > REASON_MAX:
            raise InvalidEventError(EventProblem.TEXT_TOO_LONG)
        async with self.database.transaction() as uow:
            now = self.clock.now()
            event = await self._managed(uow, user_id, event_id, lock=True)
            _check_changeable(event, now)
            # The cancellation supersedes a notice of a new time or place not sent yet.
            await uow.outbox.drop_pending_with_key_prefix(_changes_key(event_id), "the event was cancelled")
            for offer in await uow.publishing.withdraw_open_offers(event_id, now=now):
                await drop_offer_message(uow, offer.id, "the event was cancelled")
            people = await uow.publishing.people(event_id)
            for registration in people:
                await drop_reminders(uow, registration.id, "the event was cancelled")
                await drop_line_notice(uow, registration.id, "the event was cancelled")
                await uow.outbox.add(
                    Message(
                        kind=EVENT_CANCELLED,
                        recipient=registration.user_id,
                        due_at=now,
                        expires_at=event.ends_at,
                        params={**_about(event), "reason": reason},
                    ),
                    now=now,
                )
            await uow.publishing.cancel_registrations(event_id, now=now)
            cancelled = await uow.events.update(event_id, now=now, status=EventStatus.CANCELLED.value)
        assert cancelled is not None  # noqa: S101 - the row was locked
        if people:
            self.wake_sender()
        return Edit(cancelled, len(people))

    async def duplicate(self, user_id: int, event_id: int) -> EventRecord:
        """A new draft of the user's with the event's fields and dates, to edit and publish (a
        recurring clean-up)."""
        async with self.database.transaction() as uow:
            event = await self._managed(uow, user_id, event_id)
            values = {name: getattr(event, name) for name in DRAFT_FIELDS}
            return await uow.events.add(
                now=self.clock.now(), organizer_id=user_id, status=EventStatus.DRAFT.value, **values
            )

    # Rules

    async def _managed(
        self, uow: UnitOfWork, user_id: int, event_id: int, *, lock: bool = False
    ) -> EventRecord:
        """The event, if the user may manage it: an approved organizer's own, or any for an admin."""
        await self.events.check_organizer(uow, user_id)
        event = await uow.events.get(event_id, lock=lock)
        if event is None:
            raise RegistrationRefusedError(EventProblem.NO_SUCH_EVENT)
        if event.organizer_id != user_id and not await is_admin(uow, self.admin_ids, user_id):
            raise NotAllowedError
        return event

    async def _tell_of_change(
        self, uow: UnitOfWork, old: EventRecord, new: EventRecord, now: datetime
    ) -> int:
        """A notice of what changed (old → new) to each registered and waitlisted volunteer, if the
        time or the place did; how many."""
        changes: dict[str, Any] = {}
        for name in ("starts_at", "ends_at"):
            if getattr(old, name) != getattr(new, name):
                changes[name] = [getattr(old, name).isoformat(), getattr(new, name).isoformat()]
        if (old.city, old.address) != (new.city, new.address):
            changes["place"] = [f"{old.city}, {old.address}", f"{new.city}, {new.address}"]
        if (old.latitude, old.longitude) != (new.latitude, new.longitude):
            changes["map"] = [_point(old), _point(new)]
        if not changes:
            return 0
        people = await uow.publishing.people(new.id)
        for registration in people:
            message = Message(
                kind=EVENT_CHANGED,
                recipient=registration.user_id,
                due_at=now,
                expires_at=new.ends_at,
                params={**_about(new), "changes": changes},
                # Unique per notice (an event may change twice in a second), under the event's prefix.
                dedupe_key=f"{_changes_key(new.id)}{registration.id}:{uuid4().hex}",
            )
            await uow.outbox.add(message, now=now)
        return len(people)

    async def _replan_reminders(self, uow: UnitOfWork, event: EventRecord, now: datetime) -> int:
        """The registered volunteers' pending reminders dropped and planned anew from the event as it
        is now (only those still ahead of its start); how many were planned."""
        planned = 0
        for registration in await uow.publishing.people(event.id):
            await drop_reminders(uow, registration.id, "the event changed")
            if registration.status == RegistrationStatus.REGISTERED:
                planned += await plan_reminders(uow, event, registration, self.reminder_hours, now=now)
        return planned


def _changes_key(event_id: int) -> str:
    # Ends with ":" so that event 1's prefix leaves event 12's notices alone.
    return f"{EVENT_CHANGED}:{event_id}:"


def _check_changeable(event: EventRecord, now: datetime) -> None:
    """A cancelled event, or one that has begun, is not changed any more (a draft always is)."""
    status = effective_status(event.status, event.ends_at, now)
    if status is EventStatus.CANCELLED:
        raise InvalidEventError(EventProblem.EVENT_CANCELLED)
    if status is EventStatus.FINISHED or (status is EventStatus.PUBLISHED and now >= event.starts_at):
        raise InvalidEventError(EventProblem.EVENT_STARTED)


def _about(event: EventRecord) -> dict[str, Any]:
    """What a notice about the event shows whatever it says."""
    return {
        "event_id": event.id,
        "title_kk": event.title_kk,
        "title_ru": event.title_ru,
        "starts_at": event.starts_at.isoformat(),
    }


def _point(event: EventRecord) -> list[float] | None:
    if event.latitude is None or event.longitude is None:
        return None
    return [event.latitude, event.longitude]
