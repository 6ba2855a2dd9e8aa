"""End to end, one bot process for the whole module: what needs a running bot and nothing more.

Each test plays its own users, so they do not disturb each other; starting a process per test cost
seconds each (README: Tests).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemClock
from bot.services.events import EventService
from fake_telegram import FakeTelegram
from fake_telegram.bot_process import BotProcess
from storage.database import Database
from tests.e2e.conftest import Conversation, until
from tests.e2e.test_bot_process import onboard_kazakh
from tests.events_support import draft

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


async def test_russian_user_onboards_as_an_ngo(shared_tg: FakeTelegram, shared_bot: BotProcess) -> None:
    user = shared_tg.user(5002, first_name="Ольга", language_code="ru")
    chat = Conversation(shared_tg, user)
    await user.send("/start gr_17")
    await chat.expect("На каком языке Belsendi будет с вами говорить?")
    await user.press("Русский")
    await chat.expect("Вы согласны, что Belsendi будет хранить эти данные?")
    await user.press("✅ Даю согласие")
    await chat.expect("Кто вы в Belsendi?")
    await user.press("Представитель НПО")
    # The admins check the request against the organisation: its name, and its BIN if it has one.
    await chat.expect("Какую организацию вы представляете?")
    await user.send("ОФ «Жасыл Шымкент»")
    await chat.expect("БИН организации")
    await user.send("-")
    await chat.expect("Где вы находитесь?")
    await user.press("Шымкент")
    # The region message becomes the menu, and the request (sent now) has its note as a new message.
    await chat.expect("Главное меню")
    await chat.expect("заявка на подтверждение роли «Представитель НПО» отправлена администраторам")
    # The deep link kept from /start is dealt with once onboarding is over.
    await chat.expect("Эту ссылку не удалось открыть")
    assert shared_tg.unanswered_callbacks() == []


async def test_language_switch_changes_every_later_screen(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    chat = await onboard_kazakh(shared_tg, 5003)
    await chat.user.send("/language")
    await chat.expect("Тілді таңдаңыз")
    await chat.user.press("Русский")
    await chat.expect("Главное меню")
    assert chat.user.answers[-1].text == "✅ Язык изменён: теперь говорим по-русски."
    await chat.user.send("/help")
    await chat.expect("объединяет волонтёров, НПО и организаторов")
    # The command menu in this chat follows the chosen language, whatever the app's language.
    chat_commands = shared_tg.commands(scope_type="chat", chat_id=5003)
    assert any(command["description"] == "Главное меню" for command in chat_commands)


async def test_help_in_both_languages(shared_tg: FakeTelegram, shared_bot: BotProcess) -> None:
    kazakh = await onboard_kazakh(shared_tg, 5004)
    await kazakh.user.send("/help")
    await kazakh.expect("Қазақстандағы еріктілерді, ҮЕҰ-ларды және іс-шара ұйымдастырушыларын байланыстырады")
    russian = Conversation(shared_tg, shared_tg.user(5005, first_name="Пётр", language_code="ru"))
    await russian.user.send("/help")  # before onboarding: Telegram's language is the guess
    await russian.expect("объединяет волонтёров, НПО и организаторов")


async def test_html_in_a_name_is_shown_as_text(shared_tg: FakeTelegram, shared_bot: BotProcess) -> None:
    """The fake refuses unescaped HTML as Telegram does: the profile arriving at all proves escaping."""
    chat = await onboard_kazakh(shared_tg, 5008, first_name="<b>Асқар</b> & <script>")
    await chat.user.send("/profile")
    profile = await chat.expect("Менің профилім")
    assert "Аты: <b>Асқар</b> & <script>" in profile.text  # shown literally, not as bold
    bold = [entity for entity in profile.entities if entity["type"] == "bold"]
    assert len(bold) == 1  # only the heading


async def test_unknown_input_and_files_get_a_hint(shared_tg: FakeTelegram, shared_bot: BotProcess) -> None:
    chat = await onboard_kazakh(shared_tg, 5009)
    await chat.user.send("/frobnicate")
    await chat.expect("Мұндай команда жоқ")
    await chat.user.send_document(b"%PDF-1.4", file_name="cv.pdf")
    await chat.expect("Хабарламаңызды түсінбедік")
    await chat.user.send_location(43.238, 76.945)
    await chat.expect("Хабарламаңызды түсінбедік")
    await chat.user.press_data("rg:narnia")
    await until(lambda: shared_tg.unanswered_callbacks() == [])
    assert chat.user.answers[-1].text == "Бұл батырма ескірген. /menu жіберіңіз."


# Organizer tools

ALMATY = ZoneInfo("Asia/Almaty")
ORGANIZER = 5401


async def onboard_russian(tg: FakeTelegram, user_id: int, first_name: str) -> Conversation:
    user = tg.user(user_id, first_name=first_name, language_code="ru")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("На каком языке Belsendi будет с вами говорить?")
    await user.press("Русский")
    await chat.expect("Вы согласны, что Belsendi будет хранить эти данные?")
    await user.press("✅ Даю согласие")
    await chat.expect("Кто вы в Belsendi?")
    await user.press("Волонтёр")
    await chat.expect("Где вы находитесь?")
    await user.press("Шымкент")
    await chat.expect("Главное меню")
    return chat


async def test_an_organizers_export_roster_hours_and_a_forged_press(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    """The CSV export arrives as a document with its BOM (a multipart upload the fake checks), the
    roster marks with a tap, the volunteer's profile shows the hours, a volunteer's forged press is
    refused."""
    organizer = await onboard_kazakh(shared_tg, ORGANIZER, first_name="Ұйымдастырушы")
    volunteer = await onboard_russian(shared_tg, 5402, "Әсел")
    # An admin's approval and the event are written to the bot's database the way the services do it;
    # the event starts in a moment.
    database = Database(shared_bot.env["DATABASE_URL"])
    try:
        async with database.transaction() as uow:
            await uow.users.update(ORGANIZER, now=datetime.now(UTC), role="organizer")
        events = EventService(database, SystemClock())
        now = datetime.now(UTC)
        start = now + timedelta(seconds=1)
        event = await events.create(
            ORGANIZER, draft(now, starts_at=start, ends_at=start + timedelta(hours=2))
        )
        await events.publish(ORGANIZER, event.id)
        await events.register(5402, event.id)
    finally:
        await database.dispose()

    await organizer.user.press_data(f"oe:{event.id}:x")
    document = await organizer.expect("1 адам")
    assert document.kind == "document"
    assert document.file is not None
    assert document.file.file_name == f"event-{event.id}-{start.astimezone(ALMATY):%Y-%m-%d}.csv"
    assert document.file.data.startswith(b"\xef\xbb\xbf")
    assert "Әсел;" in document.file.data.decode("utf-8-sig")

    await asyncio.sleep(max((start - datetime.now(UTC)).total_seconds(), 0) + 0.2)  # started
    await organizer.user.press_data(f"oe:{event.id}:a")
    await organizer.expect("Қатысу: Көктемгі сенбілік")
    await organizer.user.press("⬜ Әсел")
    await organizer.expect("Келді: 1")

    await volunteer.user.send("/profile")
    profile = await volunteer.expect("Мой профиль")
    assert "Посещено мероприятий: 1" in profile.text
    assert "Время волонтёрства: 2 часа" in profile.text

    answered = len(volunteer.user.answers)
    await volunteer.user.press_data(f"oe:{event.id}:x")
    await until(lambda: len(volunteer.user.answers) > answered)
    assert volunteer.user.answers[-1].text == "Это могут только организатор мероприятия и администраторы."
    assert not [message for message in volunteer.user.messages if message.kind == "document"]


async def test_a_share_link_brings_a_brand_new_user_through_onboarding_to_the_event(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    """`t.me/<bot>?start=ev_<id>` opened by someone who never used the bot: onboarding first (the link
    kept meanwhile, across the process's own storage), then the way to the card."""
    await onboard_kazakh(shared_tg, 5411, first_name="Ұйымдастырушы")
    database = Database(shared_bot.env["DATABASE_URL"])
    try:
        async with database.transaction() as uow:
            await uow.users.update(5411, now=datetime.now(UTC), role="organizer")
        events = EventService(database, SystemClock())
        event = await events.create(5411, draft(datetime.now(UTC)))
        await events.publish(5411, event.id)
    finally:
        await database.dispose()

    user = shared_tg.user(5412, first_name="Дәурен", language_code="kk")
    chat = Conversation(shared_tg, user)
    await user.send(f"/start ev_{event.id}")
    await chat.expect("Belsendi сізбен қай тілде сөйлессін?")
    await user.press("Қазақша")
    await chat.expect("Belsendi-нің осы деректерді сақтауына келісесіз бе?")
    await user.press("✅ Келісемін")
    await chat.expect("Belsendi-де сіз кімсіз?")
    await user.press("Ерікті")
    await chat.expect("Қай өңірдесіз?")
    await user.press("Ақтөбе облысы")
    await chat.expect("🌿 Сіз іс-шара сілтемесі арқылы келдіңіз.")
    await user.press("Іс-шараны ашу")
    card = await chat.expect("Көктемгі сенбілік")
    rows = (card.reply_markup or {}).get("inline_keyboard", [])
    labels = [button["text"] for row in rows for button in row]
    assert "✅ Тіркелу" in labels


async def test_a_cancelled_seat_is_offered_to_the_first_in_line_who_accepts_it(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    """The waitlist offer through the running bot's outbox: a volunteer cancels in the bot, the bot's
    sender offers the seat to the first in line (in their language, with Accept), who takes it."""
    holder = await onboard_russian(shared_tg, 5422, "Бота")
    waiting = await onboard_kazakh(shared_tg, 5423, first_name="Күтуші")
    await onboard_kazakh(shared_tg, 5421, first_name="Ұйымдастырушы")
    database = Database(shared_bot.env["DATABASE_URL"])
    try:
        async with database.transaction() as uow:
            await uow.users.update(5421, now=datetime.now(UTC), role="organizer")
        events = EventService(database, SystemClock())
        event = await events.create(5421, draft(datetime.now(UTC), capacity=1))
        await events.publish(5421, event.id)
        await events.register(5422, event.id)
        assert (await events.register(5423, event.id)).waitlisted
    finally:
        await database.dispose()

    await holder.user.send(f"/start ev_{event.id}")
    await holder.expect("Вы перешли по ссылке на мероприятие")
    await holder.user.press("Открыть мероприятие")
    await holder.expect("Весенний субботник")
    await holder.user.press("❌ Отменить запись")

    offer = await waiting.expect("🎉")
    assert "Көктемгі сенбілік" in offer.text
    answered = len(waiting.user.answers)
    await waiting.user.press("✅ Қабылдау")
    await until(lambda: len(waiting.user.answers) > answered)
    assert waiting.user.answers[-1].text == "Сіз іс-шараға тіркелдіңіз."
