"""Grant subscriptions, in Kazakh and Russian: subscribing on the screen; a newly published call reaches
each matching subscriber exactly once (none to the others, nothing again on a re-import); the weekly
digest collects and sends once; "Not relevant" hides a call (and undo); one-tap unsubscribe; forged
buttons refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.grants import Sector
from bot.services.grant_subscriptions import (
    GrantSubscriptionService,
    SubscriptionError,
    SubscriptionProblem,
    announce_new_calls,
    digest_time,
)
from bot.services.grants import GrantQuery
from bot.views.grant_subscriptions import SubscriptionAction, SubscriptionCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.menu import MenuAction, MenuCallback
from fake_telegram.recording import RecordingSession
from tests.grants_support import call, catalogue, ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777


async def member(harness: BotHarness, user_id: int, language: str, role: str = "ngo") -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role=role, region="aktobe")
    if role == "ngo":
        await harness.app.approvals.decide(ADMIN, user_id, "ngo", approve=True)
    await user.press(MenuCallback(action=MenuAction.MENU))
    await delivered(harness.app)  # the role decision
    return user


async def subscribed(
    app: Application,
    user_id: int,
    *,
    sectors: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    words: str | None = None,
    weekly: bool = False,
) -> None:
    service: GrantSubscriptionService = app.grant_subscriptions
    for sector in sectors:
        await service.toggle_sector(user_id, sector)
    for region in regions:
        await service.toggle_region(user_id, region)
    if words is not None:
        await service.set_words(user_id, words)
    if weekly:
        await service.set_delivery(user_id, "weekly")
    await service.subscribe(user_id)


async def delivered(app: Application) -> list[SendMessage]:
    """What the sender sends now, to anyone."""
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    start = len(session.requests)
    await app.sender.send_due()
    return [r for r in session.requests[start:] if isinstance(r, SendMessage)]


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def labels_of(message: SendMessage) -> list[str]:
    markup = message.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [b.text for row in markup.inline_keyboard for b in row]


def data_of(message: SendMessage, label: str) -> str:
    markup = message.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return next(str(b.callback_data) for row in markup.inline_keyboard for b in row if b.text == label)


async def test_a_kazakh_ngo_subscribes_on_the_screen_from_the_grants_list(
    harness: BotHarness, app: Application
) -> None:
    user = await member(harness, 5001, "kk")
    await user.press_text("💰 Гранттар")
    (screen,) = texts(await user.press_text("🔔 Хабарландырулар"))
    assert screen.startswith("🔔 <b>Гранттар туралы хабарландырулар</b>")
    assert "🏷 Салалар: кез келген" in screen
    assert "Сіз жазылмағансыз. Алдымен кемінде бір сала, өңір не сөз таңдаңыз." in screen
    # Nothing picked: subscribing is refused, nothing changes.
    (refusal,) = texts(await user.press_text("🔔 Жазылу"))
    assert refusal.startswith("Жазылымда кемінде бір сала, өңір не сөз болуы керек.")
    assert not (await app.grant_subscriptions.get(5001)).record.active

    await user.press_text("🏷 Салалар")
    (picker,) = texts(await user.press_text("Жастар"))
    assert picker.startswith("🏷 Қай салалар?")
    assert "✅ Жастар" in [label for label, _ in user.buttons()]
    await user.press_text("✔️ Дайын")
    await user.press_text("🔤 Сөздер")
    (screen,) = texts(await user.send("жастарга, экология"))
    assert screen.startswith("✅ Сақталды.") or "🔤 Сөздер: жастарга, экология" in screen
    await user.press_text("🗓 Апта сайын")
    (screen,) = texts(await user.press_text("🔔 Жазылу"))
    assert screen.startswith("✅ Жазылдыңыз.")
    assert "🏷 Салалар: Жастар" in screen
    assert "🔤 Сөздер: жастарга, экология" in screen
    assert "📬 Жіберу тәсілі: апталық шолу, дүйсенбі сайын сағат 10:00-да" in screen
    assert "✅ Сіз жазылғансыз. Өзгерістер бірден күшіне енеді." in screen
    record = (await app.grant_subscriptions.get(5001)).record
    assert (record.sectors, record.words, record.delivery, record.active) == (
        ("youth",),
        ("жастарга", "экология"),
        "weekly",
        True,
    )
    # An active subscription may not be emptied: unticking the last choice is refused.
    await app.grant_subscriptions.set_words(5001, "-")
    await user.press_text("🏷 Салалар")
    (refusal,) = texts(await user.press_text("✅ Жастар"))
    assert refusal.startswith("Жазылымда кемінде бір сала")
    assert (await app.grant_subscriptions.get(5001)).record.sectors == ("youth",)


async def test_a_new_call_reaches_each_matching_subscriber_once_and_no_one_else(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await member(harness, 5011, "kk")
    await member(harness, 5012, "ru")
    await member(harness, 5013, "ru")
    await member(harness, 5014, "kk", role="volunteer")
    await member(harness, 5015, "ru")
    await subscribed(app, 5011, sectors=(Sector.YOUTH,), regions=("aktobe",))  # youth in Aktobe
    # Typed without Kazakh letters and with an ending: «жастарга» finds «жастар».
    await subscribed(app, 5012, words="жастарга")
    await subscribed(app, 5013, sectors=(Sector.HEALTH,), regions=("aktobe",))  # matches nothing here
    await subscribed(app, 5014, regions=("karaganda",), words="спорт")
    await app.grant_subscriptions.toggle_sector(5015, Sector.YOUTH)  # picked, never subscribed
    ids = await ids_by_external_id(app.grants, clock.now())

    sent = await delivered(app)
    by_user: dict[int, list[str]] = {}
    for message in sent:
        by_user.setdefault(int(message.chat_id), []).append(plain(message.text))
    # 5011: the Aktobe youth call and the youth call for all of Kazakhstan.
    assert len(by_user[5011]) == 2
    kk_alert = next(text for text in by_user[5011] if "Ақтөбе жастарына арналған грант" in text)
    assert kk_alert.startswith("🔔 <b>Сізге арналған жаңа гранттық конкурс</b>\n\n<b>Ақтөбе жастарына")
    assert "2 000 000 ₸ – 8 000 000 ₸" in kk_alert
    assert "14 күн қалды" in kk_alert
    # 5012: every call with «жастар» in it (and not the closed one).
    assert sorted(by_user[5012]) == sorted(
        text for text in by_user[5012] if "Грант для молодежи Актобе" in text or "Молодежное" in text
    )
    assert len(by_user[5012]) == 2
    ru_alert = next(text for text in by_user[5012] if "Грант для молодежи Актобе" in text)
    assert ru_alert.startswith("🔔 <b>Новый грантовый конкурс для вас</b>")
    assert "осталось 14 дней" in ru_alert
    ru_message = next(m for m in sent if m.chat_id == 5012 and "Актобе" in m.text)
    assert labels_of(ru_message) == ["📄 Открыть конкурс", "🙈 Не подходит", "🔕 Отписаться"]
    assert GrantsCallback.unpack(data_of(ru_message, "📄 Открыть конкурс")).grant_id == ids["youth-aktobe"]
    # 5014: sport in Karaganda.
    assert [text.split("\n")[2] for text in by_user[5014]] == ["<b>Аулалық спорт</b>"]
    assert 5013 not in by_user
    assert 5015 not in by_user
    assert await delivered(app) == []  # each once

    # A re-import (the same calls, one moved) announces nothing again.
    outcome = await app.grants.import_calls(catalogue(clock.now() + timedelta(days=1)))
    assert outcome.added == []
    assert outcome.updated
    assert await delivered(app) == []

    # A call an admin publishes in the bot reaches its subscribers too, once.
    grant = await app.grants.add(
        ADMIN,
        call(
            clock.now(),
            "new-youth",
            title_kk="Жастар жобалары",
            title_ru="Молодежные проекты",
            sectors=(Sector.YOUTH,),
        ),
    )
    sent = await delivered(app)
    assert sorted(int(m.chat_id) for m in sent) == [5011, 5012]
    async with app.database.transaction() as uow:  # announcing it again writes nothing
        assert await announce_new_calls(uow, [grant.id], now=clock.now()) == 0
    assert await delivered(app) == []


async def test_the_weekly_digest_collects_the_weeks_calls_and_sends_them_once(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))  # a Wednesday, 11:00 in Almaty
    await member(harness, 5021, "ru")
    await member(harness, 5022, "kk")
    await subscribed(app, 5021, sectors=(Sector.YOUTH,), weekly=True)
    await subscribed(app, 5022, words="ағаш", weekly=True)
    ids = await ids_by_external_id(app.grants, clock.now())
    assert await delivered(app) == []  # weekly: nothing at once
    assert await app.grant_subscriptions.send_digests() == 0  # the week's digest time has not come

    # Closed, or marked not relevant, before the digest: left out.
    await app.grants.close(ADMIN, ids["youth-all"])
    (extra,) = (
        await app.grants.import_calls([call(clock.now(), "hidden-youth", sectors=(Sector.YOUTH,))])
    ).added
    await app.grant_subscriptions.hide(5021, extra)
    clock.set(datetime(2026, 12, 7, 5, 5, tzinfo=UTC))  # Monday 10:05 in Almaty
    assert digest_time(clock.now(), app.settings.tz) == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    assert await app.grant_subscriptions.send_digests() == 2
    assert await app.grant_subscriptions.send_digests() == 0  # safe to run twice
    sent = {int(m.chat_id): m for m in await delivered(app)}
    ru = plain(sent[5021].text)
    assert ru.startswith(
        "🗓 <b>Новые грантовые конкурсы недели</b> по вашей подписке:\n\n1. <b>Грант для молодежи"
    )
    assert "Молодежное волонтерство" not in ru
    assert "Общий грант" not in ru
    assert "1. Грант для молодежи Актобе" in labels_of(sent[5021])
    assert "🔕 Отписаться" in labels_of(sent[5021])
    kk = plain(sent[5022].text)
    assert kk.startswith(
        "🗓 Жазылымыңызға сай <b>аптаның жаңа гранттық конкурстары</b>:\n\n1. <b>Ағаш отырғызу</b>"
    )
    assert "ең көбі 500 000 ₸" in kk
    assert await delivered(app) == []

    # A quiet week sends nothing; a call of the next week waits for its Monday.
    clock.advance(timedelta(days=1))
    await app.grants.import_calls(
        [call(clock.now(), "more-youth", title_ru="Еще молодежный", sectors=(Sector.YOUTH,))]
    )
    assert await app.grant_subscriptions.send_digests() == 0
    clock.set(datetime(2026, 12, 14, 5, 1, tzinfo=UTC))
    assert await app.grant_subscriptions.send_digests() == 1
    (digest,) = await delivered(app)
    assert digest.chat_id == 5021
    assert "Еще молодежный" in digest.text
    clock.set(datetime(2026, 12, 21, 5, 1, tzinfo=UTC))
    assert await app.grant_subscriptions.send_digests() == 0


async def test_not_relevant_hides_a_call_from_lists_search_and_alerts_and_can_be_undone(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    user = await member(harness, 5031, "ru")
    await subscribed(app, 5031, sectors=(Sector.YOUTH,))
    ids = await ids_by_external_id(app.grants, clock.now())
    alerts = await delivered(app)
    alert = next(m for m in alerts if "Грант для молодежи Актобе" in m.text)
    (hidden,) = texts(await user.press(data_of(alert, "🙈 Не подходит")))
    assert hidden.startswith("🙈 Конкурс «Грант для молодежи Актобе» скрыт:")
    page = await app.grants.find(5031, GrantQuery())
    assert ids["youth-aktobe"] not in [grant.id for grant in page.grants]
    assert len(page.grants) == 4
    found = await app.grants.ask(5031, "молодежь")
    assert [grant.id for grant in found.grants] == [ids["youth-all"]]
    # Others still see it.
    assert ids["youth-aktobe"] in [grant.id for grant in (await app.grants.find(5032, GrantQuery())).grants]
    # The subscription screen counts it, and undo shows it again.
    screen = await app.grant_subscriptions.get(5031)
    assert screen.hidden == 1
    (shown,) = texts(await user.press_text("↩️ Отменить"))
    # Back to the call's whole card, as its reader sees it anywhere, saying it is shown again.
    assert shown.startswith(
        "👁 Конкурс «Грант для молодежи Актобе» снова показывается.\n\n<b>Грант для молодежи Актобе</b>"
    )
    assert {"⭐ Сохранить и напомнить", "🙈 Не подходит", "❓ Задать вопрос"} <= {
        label for label, _ in user.buttons()
    }
    assert ids["youth-aktobe"] in [grant.id for grant in (await app.grants.find(5031, GrantQuery())).grants]
    # From a card, in Kazakh too.
    kk = await member(harness, 5033, "kk")
    await kk.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["trees"]))
    (hidden,) = texts(await kk.press_text("🙈 Қажет емес"))
    assert hidden.startswith("🙈 «Ағаш отырғызу» жасырылды:")
    (listing,) = texts(await kk.press(GrantsCallback(action=GrantsAction.LIST)))
    assert "Ағаш отырғызу" not in listing


async def test_unsubscribe_is_one_tap_on_an_alert(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    user = await member(harness, 5041, "kk")
    await subscribed(app, 5041, sectors=(Sector.YOUTH,))
    await app.grants.import_calls([call(clock.now(), "a", sectors=(Sector.YOUTH,))])
    (alert,) = await delivered(app)
    (done,) = texts(await user.press(data_of(alert, "🔕 Жазылымнан бас тарту")))
    assert done.startswith("🔕 Сіз жазылымнан бас тарттыңыз")
    assert not (await app.grant_subscriptions.get(5041)).record.active
    await app.grants.import_calls([call(clock.now(), "b", sectors=(Sector.YOUTH,))])
    assert await delivered(app) == []
    # Pressed again on the old alert: said clearly, nothing changes.
    (again,) = texts(await user.press(data_of(alert, "🔕 Жазылымнан бас тарту")))
    assert again == "Сіз гранттар туралы хабарландыруларға жазылмағансыз."
    # Subscribing again is one tap (not a second one on the screen): the choices were kept.
    (screen,) = texts(await user.press_text("🔔 Қайта жазылу"))
    assert screen.startswith("✅ Жазылдыңыз.")
    assert "Салалар: Жастар" in screen
    assert (await app.grant_subscriptions.get(5041)).record.active


async def test_an_unsubscribe_drops_an_alert_not_sent_yet(
    app: Application, harness: BotHarness, clock: ManualClock
) -> None:
    await member(harness, 5042, "ru")
    await subscribed(app, 5042, regions=("aktobe",))
    await app.grants.import_calls([call(clock.now(), "a", regions=("aktobe",))])
    await app.grant_subscriptions.unsubscribe(5042)
    assert await delivered(app) == []


async def test_forged_and_old_buttons_are_refused_clearly(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    user = await member(harness, 5051, "ru")
    await subscribed(app, 5051, sectors=(Sector.YOUTH,))
    before = await app.grant_subscriptions.get(5051)
    out_of_date = "Эта кнопка устарела. Отправьте /menu."
    for data, expected in (
        (SubscriptionCallback(action=SubscriptionAction.TOGGLE_SECTOR, code="zzz"), out_of_date),
        (SubscriptionCallback(action=SubscriptionAction.TOGGLE_REGION, code="mars"), out_of_date),
        (SubscriptionCallback(action=SubscriptionAction.DELIVERY, code="hourly"), out_of_date),
        (
            SubscriptionCallback(action=SubscriptionAction.HIDE, grant_id=999_999),
            "Этот грантовый конкурс недоступен.",
        ),
        ("gsub:zz::0", None),
    ):
        requests = await user.press(data)
        if expected is not None:
            assert texts(requests) == [expected]
    assert await app.grant_subscriptions.get(5051) == before
    # A closed call's old alert opens a card that says it is closed.
    ids = await ids_by_external_id(app.grants, clock.now())
    await app.grants.close(ADMIN, ids["youth-all"])
    (card,) = texts(await user.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["youth-all"])))
    assert "🔒" in card
    # Someone not set up is refused by the service itself.
    with pytest.raises(SubscriptionError) as refused:
        await app.grant_subscriptions.toggle_sector(5999, Sector.YOUTH)
    assert refused.value.problem is SubscriptionProblem.NOT_ALLOWED


async def test_erasing_ones_data_erases_the_subscription(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await member(harness, 5061, "kk")
    await subscribed(app, 5061, sectors=(Sector.YOUTH,), weekly=True)
    ids = await ids_by_external_id(app.grants, clock.now())
    await app.grant_subscriptions.hide(5061, ids["trees"])
    await app.users.erase(5061)
    async with app.database.reading() as uow:
        assert await uow.grant_subscriptions.get(5061) is None
        assert await uow.grant_subscriptions.hidden_count(5061) == 0
        assert await uow.grant_subscriptions.waiting_for_digest(before=clock.now() + timedelta(days=8)) == {}


async def test_a_weekly_subscriber_turning_instant_gets_the_weeks_calls_at_once(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    await member(harness, 5071, "ru")
    await subscribed(app, 5071, sectors=(Sector.YOUTH,), weekly=True)
    await ids_by_external_id(app.grants, clock.now())
    assert await delivered(app) == []
    await app.grant_subscriptions.set_delivery(5071, "instant")
    sent = await delivered(app)
    assert len(sent) == 2
    assert all(message.text.startswith("🔔 <b>Новый грантовый конкурс для вас</b>") for message in sent)
    clock.advance(timedelta(days=8))
    assert await app.grant_subscriptions.send_digests() == 0
