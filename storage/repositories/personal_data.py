"""Everything kept about one person beyond their profile row, for "My data": what they export, and the
rows that go when they erase their data. A table that holds a person's data adds its rows here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_events = Base.metadata.tables["events"]
_registrations = Base.metadata.tables["registrations"]
_ratings = Base.metadata.tables["event_ratings"]
_searches = Base.metadata.tables["grant_searches"]
_admins = Base.metadata.tables["admins"]
_grants = Base.metadata.tables["grants"]
_questions = Base.metadata.tables["grant_questions"]
_added_sectors = Base.metadata.tables["added_sectors"]
_saves = Base.metadata.tables["grant_saves"]
_reminder_settings = Base.metadata.tables["grant_reminder_settings"]
_subscriptions = Base.metadata.tables["grant_subscriptions"]
_alerts = Base.metadata.tables["grant_alerts"]
_hidden = Base.metadata.tables["grant_hidden"]

_EVENT = (_events.c.title_kk.label("event_title_kk"), _events.c.title_ru.label("event_title_ru"))


def _sections(user_id: int) -> dict[str, Select[Any]]:
    """Each exported list: its name in the file, and the rows in it, oldest first."""
    return {
        "event_registrations": select(
            _registrations.c.event_id,
            *_EVENT,
            _events.c.starts_at.label("event_starts_at"),
            _registrations.c.status,
            _registrations.c.companions,
            _registrations.c.attendance,
            _registrations.c.confirmed_at,
            _registrations.c.created_at,
        )
        .join(_events, _events.c.id == _registrations.c.event_id)
        .where(_registrations.c.user_id == user_id)
        .order_by(_registrations.c.created_at, _registrations.c.id),
        "event_ratings": select(
            _ratings.c.event_id, *_EVENT, _ratings.c.score, _ratings.c.comment, _ratings.c.updated_at
        )
        .join(_events, _events.c.id == _ratings.c.event_id)
        .where(_ratings.c.user_id == user_id)
        .order_by(_ratings.c.created_at, _ratings.c.id),
        "events_organized": select(
            _events.c.id, _events.c.title_kk, _events.c.title_ru, _events.c.starts_at, _events.c.status
        )
        .where(_events.c.organizer_id == user_id)
        .order_by(_events.c.starts_at, _events.c.id),
        "grant_searches": select(_searches.c.text, _searches.c.created_at)
        .where(_searches.c.user_id == user_id)
        .order_by(_searches.c.created_at, _searches.c.id),
        "grant_questions": select(
            _questions.c.grant_id,
            _grants.c.title_kk.label("grant_title_kk"),
            _grants.c.title_ru.label("grant_title_ru"),
            _questions.c.question,
            _questions.c.asked_at,
            _questions.c.answer,
            _questions.c.answered_at,
            _questions.c.published_at,
        )
        .join(_grants, _grants.c.id == _questions.c.grant_id)
        .where(_questions.c.user_id == user_id)
        .order_by(_questions.c.asked_at, _questions.c.id),
        "saved_grants": select(
            _saves.c.grant_id,
            _grants.c.title_kk.label("grant_title_kk"),
            _grants.c.title_ru.label("grant_title_ru"),
            _saves.c.saved_at,
        )
        .join(_grants, _grants.c.id == _saves.c.grant_id)
        .where(_saves.c.user_id == user_id)
        .order_by(_saves.c.saved_at, _saves.c.grant_id),
        "grant_reminder_settings": select(
            *(column for column in _reminder_settings.c if column.name != "user_id")
        ).where(_reminder_settings.c.user_id == user_id),
        "grant_subscription": select(
            *(column for column in _subscriptions.c if column.name != "user_id")
        ).where(_subscriptions.c.user_id == user_id),
        "grant_alerts": select(_alerts.c.grant_id, _alerts.c.delivery, _alerts.c.created_at)
        .where(_alerts.c.user_id == user_id)
        .order_by(_alerts.c.created_at, _alerts.c.grant_id),
        "hidden_grants": select(_hidden.c.grant_id, _hidden.c.hidden_at)
        .where(_hidden.c.user_id == user_id)
        .order_by(_hidden.c.hidden_at, _hidden.c.grant_id),
        "admin": select(_admins.c.promoted_by, _admins.c.promoted_at).where(_admins.c.user_id == user_id),
        "sectors_added": select(
            _added_sectors.c.id, _added_sectors.c.name_kk, _added_sectors.c.name_ru, _added_sectors.c.added_at
        )
        .where(_added_sectors.c.added_by == user_id)
        .order_by(_added_sectors.c.id),
    }


# What is kept only with consent: withdrawing it deletes these rows (the person stays, with their
# language), and so does erasure.
def _kept_with_consent(user_id: int) -> Sequence[tuple[Any, ColumnElement[bool]]]:
    return (
        (_searches, _searches.c.user_id == user_id),
        (_questions, _questions.c.user_id == user_id),  # and what was published of them
        (_saves, _saves.c.user_id == user_id),
        (_reminder_settings, _reminder_settings.c.user_id == user_id),
        (_subscriptions, _subscriptions.c.user_id == user_id),
        (_alerts, _alerts.c.user_id == user_id),
        (_hidden, _hidden.c.user_id == user_id),
    )


class PersonalDataRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Each section's rows as JSON-ready dicts (times in ISO 8601, UTC)."""
        exported = {}
        for name, statement in _sections(user_id).items():
            rows = await self.connection.execute(statement)
            exported[name] = [{key: _plain(value) for key, value in row._mapping.items()} for row in rows]
        return exported

    async def forget_consented(self, user_id: int) -> None:
        """Consent withdrawn: what was kept only with it goes."""
        for table, whose in _kept_with_consent(user_id):
            await self.connection.execute(delete(table).where(whose))

    async def forget(self, user_id: int) -> None:
        """The person erases their data: what was kept with their consent and the rest that is theirs
        alone (tables with a foreign key to users go by ON DELETE CASCADE). Registrations and ratings
        are deleted by their own repositories (a registration gives its seats back first); events they
        organized stay, for the people registered to them."""
        await self.forget_consented(user_id)
        await self.connection.execute(delete(_admins).where(_admins.c.user_id == user_id))
        # Answers an admin gave stay with the questions (the askers' and the cards'), no longer saying who.
        await self.connection.execute(
            update(_questions).where(_questions.c.answered_by == user_id).values(answered_by=None)
        )
        # Sectors an admin added stay in the catalogue (calls name them), no longer saying who added them.
        await self.connection.execute(
            update(_added_sectors).where(_added_sectors.c.added_by == user_id).values(added_by=None)
        )


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
