"""The grant services guard themselves, whatever the routers do: a user not set up is refused by every
use case, a forged page number is cut to a page the database can hold, a weekly digest loses no call
that came late, erasing an asker takes their question out of the admins' pending messages, and an
asker who is the only admin is told that nobody else was told."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.i18n import Catalogs
from bot.services.events import EventService
from bot.services.grant_questions import (
    GRANT_QUESTION,
    GrantQuestionService,
    QuestionError,
    QuestionProblem,
)
from bot.services.grant_saves import SavedGrantError, SavedGrantProblem, SavedGrantService
from bot.services.grant_subscriptions import GRANT_DIGEST, GrantSubscriptionService
from bot.services.grants import GrantQuery, GrantService
from bot.services.paging import PAGE_MAX, clamp_page
from bot.services.publishing import PublishingService
from bot.services.users import UserService
from bot.views.grant_questions import asked_view
from storage.database import Database
from tests.grants_support import call
from tests.harness import BotHarness, texts

TZ = ZoneInfo("Asia/Almaty")
# A Wednesday; the week's digest time was Monday 23 November, 10:00 in Almaty (05:00 UTC).
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
ADMIN = 777
FORGED = 99999999999999999999  # `gs:l:99999999999999999999:`: more than 64 bits


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def user(database: Database, user_id: int, *, consent: bool = True, role: str | None = "ngo") -> None:
    async with database.transaction() as uow:
        await uow.users.add(
            user_id,
            now=NOW,
            language="ru",
            consent_at=NOW if consent else None,
            role=role,
            region="aktobe",
            name=f"Дана {user_id}",
            username=f"dana{user_id}",
        )


async def a_call(database: Database, catalogs: Catalogs, clock: ManualClock, external_id: str) -> int:
    grants = GrantService(database, clock, catalogs)
    return (await grants.import_calls([call(clock.now(), external_id, sectors=(Sector.YOUTH,))])).added[0]


async def refused(action: Awaitable[object], error: type[Exception]) -> object:
    with pytest.raises(error) as raised:
        await action
    return raised.value.problem  # type: ignore[attr-defined]


def test_clamp_page() -> None:
    assert [clamp_page(page) for page in (-FORGED, -1, 0, 3, FORGED)] == [0, 0, 0, 3, PAGE_MAX]


async def test_a_forged_page_number_shows_a_page_instead_of_failing(
    database: Database, catalogs: Catalogs
) -> None:
    clock = ManualClock(NOW)
    await user(database, 5)
    await user(database, 6, role="organizer")
    grant_id = await a_call(database, catalogs, clock, "youth")
    saves = SavedGrantService(database, clock, TZ)
    await saves.save(5, grant_id)

    # A page past the end shows the last one there is (here the first).
    saved = await saves.page(5, FORGED)
    assert (saved.page, [g.id for g in saved.grants], saved.has_next) == (0, [grant_id], False)
    found = await GrantService(database, clock, catalogs).find(5, GrantQuery(page=FORGED))
    assert (found.query.page, [g.id for g in found.grants]) == (0, [grant_id])
    published = await GrantQuestionService(database, clock, {ADMIN}).published(5, grant_id, FORGED)
    assert (published.page, published.questions) == (0, [])
    events = EventService(database, clock, admin_ids={ADMIN})
    assert (await events.upcoming(None, page=FORGED)).events == []
    assert (await PublishingService(database, clock, events).organized(6, FORGED)).items == []


async def test_a_user_not_set_up_is_refused_by_saves_and_questions(
    database: Database, catalogs: Catalogs
) -> None:
    clock = ManualClock(NOW)
    grant_id = await a_call(database, catalogs, clock, "youth")
    await user(database, 5, consent=False)
    await user(database, 6, role=None)
    saves = SavedGrantService(database, clock, TZ)
    questions = GrantQuestionService(database, clock, {ADMIN})
    for user_id in (5, 6, 404):  # no consent, no role, nobody
        uses: list[Awaitable[object]] = [
            saves.save(user_id, grant_id),
            saves.unsave(user_id, grant_id),
            saves.toggle(user_id, "7"),
            saves.set_muted(user_id, muted=True),
            saves.page(user_id, 0),
        ]
        for use in uses:
            assert await refused(use, SavedGrantError) is SavedGrantProblem.NOT_SET_UP
        asks: list[Awaitable[object]] = [
            questions.may_ask(user_id, grant_id),
            questions.ask(user_id, grant_id, "Можно ли инициативной группе?"),
            questions.published(user_id, grant_id, 0),
        ]
        for use in asks:
            assert await refused(use, QuestionError) is QuestionProblem.NOT_SET_UP
    async with database.reading() as uow:
        assert await uow.grant_saves.savers(grant_id) == []
        assert await uow.grant_questions.unanswered_count() == 0
        assert await uow.outbox.counts() == {}


async def test_a_weekly_alert_committed_after_the_digest_goes_in_the_next_one(
    database: Database, catalogs: Catalogs
) -> None:
    monday_ten = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
    clock = ManualClock(monday_ten - timedelta(hours=1))
    await user(database, 5)
    subscriptions = GrantSubscriptionService(database, clock, TZ)
    await subscriptions.toggle_sector(5, Sector.YOUTH.value)
    await subscriptions.set_delivery(5, "weekly")
    await subscriptions.subscribe(5)
    first = await a_call(database, catalogs, clock, "first")
    clock.set(monday_ten + timedelta(minutes=5))
    assert await subscriptions.send_digests() == 1
    # A call published at 09:59 whose transaction committed after the scan: its alert is older than
    # the digest time, the week's digest is gone already.
    clock.set(monday_ten - timedelta(minutes=1))
    late = await a_call(database, catalogs, clock, "late")
    clock.set(monday_ten + timedelta(minutes=10))
    assert await subscriptions.send_digests() == 0  # one digest a week
    clock.set(monday_ten + timedelta(days=7, minutes=1))
    assert await subscriptions.send_digests() == 1
    async with database.reading() as uow:
        rows = await uow.connection.execute(
            text("SELECT params FROM outbox WHERE kind = :kind ORDER BY id"), {"kind": GRANT_DIGEST}
        )
        digests = [[c["grant_id"] for c in json.loads(params)["calls"]] for (params,) in rows]
    assert digests == [[first], [late]]


async def test_erasing_an_asker_takes_their_question_out_of_the_admins_messages(
    database: Database, catalogs: Catalogs
) -> None:
    clock = ManualClock(NOW)
    await user(database, 5)
    await user(database, 9)
    await user(database, ADMIN)
    grant_id = await a_call(database, catalogs, clock, "youth")
    questions = GrantQuestionService(database, clock, {ADMIN, ADMIN + 1})
    asked = await questions.ask(5, grant_id, "Можно ли инициативной группе?")
    kept = await questions.ask(9, grant_id, "А филиалу?")
    await questions.answer(ADMIN, kept.question.id, "Да")
    await questions.answer(ADMIN, asked.question.id, "Нет")  # on its way to the asker
    users = UserService(database, clock, admins=frozenset({ADMIN}))
    await users.erase(5)
    await users.erase(ADMIN)
    async with database.reading() as uow:
        rows = await uow.connection.execute(
            text("SELECT recipient, status, params FROM outbox WHERE kind = :kind ORDER BY id"),
            {"kind": GRANT_QUESTION},
        )
        left = [(recipient, status, json.loads(params).get("question")) for recipient, status, params in rows]
        answered = await uow.grant_questions.get(kept.question.id)
        every = await uow.connection.execute(text("SELECT params FROM outbox"))
        said = [params for (params,) in every if asked.question.question in params]
    pending_or_said = [row for row in left if row[1] == "pending" or row[2] == asked.question.question]
    # Only the other asker's question is still on its way to the admin who did not erase their data.
    assert pending_or_said == [(ADMIN + 1, "pending", "А филиалу?")]
    assert said == []  # nor in the answer to them that will not be sent
    assert answered is not None
    assert (answered.answer, answered.answered_by) == ("Да", None)


async def test_the_only_admin_asking_is_told_that_nobody_was_told(
    database: Database, catalogs: Catalogs
) -> None:
    clock = ManualClock(NOW)
    await user(database, ADMIN)
    await user(database, 5)
    grant_id = await a_call(database, catalogs, clock, "youth")
    questions = GrantQuestionService(database, clock, {ADMIN})
    alone = await questions.ask(ADMIN, grant_id, "Кто ответит?")
    assert alone.admins_told == 0
    heard = await questions.ask(5, grant_id, "Можно ли инициативной группе?")
    assert heard.admins_told == 1
    said = {t.locale: asked_view(t, alone.grant, admins_told=0).text for t in catalogs.all()}
    assert "/questions" in said["kk"]
    assert "/questions" in said["ru"]
    assert "жалғыз" in said["kk"]
    assert "единственный" in said["ru"]
    for t in catalogs.all():
        assert "/questions" not in asked_view(t, heard.grant, admins_told=1).text


async def test_a_forged_saved_list_page_through_the_bot_shows_the_list(harness: BotHarness) -> None:
    """`gs:l:99999999999999999999:` from a real chat: the list, not "something went wrong"."""
    user = harness.user(4321, language_code="ru")
    await user.onboard("ru", role="volunteer", region="aktobe")
    for data in ("gs:l:99999999999999999999:", "gs:l:-99999999999999999999:"):
        seen = texts(await user.press(data))
        assert seen
        assert not any("что-то пошло не так" in text for text in seen), seen
