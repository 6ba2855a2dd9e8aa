"""Grant subscriptions: a user (NGOs mainly) hears of new grant calls that match what they care about.

A subscription is sectors (any of them), regions (any of them; calls for all of Kazakhstan match every
region) and words (any of them, matched as the search matches them: bot/search/text.py, so «жастарға»
finds «жастар»); whatever is left empty matches anything, but not all may be empty. Delivery is
instant or a weekly digest.

Each call newly published (an admin's `GrantService.add`, or a call new to `grants import`; never a
re-import of one already there) is matched in the same transaction as its publication
(`announce_new_calls`): a row in grant_alerts per matching subscriber, whose (user, call) key makes a
second announcement impossible, and for instant delivery an outbox row (grant_alert) with it. Weekly
alerts wait for the "grant-digests" scan: once the week's digest time (Monday 10:00 in the bot's time
zone) has passed, each weekly subscriber's alerts recorded before it are sent as one grant_digest,
leaving out calls closed or marked "not relevant" since; a week with nothing sends nothing. The scan
marks what a written digest took, so running it twice sends nothing more; a call recorded before the
digest time but committed after that week's digest went out waits for the next week's.

"Not relevant" hides a call from the user's lists, searches and alerts (grant_hidden); it can be undone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.grants import GrantStatus, Sector
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.sectors import BUILT_IN, SectorCatalogue, added_id
from bot.search.text import forms, words
from bot.services.grant_access import set_up_user
from bot.services.sectors import load_catalogue
from storage.database import Database
from storage.repositories.grant_subscriptions import SubscriptionRecord
from storage.repositories.grants import GrantRecord
from storage.repositories.outbox import Message
from storage.unit_of_work import UnitOfWork

GRANT_ALERT = "grant_alert"
GRANT_DIGEST = "grant_digest"
WORDS_MAX = 10
WORDS_TEXT_MAX = 200
WORD_LENGTH_MAX = 40
# Shorter words are left out: a lone letter (a stray "i", "в") would match nearly every call.
WORD_LENGTH_MIN = 2
# Markup pasted with the words (<i>, </b>, <br/>): the tags are no words.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# A digest lists at most this many calls (the rest are counted).
DIGEST_MAX = 15
# The weekly digest goes out on this weekday (0: Monday) at this time, in the bot's time zone.
DIGEST_WEEKDAY = 0
DIGEST_TIME = time(10, 0)


class Delivery(StrEnum):
    INSTANT = "instant"
    WEEKLY = "weekly"


class SubscriptionProblem(StrEnum):
    NOT_ALLOWED = "not_allowed"  # not set up (no consent or role)
    BAD_BUTTON = "bad_button"  # a sector, region or delivery no view offers: forged
    EMPTY = "empty"  # nothing picked: it would match every call
    NOT_SUBSCRIBED = "not_subscribed"
    NO_SUCH_GRANT = "no_such_grant"
    WORDS_EMPTY = "words_empty"
    WORDS_TOO_LONG = "words_too_long"


class SubscriptionError(ValueError):
    def __init__(self, problem: SubscriptionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Subscription:
    """A user's subscription as the screen shows it (a new one: nothing picked, off) and how many calls
    they marked "not relevant"."""

    record: SubscriptionRecord
    hidden: int = 0
    # The sectors there are (built-in and added ones), to name and offer them.
    sectors: SectorCatalogue = BUILT_IN

    @property
    def empty(self) -> bool:
        return is_empty(self.record)


def is_empty(record: SubscriptionRecord) -> bool:
    return not (record.sectors or record.regions or record.words)


def _blank(user_id: int) -> SubscriptionRecord:
    return SubscriptionRecord(user_id, (), (), (), Delivery.INSTANT.value, active=False)


def matches(record: SubscriptionRecord, grant: GrantRecord, tokens: Collection[str]) -> bool:
    """Whether a call is one the subscription asks for: a sector in common (if any picked), a region
    in common or the call is for all of Kazakhstan (if any picked), any word found (if any given)."""
    if is_empty(record):
        return False
    if record.sectors and not set(record.sectors) & set(grant.sectors):
        return False
    if record.regions and grant.regions and not set(record.regions) & set(grant.regions):
        return False
    if record.words:
        return any(_word_found(word, tokens) for word in record.words)
    return True


def _word_found(word: str, tokens: Collection[str]) -> bool:
    """As the search index finds a word: a token beginning with its folded form, or one of its stems."""
    word_forms = forms(word)
    return any(stem in tokens for stem in word_forms.stems) or any(
        token.startswith(word_forms.folded) for token in tokens
    )


def grant_params(grant: GrantRecord, now: datetime) -> dict[str, object]:
    """What an alert or a digest shows of a call, as it is now (rendered later, in the reader's
    language); `at` is when it was written, for the time left."""
    return {
        "grant_id": grant.id,
        "title_kk": grant.title_kk,
        "title_ru": grant.title_ru,
        "amount_min": grant.amount_min,
        "amount_max": grant.amount_max,
        "deadline": grant.deadline.isoformat(),
        "at": now.isoformat(),
    }


def _alert_key(user_id: int, grant_id: int) -> str:
    return f"{GRANT_ALERT}:{user_id}:{grant_id}:"


def _alert(user_id: int, grant: GrantRecord, now: datetime) -> Message:
    """A call's alert to one subscriber: due now, pointless once the call's deadline has passed."""
    return Message(
        kind=GRANT_ALERT,
        recipient=user_id,
        due_at=now,
        expires_at=grant.deadline,
        params=grant_params(grant, now),
        dedupe_key=_alert_key(user_id, grant.id),
    )


async def announce_new_calls(uow: UnitOfWork, grant_ids: Sequence[int], *, now: datetime) -> int:
    """Match newly published calls against every active subscription, in the publication's own unit of
    work: each matching subscriber gets the call once (instant: an outbox row now; weekly: kept for the
    digest). Returns how many instant alerts were written (the caller wakes the sender if any)."""
    if not grant_ids:
        return 0
    subscriptions = await uow.grant_subscriptions.active()
    if not subscriptions:
        return 0
    grants = [
        grant
        for grant in await uow.grants.many(grant_ids)
        if grant.status == GrantStatus.OPEN and grant.deadline > now
    ]
    texts = await uow.grant_subscriptions.search_texts([grant.id for grant in grants])
    written = 0
    for grant in grants:
        tokens = set(texts.get(grant.id, "").split())
        for record in subscriptions:
            if not matches(record, grant, tokens):
                continue
            if not await uow.grant_subscriptions.add_alert(
                record.user_id, grant.id, record.delivery, now=now
            ):
                continue  # it reached them already
            if record.delivery != Delivery.INSTANT:
                continue
            if await uow.outbox.add(_alert(record.user_id, grant, now), now=now) is not None:
                written += 1
    return written


def digest_time(now: datetime, tz: ZoneInfo) -> datetime:
    """The latest weekly digest time (Monday 10:00 local) at or before `now`, in UTC terms."""
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    moment = datetime.combine(day, DIGEST_TIME, tzinfo=tz)
    if moment > now:
        moment = datetime.combine(day - timedelta(days=7), DIGEST_TIME, tzinfo=tz)
    return moment


class GrantSubscriptionService:
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

    # The subscription screen

    async def get(self, user_id: int) -> Subscription:
        async with self.database.reading() as uow:
            await self._check_user(uow, user_id)
            return await self._state(uow, user_id)

    async def toggle_sector(self, user_id: int, sector: str, *, on: bool | None = None) -> Subscription:
        """Tick a sector the picker offers (built-in, or added and not retired), or untick one.

        `on`: the state the button showed it would set (ticking a ticked one changes nothing, so a
        double tap or an old screen never turns it the other way); None flips it."""
        if sector not in Sector.__members__.values() and added_id(sector) is None:
            raise SubscriptionError(SubscriptionProblem.BAD_BUTTON)
        return await self._change(
            user_id, lambda r: replace(r, sectors=_toggled(r.sectors, sector, on)), sector=sector
        )

    async def toggle_region(self, user_id: int, region: str, *, on: bool | None = None) -> Subscription:
        """Tick a region, or untick it (`on` as in toggle_sector)."""
        if region not in REGIONS_BY_CODE:
            raise SubscriptionError(SubscriptionProblem.BAD_BUTTON)
        return await self._change(user_id, lambda r: replace(r, regions=_toggled(r.regions, region, on)))

    async def set_words(self, user_id: int, text: str) -> Subscription:
        """The words to look for, typed (spaces or commas between them); "-" clears them."""
        text = " ".join(_TAG.sub(" ", text).split())
        if text in ("-", "—", "–"):
            found: tuple[str, ...] = ()
        else:
            if len(text) > WORDS_TEXT_MAX:
                raise SubscriptionError(SubscriptionProblem.WORDS_TOO_LONG)
            found = tuple(
                dict.fromkeys(word for word in words(text) if WORD_LENGTH_MIN <= len(word) <= WORD_LENGTH_MAX)
            )
            if not found:
                raise SubscriptionError(SubscriptionProblem.WORDS_EMPTY)
            if len(found) > WORDS_MAX:
                raise SubscriptionError(SubscriptionProblem.WORDS_TOO_LONG)
        return await self._change(user_id, lambda r: replace(r, words=found))

    async def set_delivery(self, user_id: int, delivery: str) -> Subscription:
        if delivery not in Delivery.__members__.values():
            raise SubscriptionError(SubscriptionProblem.BAD_BUTTON)
        return await self._change(user_id, lambda r: replace(r, delivery=delivery))

    async def subscribe(self, user_id: int) -> Subscription:
        """Turn the subscription on (something must be picked)."""
        async with self.database.transaction() as uow:
            await self._check_user(uow, user_id, lock=True)
            record = await uow.grant_subscriptions.get(user_id) or _blank(user_id)
            if is_empty(record):
                raise SubscriptionError(SubscriptionProblem.EMPTY)
            if not record.active:
                await uow.grant_subscriptions.save(replace(record, active=True), now=self.clock.now())
            return await self._state(uow, user_id)

    async def unsubscribe(self, user_id: int) -> Subscription:
        """One tap: no more alerts or digests; alerts not sent yet are dropped. What was picked is
        kept, for subscribing again."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            await self._check_user(uow, user_id, lock=True)
            record = await uow.grant_subscriptions.get(user_id)
            if record is None or not record.active:
                raise SubscriptionError(SubscriptionProblem.NOT_SUBSCRIBED)
            await uow.grant_subscriptions.save(replace(record, active=False), now=now)
            await self._drop_pending(uow, user_id, now)
            return await self._state(uow, user_id)

    # "Not relevant"

    async def hide(self, user_id: int, grant_id: int) -> GrantRecord:
        """Leave a call out of the user's lists, searches and alerts (its alert not yet sent too)."""
        async with self.database.transaction() as uow:
            await self._check_user(uow, user_id)
            grant = await uow.grants.get(grant_id)
            if grant is None:
                raise SubscriptionError(SubscriptionProblem.NO_SUCH_GRANT)
            await uow.grant_subscriptions.hide(user_id, grant_id, now=self.clock.now())
            await uow.outbox.drop_pending_with_key_prefix(
                _alert_key(user_id, grant_id), "marked not relevant", release_keys=False
            )
        return grant

    async def unhide(self, user_id: int, grant_id: int) -> GrantRecord:
        async with self.database.transaction() as uow:
            await self._check_user(uow, user_id)
            grant = await uow.grants.get(grant_id)
            if grant is None:
                raise SubscriptionError(SubscriptionProblem.NO_SUCH_GRANT)
            await uow.grant_subscriptions.unhide(user_id, [grant_id])
        return grant

    async def unhide_all(self, user_id: int) -> Subscription:
        async with self.database.transaction() as uow:
            await self._check_user(uow, user_id)
            await uow.grant_subscriptions.unhide(user_id)
            return await self._state(uow, user_id)

    # The weekly digest

    async def send_digests(self) -> int:
        """A scan (safe to run twice): once the week's digest time has passed, each weekly subscriber's
        calls recorded before it go out as one digest, those still open and not hidden; a week with
        none sends nothing. Returns how many digests were written."""
        now = self.clock.now()
        slot = digest_time(now, self.tz)
        written = 0
        async with self.database.transaction() as uow:
            waiting = await uow.grant_subscriptions.waiting_for_digest(before=slot)
            for user_id in waiting:  # in id order: locks are taken in one order
                # Locked as the user's own changes lock it (PostgreSQL): switching to instant at this
                # moment sends the calls as alerts either before (then none is waiting here, read
                # again under the lock) or after (then this digest has taken them), never both.
                await uow.users.get(user_id, lock=True)
                grant_ids = (
                    await uow.grant_subscriptions.waiting_for_digest(before=slot, user_id=user_id)
                ).get(user_id, [])
                if not grant_ids:
                    continue
                hidden = await uow.grant_subscriptions.hidden(user_id, grant_ids)
                grants = [
                    grant
                    for grant in await uow.grants.many(grant_ids)
                    if grant.status == GrantStatus.OPEN and grant.deadline > now and grant.id not in hidden
                ]
                if not grants:
                    await uow.grant_subscriptions.mark_digested(user_id, grant_ids, now=now)
                    continue
                grants.sort(key=lambda grant: (grant.deadline, grant.id))
                message = Message(
                    kind=GRANT_DIGEST,
                    recipient=user_id,
                    due_at=now,
                    expires_at=slot + timedelta(days=7),
                    params={
                        "calls": [grant_params(grant, now) for grant in grants[:DIGEST_MAX]],
                        "more": max(len(grants) - DIGEST_MAX, 0),
                        "at": now.isoformat(),
                    },
                    dedupe_key=f"{GRANT_DIGEST}:{user_id}:{slot.date().isoformat()}",
                )
                # Marked only when this digest carries them: an alert written before the digest time
                # but committed after this week's digest went out waits for next week's.
                if await uow.outbox.add(message, now=now) is not None:
                    await uow.grant_subscriptions.mark_digested(user_id, grant_ids, now=now)
                    written += 1
        if written:
            self.wake_sender()
        return written

    # Helpers

    async def _change(
        self,
        user_id: int,
        change: Callable[[SubscriptionRecord], SubscriptionRecord],
        *,
        sector: str | None = None,
    ) -> Subscription:
        """`sector`: the one toggled, checked against the sectors there are."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            # Locked: two quick taps are made one after the other, the second on the first's choice.
            await self._check_user(uow, user_id, lock=True)
            old = await uow.grant_subscriptions.get(user_id) or _blank(user_id)
            if (
                sector is not None
                and sector not in old.sectors
                and not (await load_catalogue(uow)).is_offered(sector)
            ):
                raise SubscriptionError(SubscriptionProblem.BAD_BUTTON)
            new = change(old)
            if new.active and is_empty(new):
                # An active subscription must ask for something: unsubscribe instead.
                raise SubscriptionError(SubscriptionProblem.EMPTY)
            alerts = 0
            if new != old:
                await uow.grant_subscriptions.save(new, now=now)
                if old.delivery == Delivery.WEEKLY and new.delivery != Delivery.WEEKLY:
                    alerts = await self._send_waiting_now(uow, user_id, now)
            state = await self._state(uow, user_id)
        if alerts:
            self.wake_sender()
        return state

    async def _send_waiting_now(self, uow: UnitOfWork, user_id: int, now: datetime) -> int:
        """Weekly turned instant: the calls kept for the digest go out now, as alerts (those still open
        and not hidden); how many."""
        grant_ids = await uow.grant_subscriptions.waiting_of(user_id)
        hidden = await uow.grant_subscriptions.hidden(user_id, grant_ids)
        await uow.grant_subscriptions.mark_digested(user_id, grant_ids, now=now)
        written = 0
        for grant in await uow.grants.many(grant_ids):
            if grant.status != GrantStatus.OPEN or grant.deadline <= now or grant.id in hidden:
                continue
            if await uow.outbox.add(_alert(user_id, grant, now), now=now) is not None:
                written += 1
        return written

    async def _state(self, uow: UnitOfWork, user_id: int) -> Subscription:
        record = await uow.grant_subscriptions.get(user_id) or _blank(user_id)
        hidden = await uow.grant_subscriptions.hidden_count(user_id)
        return Subscription(record, hidden, await load_catalogue(uow))

    async def _drop_pending(self, uow: UnitOfWork, user_id: int, now: datetime) -> None:
        await uow.grant_subscriptions.settle_waiting(user_id, now=now)
        await uow.outbox.drop_pending_with_key_prefix(
            f"{GRANT_ALERT}:{user_id}:", "unsubscribed", release_keys=False
        )
        await uow.outbox.drop_pending_with_key_prefix(
            f"{GRANT_DIGEST}:{user_id}:", "unsubscribed", release_keys=False
        )

    @staticmethod
    async def _check_user(uow: UnitOfWork, user_id: int, *, lock: bool = False) -> None:
        """Only a user who is set up (consent and a role) has a subscription; with `lock`, their changes
        to it are made one after the other (bot/services/grant_access.py)."""
        if await set_up_user(uow, user_id, lock=lock) is None:
            raise SubscriptionError(SubscriptionProblem.NOT_ALLOWED)


def _toggled(codes: tuple[str, ...], code: str, on: bool | None = None) -> tuple[str, ...]:
    """The codes with `code` in (`on`) or out; None: the other way than it is."""
    if on is None:
        on = code not in codes
    if on:
        return codes if code in codes else (*codes, code)
    return tuple(c for c in codes if c != code)
