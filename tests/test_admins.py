"""Admins promoted in the bot: an ADMIN_IDS admin promotes and removes them, role requests reach them,
and they decide; any admin revokes an NGO or organizer role, and the user is told in their language.
Forged commands and buttons from anyone else change nothing."""

from __future__ import annotations

from bot.app import Application
from bot.services.admins import Outcome
from bot.views.admins import DemoteCallback, RevokeCallback
from bot.views.approvals import ApprovalCallback
from tests.harness import BotHarness, stored_user, texts
from tests.test_approvals import delivered

ADMIN = 777  # ADMIN_IDS in the tests' settings


async def test_a_promoted_admin_gets_role_requests_decides_them_and_can_be_removed(
    harness: BotHarness, app: Application
) -> None:
    admin = harness.user(ADMIN, language_code="ru")
    await admin.send("/start")
    await admin.press_text("Русский")
    helper = harness.user(9201, first_name="Айгүл", language_code="kk", username="aigul_eco")
    await helper.onboard("kk")

    assert texts(await admin.send("/promote @Aigul_Eco")) == ["✅ Айгүл теперь администратор."]
    (told,) = await delivered(app, harness, 9201)
    assert told.text.startswith("👥 Енді сіз Belsendi әкімшісісіз")
    assert texts(await admin.send("/promote 9201")) == ["Айгүл уже администратор."]
    (roster,) = texts(await admin.send("/admins"))
    assert "<code>777</code> — задан в настройках развёртывания" in roster
    assert "Айгүл (@aigul_eco) · <code>9201</code> — назначен в боте" in roster
    assert admin.buttons() == [("✖️ Снять: Айгүл", DemoteCallback(user=9201).pack())]

    # A request now reaches both admins, each in their language; the promoted one decides it.
    await harness.user(9202, first_name="Дана", language_code="ru").onboard("ru", role="organizer")
    start = len(harness.session.requests)
    (to_admin,) = await delivered(app, harness, ADMIN)
    assert "Заявка на роль" in to_admin.text
    (to_helper,) = [r for r in harness.session.requests[start:] if getattr(r, "chat_id", None) == 9201]
    assert "Дана" in to_helper.text
    assert "«Іс-шара ұйымдастырушысы»" in to_helper.text
    seen = texts(await helper.press(ApprovalCallback(user=9202, role="organizer", approve=True)))
    assert any("Мақұлданды" in text for text in seen)
    assert (await stored_user(app.database, 9202)).role == "organizer"  # type: ignore[union-attr]

    # A promoted admin does not promote or remove admins, whatever they send.
    refusal = (
        "Әкімшіні тек орналастыру баптауында (ADMIN_IDS) берілген әкімшілер тағайындап, алып тастай алады."
    )
    assert texts(await helper.send("/promote 9202")) == [refusal]
    assert refusal in texts(await helper.press(DemoteCallback(user=9201)))
    assert await app.admins.is_admin(9201)
    assert not await app.admins.is_admin(9202)

    # The ADMIN_IDS admin removes them: they are told, and their next press is refused.
    seen = texts(await admin.press(DemoteCallback(user=9201)))
    assert "✅ Айгүл больше не администратор." in seen
    assert not await app.admins.is_admin(9201)
    (told,) = await delivered(app, harness, 9201)
    assert told.text == "Сіз енді Belsendi әкімшісі емессіз."
    await harness.user(9203, language_code="kk").onboard("kk", role="ngo")
    seen = texts(await helper.press(ApprovalCallback(user=9203, role="ngo", approve=True)))
    assert seen == ["Рөлге өтінімдерді тек әкімшілер қарайды."]
    assert (await stored_user(app.database, 9203)).role == "volunteer"  # type: ignore[union-attr]
    # An ADMIN_IDS admin is not removed in the bot.
    assert (await app.admins.demote(ADMIN, ADMIN)).outcome is Outcome.DEPLOYMENT


async def test_a_request_reaches_a_promoted_admin(harness: BotHarness, app: Application) -> None:
    await harness.user(9211, first_name="Ерлан", language_code="ru").onboard("ru")
    assert (await app.admins.promote(ADMIN, "9211")).outcome is Outcome.DONE
    await delivered(app, harness, 9211)  # the news of the promotion
    await harness.user(9212, first_name="Жасыл ел", language_code="kk").onboard("kk", role="ngo")
    (request,) = await delivered(app, harness, 9211)
    assert "Заявка на роль" in request.text
    assert "Жасыл ел просит подтвердить роль «Представитель НПО»" in request.text


async def test_an_admin_revokes_a_role_with_a_reason_and_the_user_loses_it_at_once(
    harness: BotHarness, app: Application
) -> None:
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/start")
    organizer = harness.user(9221, first_name="Дана", language_code="ru", username="dana")
    await organizer.onboard("ru", role="organizer")
    await app.approvals.decide(ADMIN, 9221, "organizer", approve=True)
    user = await stored_user(app.database, 9221)
    assert user is not None
    assert await app.publishing.organizes(user)
    await delivered(app, harness, 9221)

    (confirm,) = texts(await admin.send("/revoke @dana"))
    assert "«Іс-шара ұйымдастырушысы» рөлін қайтарып аласыз ба? Пайдаланушы: Дана." in confirm
    seen = texts(await admin.send("Іс-шаралар <b>өтпеді</b>"))
    assert seen == [
        "✅ «Іс-шара ұйымдастырушысы» рөлі қайтарылып алынды (Дана); пайдаланушыға хабар жіберілді."
    ]
    user = await stored_user(app.database, 9221)
    assert user is not None
    assert user.role == "volunteer"
    assert not await app.publishing.organizes(user)
    (told,) = await delivered(app, harness, 9221)
    assert told.text == (
        "Администратор отозвал вашу роль «Организатор мероприятий» в Belsendi: теперь вы волонтёр.\n"
        "Причина, указанная администратором: Іс-шаралар &lt;b&gt;өтпеді&lt;/b&gt;"
    )
    # A second press of the stale button changes nothing and tells nobody.
    seen = texts(await admin.press(RevokeCallback(user=9221, role="organizer")))
    assert seen == ["Дана қазір ҮЕҰ өкілі не ұйымдастырушы рөлінде емес."]
    assert await delivered(app, harness, 9221) == []


async def test_a_promoted_admin_revokes_without_a_reason(harness: BotHarness, app: Application) -> None:
    helper = harness.user(9231, first_name="Ерлан", language_code="ru")
    await helper.onboard("ru")
    await app.admins.promote(ADMIN, "9231")
    await harness.user(9232, first_name="Жасыл ел", language_code="kk").onboard("kk", role="ngo")
    await app.approvals.decide(9231, 9232, "ngo", approve=True)
    await delivered(app, harness, 9232)

    (confirm,) = texts(await helper.send("/revoke 9232"))
    assert "Отозвать роль «Представитель НПО» у пользователя Жасыл ел?" in confirm
    seen = texts(await helper.press_text("Отозвать без причины"))
    assert "✅ Роль «Представитель НПО» отозвана у пользователя Жасыл ел, ему отправлено уведомление." in seen
    (told,) = await delivered(app, harness, 9232)
    assert told.text == "Әкімші Belsendi-дегі «ҮЕҰ өкілі» рөліңізді қайтарып алды: енді сіз еріктісіз."
    assert (await stored_user(app.database, 9232)).role == "volunteer"  # type: ignore[union-attr]


async def test_forged_commands_and_buttons_from_a_non_admin_change_nothing(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9241, language_code="kk").onboard("kk", role="organizer")
    await app.approvals.decide(ADMIN, 9241, "organizer", approve=True)
    await app.admins.promote(ADMIN, "9241")
    intruder = harness.user(9242, language_code="ru")
    await intruder.onboard("ru")

    assert texts(await intruder.send("/admins")) == ["Это могут делать только администраторы."]
    (refusal,) = texts(await intruder.send("/promote 9242"))
    assert refusal == (
        "Назначать и снимать администраторов могут только администраторы "
        "из настроек развёртывания (ADMIN_IDS)."
    )
    assert texts(await intruder.send("/revoke 9241")) == ["Это могут делать только администраторы."]
    seen = texts(await intruder.press(RevokeCallback(user=9241, role="organizer")))
    assert seen == ["Это могут делать только администраторы."]
    seen = texts(await intruder.press(DemoteCallback(user=9241)))
    assert "Назначать и снимать администраторов могут только администраторы" in seen[0]

    assert not await app.admins.is_admin(9242)
    assert await app.admins.is_admin(9241)
    assert (await stored_user(app.database, 9241)).role == "organizer"  # type: ignore[union-attr]
    # The services check it themselves, whatever reaches them.
    assert (await app.admins.revoke(9242, 9241, "organizer")).outcome is Outcome.NOT_ALLOWED
    assert (await app.admins.promote(9242, "9242")).outcome is Outcome.NOT_ALLOWED
    assert (await app.admins.demote(9241, 9241)).outcome is Outcome.NOT_ALLOWED


async def test_kazakh_admin_texts_for_bad_input(harness: BotHarness, app: Application) -> None:
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/start")
    (text,) = texts(await admin.send("/promote"))
    assert text.startswith("Мұндай пайдаланушы жоқ")
    (text,) = texts(await admin.send("/revoke @nobody_here"))
    assert text.startswith("Мұндай пайдаланушы жоқ")
    (text,) = texts(await admin.send("/promote 777"))
    assert text == "777 — орналастыру баптауында (ADMIN_IDS) берілген әкімші: оны сол жерде өзгертіңіз."
