"""Grant calls as users see them, in Kazakh and Russian: the menu's Grants, filters and pages, a call's
card, the 🔎 Search dialog, an approved NGO's typed question read as filters with buttons to adjust it,
and forged buttons refused."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery

from bot.app import Application
from bot.clock import ManualClock
from bot.services.grants import DROPPED_MAX
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.menu import MenuAction, MenuCallback
from tests.grants_support import ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts


async def member(harness: BotHarness, user_id: int, language: str, role: str = "volunteer") -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role=role, region="aktobe")
    if role == "ngo":
        await harness.app.approvals.decide(777, user_id, "ngo", approve=True)
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


def plain(text: str) -> str:
    """Money is grouped with no-break spaces; the tests write plain ones."""
    return text.replace("\xa0", " ")


def answers(requests: list[object]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def labels(user: PlayedUser) -> list[str]:
    return [label for label, _ in user.buttons()]


async def test_a_kazakh_user_browses_from_the_menu_and_opens_a_card(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4001, "kk")
    (listing,) = map(plain, texts(await user.press_text("💰 Гранттар")))
    assert listing.startswith("💰 <b>Ашық гранттық конкурстар</b>, мерзімі жақындары алдымен")
    assert "1. <b>Ағаш отырғызу</b>\nең көбі 500 000 ₸ · мерзімі: " in listing
    assert "5 күн қалды" in listing
    assert "Жабылған" not in listing  # the closed call is not listed
    (card,) = map(plain, texts(await user.press_text("2. Ақтөбе жастарына арналған грант")))
    assert card.startswith(
        "<b>Ақтөбе жастарына арналған грант</b>\nГрант беруші: Қор / Фонд\nТүрі: Қор бағдарламасы"
    )
    assert "Сомасы: 2 000 000 ₸ – 8 000 000 ₸" in card
    assert "(14 күн қалды)" in card
    assert "Өңірлер: Ақтөбе облысы" in card
    assert "• жастар ұйымдары\n• бастамашыл топтар да өтінім бере алады" in card
    assert "<b>Өтінім беру тәсілі:</b> https://example.org/apply" in card
    assert "⬅️ Гранттар" in labels(user)


async def test_a_russian_user_combines_filters_and_widens_an_empty_result(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4002, "ru")
    await user.press_text("💰 Гранты")
    await user.press_text("🏷 Сфера")
    (listing,) = texts(await user.press_text("Молодёжь"))
    assert "Фильтры: сфера: Молодёжь" in listing
    assert "осталось 14 дней" in listing
    assert [label[3:] for label in labels(user) if label[:2] in ("1.", "2.", "3.")] == [
        "Грант для молодежи Актобе",
        "Молодежное волонтерство",
    ]
    await user.press_text("📍 Регион")
    (listing,) = texts(await user.press_text("Алматы"))
    assert "Фильтры: сфера: Молодёжь · регион: Алматы" in listing
    assert "Молодежное волонтерство" in listing  # for all of Kazakhstan
    assert "Актобе" not in listing
    await user.press_text("💵 Сумма")
    (listing,) = texts(await user.press_text("от " + app.catalogs["ru"].money(5_000_000)))
    assert "Подходящих открытых конкурсов нет. Расширьте фильтры кнопками ниже." in listing
    assert {"✖️ Без региона", "✖️ Без сферы", "✖️ Любая сумма"} <= set(labels(user))
    (listing,) = texts(await user.press_text("✖️ Без региона"))
    assert "Грант для молодежи Актобе" in listing


async def test_pages_go_forward_and_back(harness: BotHarness, app: Application, clock: ManualClock) -> None:
    from tests.grants_support import call

    now = clock.now()
    await app.grants.import_calls([call(now, f"c{n}", title_ru=f"Конкурс {n}") for n in range(7)])
    user = await member(harness, 4003, "ru")
    await user.press_text("💰 Гранты")
    assert "Позже ➡️" in labels(user) or "Later ➡️" in labels(user)
    (second,) = texts(await user.press_text(next(label for label in labels(user) if "➡️" in label)))
    assert "6. <b>Конкурс" in second
    assert any("⬅️" in label and "Меню" not in label for label in labels(user))


async def test_the_search_button_asks_for_words_and_finds_with_endings(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4004, "ru")
    await user.press_text("💰 Гранты")
    (prompt,) = texts(await user.press_text("🔎 Поиск"))
    assert prompt.startswith("🔎 Отправьте слова для поиска или вопрос")
    (refusal,) = texts(await user.send_document())
    assert refusal == "Отправьте слова текстом."
    (found,) = texts(await user.send("агаштар"))
    assert found.startswith("🔎 <b>Поиск грантов</b>\nЗапрос понят так: слова: агаштар.")
    assert "Посадка деревьев" in found
    # The dialog is over: the next text is not a search for a volunteer.
    (reply,) = texts(await user.send("спорт"))
    assert reply == app.catalogs["ru"]._("We didn't understand that. Send /menu to see what Belsendi can do.")


async def test_an_ngos_typed_question_is_read_as_filters_with_buttons_to_adjust(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4005, "kk", role="ngo")
    (found,) = texts(await user.send("Ақтөбедегі жастар ұйымдарына грант бар ма?"))
    assert "Сұрауыңыз былай түсінілді: өңір: Ақтөбе облысы; сала: Жастар." in found
    assert "Ақтөбе жастарына арналған грант" in found
    assert "Жастар волонтерлігі" in found  # for all of Kazakhstan
    assert {"✖️ Өңірсіз", "✖️ Саласыз"} <= set(labels(user))
    (widened,) = texts(await user.press_text("✖️ Саласыз"))
    # Without the sector, its word is searched for instead: still youth calls, now by their words.
    assert "сөздер: жастар" in widened
    assert "Ақтөбе жастарына арналған грант" in widened
    # The same in Russian, without Kazakh letters in the region's name.
    ru_user = await member(harness, 4006, "ru", role="ngo")
    (found,) = texts(await ru_user.send("какие гранты есть для молодежных НПО в Актобе"))
    assert "Запрос понят так: регион: Актюбинская область; сфера: Молодёжь." in found
    assert "Грант для молодежи Актобе" in found


async def test_forged_or_stale_grant_buttons_change_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    other = await member(harness, 4007, "ru", role="ngo")
    await other.send("спорт")
    their_search = next(
        GrantsCallback.unpack(data).search for _, data in other.buttons() if data.startswith("gr:")
    )
    user = await member(harness, 4008, "ru")
    for data, expected in (
        (GrantsCallback(action=GrantsAction.LIST, sector="zzz"), "Эта кнопка устарела. Отправьте /menu."),
        (GrantsCallback(action=GrantsAction.LIST, amount=7), "Эта кнопка устарела. Отправьте /menu."),
        (GrantsCallback(action=GrantsAction.CARD, grant_id=10**9), "Этот грантовый конкурс недоступен."),
        (
            GrantsCallback(action=GrantsAction.LIST, search=their_search),
            "Эти результаты поиска устарели. Поищите ещё раз.",
        ),
    ):
        requests = await user.press(data)
        assert answers(requests) == [expected]
        assert texts(requests) == [expected]  # the answer only: nothing shown
    assert len(answers(await user.press("gr:l:0:::x:0:0:0"))) == 1  # not even a number


def test_grant_button_data_fits_telegrams_64_bytes() -> None:
    widest = GrantsCallback(
        action=GrantsAction.PICK_AMOUNT,
        grant_id=2**31 - 1,
        sector="education",
        region="almaty_reg",
        amount=20,
        days=90,
        search=2**31 - 1,
        page=10**4,
        drop=DROPPED_MAX,
    )
    assert len(widest.pack().encode()) <= 64


def test_time_left_is_pluralized_in_each_language(app: Application, clock: ManualClock) -> None:
    from datetime import timedelta

    from bot.views.grants import time_left_text

    now = clock.now()
    kk, ru = app.catalogs["kk"], app.catalogs["ru"]
    left = {days: now + timedelta(days=days, minutes=1) for days in (1, 2, 5, 14, 21)}
    assert [time_left_text(ru, moment, now) for moment in left.values()] == [
        "остался 1 день",
        "осталось 2 дня",
        "осталось 5 дней",
        "осталось 14 дней",
        "остался 21 день",
    ]
    assert time_left_text(kk, left[14], now) == "14 күн қалды"
    assert time_left_text(ru, now + timedelta(hours=4, minutes=10), now) == "осталось 5 часов"
    assert time_left_text(kk, now + timedelta(minutes=30), now) == "1 сағат қалды"
    assert time_left_text(ru, now, now) == "закрыт"
