""" "My data": the export holds everything kept about a person (their registrations with attendance,
their ratings, the events they organize, their grant searches, an admin role), and erasure leaves
none of it behind."""

from __future__ import annotations

import json
from datetime import timedelta

from aiogram.methods import SendDocument
from sqlalchemy import func, select

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.attendance import Attendance
from bot.views.menu import Origin
from bot.views.privacy import PrivacyAction, PrivacyCallback
from storage.database import Database
from storage.models import Base
from tests.events_support import ADMIN
from tests.grants_support import call
from tests.harness import BotHarness
from tests.organizer_support import organizer, organizers_event, volunteer


async def volunteer_with_a_history(harness: BotHarness, app: Application, clock: ManualClock) -> int:
    """Volunteer 7301: attended and rated a past clean-up, is registered to one ahead, searched grants,
    and was made an admin."""
    await organizer(harness, app, 5301, "ru")
    await volunteer(harness, 7301, "kk")
    past = await organizers_event(app, 5301, clock.now(), capacity=None, title_kk="Өткен сенбілік")
    await app.events.register(7301, past, companions=1)
    clock.advance(timedelta(days=3, hours=1))
    (person,) = (await app.attendance.roster(5301, past)).people
    await app.attendance.mark(5301, past, person.registration_id, Attendance.ATTENDED)
    clock.advance(timedelta(hours=3))
    await app.ratings.rate(7301, past, 5)
    ahead = await organizers_event(app, 5301, clock.now(), title_ru="Будущий субботник")
    await app.events.register(7301, ahead)
    await app.grants.ask(7301, "жастар гранты")
    grant = await app.grants.add(ADMIN, call(clock.now(), "pd-1", title_kk="Жастар гранты"))
    await app.saved_grants.save(7301, grant.id)
    await app.grant_questions.ask(7301, grant.id, "Бастамашыл топ өтінім бере ала ма?")
    await app.grant_subscriptions.toggle_sector(7301, "youth")
    await app.grant_subscriptions.subscribe(7301)
    await app.grant_subscriptions.hide(7301, grant.id)
    await app.admins.promote(ADMIN, "7301")
    return past


async def test_the_export_holds_registrations_ratings_searches_and_roles(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    past = await volunteer_with_a_history(harness, app, clock)
    requests = await harness.user(7301).press(
        PrivacyCallback(action=PrivacyAction.EXPORT, origin=Origin.PROFILE)
    )
    document = next(r for r in requests if isinstance(r, SendDocument))
    data = json.loads(document.document.data)  # type: ignore[union-attr]

    assert data["id"] == 7301  # the profile, as before
    first, second = data["event_registrations"]
    assert first["event_id"] == past
    assert first["event_title_kk"] == "Өткен сенбілік"
    assert (first["status"], first["companions"], first["attendance"]) == ("registered", 1, "attended")
    assert first["created_at"].endswith("+00:00")
    assert second["event_title_ru"] == "Будущий субботник"
    assert [(r["event_id"], r["score"]) for r in data["event_ratings"]] == [(past, 5)]
    assert [s["text"] for s in data["grant_searches"]] == ["жастар гранты"]
    assert [a["promoted_by"] for a in data["admin"]] == [ADMIN]
    assert [g["grant_title_kk"] for g in data["saved_grants"]] == ["Жастар гранты"]
    assert [q["question"] for q in data["grant_questions"]] == ["Бастамашыл топ өтінім бере ала ма?"]
    assert data["grant_subscription"][0]["sectors"] == "youth"
    assert len(data["hidden_grants"]) == 1
    assert data["events_organized"] == []

    organizer_data = await app.users.export_data(5301)
    assert organizer_data["events_organized"][0]["title_kk"] == "Өткен сенбілік"


async def test_erasure_leaves_nothing_of_theirs(
    harness: BotHarness, app: Application, clock: ManualClock, database: Database
) -> None:
    await volunteer_with_a_history(harness, app, clock)
    await app.users.erase(7301)

    assert await app.users.export_data(7301) == {}
    async with database.reading() as uow:
        for name in (
            "registrations",
            "event_ratings",
            "grant_searches",
            "grant_questions",
            "grant_saves",
            "grant_reminder_settings",
            "grant_subscriptions",
            "grant_alerts",
            "grant_hidden",
            "admins",
        ):
            table = Base.metadata.tables[name]
            count = select(func.count()).select_from(table).where(table.c.user_id == 7301)
            assert (await uow.connection.execute(count)).scalar() == 0, name
    # The organizer's events stay, for the others registered to them.
    assert len((await app.users.export_data(5301))["events_organized"]) == 2


async def test_withdrawn_consent_ends_the_grant_data_and_what_it_sends(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await volunteer(harness, 7302, "ru")
    grant = await app.grants.add(ADMIN, call(clock.now(), "pd-2", title_ru="Молодёжный грант"))
    await app.saved_grants.save(7302, grant.id)  # deadline reminders planned
    await app.grant_subscriptions.toggle_sector(7302, "youth")
    await app.grant_subscriptions.subscribe(7302)
    assert "grant_reminder" in await pending_kinds(app, 7302)

    await app.users.decline_consent(7302)

    data = await app.users.export_data(7302)
    for kept_with_consent in ("saved_grants", "grant_subscription", "grant_searches", "grant_questions"):
        assert data[kept_with_consent] == [], kept_with_consent
    assert await pending_kinds(app, 7302) == []  # the deadline reminders are dropped
    # A new call in their sector no longer reaches them.
    await app.grants.add(ADMIN, call(clock.now(), "pd-3", title_ru="Ещё один молодёжный грант"))
    assert await pending_kinds(app, 7302) == []


async def pending_kinds(app: Application, user_id: int) -> list[str]:
    outbox = Base.metadata.tables["outbox"]
    pending = select(outbox.c.kind).where(outbox.c.recipient == user_id, outbox.c.status == "pending")
    async with app.database.reading() as uow:
        return list((await uow.connection.execute(pending)).scalars())
