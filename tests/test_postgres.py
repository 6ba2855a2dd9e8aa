"""The same models, migrations and queries on PostgreSQL, the path beyond one machine.

Needs PostgreSQL at 127.0.0.1:5432 (trust auth, database `test`); each test gets a database of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aiogram.fsm.storage.base import StorageKey
from alembic.script import ScriptDirectory

from bot.app import build_application
from bot.clock import ManualClock
from bot.i18n import Catalogs
from bot.services.events import EventService
from bot.settings import Settings
from fake_telegram.recording import TOKEN, RecordingSession
from storage.database import Database
from storage.fsm import SQLStorage
from storage.migrate import alembic_config, downgrade, upgrade
from storage.repositories.inbox import InboxStatus, StoredUpdate
from tests.events_support import ADMIN, check_no_overbooking, published_event, rush
from tests.harness import BotHarness, schema_differences, stored_user

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)

SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"

asyncpg = pytest.importorskip("asyncpg", reason="asyncpg is not installed (pip install -e '.[postgres]')")


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test", timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated database; dropped afterwards."""
    name = f"belsendi_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({error})")
    url = f"{SERVER}/{name}"
    try:
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
async def pg_database(pg_url: str) -> AsyncIterator[Database]:
    await asyncio.to_thread(upgrade, pg_url)
    database = Database(pg_url)
    yield database
    await database.dispose()


async def test_migrations_stairway_on_postgres(pg_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(pg_url))
    for revision in reversed(list(script.walk_revisions())):
        await asyncio.to_thread(upgrade, pg_url, revision.revision)
        await asyncio.to_thread(downgrade, pg_url, revision.down_revision or "base")
        await asyncio.to_thread(upgrade, pg_url, revision.revision)


async def test_migrated_schema_is_the_models_schema_on_postgres(pg_database: Database) -> None:
    async with pg_database.reading() as uow:
        differences = await uow.connection.run_sync(schema_differences)
    assert differences == []


async def test_users_and_utc_times_on_postgres(pg_database: Database) -> None:
    assert pg_database.reader is pg_database.writer  # PostgreSQL: one ordinary pool
    almaty_noon = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    async with pg_database.transaction() as uow:
        await uow.users.add(10**12, now=NOW, consent_at=almaty_noon, name="Айгерім")
    async with pg_database.reading() as uow:
        user = await uow.users.get(10**12)  # a BigInteger id, as Telegram's grow
    assert user is not None
    assert user.consent_at == almaty_noon
    assert user.consent_at is not None
    assert user.consent_at.tzinfo == UTC


async def test_a_failed_use_case_leaves_nothing_on_postgres(pg_database: Database) -> None:
    async def add_then_fail() -> None:
        async with pg_database.transaction() as uow:
            await uow.users.add(5, now=NOW)
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError):
        await add_then_fail()
    async with pg_database.reading() as uow:
        assert await uow.users.get(5) is None


async def test_fsm_storage_on_postgres(pg_database: Database) -> None:
    storage = SQLStorage(pg_database)
    keys = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(20)]
    await asyncio.gather(*(storage.set_data(key, {"n": key.user_id, "name": "Ерлан"}) for key in keys))
    assert await storage.get_data(keys[7]) == {"n": 7, "name": "Ерлан"}
    await storage.set_state(keys[7], "ProfileForm:name")
    assert await storage.get_state(keys[7]) == "ProfileForm:name"
    await storage.clear(keys[7])
    assert await storage.get_state(keys[7]) is None


async def test_inbox_on_postgres(pg_database: Database) -> None:
    update = StoredUpdate(1, 7, '{"update_id": 1}', attempts=0)
    async with pg_database.transaction() as uow:
        assert await uow.inbox.store([update], now=NOW) == [1]
        assert await uow.inbox.store([update], now=NOW) == []
        await uow.inbox.mark_done([1], now=NOW)
    async with pg_database.reading() as uow:
        assert (await uow.inbox.counts())[InboxStatus.DONE] == 1


async def test_onboarding_on_postgres(pg_database: Database, pg_url: str) -> None:
    settings = Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=pg_url,
        throttle_rate=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(
        settings,
        bot_session=RecordingSession(),
        inbox_options={"retry_delays": (0.0,), "done_flush_delay": 0.0},
    )
    try:
        await (
            BotHarness(app).user(7001, language_code="ru").onboard("ru", role="organizer", region="shymkent")
        )
        user = await stored_user(pg_database, 7001)
    finally:
        await app.inbox.stop(drain_timeout=5)
        await app.close()
    assert user is not None
    assert (user.language, user.role, user.requested_role, user.region) == (
        "ru",
        "volunteer",
        "organizer",
        "shymkent",
    )


async def test_outbox_claims_under_leases_on_postgres(pg_database: Database) -> None:
    from storage.repositories.outbox import Message, OutboxStatus

    async with pg_database.transaction() as uow:
        for recipient in range(200):
            await uow.outbox.add(
                Message(kind="notice", recipient=recipient, params={"text_kk": "сәлем"}, due_at=NOW), now=NOW
            )
        assert await uow.outbox.add(Message("notice", 1, NOW, dedupe_key="k"), now=NOW) is not None
        assert await uow.outbox.add(Message("notice", 1, NOW, dedupe_key="k"), now=NOW) is None

    async def claim(owner: str) -> list[int]:
        claimed: list[int] = []
        while True:
            async with pg_database.transaction() as uow:
                rows = await uow.outbox.claim(owner, now=NOW, lease_until=NOW + timedelta(minutes=1), limit=7)
            if not rows:
                return claimed
            claimed += [row.id for row in rows]

    # Concurrent claims on separate connections: every row claimed once, by one of them.
    claims = await asyncio.gather(*(claim(f"sender-{n}") for n in range(4)))
    every = [row for claimed in claims for row in claimed]
    assert len(every) == len(set(every)) == 201
    async with pg_database.transaction() as uow:
        assert await uow.outbox.claim("late", now=NOW, lease_until=NOW, limit=500) == []  # leases alive
        later = NOW + timedelta(minutes=2)  # every lease ran out: claimed again
        again = await uow.outbox.claim("late", now=later, lease_until=later + timedelta(minutes=1), limit=500)
        assert len(again) == 201
        assert {row.attempts for row in again} == {2}
        await uow.outbox.mark_sent([again[0].id], now=later)
        assert await uow.outbox.release(again[1].id, "late", due_at=later, give_back_attempt=True)
        assert await uow.outbox.drop_for_recipient(again[2].recipient, "blocked", owner="late") >= 1
        counts = await uow.outbox.counts()
    assert counts["notice"][OutboxStatus.SENT] == 1
    assert counts["notice"][OutboxStatus.PENDING] == 1
    assert counts["notice"][OutboxStatus.DROPPED] >= 1


async def test_a_broadcasts_copies_in_one_statement_on_postgres(pg_database: Database) -> None:
    """add_many skips copies whose dedupe key exists already (a broadcast started twice)."""
    from storage.repositories.outbox import Message, OutboxStatus

    copies = [Message("broadcast", user, NOW, dedupe_key=f"broadcast:1:{user}") for user in range(300)]
    async with pg_database.transaction() as uow:
        await uow.outbox.add_many(copies[:100], now=NOW)
        await uow.outbox.add_many(copies, now=NOW)
        counts = await uow.outbox.counts_with_key_prefix("broadcast:1:")
    assert counts[OutboxStatus.PENDING] == 300


async def test_a_thousand_registrations_at_once_on_postgres(pg_url: str) -> None:
    """Many connections at once: only the database (the conditional UPDATE under its row lock) can
    keep the count right, there is no single writer queueing them."""
    await asyncio.to_thread(upgrade, pg_url)
    database = Database(pg_url, pool_size=40)
    try:
        events = EventService(database, ManualClock(NOW), admin_ids={ADMIN})
        event_id = await published_event(events, NOW, capacity=50)
        outcomes = await rush(events, event_id, 1000)
        double_taps = await asyncio.gather(*(events.register(1000 + n, event_id) for n in range(0, 1000, 7)))
        registered, waitlisted = await check_no_overbooking(database, event_id, 50)
    finally:
        await database.dispose()
    assert (registered, waitlisted) == (50, 950)
    places = sorted(outcome.place_in_line for outcome in outcomes if outcome.place_in_line is not None)
    assert places == list(range(1, 951))
    assert not any(tap.created for tap in double_taps)


async def test_grant_search_falls_back_to_like_on_postgres(pg_database: Database, catalogs: Catalogs) -> None:
    from bot.services.grants import GrantQuery, GrantService
    from tests.grants_support import catalogue

    grants = GrantService(pg_database, ManualClock(NOW), catalogs)
    outcome = await grants.import_calls(catalogue(NOW))
    assert len(outcome.added) == 6
    assert (await grants.import_calls(catalogue(NOW))).added == []  # idempotent here too
    page = await grants.ask(1, "жастарға")  # the youth sector, nearest deadline first
    assert [grant.external_id for grant in page.grants] == ["youth-aktobe", "youth-all"]
    page = await grants.ask(1, "агаш")
    assert [grant.external_id for grant in page.grants] == ["trees"]
    page = await grants.ask(1, "какие гранты есть для молодежных НПО в Актобе")
    assert [grant.external_id for grant in page.grants] == ["youth-aktobe", "youth-all"]
    browse = await grants.find(1, GrantQuery(region="almaty", amount_at_least=5_000_000))
    assert [grant.external_id for grant in browse.grants] == ["health-almaty"]
    assert await grants.close_past_deadline() == 0  # "past" was imported closed


async def test_grant_questions_first_answer_wins_on_postgres(
    pg_database: Database, catalogs: Catalogs
) -> None:
    from bot.services.grant_questions import GRANT_ANSWER, GrantQuestionService, QuestionError
    from bot.services.grants import GrantService
    from tests.grants_support import catalogue

    clock = ManualClock(NOW)
    ids = (await GrantService(pg_database, clock, catalogs).import_calls(catalogue(NOW))).added
    for user_id in (5, ADMIN, ADMIN + 1):
        await _set_up(pg_database, user_id)
    questions = GrantQuestionService(pg_database, clock, {ADMIN, ADMIN + 1})
    asked = await questions.ask(5, ids[0], "Можно ли <b>инициативной группе</b>?")
    outcomes = await asyncio.gather(
        *(questions.answer(admin, asked.question.id, f"Да, {admin}") for admin in (ADMIN, ADMIN + 1)),
        return_exceptions=True,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["QuestionDetails", "QuestionError"]
    won = next(o for o in outcomes if not isinstance(o, BaseException))
    lost = next(o for o in outcomes if isinstance(o, QuestionError))
    assert won.question.answer == f"Да, {won.question.answered_by}"
    # The loser waited for the winner and is told who answered, and what.
    assert lost.details is not None
    assert lost.details.question.answered_by == won.question.answered_by
    assert lost.details.question.answer == won.question.answer
    assert lost.details.answerer_name == f"Админ {won.question.answered_by}"
    await questions.publish(ADMIN, asked.question.id, published=True)
    page = await questions.published(5, ids[0], 0)
    assert [question.question for question in page.questions] == ["Можно ли <b>инициативной группе</b>?"]
    async with pg_database.reading() as uow:
        answers = await uow.connection.exec_driver_sql(
            f"SELECT recipient FROM outbox WHERE kind = '{GRANT_ANSWER}'"  # noqa: S608 - a constant
        )
        assert [row[0] for row in answers] == [5]


async def _set_up(database: Database, user_id: int) -> None:
    """A user who gave consent and has a role (as the grant services require)."""
    async with database.transaction() as uow:
        await uow.users.add(
            user_id,
            now=NOW,
            language="ru",
            consent_at=NOW,
            role="ngo",
            region="aktobe",
            name=f"Админ {user_id}",
        )


async def _grant_changed(database: Database) -> list[tuple[int, list[dict[str, str]]]]:
    """The grant_changed messages: (recipient, changes), in the order written."""
    import json

    from bot.services.grant_saves import GRANT_CHANGED

    async with database.reading() as uow:
        rows = await uow.connection.exec_driver_sql(
            f"SELECT recipient, params FROM outbox WHERE kind = '{GRANT_CHANGED}' ORDER BY id"  # noqa: S608
        )
        return [(int(recipient), json.loads(params)["changes"]) for recipient, params in rows]


async def test_two_admins_closing_a_call_at_once_announce_it_once_on_postgres(
    pg_database: Database, catalogs: Catalogs
) -> None:
    from bot.services.grant_saves import SavedGrantService
    from bot.services.grants import GrantService
    from tests.grants_support import call

    clock = ManualClock(NOW)
    grants = GrantService(pg_database, clock, catalogs, {ADMIN, ADMIN + 1})
    grant_id = (await grants.import_calls([call(NOW, "youth")])).added[0]
    await _set_up(pg_database, 5)
    await SavedGrantService(pg_database, clock, catalogs.tz).save(5, grant_id)
    closed = await asyncio.gather(grants.close(ADMIN, grant_id), grants.close(ADMIN + 1, grant_id))
    assert {grant.status for grant in closed} == {"closed"}
    assert await _grant_changed(pg_database) == [(5, [{"field": "status", "old": "open", "new": "closed"}])]
    async with pg_database.reading() as uow:
        changes = await uow.connection.exec_driver_sql("SELECT count(*) FROM grant_changes")
        assert changes.scalar_one() == 1


async def test_two_admins_moving_a_deadline_at_once_are_announced_in_order_on_postgres(
    pg_database: Database, catalogs: Catalogs
) -> None:
    """The second edit starts from the first's deadline: its announcement's "old" is the first's new."""
    from dataclasses import replace

    from bot.services.grant_saves import SavedGrantService
    from bot.services.grants import GrantService
    from tests.grants_support import call

    clock = ManualClock(NOW)
    grants = GrantService(pg_database, clock, catalogs, {ADMIN, ADMIN + 1})
    draft = call(NOW, "youth")
    grant_id = (await grants.import_calls([draft])).added[0]
    await _set_up(pg_database, 5)
    await SavedGrantService(pg_database, clock, catalogs.tz).save(5, grant_id)
    first, second = draft.deadline + timedelta(days=3), draft.deadline + timedelta(days=9)
    await asyncio.gather(
        grants.edit(ADMIN, grant_id, replace(draft, deadline=first)),
        grants.edit(ADMIN + 1, grant_id, replace(draft, deadline=second)),
    )
    announced = [changes[0] for _, changes in await _grant_changed(pg_database)]
    assert len(announced) == 2
    assert announced[0]["old"] == draft.deadline.astimezone(UTC).isoformat()
    assert announced[1]["old"] == announced[0]["new"]  # a chain, not two changes from the same "old"
    final = await grants.get(grant_id)
    assert final.deadline.astimezone(UTC).isoformat() == announced[1]["new"]


async def test_quick_taps_on_a_subscription_and_reminders_lose_none_on_postgres(
    pg_database: Database, catalogs: Catalogs
) -> None:
    from bot.domain.grants import Sector
    from bot.services.grant_saves import SavedGrantService
    from bot.services.grant_subscriptions import GrantSubscriptionService

    clock = ManualClock(NOW)
    await _set_up(pg_database, 5)
    subscriptions = GrantSubscriptionService(pg_database, clock, catalogs.tz)
    sectors = (Sector.YOUTH, Sector.ECOLOGY, Sector.HEALTH, Sector.CIVIC)
    await asyncio.gather(
        *(subscriptions.toggle_sector(5, sector.value) for sector in sectors),
        subscriptions.toggle_region(5, "aktobe"),
        subscriptions.toggle_region(5, "almaty"),
    )
    record = (await subscriptions.get(5)).record
    assert sorted(record.sectors) == sorted(sector.value for sector in sectors)
    assert sorted(record.regions) == ["aktobe", "almaty"]
    saves = SavedGrantService(pg_database, clock, catalogs.tz)
    await asyncio.gather(saves.toggle(5, "7"), saves.toggle(5, "3"), saves.toggle(5, "1"))
    settings = await saves.settings(5)
    assert (settings.days_7, settings.days_3, settings.days_1, settings.closing_day) == (
        False,
        False,
        False,
        True,
    )


async def test_saving_a_call_as_it_closes_leaves_no_reminder_of_a_closed_call_on_postgres(
    pg_database: Database, catalogs: Catalogs
) -> None:
    import json

    from bot.services.grant_saves import GRANT_REMINDER, SavedGrantError, SavedGrantService
    from bot.services.grants import GrantService
    from tests.grants_support import call

    clock = ManualClock(NOW)
    grants = GrantService(pg_database, clock, catalogs, {ADMIN})
    saves = SavedGrantService(pg_database, clock, catalogs.tz)
    users = range(100, 110)
    for user_id in users:
        await _set_up(pg_database, user_id)
    for n in range(3):
        grant_id = (await grants.import_calls([call(NOW, f"call-{n}")])).added[0]
        await asyncio.gather(
            grants.close(ADMIN, grant_id),
            *(saves.save(user_id, grant_id) for user_id in users),
            return_exceptions=True,
        )
        async with pg_database.reading() as uow:
            rows = await uow.connection.exec_driver_sql(
                f"SELECT params FROM outbox WHERE kind = '{GRANT_REMINDER}' AND status = 'pending'"  # noqa: S608
            )
            pending = [json.loads(params)["grant_id"] for (params,) in rows]
            assert grant_id not in pending, "a reminder of a closed call is still to be sent"
    with pytest.raises(SavedGrantError):
        await saves.save(100, grant_id)


async def test_switching_to_instant_as_the_digest_goes_out_sends_each_call_once_on_postgres(
    pg_database: Database, catalogs: Catalogs
) -> None:
    import json

    from bot.domain.grants import Sector
    from bot.services.grant_subscriptions import GRANT_ALERT, GRANT_DIGEST, GrantSubscriptionService
    from bot.services.grants import GrantService
    from tests.grants_support import call

    monday_ten = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
    clock = ManualClock(monday_ten - timedelta(hours=1))
    subscriptions = GrantSubscriptionService(pg_database, clock, catalogs.tz)
    users = list(range(200, 212))
    for user_id in users:
        await _set_up(pg_database, user_id)
        await subscriptions.toggle_sector(user_id, Sector.YOUTH.value)
        await subscriptions.set_delivery(user_id, "weekly")
        await subscriptions.subscribe(user_id)
    await GrantService(pg_database, clock, catalogs).import_calls(
        [call(NOW, f"youth-{n}", sectors=(Sector.YOUTH,)) for n in range(3)]
    )
    clock.set(monday_ten + timedelta(minutes=5))
    await asyncio.gather(
        subscriptions.send_digests(),
        *(subscriptions.set_delivery(user_id, "instant") for user_id in users),
    )
    async with pg_database.reading() as uow:
        rows = await uow.connection.exec_driver_sql(
            f"SELECT kind, recipient, params FROM outbox WHERE kind IN ('{GRANT_ALERT}', '{GRANT_DIGEST}')"  # noqa: S608
        )
        reached: dict[int, list[int]] = {user_id: [] for user_id in users}
        for kind, recipient, params in rows:
            values = json.loads(params)
            calls = values["calls"] if kind == GRANT_DIGEST else [values]
            reached[recipient] += [c["grant_id"] for c in calls]
    # Each call reached each user once: in the digest or as an alert, never both.
    assert all(sorted(ids) == [1, 2, 3] for ids in reached.values()), reached
