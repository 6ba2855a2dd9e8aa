"""Eco events as a volunteer sees them: menu → this week's events in their region → an event's card →
Register / Cancel → My events; forged button data refused by the service."""

from __future__ import annotations

from datetime import timedelta

from aiogram.methods import AnswerCallbackQuery

from bot.app import Application
from bot.clock import ManualClock
from bot.views.events import EventsAction, EventsCallback
from bot.views.menu import MenuAction, MenuCallback
from tests.events_support import ADMIN, draft, published_event
from tests.harness import BotHarness, PlayedUser, texts


async def volunteer(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, region="almaty")
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


def answers(requests: list[object]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


async def test_a_volunteer_registers_from_the_menu_and_cancels(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    event_id = await published_event(
        app.events,
        now,
        capacity=2,
        title_ru="Субботник <в парке>",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=3),
    )
    await published_event(app.events, now, region="astana")  # another region: not listed
    user = await volunteer(harness, 3001, "ru")
    (listing,) = texts(await user.press_text("🌿 Экомероприятия"))
    assert listing == (
        "🌿 <b>Экомероприятия</b>\nРегион: Алматы\nКогда: на этой неделе\nКатегория: все категории"
    )
    event_buttons = [label for label, _ in user.buttons() if "·" in label]
    assert len(event_buttons) == 1
    assert event_buttons[0].endswith("· Субботник &lt;в парке&gt;")

    (card,) = texts(await user.press_text(event_buttons[0]))
    assert "<b>Субботник &lt;в парке&gt;</b>" in card
    assert "Категория: Субботник" in card
    assert "Осталось 2 места" in card
    assert "Адрес: Алматы, Бас ботаникалық бақ" in card
    assert "г., " in card  # the date in Russian, with the time

    requests = await user.press_text("✅ Записаться")
    assert answers(requests) == ["✅ Вы записаны."]
    (card,) = [text for text in texts(requests) if text.startswith("<b>")]
    assert "Осталось 1 место" in card
    assert card.endswith("✅ Вы записаны.")
    assert next(label for label, _ in user.buttons()) == "❌ Отменить запись"

    (mine,) = texts(await user.press(EventsCallback(action=EventsAction.MINE)))
    assert mine == "📋 <b>Мои мероприятия</b>"
    assert any(label.startswith("✅ ") and "Субботник" in label for label, _ in user.buttons())

    await user.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    requests = await user.press_text("❌ Отменить запись")
    assert answers(requests) == ["Ваша запись отменена."]
    event = await app.events.get(event_id)
    assert event is not None
    assert event.taken_seats == 0


async def test_a_full_event_puts_a_kazakh_volunteer_on_the_waitlist(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=1)
    await app.events.register(5, event_id)
    user = await volunteer(harness, 3002, "kk")
    (card,) = texts(await user.press(EventsCallback(action=EventsAction.CARD, event_id=event_id)))
    assert "Бос орын қалмады" in card
    assert "жылғы" in card  # the date in Kazakh
    requests = await user.press_text("⏳ Күту тізіміне жазылу")  # full: the button says so
    assert answers(requests) == ["⏳ Барлық орын толды: сіз күту тізіміндесіз, кезектегі орныңыз: 1."]


async def test_forged_or_outdated_event_buttons_change_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    user = await volunteer(harness, 3003, "ru")
    unpublished = await app.events.create(ADMIN, draft(clock.now()))
    for data in (
        EventsCallback(action=EventsAction.REGISTER, event_id=10**9),
        EventsCallback(action=EventsAction.REGISTER, event_id=unpublished.id),
        EventsCallback(action=EventsAction.CARD, event_id=unpublished.id),
        EventsCallback(action=EventsAction.CANCEL, event_id=unpublished.id),
    ):
        requests = await user.press(data)
        assert answers(requests) in (["Это мероприятие недоступно."], ["Вы не записаны на это мероприятие."])
    requests = await user.press("ev:r:abc:w:0")  # not even an id
    assert len(answers(requests)) == 1
    assert await app.events.my_events(3003) == []


def test_event_button_data_fits_telegrams_64_bytes() -> None:
    widest = EventsCallback(action=EventsAction.CANCEL, event_id=2**31 - 1, page=10**6)
    assert len(widest.pack().encode()) <= 64


async def test_a_share_link_leads_a_new_user_through_onboarding_to_the_event(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now())
    user = harness.user(9301, language_code="ru")
    await user.send(f"/start ev_{event_id}")  # t.me/<bot>?start=ev_<id>, before ever using the bot
    await user.onboard("ru", region="almaty")  # its /start has no payload: the kept one stays
    seen = texts(await user.press_text("Открыть мероприятие"))
    assert any("<b>Весенний субботник</b>" in text for text in seen)


async def test_a_link_to_an_event_that_is_not_there_is_refused_when_opened(
    harness: BotHarness, app: Application
) -> None:
    user = harness.user(9302, language_code="kk")
    await user.onboard("kk", region="almaty")
    await user.send("/start ev_999999")
    requests = await user.press_text("Іс-шараны ашу")
    expected = app.catalogs["kk"]._("This event is not available.")
    assert answers(requests) == [expected]
    assert texts(requests) == [expected]  # the answer only: no card, no other message
