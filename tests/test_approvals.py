"""Role requests reach the admins through the outbox; an admin's decision changes the role and tells the
requester in their language; nobody but an admin can decide, whatever button data they send."""

from __future__ import annotations

from typing import Any

from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.views.approvals import ApprovalCallback, ReasonCallback
from tests.harness import BotHarness, stored_user, texts

ADMIN = 777  # ADMIN_IDS in the tests' settings


async def delivered(app: Application, harness: BotHarness, to: int) -> list[SendMessage]:
    """What the sender sends `to` once every due outbox row has gone out."""
    start = len(harness.session.requests)
    await app.sender.send_due()
    sent: list[TelegramMethod[Any]] = harness.session.requests[start:]
    return [r for r in sent if isinstance(r, SendMessage) and r.chat_id == to]


async def test_a_request_reaches_the_admin_who_approves_it_and_the_requester_hears(
    harness: BotHarness, app: Application
) -> None:
    admin = harness.user(ADMIN, language_code="ru")
    await admin.send("/start")
    await admin.press_text("Русский")
    requester = harness.user(9101, first_name="Дана", language_code="kk", username="dana_eco")
    await requester.onboard(
        "kk",
        role="organizer",
        region="aktobe",
        organization="<b>Ақтөбе</b> жастары",
        bin_number="940140000385",
    )

    (request,) = await delivered(app, harness, ADMIN)
    assert "Заявка на роль" in request.text  # in the admin's language
    assert "Дана (@dana_eco) просит подтвердить роль «Организатор мероприятий»" in request.text
    # What the admin checks the request against, sent once the region is known.
    assert "Организация: &lt;b&gt;Ақтөбе&lt;/b&gt; жастары" in request.text
    assert "БИН: 940140000385" in request.text
    assert "Регион: Актюбинская область" in request.text
    assert "Telegram id: <code>9101</code>" in request.text
    assert isinstance(request.reply_markup, InlineKeyboardMarkup)
    approve = request.reply_markup.inline_keyboard[0][0]
    assert approve.callback_data == ApprovalCallback(user=9101, role="organizer", approve=True).pack()

    seen = texts(await admin.press(approve.callback_data))
    assert any(
        "Одобрено: Дана (&lt;b&gt;Ақтөбе&lt;/b&gt; жастары) теперь — «Организатор мероприятий»" in text
        for text in seen
    )
    user = await stored_user(app.database, 9101)
    assert user is not None
    assert (user.role, user.requested_role) == ("organizer", None)

    (told,) = await delivered(app, harness, 9101)
    assert told.text == "✅ Өтініміңіз мақұлданды: Belsendi-дегі рөліңіз енді — «Іс-шара ұйымдастырушысы»."

    # A second press (another admin's copy, or the same twice): nothing more changes, nobody is told.
    seen = texts(await admin.press(approve.callback_data))
    assert any("уже закрыта" in text for text in seen)
    assert await delivered(app, harness, 9101) == []


async def test_a_rejection_with_a_reason_reaches_the_requester(harness: BotHarness, app: Application) -> None:
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/start")
    requester = harness.user(9102, first_name="Ерлан", language_code="ru")
    await requester.onboard("ru", role="ngo", organization="Жасыл ел")
    (request,) = await delivered(app, harness, ADMIN)
    assert "Ерлан" in request.text
    assert "«ҮЕҰ өкілі»" in request.text
    assert "Ұйым: Жасыл ел" in request.text
    assert "БСН: көрсетілмеген" in request.text
    assert "Өңір: " in request.text
    assert "Telegram id: <code>9102</code>" in request.text

    seen = texts(await admin.press(ApprovalCallback(user=9102, role="ngo", approve=False)))
    assert any("Себепті бір хабарламамен жіберіңіз" in text for text in seen)
    seen = texts(await admin.send("Ұйымның тіркеу құжаттары жоқ <b>"))
    assert any("Өтінім қабылданбады" in text for text in seen)
    user = await stored_user(app.database, 9102)
    assert user is not None
    assert (user.role, user.requested_role) == ("volunteer", None)

    (told,) = await delivered(app, harness, 9102)
    assert "Ваша заявка на подтверждение роли «Представитель НПО» не одобрена." in told.text
    assert "Причина, указанная администратором: Ұйымның тіркеу құжаттары жоқ &lt;b&gt;" in told.text


async def test_a_rejection_without_a_reason(harness: BotHarness, app: Application) -> None:
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/start")
    await harness.user(9103, language_code="kk").onboard("kk", role="ngo")
    await admin.press(ApprovalCallback(user=9103, role="ngo", approve=False))
    seen = texts(await admin.press(ReasonCallback()))
    assert any("Өтінім қабылданбады" in text for text in seen)
    (told,) = await delivered(app, harness, 9103)
    assert told.text == "«ҮЕҰ өкілі» рөлін растау туралы өтініміңіз мақұлданбады."  # and no reason line


async def test_nobody_but_an_admin_decides_whatever_button_data_they_send(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9104, language_code="kk").onboard("kk", role="organizer")
    intruder = harness.user(9105, language_code="kk")
    await intruder.onboard("kk")
    requests = await intruder.press(ApprovalCallback(user=9104, role="organizer", approve=True))
    assert texts(requests) == ["Рөлге өтінімдерді тек әкімшілер қарайды."]
    user = await stored_user(app.database, 9104)
    assert user is not None
    assert (user.role, user.requested_role) == ("volunteer", "organizer")  # still only a request
    # And the service checks it itself, whatever reaches it.
    decision = await app.approvals.decide(9105, 9104, "organizer", approve=True)
    assert decision.outcome == "not_allowed"
    assert (await stored_user(app.database, 9104)).role == "volunteer"  # type: ignore[union-attr]


async def test_a_volunteer_asks_nobody(harness: BotHarness, app: Application) -> None:
    await harness.user(9106, language_code="kk").onboard("kk", role="volunteer")
    assert await delivered(app, harness, ADMIN) == []
