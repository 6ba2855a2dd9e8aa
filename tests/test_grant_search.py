"""Grant search: the normalizer and stemmers, typed questions read as filters, and the search itself
(substitutions, case, endings, prefixes, ranking) over real SQLite files."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.search.questions import read_question
from bot.search.text import fold, forms, index_text, kazakh_stem, russian_stem, words
from bot.services.grants import GrantError, GrantQuery
from tests.grants_support import call, ids_by_external_id


def test_words_fold_case_and_latin_look_alikes() -> None:
    assert words("ӨТІНІМ Жастар-2026!") == ["өтінім", "жастар", "2026"]
    assert words("отiнiм") == ["өтінім".replace("ө", "о")]  # Latin i typed for і
    assert words("grant") == ["grant"]  # a Latin word stays Latin


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("агаш", "ағаш"),
        ("отiнiм", "өтінім"),
        ("кундiз", "күндіз"),
        ("Жана", "Жаңа"),
        ("елка", "ёлка"),
        ("Хал", "Һал"),
    ],
)
def test_kazakh_letters_and_their_look_alikes_are_one(typed: str, written: str) -> None:
    assert [fold(word) for word in words(typed)] == [fold(word) for word in words(written)]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("жастарға", "жас"),
        ("жастарга", "жас"),  # typed without Kazakh letters
        ("жастар", "жас"),
        ("ұйымдарына", "уйым"),
        ("Ақтөбедегі", "актобе"),
        ("балаларға", "бала"),
        ("экологиялық", "экология"),
        ("мектептерде", "мектеп"),
    ],
)
def test_the_kazakh_stemmer_strips_plural_possessive_and_case(word: str, stem: str) -> None:
    assert kazakh_stem(words(word)[0]) == stem


def test_the_kazakh_stemmer_keeps_vowel_harmony_and_short_stems() -> None:
    assert kazakh_stem("мектептер") == "мектеп"  # front: -тер
    assert kazakh_stem("мектептар") == "мектептар"  # -тар after a front stem is no ending
    assert kazakh_stem("ата") == "ата"  # too short to lose a letter


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("молодежных", "молодеж"),
        ("молодёжь", "молодеж"),
        ("молодежи", "молодеж"),
        ("экологических", "эколог"),
    ],
)
def test_the_russian_stemmer_joins_adjectives_to_their_noun(word: str, stem: str) -> None:
    assert russian_stem(word) == stem


def test_a_document_is_indexed_by_folded_forms_and_stems() -> None:
    tokens = index_text("Жастарға арналған грант", None, "Молодёжь").split()
    assert {"жастарга", "жас", "грант", "молодежь", "молодеж"} <= set(tokens)
    assert forms("жаста").folded == "жаста"


@pytest.mark.parametrize(
    ("text", "region", "sector", "keywords"),
    [
        ("Ақтөбедегі жастар ұйымдарына грант бар ма?", "aktobe", Sector.YOUTH, ()),
        ("какие гранты есть для молодежных НПО в Актобе", "aktobe", Sector.YOUTH, ()),
        ("Актобедеги жастарга грант бар ма", "aktobe", Sector.YOUTH, ()),
        ("гранты на спорт для детей в Караганде", "karaganda", Sector.SPORT, ("детей",)),
        ("ағаш отырғызу", None, None, ("ағаш", "отырғызу")),
    ],
)
def test_a_typed_question_becomes_filters_and_keywords(
    text: str, region: str | None, sector: Sector | None, keywords: tuple[str, ...]
) -> None:
    reading = read_question(text)
    assert (reading.region, reading.sector, reading.keywords) == (region, sector, keywords)


async def titles(app: Application, user_id: int, text: str) -> list[str | None]:
    page = await app.grants.ask(user_id, text)
    return [grant.title_ru for grant in page.grants]


async def test_search_finds_calls_whatever_the_case_letters_and_endings(
    app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    for typed in ("АҒАШ", "агаш", "ағаштар", "ағаштарға", "ағаштың"):
        assert await titles(app, 1, typed) == ["Посадка деревьев"], typed
    # Prefix: жаста finds жастар; Latin i: отiнiм finds өтінім.
    assert "Грант для молодежи Актобе" in await titles(app, 1, "жаста")
    assert await titles(app, 1, "отiнiм") == ["Посадка деревьев"]
    assert await titles(app, 1, "өтінімді") == ["Посадка деревьев"]
    # Russian endings.
    assert await titles(app, 1, "деревья") == ["Посадка деревьев"]
    assert "Проекты в здравоохранении" in await titles(app, 1, "здравоохранение")


async def test_youth_words_in_either_language_find_youth_calls_nearest_deadline_first(
    app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    expected = ["Грант для молодежи Актобе", "Молодежное волонтерство"]
    for typed in ("жастарға", "жастарга", "молодежных", "молодежь", "Жастар"):
        assert await titles(app, 1, typed) == expected, typed  # the closed call is never shown


async def test_a_typed_question_is_read_as_region_and_sector(app: Application, clock: ManualClock) -> None:
    await ids_by_external_id(app.grants, clock.now())
    for question in (
        "Ақтөбедегі жастар ұйымдарына грант бар ма?",
        "какие гранты есть для молодежных НПО в Актобе",
    ):
        page = await app.grants.ask(1, question)
        assert (page.query.region, page.query.sector, page.keywords) == ("aktobe", "youth", ())
        # Calls for all of Kazakhstan count for Aktobe too.
        assert [grant.title_ru for grant in page.grants] == [
            "Грант для молодежи Актобе",
            "Молодежное волонтерство",
        ]
        without_region = await app.grants.find(1, GrantQuery(sector="youth", search_id=page.query.search_id))
        assert len(without_region.grants) == 2


async def test_relevance_ranks_first_and_the_nearest_deadline_breaks_ties(
    app: Application, clock: ManualClock
) -> None:
    now = clock.now()
    await app.grants.import_calls(
        [
            call(
                now, "a", title_ru="Кружки для школ", summary_ru="Шахматы", deadline=now + timedelta(days=3)
            ),
            call(now, "b", title_ru="Шахматы для школ", deadline=now + timedelta(days=9)),
            call(now, "c", title_ru="Театр", title_kk=None, deadline=now + timedelta(days=10)),
            call(now, "d", title_ru="Театр", title_kk=None, deadline=now + timedelta(days=4)),
            # Other calls: bm25 weighs a word by how rare it is in the catalogue.
            *(call(now, f"other-{n}", title_ru=f"Прочее {n}") for n in range(6)),
        ]
    )
    # The word in a title weighs more than in a summary, whatever the deadlines.
    assert await titles(app, 1, "шахматы") == ["Шахматы для школ", "Кружки для школ"]
    # Equally relevant: the nearest deadline first.
    page = await app.grants.ask(1, "театр")
    assert [grant.deadline for grant in page.grants] == [now + timedelta(days=4), now + timedelta(days=10)]
    # No call has every word: those with any of them, and the reply says so.
    page = await app.grants.ask(1, "шахматы театр")
    assert page.loosened
    assert {grant.external_id for grant in page.grants} == {"a", "b", "c", "d"}


async def test_someone_elses_search_is_refused(app: Application, clock: ManualClock) -> None:
    page = await app.grants.ask(1, "спорт")
    with pytest.raises(GrantError):
        await app.grants.find(2, GrantQuery(search_id=page.query.search_id))


async def test_a_search_is_forgotten_after_a_week(app: Application, clock: ManualClock) -> None:
    page = await app.grants.ask(1, "спорт")
    clock.advance(timedelta(days=6))
    assert await app.grants.prune_searches() == 0
    await app.grants.find(1, page.query)
    clock.advance(timedelta(days=2))
    assert await app.grants.prune_searches() == 1
    with pytest.raises(GrantError):
        await app.grants.find(1, page.query)
