"""Database tables. The schema changes only through Alembic migrations (storage/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, aware, in UTC: the only kind of time the database holds."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store times as aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite keeps no offset: what comes back naive was written as UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class User(Base):
    """A person who talked to the bot; the id is their Telegram user id (and private chat id)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Kept only with consent: None until the user agrees.
    name: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(32))
    # The language the user picked; None until they pick one.
    language: Mapped[str | None] = mapped_column(String(8))
    # Telegram's language_code at the last contact: only a guess until the user picks.
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    # Granted role: volunteer, ngo, organizer. None until onboarding reaches the role step.
    role: Mapped[str | None] = mapped_column(String(16))
    # NGO and organizer roles are requests an admin approves later.
    requested_role: Mapped[str | None] = mapped_column(String(16))
    role_requested_at: Mapped[datetime | None]
    # The organisation an NGO or organizer request is for (its name, and its 12-digit BIN if given):
    # asked before the request goes to the admins, kept with consent only.
    organization: Mapped[str | None] = mapped_column(String(150))
    organization_bin: Mapped[str | None] = mapped_column(String(12))
    region: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    # A /start deep-link payload kept until onboarding is over, so it can be opened then.
    start_payload: Mapped[str | None] = mapped_column(String(64))
    # Set when Telegram says the user blocked the bot: nothing is sent to them then.
    blocked_at: Mapped[datetime | None]
    # Set by the "Mute such notices" button under a broadcast: no broadcasts reach them then.
    broadcasts_muted_at: Mapped[datetime | None]
    # Set by the profile's "Event reminders: off": the sender drops their event reminders then.
    reminders_muted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Admin(Base):
    """A user an ADMIN_IDS admin made an admin in the bot (/promote); ADMIN_IDS admins are not rows."""

    __tablename__ = "admins"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    promoted_by: Mapped[int] = mapped_column(BigInteger)
    promoted_at: Mapped[datetime] = mapped_column(default=utcnow)


class NgoProfile(Base):
    """What an approved NGO told about itself (bot/services/ngo_profiles.py), for the grant calls' "fits /
    probably not / unsure" marks; one row per user, deleted with their data."""

    __tablename__ = "ngo_profiles"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # association, foundation, institution, other (a registered legal entity), or group (an initiative
    # group without registration): bot/domain/ngo_profiles.py.
    legal_form: Mapped[str] = mapped_column(String(16))
    # Listed in the national NGO database: yes, no or unknown.
    listed: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(32))
    # Sector codes (bot/domain/grants.py: Sector), space-separated.
    sectors: Mapped[str] = mapped_column(String(200))
    # A youth organization.
    youth: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FSMRecord(Base):
    """Conversation state of one chat/user key, kept as JSON so that it survives restarts."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxUpdate(Base):
    """An update from Telegram, stored before it is confirmed and handled from here (bot/inbox.py)."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_status_update_id", "status", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Updates of one lane (the user, or else the chat, behind them) are handled one at a time, in order.
    lane: Mapped[int | None] = mapped_column(BigInteger)
    # The update as Telegram sent it (JSON), so that one aiogram cannot parse is kept, not lost.
    payload: Mapped[str] = mapped_column(Text)
    # pending, done or failed.
    status: Mapped[str] = mapped_column(String(8), default="pending")
    # Handling attempts that ended (a failure, or a process that died while handling it).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]


class OutboxRow(Base):
    """A message the bot sends on its own initiative, written by a use case in its own transaction and
    sent by the sender (bot/sender.py). It holds what the message is about, never its text: the text is
    rendered at send time, in the recipient's language of that moment."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due_at", "status", "due_at"),
        Index("ix_outbox_recipient_status", "recipient", "status"),
        # Re-planning the same message (a job run twice, a use case retried) does not duplicate it;
        # rows without a key (NULL) are never equal to each other.
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # What the message is: the sender renders it with the renderer registered for this kind.
    kind: Mapped[str] = mapped_column(String(32))
    # The chat to send to (a user's private chat id is their user id).
    recipient: Mapped[int] = mapped_column(BigInteger)
    # What the renderer needs (JSON): ids and values, not texts in one language.
    params: Mapped[str] = mapped_column(Text, default="{}")
    due_at: Mapped[datetime]
    # Too late after this: the row is dropped (reason "expired") instead of sent.
    expires_at: Mapped[datetime | None]
    # pending, sending (claimed, under a lease), sent, failed or dropped.
    status: Mapped[str] = mapped_column(String(8), default="pending")
    # Sends tried: a claim counts one; a 429 gives it back.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The sender holding the row while it is sending, and until when; a lease that ran out (its process
    # died) lets another sender claim the row again.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    # Why it failed, was dropped, or was last retried.
    error: Mapped[str | None] = mapped_column(String(500))
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Event(Base):
    """An eco event an organizer publishes and volunteers register for (bot/services/events.py)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_status_region_starts_at", "status", "region", "starts_at"),
        Index("ix_events_organizer_id", "organizer_id"),
        UniqueConstraint("external_id", name="uq_events_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Kazakh and/or Russian: one language is enough, the other falls back to it.
    title_kk: Mapped[str | None] = mapped_column(String(120))
    title_ru: Mapped[str | None] = mapped_column(String(120))
    description_kk: Mapped[str | None] = mapped_column(Text)
    description_ru: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # None: no limit.
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Seats held by registered volunteers and their companions: changed only by one conditional
    # UPDATE (taken_seats + n <= capacity), so that the database alone keeps the count right.
    taken_seats: Mapped[int] = mapped_column(Integer, default=0)
    # The last place in line handed out: waitlisted registrations get the next one, in arrival order.
    waitlist_last: Mapped[int] = mapped_column(Integer, default=0)
    registration_deadline: Mapped[datetime]
    # Volunteers may cancel until this many hours before the start (None: until the start).
    cancellation_cutoff_hours: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str] = mapped_column(String(255))
    # The user who created it (not a foreign key: the event outlives the organizer's account).
    organizer_id: Mapped[int] = mapped_column(BigInteger)
    # draft, published, cancelled, finished.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The id in another system it was imported from.
    external_id: Mapped[str | None] = mapped_column(String(64))
    # The time each attendee is credited with, in minutes, set by the organizer (None: the event's
    # duration); see bot/services/attendance.py.
    volunteer_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Registration(Base):
    """A volunteer (with companions) registered for an event, waitlisted, or cancelled.

    One row per event and user: registering again after a cancellation revives the row, so a double
    tap can never hold two places (the unique key says so to the database too).
    """

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_registrations_event_id_user_id"),
        Index("ix_registrations_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    companions: Mapped[int] = mapped_column(Integer, default=0)
    # 1 + companions.
    seats: Mapped[int] = mapped_column(Integer)
    # registered, waitlisted, cancelled.
    status: Mapped[str] = mapped_column(String(16))
    # The place in line handed out on arrival (waitlisted only); the live place counts those ahead.
    waitlist_number: Mapped[int | None] = mapped_column(Integer)
    # What the organizer marked after the start: attended or no_show (None: not marked).
    attendance: Mapped[str | None] = mapped_column(String(16))
    attendance_marked_at: Mapped[datetime | None]
    # When the attendee was asked to rate the event (once; None: not asked yet).
    rating_asked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the volunteer answered yes to "still coming?" a day before the start (None: not yet).
    confirmed_at: Mapped[datetime | None]


class Broadcast(Base):
    """A message an admin sends to a segment of active users (bot/services/broadcasts.py); each
    recipient's copy is an outbox row of kind "broadcast" with the dedupe key broadcast:<id>:<user>."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_scheduled_at", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    # everyone, role:<role>, region:<code>, language:<kk|ru>, or event:<event id>:<r|w|a> (an
    # organizer to the registered, waitlisted or attended people of their event).
    segment: Mapped[str] = mapped_column(String(48))
    # One text may serve both languages: the other is then None.
    text_kk: Mapped[str | None] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)
    # A photo or a document sent with the text as its caption: "photo" or "document", and Telegram's
    # file_id of it (the admin's upload; Telegram lets the bot send it again by id).
    media_kind: Mapped[str | None] = mapped_column(String(8))
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    # draft, scheduled, sending, paused, cancelled, done.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # Scheduled: when it starts by itself (the "broadcasts-start" scan starts it).
    scheduled_at: Mapped[datetime | None]
    # Outbox rows written when it was started (one per recipient).
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # The author's progress message, edited live by the "broadcasts-progress" scan, in the language of
    # the dialog it was made in (unless the author has chosen one since).
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    author_language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # Done or cancelled; the progress message shows its final report from `reported_at` on.
    finished_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]


class WaitlistOffer(Base):
    """Freed seats offered to a volunteer in line (bot/services/events.py): held for them, counted in the
    event's taken_seats, until they accept, decline, or the offer expires."""

    __tablename__ = "waitlist_offers"
    __table_args__ = (
        Index("ix_waitlist_offers_status_expires_at", "status", "expires_at"),
        Index("ix_waitlist_offers_registration_id", "registration_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(Integer, ForeignKey("registrations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    # The registration's seats, held for the offer.
    seats: Mapped[int] = mapped_column(Integer)
    # open, accepted, declined, expired, withdrawn (the volunteer left the line).
    status: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EventRating(Base):
    """An attendee's rating of an event (1-5) with an optional comment (bot/services/ratings.py): one per
    attendee and event; rating again changes it."""

    __tablename__ = "event_ratings"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_ratings_event_id_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Grant(Base):
    """A grant call NGOs can apply to (bot/services/grants.py). Its words are also kept normalized in
    search_title and search_body, which the search index reads (SQLite: the grants_fts FTS5 table,
    kept in step by triggers; see storage/repositories/grant_search.py)."""

    __tablename__ = "grants"
    __table_args__ = (
        Index("ix_grants_status_deadline", "status", "deadline"),
        UniqueConstraint("external_id", name="uq_grants_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The id in the catalogue it was imported from: a re-import updates the call instead of adding it.
    external_id: Mapped[str | None] = mapped_column(String(64))
    # Kazakh and/or Russian: one language is enough, the other falls back to it.
    title_kk: Mapped[str | None] = mapped_column(String(200))
    title_ru: Mapped[str | None] = mapped_column(String(200))
    summary_kk: Mapped[str | None] = mapped_column(Text)
    summary_ru: Mapped[str | None] = mapped_column(Text)
    funder: Mapped[str] = mapped_column(String(200))
    # state_grant, state_order, foundation, corporate, international.
    kind: Mapped[str] = mapped_column(String(16))
    # In tenge; either may be unknown (None).
    amount_min: Mapped[int | None] = mapped_column(BigInteger)
    amount_max: Mapped[int | None] = mapped_column(BigInteger)
    # Applications are accepted until this moment.
    deadline: Mapped[datetime]
    eligibility_kk: Mapped[str | None] = mapped_column(Text)
    eligibility_ru: Mapped[str | None] = mapped_column(Text)
    legal_entity_only: Mapped[bool] = mapped_column(Boolean, default=False)
    ngo_database_required: Mapped[bool] = mapped_column(Boolean, default=False)
    youth_organizations: Mapped[bool] = mapped_column(Boolean, default=False)
    initiative_groups_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A link or a contact.
    how_to_apply: Mapped[str] = mapped_column(String(500))
    source_url: Mapped[str | None] = mapped_column(String(500))
    # open or closed; an open call whose deadline passed is closed by the grants-close scan.
    status: Mapped[str] = mapped_column(String(8), default="open")
    published_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # Normalized words (bot/search): titles and funder; the rest (summaries, sectors, regions, kind).
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GrantSector(Base):
    """A sector a grant call is for (bot/domain/grants.py: Sector)."""

    __tablename__ = "grant_sectors"
    __table_args__ = (Index("ix_grant_sectors_sector", "sector"),)

    grant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)


class AddedSector(Base):
    """A grant sector an admin added in the bot (bot/domain/sectors.py: its code is "x-<id>"), named in
    Kazakh and Russian; a retired one is no longer offered, but what names it keeps it."""

    __tablename__ = "added_sectors"
    __table_args__ = (
        UniqueConstraint("name_kk", name="uq_added_sectors_name_kk"),
        UniqueConstraint("name_ru", name="uq_added_sectors_name_ru"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name_kk: Mapped[str] = mapped_column(String(64))
    name_ru: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class GrantRegion(Base):
    """A region a grant call is open to; a call with none is open to all of Kazakhstan."""

    __tablename__ = "grant_regions"
    __table_args__ = (Index("ix_grant_regions_region", "region"),)

    grant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(32), primary_key=True)


class GrantChange(Base):
    """A change to a published call that those who follow it should hear of (deadline, amount,
    status), written in the same transaction as the change; announced_at is set once it was."""

    __tablename__ = "grant_changes"
    __table_args__ = (Index("ix_grant_changes_announced_at", "announced_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(Integer, ForeignKey("grants.id", ondelete="CASCADE"))
    # deadline, amount or status.
    field: Mapped[str] = mapped_column(String(16))
    # The values before and after, as text (ISO times, "min-max" amounts, statuses).
    old_value: Mapped[str | None] = mapped_column(String(64))
    new_value: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime]
    announced_at: Mapped[datetime | None]


class GrantSave(Base):
    """A call a user saved: its deadline reminders are planned for them, and its changes announced."""

    __tablename__ = "grant_saves"
    __table_args__ = (Index("ix_grant_saves_grant_id", "grant_id"),)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    grant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    saved_at: Mapped[datetime]


class GrantReminderSettings(Base):
    """Which deadline reminders of saved calls a user gets (no row: all of them)."""

    __tablename__ = "grant_reminder_settings"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # 7, 3 and 1 days before the closing day, and the closing day itself (each at 10:00 local time).
    days_7: Mapped[bool] = mapped_column(Boolean, default=True)
    days_3: Mapped[bool] = mapped_column(Boolean, default=True)
    days_1: Mapped[bool] = mapped_column(Boolean, default=True)
    closing_day: Mapped[bool] = mapped_column(Boolean, default=True)
    # All of them off, the choices above kept for when they are turned back on.
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class GrantSearch(Base):
    """Words a user searched the catalogue for, kept so that the result's buttons (pages, filters) can
    carry an id instead of the words; pruned after a while."""

    __tablename__ = "grant_searches"
    __table_args__ = (Index("ix_grant_searches_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class GrantQuestion(Base):
    """A question a user asked about a grant call, for the admins to answer (bot/services/grant_questions.py).
    The first admin's answer wins (answered_at is set once); an answered one an admin published shows on the
    call's card for everyone until unpublished (published_at back to NULL)."""

    __tablename__ = "grant_questions"
    __table_args__ = (
        Index("ix_grant_questions_grant_published", "grant_id", "published_at"),
        Index("ix_grant_questions_user_grant", "user_id", "grant_id"),
        Index("ix_grant_questions_answered_at", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(Integer, ForeignKey("grants.id", ondelete="CASCADE"))
    # The asker (a Telegram user id); their questions go when they delete their data.
    user_id: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(String(400))
    asked_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(String(800))
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime | None]
    # Shown on the card since then; NULL: not shown.
    published_at: Mapped[datetime | None]


class GrantSubscription(Base):
    """What a user wants to hear of among new grant calls (bot/services/grant_subscriptions.py):
    sectors and regions (space-separated codes, empty: any), words (as typed, matched like a search),
    delivered instantly or in a weekly digest. Kept when unsubscribed (`active` false), so that
    subscribing again is one tap."""

    __tablename__ = "grant_subscriptions"
    __table_args__ = (Index("ix_grant_subscriptions_active", "active"),)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sectors: Mapped[str] = mapped_column(String(200), default="")
    regions: Mapped[str] = mapped_column(String(400), default="")
    words: Mapped[str] = mapped_column(String(200), default="")
    # instant or weekly.
    delivery: Mapped[str] = mapped_column(String(8), default="instant")
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GrantAlert(Base):
    """A new call that matched a user's subscription: one row per user and call, so that nothing is
    announced twice. An instant one is an outbox row at once; a weekly one waits for the digest
    (digested_at is set when the digest took it, or dropped it)."""

    __tablename__ = "grant_alerts"
    __table_args__ = (Index("ix_grant_alerts_digest", "delivery", "digested_at"),)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    grant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    delivery: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    digested_at: Mapped[datetime | None]


class GrantHidden(Base):
    """A call a user marked "not relevant": left out of their lists, searches and alerts."""

    __tablename__ = "grant_hidden"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    grant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    hidden_at: Mapped[datetime]


# The FTS5 index of grant calls and its shadow tables (SQLite only, made by migration 0010): not in the
# models, so schema comparisons leave them out.
SEARCH_INDEX_PREFIX = "grants_fts"


def is_modelled_table(name: str | None) -> bool:
    """Whether a table belongs to the models (search index tables do not)."""
    return not (name or "").startswith(SEARCH_INDEX_PREFIX)
