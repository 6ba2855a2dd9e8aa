"""End to end on one bot process for the module: the grant radar (issue 9, item 11) through the real process
and the fake Telegram server, in both languages: browsing and filters, search with letter substitutions,
case and endings, a typed question, asking and answering about a call, saving it and its reminders, a
change announced once, subscriptions and the one alert per matching subscriber, an import with a bad
row, and a non-admin's forged admin buttons.

Calls are written beside the running bot the way the import writes them (GrantService on the same SQLite
file); each test plays its own users, and its own calls with words and regions no other test uses, so
that the tests do not see each other's calls. Admins are promoted in the database for the test's time
(the shared bot has no ADMIN_IDS), as an ADMIN_IDS admin's /promote would.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Row, func, select, update

from bot.clock import SystemClock
from bot.domain.grants import Sector
from bot.i18n import Catalogs
from bot.services.grants import GrantDraft, GrantService
from bot.views.grant_admin import GrantAdminAction, GrantAdminCallback
from bot.views.grant_questions import QuestionAction, QuestionCallback
from fake_telegram import FakeTelegram, SentMessage
from fake_telegram.bot_process import BotProcess, bot_environment
from storage.database import Database
from storage.models import GrantChange, OutboxRow
from tests.e2e.conftest import Conversation, until
from tests.e2e.test_bot_process import onboard_kazakh
from tests.e2e.test_shared_bot import onboard_russian
from tests.grants_support import call

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ALMATY = ZoneInfo("Asia/Almaty")
# For what the bot formats (money, dates, plurals): the same catalogs, so that the test reads what it shows.
CATALOGS = Catalogs("kk", ALMATY)
KK, RU = CATALOGS["kk"], CATALOGS["ru"]


# The running bot's database


@asynccontextmanager
async def bot_database(bot: BotProcess) -> AsyncIterator[Database]:
    database = Database(bot.env["DATABASE_URL"])
    try:
        yield database
    finally:
        await database.dispose()


async def seed(bot: BotProcess, *drafts: GrantDraft) -> list[int]:
    """Calls added as `python -m bot grants import` adds them; their ids, in order."""
    async with bot_database(bot) as database:
        outcome = await GrantService(database, SystemClock(), CATALOGS).import_calls(drafts)
    assert len(outcome.added) == len(drafts), outcome
    return outcome.added


@asynccontextmanager
async def promoted(bot: BotProcess, user_id: int) -> AsyncIterator[None]:
    """The user is an admin (promoted in the bot) for the block's time."""
    async with bot_database(bot) as database, database.transaction() as uow:
        await uow.admins.add(user_id, promoted_by=1, now=datetime.now(UTC))
    try:
        yield
    finally:
        async with bot_database(bot) as database, database.transaction() as uow:
            await uow.admins.remove(user_id)


async def make_ngo(bot: BotProcess, user_id: int) -> None:
    """An NGO an admin approved."""
    async with bot_database(bot) as database, database.transaction() as uow:
        await uow.users.update(user_id, now=datetime.now(UTC), role="ngo")


async def outbox(bot: BotProcess, kind: str, recipient: int) -> list[Row[Any]]:
    """The outbox rows of a kind to a recipient, by due time (times aware, UTC)."""
    table = OutboxRow.__table__
    async with bot_database(bot) as database, database.reading() as uow:
        statement = (
            select(table)
            .where(table.c.kind == kind, table.c.recipient == recipient)
            .order_by(table.c.due_at, table.c.id)
        )
        return list((await uow.connection.execute(statement)).all())


def closing(days: int, hour: int = 18) -> datetime:
    """A deadline `days` days from today at `hour`:00, Almaty time (whole minutes: the admins' form)."""
    day = datetime.now(ALMATY).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=ALMATY)


def draft(external_id: str, title_kk: str, title_ru: str, sector: Sector, **changes: object) -> GrantDraft:
    values: dict[str, object] = {"deadline": closing(30)}
    values.update(changes)
    return call(
        datetime.now(UTC),
        external_id,
        title_kk=title_kk,
        title_ru=title_ru,
        sectors=(sector,),
        **values,
    )


# What the users do

GRANTS = {
    "kk": ("💰 Гранттар", "Ашық гранттық конкурстар"),
    "ru": ("💰 Гранты", "Открытые грантовые конкурсы"),
}
SEARCH = {
    "kk": ("🔎 Іздеу", "Іздейтін сөздерді немесе сұрағыңызды", "Грант іздеу"),
    "ru": ("🔎 Поиск", "Отправьте слова для поиска или вопрос", "Поиск грантов"),
}
FUNDER = {"kk": "Грант беруші:", "ru": "Грантодатель:"}
REMOVED = "Сақталғандардан алынды; оның еске салғыштары тоқтатылды."


async def open_grants(chat: Conversation, language: str) -> SentMessage:
    """Main menu → 💰 Grants (the menu is the last thing onboarding showed)."""
    label, heading = GRANTS[language]
    await chat.user.press(label)
    return await chat.expect(heading)


async def search(chat: Conversation, language: str, words: str) -> SentMessage:
    """🔎 Search on the grants list (or on the last result) and the words typed."""
    label, prompt, heading = SEARCH[language]
    await chat.user.press(label)
    await chat.expect(prompt)
    await chat.user.send(words)
    return await chat.expect(heading)


async def open_card(chat: Conversation, language: str, title: str, number: int = 1) -> SentMessage:
    await chat.user.press(f"{number}. {title}")
    card = await chat.expect(FUNDER[language])
    assert title in card.text
    return card


async def answered_after(chat: Conversation, count: int) -> str:
    await until(lambda: len(chat.user.answers) > count)
    return chat.user.answers[-1].text


def in_order(text: str, *titles: str) -> bool:
    places = [text.find(title) for title in titles]
    return all(place >= 0 for place in places) and places == sorted(places)


def labels(message: SentMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


# The tests


async def test_browse_nearest_deadline_first_in_pages_and_combined_filters(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    chat = await onboard_kazakh(shared_tg, 5601, first_name="Шолушы")
    ulytau = {"regions": ("ulytau",)}
    calls = [
        draft("ul-youth", "Ұлытау жастар бастамалары", "Молодежные инициативы Улытау", Sector.YOUTH,
              deadline=closing(3), amount_min=2_000_000, amount_max=8_000_000, **ulytau),
        draft("ul-museum", "Ұлытау мұражайлары", "Музеи Улытау", Sector.CULTURE,
              deadline=closing(8), amount_min=None, amount_max=500_000, **ulytau),
        draft("ul-clinic", "Ұлытау емханалары", "Поликлиники Улытау", Sector.HEALTH,
              deadline=closing(45), amount_min=10_000_000, amount_max=30_000_000, **ulytau),
        draft("ul-sport", "Ұлытау спорт алаңдары", "Спортплощадки Улытау", Sector.SPORT,
              deadline=closing(20), **ulytau),
        draft("ul-green", "Ұлытау көшелерін көгалдандыру", "Озеленение улиц Улытау", Sector.ECOLOGY,
              deadline=closing(25), **ulytau),
        draft("ul-forum", "Ұлытау азаматтық форумы", "Гражданский форум Улытау", Sector.CIVIC,
              deadline=closing(30), **ulytau),
        draft("ul-old", "Ұлытау ескі конкурсы", "Старый конкурс Улытау", Sector.YOUTH,
              deadline=datetime.now(UTC) - timedelta(days=1), **ulytau),
    ]  # fmt: skip
    await seed(shared_bot, *calls)
    youth, museum, clinic, sport, green, forum, old = (c.title_kk or "" for c in calls)

    listing = await open_grants(chat, "kk")
    assert in_order(listing.text, youth, museum), listing.text
    left = (closing(3) - datetime.now(UTC)).days
    assert KK.ngettext("%(count)d day left", "%(count)d days left", left) % {"count": left} in listing.text
    assert KK.money(500_000) in listing.text

    await chat.user.press("📍 Өңір")
    await chat.expect("Қай өңір? Бүкіл Қазақстанға арналған конкурстар әр өңірде көрсетіледі.")
    await chat.user.press("Ұлытау облысы")
    first = await chat.expect("Сүзгілер: өңір: Ұлытау облысы")
    assert in_order(first.text, youth, museum, sport, green, forum), first.text
    assert clinic not in first.text  # the sixth: on the next page
    assert old not in first.text  # closed: never listed
    await chat.user.press("Келесі ➡️")
    second = await chat.expect(f"6. {clinic}")
    assert youth not in second.text
    assert "⬅️ Алдыңғы" in labels(second)

    await chat.user.press("🏷 Сала")
    await chat.expect("Қай сала?")
    await chat.user.press("Жастар")
    youth_only = await chat.expect("Сүзгілер: сала: Жастар · өңір: Ұлытау облысы")
    assert youth in youth_only.text
    assert museum not in youth_only.text
    assert old not in youth_only.text

    await chat.user.press("💵 Сома")
    await chat.expect("Кемінде қанша?")
    await chat.user.press(KK._("from %(amount)s") % {"amount": KK.money(20_000_000)})
    nothing = await chat.expect(
        "Сай келетін ашық конкурс жоқ. Төмендегі батырмалармен сүзгілерді кеңейтіңіз."
    )
    assert {"✖️ Саласыз", "✖️ Өңірсіз", "✖️ Кез келген сома"} <= set(labels(nothing))
    await chat.user.press("✖️ Саласыз")
    wider = await chat.expect(clinic)  # 30 million at most: the only one from 20 million
    assert "Сүзгілер: өңір: Ұлытау облысы · сомасы" in wider.text
    assert youth not in wider.text

    card = await open_card(chat, "kk", clinic)
    assert "Грант беруші: Қор / Фонд" in card.text
    assert KK.money(30_000_000) in card.text
    assert "Өңірлер: Ұлытау облысы" in card.text
    assert "⭐ Сақтап, еске салу" in labels(card)


async def test_search_finds_through_substitutions_case_and_endings(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    chat = await onboard_russian(shared_tg, 5611, "Искатель")
    kyzylorda = {"regions": ("kyzylorda",)}
    saxaul, tugai = await seed(
        shared_bot,
        draft("kz-saxaul", "Арал өңірінде сексеуіл отырғызу", "Посадка саксаула в Приаралье", Sector.ECOLOGY,
              summary_kk="Өтінімді бастамашыл топтар береді.", summary_ru="Для молодежных экологических "
              "инициатив.", deadline=closing(12), **kyzylorda),
        draft("kz-tugai", "Тоғай ағаштарын қорғау", "Защита тугайных лесов", Sector.ECOLOGY,
              deadline=closing(18), **kyzylorda),
    )  # fmt: skip
    assert tugai > saxaul
    saxaul_ru, tugai_ru = "Посадка саксаула в Приаралье", "Защита тугайных лесов"
    await open_grants(chat, "ru")

    found = await search(chat, "ru", "САКСАУЛА")  # upper case
    assert saxaul_ru in found.text
    assert tugai_ru not in found.text
    # Latin i for Kazakh і: the words are folded the same way in the catalogue and the query.
    found = await search(chat, "ru", "сексеуiл")
    assert saxaul_ru in found.text
    assert tugai_ru not in found.text
    found = await search(chat, "ru", "агаш")  # ғ typed as г: finds «ағаштарын»
    assert tugai_ru in found.text
    assert saxaul_ru not in found.text
    found = await search(chat, "ru", "защиту")  # another ending of «защита»
    assert tugai_ru in found.text
    assert saxaul_ru not in found.text
    found = await search(chat, "ru", "топтарға")  # a Kazakh case ending: «топтар» in the summary
    assert saxaul_ru in found.text
    assert tugai_ru not in found.text
    found = await search(chat, "ru", "саксаул пингвин")
    assert "Нет конкурса со всеми этими словами; ниже — конкурсы, где есть некоторые из них." in found.text
    assert saxaul_ru in found.text
    await open_card(chat, "ru", saxaul_ru)


async def test_a_typed_question_becomes_filters_in_both_languages(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    kazakh = await onboard_kazakh(shared_tg, 5621, first_name="ҮЕҰ")
    russian = await onboard_russian(shared_tg, 5622, "НКО")
    await make_ngo(shared_bot, 5621)
    await make_ngo(shared_bot, 5622)
    aktobe = {"regions": ("aktobe",)}
    await seed(
        shared_bot,
        draft("ak-centres", "Ақтөбе жастар орталықтары", "Молодежные центры Актобе", Sector.YOUTH,
              deadline=closing(9), **aktobe),
        draft("ak-theatre", "Ақтөбе жастар театры", "Молодежный театр Актобе", Sector.CULTURE,
              deadline=closing(10), **aktobe),
        draft("ak-parks", "Ақтөбе саябақтары", "Парки Актобе", Sector.ECOLOGY,
              deadline=closing(11), **aktobe),
    )  # fmt: skip

    # An approved NGO just types, outside any dialog.
    await kazakh.user.send("Ақтөбедегі жастар ұйымдарына грант бар ма?")
    read = await kazakh.expect("Сұрауыңыз былай түсінілді: өңір: Ақтөбе облысы; сала: Жастар.")
    assert "Ақтөбе жастар орталықтары" in read.text
    assert "Ақтөбе жастар театры" not in read.text  # culture, not youth
    assert "Ақтөбе саябақтары" not in read.text
    await kazakh.user.press("✖️ Саласыз")  # the sector's word is searched for instead
    widened = await kazakh.expect("Ақтөбе жастар театры")
    assert "Ақтөбе жастар орталықтары" in widened.text
    assert "Ақтөбе саябақтары" not in widened.text

    # The card, saved from itself, stays the reader's card: the NGO's hint and the other buttons remain.
    card = await open_card(kazakh, "kk", "Ақтөбе жастар орталықтары")
    hint = "📋 ҮЕҰ профиліңізді толтырыңыз — әр конкурста оның сізге сәйкес келетін-келмейтіні көрсетіледі."
    assert hint in card.text
    assert {"📋 ҮЕҰ профилін толтыру", "🙈 Қажет емес", "❓ Сұрақ қою"} <= set(labels(card))
    await kazakh.user.press("⭐ Сақтап, еске салу")
    saved = await kazakh.expect("⭐ Сақталған конкурстарыңызда")
    assert hint in saved.text
    assert {"📋 ҮЕҰ профилін толтыру", "🙈 Қажет емес", "❓ Сұрақ қою"} <= set(labels(saved))

    await russian.user.send("какие гранты есть для молодежных НПО в Актобе")
    read = await russian.expect("Запрос понят так: регион: Актюбинская область; сфера: Молодёжь.")
    assert "Молодежные центры Актобе" in read.text
    assert "Парки Актобе" not in read.text
    assert "✖️ Без региона" in labels(read)


async def test_a_question_asked_answered_once_and_published(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    asker = await onboard_russian(shared_tg, 5631, "Пётр")
    admin = await onboard_kazakh(shared_tg, 5632, first_name="Әкімші")
    title_ru, title_kk = "Обновление сельских библиотек", "Ауыл кітапханаларын жаңарту"
    await seed(shared_bot, draft("jt-library", title_kk, title_ru, Sector.CULTURE, regions=("jetisu",)))
    async with promoted(shared_bot, 5632):
        await open_grants(asker, "ru")
        await search(asker, "ru", "библиотеки")
        await open_card(asker, "ru", title_ru)
        await asker.user.press("❓ Задать вопрос")
        await asker.expect(f"❓ Ваш вопрос о конкурсе «{title_ru}»: отправьте его одним сообщением")
        await asker.user.send("Можно ли подать заявку <без> регистрации юрлица?")
        await asker.expect(f"✅ Ваш вопрос о конкурсе «{title_ru}» отправлен администраторам.")

        question = await admin.expect("Гранттық конкурс туралы сұрақ")
        assert f"Конкурс: «{title_kk}»" in question.text
        assert "Кімнен: Пётр" in question.text
        assert "Можно ли подать заявку <без> регистрации юрлица?" in question.text  # escaped, shown as typed
        await admin.user.press("✍️ Жауап беру")
        await admin.expect(f"✍️ «{title_kk}» туралы сұрақ (авторы: Пётр):")
        await admin.user.send("Иә, бастамашыл топтар да өтінім бере алады.")
        await admin.expect("✅ Жауап сұрақ қойған адамға жіберілді.")

        answer = await asker.expect("Ответ на ваш вопрос")
        assert "💬 Ответ: Иә, бастамашыл топтар да өтінім бере алады." in answer.text
        assert f"Конкурс: «{title_ru}»" in answer.text

        answered = len(admin.user.answers)
        await admin.user.press("📌 Карточкада жариялау")
        assert await answered_after(admin, answered) == "📌 Карточкада жарияланды."
        await admin.expect("📌 Конкурс карточкасында көрсетіледі.")

        await asker.user.press("📄 Открыть конкурс")
        await asker.expect("Грантодатель:")
        await asker.user.press("⭐ Сохранить и напомнить")
        saved = await asker.expect("⭐ Конкурс в ваших сохранённых")
        assert {"💬 Вопросы и ответы (1)", "🙈 Не подходит"} <= set(labels(saved))
        await asker.user.press("💬 Вопросы и ответы (1)")
        published = await asker.expect(f"Вопросы и ответы о конкурсе «{title_ru}»")
        assert "Можно ли подать заявку <без> регистрации юрлица?" in published.text
        assert "Иә, бастамашыл топтар да өтінім бере алады." in published.text

        # The answer went to the asker once.
        rows = await outbox(shared_bot, "grant_answer", 5631)
        assert [row.status for row in rows] == ["sent"]


async def test_a_saved_call_plans_its_reminders_and_one_comes(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    chat = await onboard_kazakh(shared_tg, 5641, first_name="Сақтаушы")
    title = "Балалар алаңдарын салу"
    deadline = closing(10)
    (grant_id,) = await seed(
        shared_bot,
        draft("pv-playgrounds", title, "Строительство детских площадок", Sector.SOCIAL,
              regions=("pavlodar",), deadline=deadline),
    )  # fmt: skip
    await open_grants(chat, "kk")
    await search(chat, "kk", "балалар")
    await open_card(chat, "kk", title)
    answered = len(chat.user.answers)
    await chat.user.press("⭐ Сақтап, еске салу")
    card = await chat.expect("⭐ Сақталған конкурстарыңызда: мерзімі жақындағанда еске саламыз.")
    assert await answered_after(chat, answered) == "⭐ Сақталды: мерзімі туралы еске салып отырамыз."
    assert "✖️ Сақталғандардан алу" in labels(card)

    # 10:00 Almaty time 7, 3 and 1 days before the closing day and on it, none after the deadline.
    rows = await outbox(shared_bot, "grant_reminder", 5641)
    expected = [
        datetime.combine(deadline.date() - timedelta(days=d), time(10), tzinfo=ALMATY) for d in (7, 3, 1, 0)
    ]
    assert [row.due_at for row in rows] == expected
    assert {row.status for row in rows} == {"pending"}
    assert {row.expires_at for row in rows} == {deadline}

    await chat.user.press("📂 Сақталған конкурстарым")
    saved = await chat.expect("Сақталған конкурстарым, мерзімі жақындары алдымен")
    assert title in saved.text
    slots = "7 күн қалғанда, 3 күн қалғанда, 1 күн қалғанда, жабылатын күні"
    assert f"🔔 Еске салғыштар 10:00-да: {slots}." in saved.text
    await chat.user.press("🔔 Еске салғыштар")
    await chat.expect("Сақталған конкурстардың мерзімі туралы еске салғыштар")
    await chat.user.press("✅ 7 күн қалғанда")
    await chat.expect("🔔 Еске салғыштар 10:00-да: 3 күн қалғанда, 1 күн қалғанда, жабылатын күні.")
    pending = [row for row in await outbox(shared_bot, "grant_reminder", 5641) if row.status == "pending"]
    assert [row.due_at for row in pending] == expected[1:]

    # Three days before the closing day's morning comes: the running bot's sender finds the row due.
    three_days = f"grant_reminder:5641:{grant_id}:3:"
    async with bot_database(shared_bot) as database, database.transaction() as uow:
        moved = await uow.connection.execute(
            update(OutboxRow)
            .where(OutboxRow.dedupe_key.startswith(three_days), OutboxRow.status == "pending")
            .values(due_at=datetime.now(UTC))
        )
        assert moved.rowcount == 1
    when = KK.day_time(deadline)
    reminder = await chat.expect(
        f"⏰ Сақталған {title} конкурсы 3 күннен кейін жабылады: {when}.", timeout=20
    )
    assert labels(reminder) == ["📄 Конкурсты ашу"]
    await chat.user.press("📄 Конкурсты ашу")
    await chat.expect("⭐ Сақталған конкурстарыңызда")

    # Removed from the saved calls: the reminders still to come are dropped.
    answered = len(chat.user.answers)
    await chat.user.press("✖️ Сақталғандардан алу")
    assert await answered_after(chat, answered) == REMOVED
    rows = await outbox(shared_bot, "grant_reminder", 5641)
    assert [row.status for row in rows if row.status != "dropped"] == ["sent"]


async def test_a_changed_deadline_is_announced_once_to_who_saved_the_call(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    saver = await onboard_russian(shared_tg, 5651, "Сохранившая")
    admin = await onboard_kazakh(shared_tg, 5652, first_name="Әкімші")
    title_ru, title_kk = "Уход за пожилыми людьми", "Қарттарға күтім көрсету"
    old = closing(15)
    new = old + timedelta(days=7)
    (grant_id,) = await seed(
        shared_bot, draft("at-elderly", title_kk, title_ru, Sector.SOCIAL, regions=("atyrau",), deadline=old)
    )
    await open_grants(saver, "ru")
    await search(saver, "ru", "пожилыми")
    await open_card(saver, "ru", title_ru)
    await saver.user.press("⭐ Сохранить и напомнить")
    await saver.expect("⭐ Конкурс в ваших сохранённых: перед окончанием срока придут напоминания.")

    async with promoted(shared_bot, 5652):
        await open_grants(admin, "kk")
        await search(admin, "kk", "қарттарға")
        await open_card(admin, "kk", title_kk)
        # The deadline moved a week; then the same form sent again as the bot shows it: nothing changes.
        for shown in (old, new):
            await admin.user.press("✏️ Өзгерту")
            prompt = await admin.expect("✏️ Конкурсты форма түрінде жіберіңіз")
            form = prompt.text.rsplit("\n\n", 1)[1]
            assert f"deadline: {shown:%Y-%m-%dT%H:%M}" in form, form
            await admin.user.send(
                form.replace(f"deadline: {old:%Y-%m-%dT%H:%M}", f"deadline: {new:%Y-%m-%dT%H:%M}")
            )
            await admin.expect("👁 Алдын ала көрініс: әр тілдегі карточка.")
            answered = len(admin.user.answers)
            await admin.user.press("✅ Сақтау")
            assert await answered_after(admin, answered) == "✅ Сақталды."
            card = await admin.expect("Грант беруші:")
            assert KK.date_time(new) in card.text
            assert {"✏️ Өзгерту", "⭐ Сақтап, еске салу", "❓ Сұрақ қою"} <= set(labels(card))

    told = await saver.expect(f"📝 В сохранённом конкурсе {title_ru} изменения:")
    assert f"Срок подачи: {RU.date_time(old)} → {RU.date_time(new)}" in told.text
    announcements = await outbox(shared_bot, "grant_changed", 5651)
    assert len(announcements) == 1
    assert [m for m in saver.user.messages if "изменения:" in m.text] == [told]
    async with bot_database(shared_bot) as database, database.reading() as uow:
        recorded = await uow.connection.execute(
            select(func.count()).select_from(GrantChange).where(GrantChange.grant_id == grant_id)
        )
        assert recorded.scalar_one() == 1
    # The reminders follow the new deadline: the one three days before it comes with the new date.
    pending = [row for row in await outbox(shared_bot, "grant_reminder", 5651) if row.status == "pending"]
    assert {row.expires_at for row in pending} == {new}
    assert len(pending) == 4
    three_days = f"grant_reminder:5651:{grant_id}:3:{new.astimezone(UTC).isoformat()}"
    async with bot_database(shared_bot) as database, database.transaction() as uow:
        moved = await uow.connection.execute(
            update(OutboxRow).where(OutboxRow.dedupe_key == three_days).values(due_at=datetime.now(UTC))
        )
        assert moved.rowcount == 1
    reminder = await saver.expect(f"⏰ Сохранённый конкурс {title_ru} закрывается через 3 дня:", timeout=20)
    assert RU.day_time(new) in reminder.text


async def test_a_new_call_alerts_each_matching_subscriber_exactly_once(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    by_place = await onboard_kazakh(shared_tg, 5661, first_name="Жазылушы")
    by_word = await onboard_russian(shared_tg, 5662, "Подписчица")
    elsewhere = await onboard_russian(shared_tg, 5663, "Спортсмен")
    admin = await onboard_kazakh(shared_tg, 5664, first_name="Әкімші")

    # kk: ecology in Mangystau, ticked on the subscription screen.
    await open_grants(by_place, "kk")
    await by_place.user.press("🔔 Хабарландырулар")
    await by_place.expect("Гранттар туралы хабарландырулар")
    await by_place.user.press("🏷 Салалар")
    await by_place.expect("Қай салалар?")
    await by_place.user.press("Экология")
    await by_place.expect("Қай салалар?")
    await by_place.user.press("✔️ Дайын")
    await by_place.expect("🏷 Салалар: Экология")
    await by_place.user.press("📍 Өңірлер")
    await by_place.expect("Қай өңірлер?")
    await by_place.user.press("Маңғыстау облысы")
    await by_place.expect("Қай өңірлер?")
    await by_place.user.press("✔️ Дайын")
    await by_place.expect("📍 Өңірлер: Маңғыстау облысы")
    await by_place.user.press("🔔 Жазылу")
    await by_place.expect("✅ Жазылдыңыз.")

    # ru: a word, in another form than the call's.
    await open_grants(by_word, "ru")
    await by_word.user.press("🔔 Уведомления")
    await by_word.expect("Уведомления о грантах")
    await by_word.user.press("🔤 Слова")
    await by_word.expect("Отправьте слова")
    await by_word.user.send("опреснения")
    await by_word.expect("✅ Сохранено.")
    await by_word.user.press("🔔 Подписаться")
    await by_word.expect("✅ Вы подписаны.")

    # ru: sport, which the new call is not.
    await open_grants(elsewhere, "ru")
    await elsewhere.user.press("🔔 Уведомления")
    await elsewhere.expect("Уведомления о грантах")
    await elsewhere.user.press("🏷 Сферы")
    await elsewhere.expect("Какие сферы?")
    await elsewhere.user.press("Спорт")
    await elsewhere.expect("Какие сферы?")
    await elsewhere.user.press("✔️ Готово")
    await elsewhere.expect("🏷 Сферы: Спорт")
    await elsewhere.user.press("🔔 Подписаться")
    await elsewhere.expect("✅ Вы подписаны.")

    title_kk, title_ru = "Маңғыстауда теңіз суын тұщыту", "Опреснение морской воды в Мангистау"
    form = "\n".join(
        [
            f"title_kk: {title_kk}",
            f"title_ru: {title_ru}",
            "funder: Каспий қоры",
            "kind: foundation",
            "sectors: ecology",
            "regions: mangystau",
            "amount_max: 5 000 000",
            f"deadline: {closing(40):%Y-%m-%dT%H:%M}",
            "how_to_apply: https://example.org/caspian",
        ]
    )
    async with promoted(shared_bot, 5664):
        await admin.user.send("/grant_new")
        await admin.expect("✏️ Конкурсты форма түрінде жіберіңіз")
        await admin.user.send(form.replace("kind: foundation", "kind: charity"))
        await admin.expect("⚠️ Сақталмады. Мына өрістерді тексеріп, форманы қайта жіберіңіз: kind")
        await admin.user.send(form)
        await admin.expect("👁 Алдын ала көрініс: әр тілдегі карточка.")
        await admin.user.press("✅ Жариялау")
        await admin.expect("Грант беруші: Каспий қоры")
        alert = await by_place.expect("🔔 Сізге арналған жаңа гранттық конкурс")
        # Edited afterwards: no longer a new call, it alerts nobody again.
        await admin.user.press("✏️ Өзгерту")
        prompt = await admin.expect("✏️ Конкурсты форма түрінде жіберіңіз")
        await admin.user.send(prompt.text.rsplit("\n\n", 1)[1].replace("5000000", "6000000"))
        await admin.expect("👁 Алдын ала көрініс: әр тілдегі карточка.")
        await admin.user.press("✅ Сақтау")
        await admin.expect(KK.money(6_000_000))

    assert title_kk in alert.text
    assert {"📄 Конкурсты ашу", "🔕 Жазылымнан бас тарту"} <= set(labels(alert))
    alert = await by_word.expect("🔔 Новый грантовый конкурс для вас")
    assert title_ru in alert.text

    for subscriber, count in ((5661, 1), (5662, 1), (5663, 0)):
        rows = await outbox(shared_bot, "grant_alert", subscriber)
        assert len(rows) == count, (subscriber, rows)
    assert not [m for m in elsewhere.user.messages if "Новый грантовый конкурс" in m.text]
    assert sum("Сізге арналған жаңа гранттық конкурс" in m.text for m in by_place.user.messages) == 1


async def test_an_import_with_a_bad_row_reports_it_and_imports_nothing(
    shared_bot: BotProcess, tmp_path: Path
) -> None:
    header = "external_id,title_kk,title_ru,funder,kind,sectors,regions,deadline,how_to_apply"
    deadline = f"{closing(20):%Y-%m-%dT%H:%M}"
    good = f"imp-good,Жақсы конкурс,Хороший конкурс,Қор,foundation,youth,abai,{deadline},https://example.org"
    bad = f"imp-bad,Жаман конкурс,Плохой конкурс,Қор,charity,youth,abai,{deadline},https://example.org"
    path = tmp_path / "grants.csv"
    path.write_text(f"{header}\n{good}\n{bad}\n", encoding="utf-8")
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "grants",
        "import",
        str(path),
        env=bot_environment(DATABASE_URL=shared_bot.env["DATABASE_URL"]),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await command.communicate()
    said = out.decode() + err.decode()
    assert command.returncode == 1, said
    assert "nothing imported" in said, said
    assert "line 3: kind: unknown kind 'charity'" in said, said
    assert "line 2" not in said, said
    async with bot_database(shared_bot) as database, database.reading() as uow:
        assert await uow.grants.by_external_ids(["imp-good", "imp-bad"]) == {}


async def test_a_non_admin_forging_admin_buttons_is_refused(
    shared_tg: FakeTelegram, shared_bot: BotProcess
) -> None:
    chat = await onboard_russian(shared_tg, 5691, "Хитрый")
    title = "Гражданские инициативы Абая"
    (grant_id,) = await seed(
        shared_bot, draft("ab-civic", "Абай азаматтық бастамалары", title, Sector.CIVIC, regions=("abai",))
    )
    await open_grants(chat, "ru")
    await search(chat, "ru", "гражданские абая")
    card = await open_card(chat, "ru", title)
    assert "✏️ Изменить" not in labels(card)
    refusal = "Это могут делать только администраторы."

    for action in (GrantAdminAction.CLOSE, GrantAdminAction.EDIT):
        answered = len(chat.user.answers)
        await chat.user.press_data(GrantAdminCallback(action=action, grant_id=grant_id).pack())
        assert await answered_after(chat, answered) == refusal
    answered = len(chat.user.answers)
    await chat.user.press_data(QuestionCallback(action=QuestionAction.ANSWER, question_id=1).pack())
    assert await answered_after(chat, answered) == refusal
    await chat.user.send("/grant_new")
    await chat.expect(refusal)
    await chat.user.send("/questions")
    await chat.expect(refusal)

    async with bot_database(shared_bot) as database, database.reading() as uow:
        grant = await uow.grants.get(grant_id)
    assert grant is not None
    assert grant.status == "open"
