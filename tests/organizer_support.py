"""What the organizer-tools and ratings tests share: an organizer and volunteers played through the bot,
volunteers known only to the database, and an event of the organizer's."""

from __future__ import annotations

from datetime import datetime

from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.app import Application
from fake_telegram.recording import RecordingSession
from tests.events_support import draft
from tests.harness import BotHarness, PlayedUser


async def organizer(harness: BotHarness, app: Application, user_id: int, language: str) -> PlayedUser:
    """An approved organizer (an admin's approval, written straight to the database)."""
    user = harness.user(user_id, first_name="Ұйымдастырушы", language_code=language)
    await user.onboard(language, region="almaty")
    async with app.database.transaction() as uow:
        await uow.users.update(user_id, now=app.clock.now(), role="organizer")
    return user


async def volunteer(harness: BotHarness, user_id: int, language: str, name: str = "Дана") -> PlayedUser:
    user = harness.user(user_id, first_name=name, language_code=language)
    await user.onboard(language, region="almaty")
    return user


async def known_volunteer(app: Application, user_id: int, name: str | None, **values: object) -> None:
    """A volunteer the bot knows (consent given unless `consent_at=None`), not played."""
    values.setdefault("consent_at", app.clock.now())
    async with app.database.transaction() as uow:
        await uow.users.add(
            user_id, now=app.clock.now(), name=name, role="volunteer", region="almaty", **values
        )


async def organizers_event(app: Application, organizer_id: int, now: datetime, **changes: object) -> int:
    event = await app.events.create(organizer_id, draft(now, **changes))
    await app.events.publish(organizer_id, event.id)
    return event.id


def answers(requests: list[object]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


async def delivered(app: Application) -> list[SendMessage]:
    """What the sender sends now, to anyone."""
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    return [r for r in session.requests[start:] if isinstance(r, SendMessage)]
