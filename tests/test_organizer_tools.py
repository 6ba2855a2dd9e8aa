"""The organizer's tools on an event (issue 8, item 9): the registrants exported as CSV, the audiences to
write to, the attendance roster with tap-to-mark buttons and the hours it credits (seen in the
volunteers' profiles); and forged presses from anyone but the event's organizer or an admin."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import EditMessageText, SendDocument
from aiogram.types import BufferedInputFile

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.attendance import Attendance
from bot.views.attendance import HoursCallback, Mark, MarkCallback, RosterCallback
from bot.views.broadcasts import EventAudience, EventBroadcastStart
from bot.views.menu import Origin
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from bot.views.profile import RegionEditCallback
from tests.events_support import ADMIN
from tests.harness import BotHarness, texts
from tests.organizer_support import answers, known_volunteer, organizer, organizers_event, volunteer

ALMATY = ZoneInfo("Asia/Almaty")
HEADERS = {
    "kk": ["Аты", "Telegram", "Күйі", "Серіктер", "Тіркелген уақыты", "Телефон", "Қатысу",
           "Келетінін растады"],
    "ru": ["Имя", "Telegram", "Статус", "Спутники", "Время записи", "Телефон", "Явка",
           "Участие подтверждено"],
}  # fmt: skip
YES = {"kk": "иә", "ru": "да"}
WAITLIST_PLACE_1 = {"kk": "күту тізімі, 1-орын", "ru": "лист ожидания, место 1"}
REGISTERED = {"kk": "тіркелген", "ru": "записан(а)"}
ATTENDED = {"kk": "келді", "ru": "явка"}
NOT_ALLOWED = {
    "kk": "Мұны тек іс-шараның ұйымдастырушысы мен әкімшілер істей алады.",
    "ru": "Это могут только организатор мероприятия и администраторы.",
}


def exported(requests: list[object]) -> tuple[BufferedInputFile, str | None]:
    (request,) = [request for request in requests if isinstance(request, SendDocument)]
    assert isinstance(request.document, BufferedInputFile)
    return request.document, request.caption


def table(document: BufferedInputFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(document.data.decode("utf-8-sig")), delimiter=";"))


# Export


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_export_lists_the_registrants_with_phones_only_where_shared_with_consent(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    boss = await organizer(harness, app, 5001, language)
    now = clock.now()
    event_id = await organizers_event(app, 5001, now, capacity=3)
    await known_volunteer(app, 6001, '=HYPERLINK("http://evil.example","Click")', phone="+77011234567")
    await known_volunteer(app, 6002, "Бақыт", phone="+77017654321", consent_at=None)  # no consent
    await known_volunteer(app, 6003, "Әсел", username="asel_kz")
    await app.events.register(6001, event_id, companions=1)
    await app.events.register(6002, event_id)
    await app.events.register(6003, event_id)  # full: waitlisted, place 1
    await app.events.answer_still_coming(6002, event_id, coming=True)

    document, caption = exported(
        await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.EXPORT))
    )
    assert document.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Cyrillic right
    assert (
        document.filename == f"event-{event_id}-{(now + timedelta(days=3)).astimezone(ALMATY):%Y-%m-%d}.csv"
    )
    assert caption is not None
    assert "3" in caption
    registered_at = f"{now.astimezone(ALMATY):%Y-%m-%d %H:%M}"
    assert table(document) == [
        HEADERS[language],
        # A cell that would start a formula is made inert; so is the phone's leading +.
        ["'=HYPERLINK(\"http://evil.example\",\"Click\")", "", REGISTERED[language], "1", registered_at,
         "'+77011234567", "", ""],
        ["Бақыт", "", REGISTERED[language], "0", registered_at, "", "", YES[language]],
        ["Әсел", "t.me/asel_kz", WAITLIST_PLACE_1[language], "0", registered_at, "", "", ""],
    ]  # fmt: skip

    clock.advance(timedelta(days=3, minutes=10))  # started: attendance can be marked
    roster = await app.attendance.roster(5001, event_id)
    first = next(person for person in roster.people if person.user_id == 6001)
    await app.attendance.mark(5001, event_id, first.registration_id, Attendance.ATTENDED)
    document, _ = exported(
        await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.EXPORT))
    )
    assert [row[-2] for row in table(document)[1:]] == [ATTENDED[language], "", ""]


async def test_export_gives_places_in_line_as_they_are_now(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 5007, "ru")
    event_id = await organizers_event(app, 5007, clock.now(), capacity=1)
    for user_id, name in ((6701, "Айдана"), (6702, "Болат"), (6703, "Сауле")):
        await known_volunteer(app, user_id, name)
        await app.events.register(user_id, event_id)
    await app.events.cancel(6701, event_id)  # Болат, first in line, gets an offer and takes it
    waiting = await app.events.registration_of(6702, event_id)
    assert waiting is not None
    async with app.database.reading() as uow:
        offer = await uow.events.open_offer_of(waiting.registration.id)
    assert offer is not None
    await app.events.accept_offer(6702, offer.id)
    document, _ = exported(
        await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.EXPORT))
    )
    assert [row[:3] for row in table(document)[1:]] == [
        ["Болат", "", "записан(а)"],
        ["Сауле", "", "лист ожидания, место 1"],  # Болат's number was 1: Сауле is first now
    ]


async def test_export_of_an_event_nobody_registered_for_sends_no_file(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 5002, "ru")
    event_id = await organizers_event(app, 5002, clock.now())
    requests = await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.EXPORT))
    assert answers(requests) == ["На это мероприятие ещё никто не записался."]
    assert not [request for request in requests if isinstance(request, SendDocument)]


# Message


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_message_offers_the_events_audiences_with_their_counts(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    boss = await organizer(harness, app, 5003, language)
    event_id = await organizers_event(app, 5003, clock.now(), capacity=2)
    for user_id in (6101, 6102, 6103):
        await known_volunteer(app, user_id, f"Ерікті {user_id}")
        await app.events.register(user_id, event_id)
    (text,) = texts(
        await boss.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.MESSAGE))
    )
    assert "<b>Көктемгі сенбілік</b>" in text if language == "kk" else "<b>Весенний субботник</b>" in text
    labels = {
        "kk": ["Тіркелгендер: 2", "Күту тізімінде: 1", "Қатысқандар: 0"],
        "ru": ["Записались: 2", "В листе ожидания: 1", "Пришли: 0"],
    }[language]
    audiences = [EventAudience.REGISTERED, EventAudience.WAITLIST, EventAudience.ATTENDED]
    assert boss.buttons()[:3] == [
        (label, EventBroadcastStart(event_id=event_id, audience=audience).pack())
        for label, audience in zip(labels, audiences, strict=True)
    ]


async def test_people_counts_come_for_several_events_at_once(app: Application, clock: ManualClock) -> None:
    full = await organizers_event(app, ADMIN, clock.now(), capacity=1)
    empty = await organizers_event(app, ADMIN, clock.now())
    for user_id in (6201, 6202, 6203):
        await app.events.register(user_id, full, companions=0)
    async with app.database.reading() as uow:
        counts = await uow.events.people_counts([full, empty])
    assert (counts[full].registered, counts[full].waitlisted, counts[full].attended) == (1, 2, 0)
    assert counts[empty].registered == counts[empty].waitlisted == 0


# Attendance


async def test_attendance_roster_marks_with_taps_and_credits_hours_seen_in_profiles(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    boss = await organizer(harness, app, 5004, "kk")
    event_id = await organizers_event(app, 5004, clock.now(), capacity=None)
    asel = await volunteer(harness, 6301, "kk", name="Әсел")
    bakyt = await volunteer(harness, 6302, "ru", name="Бақыт")
    await known_volunteer(app, 6303, "Ұлан")
    await known_volunteer(app, 6304, "Айгүл")
    for user_id in (6301, 6302, 6303, 6304):
        await app.events.register(user_id, event_id)
    for n in range(6):  # enough for a second page
        await known_volunteer(app, 6310 + n, f"Эльмира {n}")
        await app.events.register(6310 + n, event_id)
    await app.events.answer_still_coming(6304, event_id, coming=True)
    (screen,) = texts(await boss.press(OrganizerEventCallback(event_id=event_id)))
    assert "👍 Келетінін растағандар: 1 / 10" in screen  # the organizer sees who said "still coming"
    open_roster = OrganizerEventCallback(event_id=event_id, action=OrganizerAction.ATTENDANCE)

    requests = await boss.press(open_roster)
    assert answers(requests) == ["Қатысу іс-шара басталғаннан кейін белгіленеді."]

    clock.advance(timedelta(days=3, minutes=5))
    (roster,) = texts(await boss.press(open_roster))
    assert "Белгіленбеген: 10" in roster
    assert "Әр қатысушыға есептелетін уақыт: 3 сағат (іс-шараның ұзақтығы)." in roster
    assert "Бет: 1 / 2" in roster
    names = [label for label, _ in boss.buttons() if label.startswith("⬜")]
    # The Kazakh alphabet: А, Ә, Б, ..., Ұ, ..., Э (Python's order would put Ә and Ұ after Я).
    assert names[:4] == ["⬜ Айгүл 👍", "⬜ Әсел", "⬜ Бақыт", "⬜ Ұлан"]  # 👍: "still coming"
    assert len(names) == 8

    roster_message = boss.last_bot_message
    assert roster_message is not None
    tap = dict(boss.buttons())["⬜ Әсел"]
    requests = await boss.press(tap)
    (edit,) = [request for request in requests if isinstance(request, EditMessageText)]
    assert edit.message_id == roster_message.message_id  # the roster edits in place
    assert "✅ Әсел" in dict(boss.buttons())
    await boss.press(tap)  # the same button again (a double tap): still attended, not skipped on
    assert "✅ Әсел" in dict(boss.buttons())
    await boss.press_text("⬜ Бақыт")
    await boss.press_text("✅ Бақыт")  # → did not come
    assert "❌ Бақыт" in dict(boss.buttons())
    await boss.press_text("⬜ Ұлан")
    await boss.press_text("✅ Ұлан")
    await boss.press_text("❌ Ұлан")  # → back to not marked
    assert "⬜ Ұлан" in dict(boss.buttons())
    assert "Келді: 1 · Келмеді: 1 · Белгіленбеген: 8" in (boss.last_bot_message.text or "")

    (second,) = texts(await boss.press_text("Келесі ➡️"))
    assert "Бет: 2 / 2" in second
    assert [label for label, _ in boss.buttons() if label.startswith("⬜")] == [
        "⬜ Эльмира 4",
        "⬜ Эльмира 5",
    ]
    await boss.press_text("⬜ Эльмира 5")
    assert "Бет: 2 / 2" in (boss.last_bot_message.text or "")  # marking stays on its page

    (profile,) = texts(await asel.send("/profile"))
    assert "Қатысқан іс-шаралар: 1" in profile
    assert "Еріктілік уақыты: 3 сағат" in profile
    assert "Соңғы 90 күнде келмеген іс-шаралар: 0" in profile

    await boss.press(HoursCallback(event_id=event_id))
    requests = await boss.press_text("1 сағат 30 минут")
    assert answers(requests) == ["✅ Уақыт сақталды."]
    assert "Әр қатысушыға есептелетін уақыт: 1 сағат 30 минут." in (boss.last_bot_message.text or "")
    (profile,) = texts(await asel.send("/profile"))
    assert "Еріктілік уақыты: 1 сағат 30 минут" in profile

    (profile,) = texts(await bakyt.send("/profile"))
    assert "Посещено мероприятий: 0" in profile
    assert "Время волонтёрства: 0 часов" in profile
    assert "Неявки за последние 90 дней: 1" in profile
    clock.advance(timedelta(days=91))
    (profile,) = texts(await bakyt.send("/profile"))
    assert "Неявки за последние 90 дней: 0" in profile


async def test_hours_are_pluralized_in_russian(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    event_id = await organizers_event(app, ADMIN, clock.now())
    user = await volunteer(harness, 6401, "ru", name="Дана")
    await app.events.register(6401, event_id)
    clock.advance(timedelta(days=3, hours=4))
    roster = await app.attendance.roster(ADMIN, event_id)
    await app.attendance.mark(ADMIN, event_id, roster.people[0].registration_id, Attendance.ATTENDED)
    expected = {None: "3 часа", 60: "1 час", 300: "5 часов", 90: "1 час 30 минут"}
    for minutes, hours in expected.items():
        await app.attendance.set_hours(ADMIN, event_id, minutes)
        (profile,) = texts(await user.send("/profile"))
        assert f"Время волонтёрства: {hours}" in profile
    # The profile shown after an edit keeps the record too.
    (edited,) = texts(await user.press(RegionEditCallback(code="astana", origin=Origin.PROFILE)))
    assert "Посещено мероприятий: 1" in edited
    assert "Время волонтёрства: 1 час 30 минут" in edited


# Permissions


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_forged_organizer_presses_are_refused_and_change_nothing(
    harness: BotHarness, app: Application, clock: ManualClock, language: str
) -> None:
    await organizer(harness, app, 5005, language)
    other_organizer = await organizer(harness, app, 5006, language)
    event_id = await organizers_event(app, 5005, clock.now())
    intruder = await volunteer(harness, 6501, language)
    await app.events.register(6501, event_id)
    clock.advance(timedelta(days=4))  # over: every tool would be open to its organizer
    roster = await app.attendance.roster(5005, event_id)
    registration_id = roster.people[0].registration_id
    forged = [
        *(OrganizerEventCallback(event_id=event_id, action=action) for action in OrganizerAction),
        MarkCallback(event_id=event_id, registration_id=registration_id, mark=Mark.ATTENDED),
        HoursCallback(event_id=event_id, minutes=480),
        HoursCallback(event_id=event_id),
        RosterCallback(event_id=event_id, page=1),
    ]
    tools = {
        OrganizerAction.EXPORT,
        OrganizerAction.MESSAGE,
        OrganizerAction.ATTENDANCE,
        OrganizerAction.RATINGS,
    }
    for user in (intruder, other_organizer):
        for data in forged:
            if isinstance(data, OrganizerEventCallback) and data.action not in tools:
                continue  # the event screen's own buttons belong to the publishing dialog
            requests = await user.press(data)
            assert answers(requests) == [NOT_ALLOWED[language]], data
            assert not [request for request in requests if isinstance(request, SendDocument)]
            assert not texts(requests)[1:]
    after = await app.attendance.roster(5005, event_id)
    assert after.people[0].attendance is None
    assert after.volunteer_minutes is None
    # An admin may: the same press works for them.
    admin = harness.user(ADMIN, language_code=language)
    await admin.onboard(language, region="almaty")
    exported(await admin.press(OrganizerEventCallback(event_id=event_id, action=OrganizerAction.EXPORT)))


async def test_a_press_on_an_event_that_is_not_there_is_refused(
    harness: BotHarness, app: Application
) -> None:
    user = await volunteer(harness, 6601, "ru")
    requests = await user.press(OrganizerEventCallback(event_id=10**9, action=OrganizerAction.ATTENDANCE))
    assert answers(requests) == ["Это мероприятие недоступно."]


def test_tool_button_data_fits_telegrams_64_bytes() -> None:
    widest = MarkCallback(event_id=2**31 - 1, registration_id=2**31 - 1, mark=Mark.NO_SHOW, page=10**6)
    assert len(widest.pack().encode()) <= 64
