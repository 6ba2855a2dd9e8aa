"""The volunteer's side of eco events beyond register and cancel (issue 8): the list's filters (region,
period, category, combined, an empty result widened), companions (double tap, not enough seats), the
map pin, the calendar file, and "still coming?" whose no releases the seat to the waitlist."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage, SendVenue
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from bot.app import Application, build_application
from bot.clock import ManualClock
from bot.services.events import EventProblem, RegistrationRefusedError
from bot.views.calendar import LINE_OCTETS, escape_text, fold
from bot.views.events import ALL_REGIONS, EventsAction, EventsCallback, event_card_view
from bot.views.menu import MenuAction, MenuCallback
from bot.views.reminders import StillComingCallback
from fake_telegram.recording import RecordingSession
from tests.events_support import published_event
from tests.harness import BotHarness, PlayedUser, texts


async def volunteer(harness: BotHarness, user_id: int, language: str, region: str = "almaty") -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, region=region)
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


def answers(requests: list[Any]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def event_labels(user: PlayedUser) -> list[str]:
    """The list's event buttons: "date · title"."""
    return [label.split(" · ", 1)[1] for label, _ in user.buttons() if " · " in label]


async def taken(app: Application, event_id: int) -> int:
    event = await app.events.get(event_id)
    assert event is not None
    return event.taken_seats


def in_days(now: datetime, days: int) -> dict[str, datetime]:
    return {"starts_at": now + timedelta(days=days), "ends_at": now + timedelta(days=days, hours=2)}


# Filters


async def test_filters_combine_and_the_list_says_which_are_in_force(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    await published_event(app.events, now, title_ru="Алматы субботник", **in_days(now, 2))
    await published_event(app.events, now, title_ru="Алматы урок", category="eco_lesson", **in_days(now, 2))
    await published_event(
        app.events, now, title_ru="Алматы поздний урок", category="eco_lesson", **in_days(now, 20)
    )
    await published_event(app.events, now, title_ru="Астана субботник", region="astana", **in_days(now, 2))
    await published_event(
        app.events, now, title_ru="Астана урок", region="astana", category="eco_lesson", **in_days(now, 20)
    )
    user = await volunteer(harness, 4001, "ru")
    await user.press_text("🌿 Экомероприятия")
    assert event_labels(user) == ["Алматы субботник", "Алматы урок"]  # their region, this week

    await user.press_text("🏷 Категория")
    (listing,) = texts(await user.press_text("Экоурок"))
    assert listing.endswith("Регион: Алматы\nКогда: на этой неделе\nКатегория: Экоурок")
    assert event_labels(user) == ["Алматы урок"]

    (listing,) = texts(await user.press_text("Этот месяц"))
    assert "Когда: в этом месяце\nКатегория: Экоурок" in listing
    assert event_labels(user) == ["Алматы урок", "Алматы поздний урок"]
    assert "✓ Этот месяц" in [label for label, _ in user.buttons()]

    await user.press_text("📍 Регион")
    labels = [label for label, _ in user.buttons()]
    assert labels[:2] == ["✓ 🏠 Ваш регион: Алматы", "🇰🇿 Все регионы"]
    assert "Актюбинская область" in labels
    (listing,) = texts(await user.press_text("🇰🇿 Все регионы"))
    assert "Регион: все регионы\nКогда: в этом месяце\nКатегория: Экоурок" in listing
    assert event_labels(user) == ["Алматы урок", "Алматы поздний урок", "Астана урок"]

    # A card opened from the filtered list leads back to the same list.
    await user.press_text(next(label for label, _ in user.buttons() if "Астана урок" in label))
    (listing,) = texts(await user.press_text("⬅️ Мероприятия"))
    assert "Регион: все регионы\nКогда: в этом месяце\nКатегория: Экоурок" in listing


async def test_an_empty_result_says_so_and_offers_to_widen_the_filters(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    await published_event(app.events, now, region="astana", **in_days(now, 12))
    user = await volunteer(harness, 4002, "kk")
    await user.press_text("🌿 Экологиялық іс-шаралар")
    await user.press_text("📍 Өңір")
    (listing,) = texts(await user.press_text("Ақтөбе облысы"))
    assert "Өңір: Ақтөбе облысы" in listing
    assert listing.endswith("Бұл сүзгілерге сай іс-шара жоқ. Сүзгілерді кеңейтіңіз:")
    assert event_labels(user) == []
    widen = [label for label, _ in user.buttons() if label.startswith("🔎")]
    assert widen == ["🔎 Барлық күндер", "🔎 Барлық өңір"]  # no category filter to drop

    (listing,) = texts(await user.press_text("🔎 Барлық өңір"))
    assert "Өңір: барлық өңір" in listing
    assert listing.endswith("Бұл сүзгілерге сай іс-шара жоқ. Сүзгілерді кеңейтіңіз:")  # not this week
    await user.press_text("🔎 Барлық күндер")
    assert event_labels(user) == ["Көктемгі сенбілік"]


async def test_nothing_at_all_is_told_plainly(harness: BotHarness, app: Application) -> None:
    user = await volunteer(harness, 4003, "ru")
    (listing,) = texts(
        await user.press(EventsCallback(action=EventsAction.LIST, region=ALL_REGIONS, period="a"))
    )
    assert listing.endswith("Предстоящих мероприятий пока нет. Загляните позже.")
    assert not [label for label, _ in user.buttons() if label.startswith("🔎")]


async def test_pages_keep_the_filters(harness: BotHarness, app: Application, clock: ManualClock) -> None:
    now = clock.now()
    for n in range(6):
        await published_event(app.events, now, region="astana" if n % 2 else "almaty", **in_days(now, 1 + n))
    user = await volunteer(harness, 4004, "ru")
    await user.press(EventsCallback(action=EventsAction.LIST, region=ALL_REGIONS))
    assert len(event_labels(user)) == 5
    (listing,) = texts(await user.press_text("Позже ➡️"))
    assert "Регион: все регионы" in listing
    assert "Страница 2" in listing
    assert len(event_labels(user)) == 1


async def test_forged_filter_codes_read_as_the_defaults(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await published_event(app.events, clock.now())
    user = await volunteer(harness, 4005, "ru")
    (listing,) = texts(
        await user.press(EventsCallback(action=EventsAction.LIST, region="mars", category="party", page=-3))
    )
    assert listing.endswith("Регион: Алматы\nКогда: на этой неделе\nКатегория: все категории")
    assert event_labels(user) == ["Весенний субботник"]


async def test_buttons_sent_before_the_filters_still_work(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now())
    user = await volunteer(harness, 4006, "ru")
    (listing,) = texts(await user.press("ev:l:0:m:0"))  # an old menu's Eco events, this month
    assert "Когда: в этом месяце" in listing
    (card,) = texts(await user.press(f"ev:c:{event_id}:w:0"))  # an old reminder's Open the event
    assert card.startswith("<b>Весенний субботник</b>")


def test_the_widest_event_button_fits_telegrams_64_bytes() -> None:
    widest = EventsCallback(
        action=EventsAction.REGISTER,
        event_id=2**31 - 1,
        period="a",
        page=99_999,
        region="almaty_reg",
        category="tree_planting",
        companions=10,
        wait=True,
    )
    assert len(widest.pack().encode()) <= 64


# Companions


async def test_registering_with_companions_takes_their_seats_and_a_double_tap_registers_once(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=10)
    user = await volunteer(harness, 4101, "ru")
    await user.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    labels = [label for label, _ in user.buttons()]
    assert labels[:4] == ["✅ Записаться", "+1 спутник", "+2 спутника", "+3 спутника"]
    two = dict(user.buttons())["+2 спутника"]
    requests = await user.press(two)
    assert answers(requests) == ["✅ Вы записаны, с вами 2 спутника."]
    assert await taken(app, event_id) == 3
    again = await user.press(two)  # the same button again, from the old message
    assert answers(again) == ["Вы уже записаны."]
    assert await taken(app, event_id) == 3
    mine = await app.events.registration_of(4101, event_id)
    assert mine is not None
    assert (mine.registration.seats, mine.registration.companions) == (3, 2)


async def test_a_group_larger_than_the_seats_left_may_come_smaller_or_wait_in_line(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=3)
    await app.events.register(5, event_id)  # 2 seats left
    kazakh = await volunteer(harness, 4102, "kk")
    await kazakh.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    (screen,) = texts(await kazakh.press_text("+3 серік"))
    assert screen == (
        "<b>Көктемгі сенбілік</b>\nТек 2 орын қалды: 4 адамдық топқа жетпейді.\n"
        "Адам санын азайтып тіркеліңіз немесе бүкіл топпен күту тізіміне жазылыңыз."
    )
    assert [label for label, _ in kazakh.buttons()] == [
        "✅ Жалғыз тіркелу",
        "✅ 1 серікпен тіркелу",
        "⏳ Күту тізіміне: 4 орын",
        "⬅️ Артқа",
    ]
    assert await taken(app, event_id) == 1  # nothing taken while they choose

    russian = await volunteer(harness, 4103, "ru")
    await russian.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    (screen,) = texts(await russian.press_text("+2 спутника"))
    assert "Осталось всего 2 места: на группу из 3 человек не хватит." in screen
    requests = await russian.press_text("⏳ В лист ожидания: 3 места")
    assert answers(requests) == ["⏳ Все места заняты: вы в листе ожидания, место в очереди: 1."]
    assert await taken(app, event_id) == 1

    requests = await kazakh.press_text("✅ 1 серікпен тіркелу")
    assert answers(requests) == ["✅ Сіз 1 серігіңізбен бірге тіркелдіңіз."]
    assert await taken(app, event_id) == 3


async def test_the_companion_buttons_follow_max_companions(clock: ManualClock, app: Application) -> None:
    assert app.events.max_companions == app.settings.max_companions == 3
    settings = app.settings.model_copy(update={"max_companions": 5})
    five = build_application(settings, clock=clock, bot_session=RecordingSession())
    try:
        event_id = await published_event(five.events, clock.now())
        event = await five.events.get(event_id)
        assert event is not None
        card = event_card_view(five.catalogs["kk"], event, None, max_companions=five.events.max_companions)
        assert isinstance(card.markup, InlineKeyboardMarkup)
        labels = [b.text for row in card.markup.inline_keyboard for b in row]
        assert [label for label in labels if label.startswith("+")] == [f"+{n} серік" for n in range(1, 6)]
        assert (await five.events.register(1, event_id, companions=5)).registration.seats == 6
    finally:
        await five.close()


# Map


async def test_the_map_button_sends_the_venue_only_when_asked(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    with_point = await published_event(
        app.events, clock.now(), title_ru="Субботник <у озера>", latitude=43.2389, longitude=76.8897
    )
    without = await published_event(app.events, clock.now())
    user = await volunteer(harness, 4201, "ru")
    card = await user.press(EventsCallback(action=EventsAction.CARD, event_id=with_point))
    assert not [r for r in card if isinstance(r, SendVenue)]  # the card alone
    requests = await user.press_text("📍 Карта")
    (venue,) = [r for r in requests if isinstance(r, SendVenue)]
    assert (venue.chat_id, venue.latitude, venue.longitude) == (4201, 43.2389, 76.8897)
    assert venue.title == "Субботник <у озера>"  # plain text, not HTML
    assert venue.address == "Алматы, Бас ботаникалық бақ, Тимирязев к-сі, 36Д"

    await user.press(EventsCallback(action=EventsAction.CARD, event_id=without))
    assert "📍 Карта" not in [label for label, _ in user.buttons()]
    requests = await user.press(EventsCallback(action=EventsAction.MAP, event_id=without))
    assert answers(requests) == ["У этого мероприятия нет точки на карте: смотрите адрес."]
    assert not [r for r in requests if isinstance(r, SendVenue)]


# Calendar


def parse_ics(content: bytes) -> list[tuple[str, str]]:
    """(name, value) of each content line, unfolded and unescaped; checks the lines' length and ends."""
    text = content.decode()
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all(len(line.encode()) <= LINE_OCTETS for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    parsed = []
    for line in logical:
        name, value = line.split(":", 1)
        value = re.sub(r"\\(.)", lambda escaped: "\n" if escaped[1] in "nN" else escaped[1], value)
        parsed.append((name, value))
    return parsed


def ics_of(requests: list[Any]) -> tuple[SendDocument, list[tuple[str, str]]]:
    (document,) = [r for r in requests if isinstance(r, SendDocument)]
    assert isinstance(document.document, BufferedInputFile)
    return document, parse_ics(document.document.data)


async def test_a_registered_volunteer_downloads_the_event_as_an_ics_file(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    starts = (now + timedelta(days=4)).replace(hour=5, minute=0, second=0)  # 10:00 in Almaty
    event_id = await published_event(
        app.events,
        now,
        title_kk="Сенбілік; көл, жағалау",
        description_kk="Қолғап әкеліңіз\\ қап береміз.\n" + "Ағаш отырғызамыз. " * 10,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        latitude=43.2,
        longitude=76.9,
    )
    other = await published_event(app.events, now)
    user = await volunteer(harness, 4301, "kk")
    await user.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    assert "📅 Күнтізбеге қосу" not in [label for label, _ in user.buttons()]  # not registered yet
    await user.press_text("✅ Тіркелу")
    document, lines = ics_of(await user.press_text("📅 Күнтізбеге қосу"))
    assert document.chat_id == 4301
    assert document.document.filename == f"belsendi-event-{event_id}.ics"  # type: ignore[union-attr]
    assert document.caption == "📅 Іс-шараны күнтізбеңізге қосу үшін осы файлды ашыңыз."

    values = dict(reversed(lines))  # the first of each name (the alarm has a DESCRIPTION too)
    assert (lines[0], lines[-1]) == (("BEGIN", "VCALENDAR"), ("END", "VCALENDAR"))
    assert [v for n, v in lines if n == "BEGIN"] == ["VCALENDAR", "VEVENT", "VALARM"]
    assert [v for n, v in lines if n == "END"] == ["VALARM", "VEVENT", "VCALENDAR"]
    assert values["VERSION"] == "2.0"
    assert values["DTSTART"] == starts.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert values["DTEND"] == (starts + timedelta(hours=3)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert values["SUMMARY"] == "Сенбілік; көл, жағалау"
    assert values["LOCATION"] == "Алматы, Бас ботаникалық бақ, Тимирязев к-сі, 36Д"
    assert values["DESCRIPTION"].startswith("Сенбілік\n\nҚолғап әкеліңіз\\ қап береміз.\nАғаш")
    assert "\n\nБайланыс: +77010000001\n\n" in values["DESCRIPTION"]
    assert values["URL"] == f"https://t.me/belsendi_bot?start=ev_{event_id}"
    assert values["GEO"] == "43.200000;76.900000"
    assert values["TRIGGER"] == "-PT2H"

    # The UID is the event's: the same on the next download, another event's differs.
    clock.advance(timedelta(hours=1))
    _, again = ics_of(await user.press_text("📅 Күнтізбеге қосу"))
    assert dict(again)["UID"] == values["UID"]
    assert dict(again)["DTSTAMP"] != values["DTSTAMP"]
    await app.events.register(4301, other)
    _, other_lines = ics_of(await user.press(EventsCallback(action=EventsAction.CALENDAR, event_id=other)))
    assert dict(other_lines)["UID"] != values["UID"]


async def test_the_calendar_file_is_only_for_registered_volunteers(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=1)
    await app.events.register(5, event_id)
    user = await volunteer(harness, 4302, "ru")
    requests = await user.press(EventsCallback(action=EventsAction.CALENDAR, event_id=event_id))
    assert answers(requests) == ["Вы не записаны на это мероприятие."]
    await app.events.register(4302, event_id)  # full: waitlisted
    await user.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    assert "📅 Добавить в календарь" not in [label for label, _ in user.buttons()]
    requests = await user.press(EventsCallback(action=EventsAction.CALENDAR, event_id=event_id))
    assert answers(requests) == ["Вы не записаны на это мероприятие."]
    assert not [r for r in requests if isinstance(r, SendDocument)]


def test_ics_text_is_escaped_and_long_lines_fold_between_characters() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "DESCRIPTION:" + "ә" * 100  # 2 octets a letter
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= LINE_OCTETS for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece.removeprefix(" ") for piece in pieces) == line
    assert fold("SHORT:x") == "SHORT:x"


# Still coming?


async def delivered(app: Application) -> list[SendMessage]:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    return [r for r in session.requests[start:] if isinstance(r, SendMessage)]


def buttons_of(message: SendMessage) -> list[str]:
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    return [b.text for row in message.reply_markup.inline_keyboard for b in row]


async def test_no_to_still_coming_releases_the_seat_to_the_waitlist_even_past_the_cutoff(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    # Starts in 3 days; no cancelling in the last 48 hours.
    event_id = await published_event(app.events, clock.now(), capacity=1, cancellation_cutoff_hours=48)
    coming = await volunteer(harness, 4401, "kk")
    await volunteer(harness, 4402, "ru")
    await app.events.register(4401, event_id)
    assert (await app.events.register(4402, event_id)).waitlisted
    await delivered(app)

    clock.advance(timedelta(days=2, minutes=1))  # a day before the start
    (question,) = await delivered(app)  # the question is the day-before reminder: one message
    assert question.chat_id == 4401
    assert question.text.startswith("⏰ <b>Көктемгі сенбілік</b> 24 сағаттан кейін басталады:")
    assert question.text.endswith(
        "<b>Әлі де келесіз бе?</b> Келмесеңіз, хабарлаңыз: орныңыз кезектегі келесі адамға беріледі."
    )
    assert buttons_of(question) == ["✅ Иә, келемін", "❌ Жоқ, келе алмаймын", "Іс-шараны ашу"]

    # Cancelling the ordinary way is past the cutoff...
    await coming.press(EventsCallback(action=EventsAction.CARD, event_id=event_id))
    refused = await coming.press_text("❌ Тіркеуден бас тарту")
    assert answers(refused) == ["Бас тартуға кеш: іс-шара жақында басталады. Ұйымдастырушыға хабарлаңыз."]
    # ...but a no to the question frees the seat at once, and the first in line is offered it.
    requests = await coming.press(StillComingCallback(event_id=event_id, coming=False))
    assert answers(requests) == [
        "Тіркеуіңіз жойылды, орныңыз кезектегі келесі адамға беріледі. Хабарлағаныңызға рақмет."
    ]
    assert await app.events.registration_of(4401, event_id) is None
    (offer,) = await delivered(app)
    assert offer.chat_id == 4402
    assert offer.text.startswith("🎉 Освободилось место: <b>Весенний субботник</b>")

    # The question's other button, pressed later, says what happened and changes nothing.
    late = await coming.press(StillComingCallback(event_id=event_id, coming=True))
    assert answers(late) == ["Бұл іс-шараға тіркеуіңіз бұрын жойылған."]
    assert await taken(app, event_id) == 1  # held for 4402's offer


async def test_yes_to_still_coming_is_recorded_and_an_answer_after_the_start_is_refused(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await published_event(app.events, clock.now())
    user = await volunteer(harness, 4403, "ru")
    await app.events.register(4403, event_id)
    clock.advance(timedelta(days=2, minutes=1))
    (question,) = await delivered(app)
    assert "<b>Вы придёте?</b>" in question.text
    assert buttons_of(question)[:2] == ["✅ Да, приду", "❌ Нет, не смогу"]
    assert await app.events.confirmed_at(4403, event_id) is None
    requests = await user.press(StillComingCallback(event_id=event_id, coming=True))
    assert answers(requests) == ["Спасибо! До встречи на мероприятии."]
    assert await app.events.confirmed_at(4403, event_id) == clock.now()
    assert (await app.events.registration_of(4403, event_id)) is not None

    # Cancelling and registering again asks anew.
    await app.events.cancel(4403, event_id)
    await app.events.register(4403, event_id)
    assert await app.events.confirmed_at(4403, event_id) is None
    clock.advance(timedelta(days=1))  # the event has started
    late = await user.press(StillComingCallback(event_id=event_id, coming=False))
    assert answers(late) == ["Это мероприятие уже началось."]
    assert (await app.events.registration_of(4403, event_id)) is not None


async def test_registering_less_than_a_day_before_asks_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    event_id = await published_event(
        app.events, now, starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=22)
    )
    await volunteer(harness, 4404, "kk")
    await app.events.register(4404, event_id)
    clock.advance(timedelta(hours=18, minutes=1))
    (reminder,) = await delivered(app)  # the 2 h reminder only
    assert "Келесіз бе?" not in reminder.text


async def test_only_a_seat_holder_can_say_they_are_not_coming(app: Application, clock: ManualClock) -> None:
    event_id = await published_event(app.events, clock.now(), capacity=1)
    await app.events.register(1, event_id)
    assert (await app.events.register(2, event_id)).waitlisted
    for user_id in (2, 3):  # in line; never registered (a forged button)
        with pytest.raises(RegistrationRefusedError) as refused:
            await app.events.answer_still_coming(user_id, event_id, coming=False)
        assert refused.value.problem is EventProblem.NOT_REGISTERED
    mine = await app.events.registration_of(2, event_id)
    assert mine is not None
    assert mine.place_in_line == 1  # kept
