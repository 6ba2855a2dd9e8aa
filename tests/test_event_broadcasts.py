"""An organizer writes to the people of their own event (registered, waitlisted, attended): the same
dialog with the recipients fixed, no mute button on their copies, and nobody else steering it, whatever
button data they send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.attendance import Attendance
from bot.services.broadcasts import NotAllowedError, event_segment
from bot.views.broadcasts import (
    ConfirmAction,
    ConfirmCallback,
    ControlCallback,
    EventAudience,
    EventBroadcastStart,
    NoMediaCallback,
    SameTextCallback,
)
from tests.events_support import draft
from tests.harness import BotHarness, texts
from tests.test_broadcasts import ADMIN, bodies, delivered

ORGANIZER = 9401


async def organizer_event(harness: BotHarness, app: Application, clock: ManualClock, language: str) -> int:
    """An organizer's published event with one seat: 9402 holds it (and muted admins' broadcasts), 9403
    waits in line; 9404 is registered elsewhere."""
    organizer = harness.user(ORGANIZER, language_code=language)
    await organizer.onboard(language)
    async with app.database.transaction() as uow:
        await uow.users.update(ORGANIZER, now=clock.now(), role="organizer")
    event = await app.events.create(ORGANIZER, draft(clock.now(), capacity=1))
    await app.events.publish(ORGANIZER, event.id)
    other = await app.events.create(ADMIN, draft(clock.now(), capacity=5))
    await app.events.publish(ADMIN, other.id)
    for user_id, event_id in ((9402, event.id), (9403, event.id), (9404, other.id)):
        await harness.user(user_id, language_code="kk").onboard("kk", region="almaty")
        await app.events.register(user_id, event_id)
    await app.broadcasts.mute(9402)
    await app.sender.send_due()  # what registering sent, out of the way
    return event.id


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_an_organizer_writes_to_the_registered_people_of_their_event(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    says = {
        "kk": ("Алушылар: «Көктемгі сенбілік» іс-шарасына тіркелгендер.", "қазір 1 адам"),
        "ru": ("Получатели: Записавшиеся на «Весенний субботник».", "сейчас 1 человек"),
    }[language]
    event_id = await organizer_event(harness, app, clock, language)
    organizer = harness.user(ORGANIZER, language_code=language)
    seen = texts(
        await organizer.press(EventBroadcastStart(event_id=event_id, audience=EventAudience.REGISTERED))
    )
    assert any(text.startswith(says[0]) for text in seen)
    await organizer.press(NoMediaCallback())
    await organizer.send("Ертең 9:00-де кездесеміз")
    requests = await organizer.press(SameTextCallback())
    assert any(says[1] in text for text in texts(requests))
    # The preview shows no mute button: the event's people signed up for it.
    previews = [r for r in requests if isinstance(r, SendMessage) and r.text == "Ертең 9:00-де кездесеміз"]
    assert len(previews) == 2
    assert all(p.reply_markup is None for p in previews)
    await organizer.press(ConfirmCallback(action=ConfirmAction.SEND))

    out = await delivered(app, harness)
    assert bodies(out) == {9402: ["Ертең 9:00-де кездесеміз"]}  # muted admins' broadcasts, not this
    assert out[9402][0].reply_markup is None
    broadcast_id = ControlCallback.unpack(organizer.buttons()[0][1]).id
    progress = await app.broadcasts.progress(ORGANIZER, broadcast_id)
    assert progress is not None
    assert progress.sent == 1
    # An admin may steer it too; another organizer may not.
    assert await app.broadcasts.progress(ADMIN, broadcast_id) is not None
    with pytest.raises(NotAllowedError):
        await app.broadcasts.progress(9404, broadcast_id)


async def test_the_waitlist_and_the_attended(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await organizer_event(harness, app, clock, "kk")
    assert await app.broadcasts.recipients(event_segment(event_id, EventAudience.WAITLIST)) == [9403]
    broadcast_id = await app.broadcasts.create(
        ORGANIZER, event_segment(event_id, EventAudience.WAITLIST), "Орын босауы мүмкін", None
    )
    await app.broadcasts.start(ORGANIZER, broadcast_id)
    assert bodies(await delivered(app, harness)) == {9403: ["Орын босауы мүмкін"]}

    # Nobody is marked yet: nobody has attended, said plainly, and no dialog starts.
    organizer = harness.user(ORGANIZER, language_code="kk")
    seen = texts(
        await organizer.press(EventBroadcastStart(event_id=event_id, audience=EventAudience.ATTENDED))
    )
    assert seen == ["Бұл іс-шараға келгендер әлі белгіленбеген: жазатын ешкім жоқ."]
    seen = texts(await organizer.send("Мәтін"))
    assert not any("сурет немесе файл" in text for text in seen)  # no dialog waits for it

    # Once the roster marks 9402 as having come, the attended are exactly them.
    clock.advance(timedelta(days=3, hours=1))
    roster = await app.attendance.roster(ORGANIZER, event_id)
    seat_holder = next(person for person in roster.people if person.user_id == 9402)
    await app.attendance.mark(ORGANIZER, event_id, seat_holder.registration_id, Attendance.ATTENDED)
    assert await app.broadcasts.recipients(event_segment(event_id, EventAudience.ATTENDED)) == [9402]


async def test_nobody_but_the_organizer_or_an_admin_writes_to_an_events_people(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await organizer_event(harness, app, clock, "kk")
    refusal = "Іс-шара қатысушыларына тек оның ұйымдастырушысы немесе әкімші жаза алады."
    start = EventBroadcastStart(event_id=event_id, audience=EventAudience.REGISTERED)
    for intruder_id in (9403, 9404):  # someone in line; someone of another event
        intruder = harness.user(intruder_id, language_code="kk")
        assert texts(await intruder.press(start)) == [refusal]
        assert texts(await intruder.send("/broadcast")) == ["Таратылымды тек әкімшілер жібереді."]
    # The organizer's own broadcast, steered by someone else: refused, and it goes on.
    broadcast_id = await app.broadcasts.create(
        ORGANIZER, event_segment(event_id, EventAudience.REGISTERED), "Бәрі орнында", None
    )
    await app.broadcasts.start(ORGANIZER, broadcast_id)
    intruder = harness.user(9404, language_code="kk")
    assert texts(await intruder.press(ControlCallback(id=broadcast_id, action="cancel"))) == [refusal]
    with pytest.raises(NotAllowedError):
        await app.broadcasts.create(9404, event_segment(event_id, EventAudience.REGISTERED), "Мен", None)
    assert bodies(await delivered(app, harness)) == {9402: ["Бәрі орнында"]}
    # An organizer cannot write to everyone, or to an event that is not theirs.
    with pytest.raises(NotAllowedError):
        await app.broadcasts.create(ORGANIZER, "everyone", "Барлығына", None)
    with pytest.raises(NotAllowedError):  # the admin's event, made right after this one
        await app.broadcasts.create(
            ORGANIZER, event_segment(event_id + 1, EventAudience.REGISTERED), "Сіз", None
        )
    # An admin can start it for any event.
    admin = harness.user(ADMIN, language_code="kk")
    seen = texts(await admin.press(start))
    assert any("Тек мәтін" in text for text in seen)
    assert isinstance(admin.last_bot_message and admin.last_bot_message.reply_markup, InlineKeyboardMarkup)
