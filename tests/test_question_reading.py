"""Questions in plain words, in Kazakh and Russian: amounts, deadlines and initiative groups read as
filters, filler and short words dropped, each part of the reading dropped with a button, the "some of
the words" line only over calls shown, and a greeting answered with a hint instead of a search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.search.questions import is_small_talk, read_question
from bot.services.grants import DROP_AMOUNT, DROP_DAYS, DROP_INITIATIVE_GROUPS, GrantQuery, drop_word
from bot.views.grants import grants_list_view
from tests.grants_support import ids_by_external_id
from tests.harness import BotHarness, texts
from tests.test_grants_ui import labels, member, plain

TODAY = date(2026, 11, 25)  # a Wednesday
MILLION = 1_000_000


@pytest.mark.parametrize(
    ("text", "at_least", "at_most"),
    [
        ("гранты до 1 млн", None, MILLION),
        ("гранты до 1 000 000 тенге", None, MILLION),
        ("гранты от 5 000 000 тенге", 5 * MILLION, None),
        ("от 5 млн", 5 * MILLION, None),
        ("5 млн", 5 * MILLION, None),
        ("1,5 млн", 1_500_000, None),
        ("от 1 до 5 млн", MILLION, 5 * MILLION),
        ("гранты не более 300 тыс. тенге", None, 300_000),
        ("2 миллион теңгеге дейін", None, 2 * MILLION),
        ("500 мың теңгеден бастап", 500_000, None),
        ("1 млн-ға дейін", None, MILLION),
        ("3 млн теңгеден астам", 3 * MILLION, None),
        ("от 500к", 500_000, None),
    ],
)
def test_an_amount_is_read_as_the_amount_filter_not_as_words(
    text: str, at_least: int | None, at_most: int | None
) -> None:
    reading = read_question(text, TODAY)
    assert (reading.amount_at_least, reading.amount_at_most, reading.keywords) == (at_least, at_most, ())


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("молодежь от 14 до 35 лет", ()),
        ("помощь 5 к школам", ("помощь",)),
        ("гранты 2026 года", ("2026",)),
        ("3 күндік лагерь", ("күндік", "лагерь")),
    ],
)
def test_numbers_that_are_no_amount_or_period_stay_as_they_were(text: str, keywords: tuple[str, ...]) -> None:
    reading = read_question(text, TODAY)
    assert (reading.amount_at_least, reading.amount_at_most, reading.within_days) == (None, None, None)
    assert reading.keywords == keywords


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("в течение месяца", 30),
        ("за месяц", 30),
        ("в течение 10 дней", 10),
        ("в ближайшие две недели", 14),
        ("бір айда", 30),
        ("2 апта ішінде", 14),
        ("10 күн ішінде", 10),
        ("конкурсы со сроком до конца декабря", 37),  # 31 December counts whole
        ("желтоқсанның соңына дейін", 37),
        ("до 15 декабря", 21),
        ("15 желтоқсанға дейін", 21),
        ("до конца месяца", 6),
        ("айдың соңына дейін", 6),
        ("до конца января", 68),  # next year's January
    ],
)
def test_a_period_or_a_date_is_read_as_the_deadline_filter(text: str, days: int) -> None:
    reading = read_question(text, TODAY)
    assert (reading.within_days, reading.keywords) == (days, ())


def test_the_users_trial_questions_leave_no_filler_as_keywords() -> None:
    reading = read_question("2 миллион теңгеге дейін мектептерге арналған конкурс, мерзімі бір айда", TODAY)
    assert (reading.amount_at_most, reading.sector, reading.within_days, reading.keywords) == (
        2 * MILLION,
        Sector.EDUCATION,
        30,
        (),
    )
    reading = read_question("экология гранты Алматыда 5 млн", TODAY)
    assert (reading.region, reading.sector, reading.amount_at_least, reading.keywords) == (
        "almaty",
        Sector.ECOLOGY,
        5 * MILLION,
        (),
    )


@pytest.mark.parametrize(
    "text",
    [
        "грант для инициативной группы без регистрации",
        "гранты без регистрации",
        "бастамашыл топтарға арналған грант бар ма?",
        "тіркеусіз бастамашыл топқа грант",
    ],
)
def test_initiative_groups_are_read_as_their_filter(text: str) -> None:
    reading = read_question(text, TODAY)
    assert (reading.initiative_groups, reading.keywords) == (True, ())


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("какие конкурсы есть для НКО со сроком подачи", ("подачи",)),
        ("қандай байқаулар бар, сомасы қанша, мерзімі қашан", ()),
        ("есть ли гранты для нас", ()),
        ("ағ до от ма", ()),  # one or two letters: never a keyword, never a prefix of «досуга»
        ("ағаш отырғызу үшін", ("ағаш", "отырғызу")),
        ("посадка деревьев для школ", ("посадка", "деревьев")),
    ],
)
def test_filler_and_short_words_are_no_keywords(text: str, keywords: tuple[str, ...]) -> None:
    assert read_question(text, TODAY).keywords == keywords


@pytest.mark.parametrize(
    ("text", "small_talk"),
    [
        ("Привет", True),
        ("Сәлем", True),
        ("Спасибо!", True),
        ("Рахмет", True),
        ("Добрый день!", True),
        ("Сәлеметсіз бе", True),
        ("Привет, гранты для школ", False),
        ("спорт", False),
    ],
)
def test_greetings_and_thanks_are_small_talk(text: str, small_talk: bool) -> None:
    assert is_small_talk(text) is small_talk


async def titles(app: Application, text: str, user_id: int = 1) -> set[str | None]:
    page = await app.grants.ask(user_id, text)
    assert page.keywords == (), page.keywords
    return {grant.title_ru for grant in page.grants}


async def test_amounts_deadlines_and_initiative_groups_filter_the_catalogue(
    app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    # Up to a million: calls whose least (else only) amount is within it; not «досуга» by «до».
    assert await titles(app, "гранты до 1 млн") == {
        "Посадка деревьев",
        "Молодежное волонтерство",
        "Дворовый спорт",
    }
    assert await titles(app, "гранты от 5 000 000 тенге") == {
        "Грант для молодежи Актобе",
        "Проекты в здравоохранении",
    }
    assert await titles(app, "500 мың теңгеден бастап экология") == {"Посадка деревьев"}
    assert await titles(app, "жастарға 2 миллион теңгеге дейін, мерзімі бір айда") == {
        "Грант для молодежи Актобе"
    }
    assert await titles(app, "в течение 10 дней") == {"Посадка деревьев"}
    assert await titles(app, "2 апта ішінде") == {"Посадка деревьев"}  # 14 days and 2 hours is later
    assert await titles(app, "грант для инициативной группы без регистрации") == {"Грант для молодежи Актобе"}
    assert await titles(app, "экология гранты Алматыда 5 млн") == set()  # the tree planting gives 500 000


async def test_until_the_end_of_december_counts_from_today_in_almaty(
    app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    page = await app.grants.ask(1, "конкурсы со сроком до конца декабря")
    today = clock.now().astimezone(app.catalogs.tz).date()
    december_end = date(today.year, 12, 31)
    assert page.typed.within_days == min((december_end - today).days + 1, 366)
    assert page.keywords == ()
    assert all(
        grant.deadline <= clock.now() + timedelta(days=page.typed.within_days) for grant in page.grants
    )


async def test_each_part_of_a_reading_can_be_dropped(app: Application, clock: ManualClock) -> None:
    await ids_by_external_id(app.grants, clock.now())
    page = await app.grants.ask(1, "жастарға 2 миллион теңгеге дейін, мерзімі бір айда, бастамашыл топтарға")
    assert [grant.title_ru for grant in page.grants] == ["Грант для молодежи Актобе"]
    query = page.query
    no_amount = await app.grants.find(
        1, GrantQuery(sector="youth", search_id=query.search_id, dropped=DROP_AMOUNT)
    )
    assert no_amount.typed.amount_at_most is None
    assert no_amount.typed.within_days == 30
    everything = DROP_AMOUNT | DROP_DAYS | DROP_INITIATIVE_GROUPS
    wide = await app.grants.find(1, GrantQuery(sector="youth", search_id=query.search_id, dropped=everything))
    assert {grant.title_ru for grant in wide.grants} == {
        "Грант для молодежи Актобе",
        "Молодежное волонтерство",
    }
    assert not wide.typed.has_any
    # A word dropped is no longer looked for.
    words = await app.grants.ask(1, "ағаш отырғызу")
    assert words.keywords == ("ағаш", "отырғызу")
    fewer = await app.grants.find(1, GrantQuery(search_id=words.query.search_id, dropped=drop_word(0)))
    assert fewer.keywords == ("отырғызу",)


async def test_a_forged_drop_mask_is_refused(app: Application) -> None:
    from bot.services.grants import GrantError, GrantProblem

    for dropped in (-1, 128):
        with pytest.raises(GrantError) as refused:
            await app.grants.find(1, GrantQuery(dropped=dropped))
        assert refused.value.problem is GrantProblem.BAD_FILTER


async def test_no_some_of_the_words_line_when_nothing_has_any_of_them(
    app: Application, clock: ManualClock
) -> None:
    """The defect: with no call for all the words and none for any of them, the list said "these have
    some of them" over an empty list."""
    await ids_by_external_id(app.grants, clock.now())
    page = await app.grants.ask(1, "тюлени сайгаки")
    assert page.grants == []
    for language in ("kk", "ru"):
        t = app.catalogs[language]
        text = grants_list_view(t, page, clock.now()).text
        assert t._("No call has all of these words; these have some of them.") not in text
        assert t._("No open call matches these words. Try other words, or see all open calls.") in text
    # With some of the words found, the line is there.
    loosened = await app.grants.ask(1, "ағаш тюлени")
    assert loosened.loosened
    assert [grant.title_ru for grant in loosened.grants] == ["Посадка деревьев"]
    ru = app.catalogs["ru"]
    assert (
        ru._("No call has all of these words; these have some of them.")
        in grants_list_view(ru, loosened, clock.now()).text
    )


async def test_an_ngo_sees_how_an_amount_question_was_read_and_drops_it(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    ru = await member(harness, 4101, "ru", role="ngo")
    (found,) = map(plain, texts(await ru.send("гранты до 1 млн")))
    assert "Запрос понят так: сумма: до 1 000 000 ₸." in found
    assert "Посадка деревьев" in found
    assert "Проекты в здравоохранении" not in found
    assert "досуг" not in found
    (wider,) = map(plain, texts(await ru.press_text("✖️ Любая сумма")))
    assert "Запрос понят так: все открытые конкурсы." in wider
    assert "Проекты в здравоохранении" in wider
    kk = await member(harness, 4102, "kk", role="ngo")
    (found,) = map(plain, texts(await kk.send("жастарға 2 миллион теңгеге дейін, мерзімі бір айда")))
    assert (
        "Сұрауыңыз былай түсінілді: сала: Жастар; сомасы: ең көбі 2 000 000 ₸; мерзімі 30 күн ішінде."
        in found
    )
    assert {"✖️ Саласыз", "✖️ Кез келген сома", "✖️ Кез келген мерзім"} <= set(labels(kk))
    (wider,) = map(plain, texts(await kk.press_text("✖️ Кез келген мерзім")))
    assert "мерзімі 30 күн ішінде" not in wider
    assert "сомасы: ең көбі 2 000 000 ₸" in wider


async def test_an_ngo_drops_initiative_groups_and_a_word_with_buttons(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    ru = await member(harness, 4103, "ru", role="ngo")
    (found,) = texts(await ru.send("грант для инициативной группы без регистрации"))
    assert "Запрос понят так: только конкурсы, куда могут подать инициативные группы." in found
    assert "Молодежное волонтерство" not in found
    (wider,) = texts(await ru.press_text("✖️ Не только для инициативных групп"))
    assert "Молодежное волонтерство" in wider
    kk = await member(harness, 4104, "kk", role="ngo")
    (found,) = texts(await kk.send("ағаш отырғызу"))
    assert "сөздер: ағаш отырғызу" in found
    assert {"✖️ «ағаш»", "✖️ «отырғызу»"} <= set(labels(kk))
    (fewer,) = texts(await kk.press_text("✖️ «ағаш»"))
    assert "сөздер: отырғызу." in fewer


@pytest.mark.parametrize(
    ("language", "greeting", "hint"),
    [
        ("ru", "Привет", "🙂 Здравствуйте! Чтобы найти гранты"),
        ("ru", "Спасибо!", "🙂 Здравствуйте! Чтобы найти гранты"),
        ("kk", "Сәлем", "🙂 Сәлеметсіз бе! Грант табу үшін"),
        ("kk", "Рахмет", "🙂 Сәлеметсіз бе! Грант табу үшін"),
    ],
)
async def test_an_ngos_greeting_gets_a_hint_not_a_search(
    harness: BotHarness, app: Application, clock: ManualClock, language: str, greeting: str, hint: str
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4105, language, role="ngo")
    (reply,) = texts(await user.send(greeting))
    assert reply.startswith(hint)
    assert "/menu" in reply
    assert "🔎" not in reply
    # A greeting with a question in it is a search.
    (found,) = texts(await user.send(f"{greeting}, гранты для молодежи"))
    assert found.startswith("🔎")
