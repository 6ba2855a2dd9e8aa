"""Admins' broadcasts: the dialog, the segment (consented, unblocked, unmuted users only), each copy in
its recipient's language, started once however often it is started, paused, resumed and stopped; the
mute button; nobody but an admin sends or steers one, whatever button data they send."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import SendMessage, TelegramMethod

from bot.app import Application
from bot.services.broadcasts import NotAllowedError, Status
from bot.views.broadcasts import (
    ConfirmCallback,
    ControlCallback,
    MuteCallback,
    SameTextCallback,
    SegmentCallback,
)
from storage.repositories.outbox import OutboxStatus
from tests.harness import BotHarness, texts

ADMIN = 777  # ADMIN_IDS in the tests' settings


async def delivered(app: Application, harness: BotHarness) -> dict[int, list[SendMessage]]:
    """What the sender sends, by chat, once every due outbox row has gone out."""
    start = len(harness.session.requests)
    await app.sender.send_due()
    sent: list[TelegramMethod[Any]] = harness.session.requests[start:]
    by_chat: dict[int, list[SendMessage]] = {}
    for request in sent:
        if isinstance(request, SendMessage):
            by_chat.setdefault(int(request.chat_id), []).append(request)
    return by_chat


async def test_an_admin_broadcasts_to_a_region_each_recipient_in_their_language(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9201, language_code="kk").onboard("kk", region="aktobe")
    await harness.user(9202, language_code="ru").onboard("ru", region="aktobe")
    await harness.user(9203, language_code="kk").onboard("kk", region="astana")  # another region
    await harness.user(9204, language_code="kk").onboard("kk", region="aktobe")
    await app.users.set_blocked(9204, blocked=True)
    muted = harness.user(9205, language_code="kk")
    await muted.onboard("kk", region="aktobe")
    await muted.press(MuteCallback())
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/start")  # not set up: not a recipient

    seen = texts(await admin.send("/broadcast"))
    assert any("Кімдерге жіберу керек?" in text for text in seen)
    await admin.press(SegmentCallback(kind="region"))
    seen = texts(await admin.press(SegmentCallback(kind="region", value="aktobe")))
    assert any("Мәтінді қазақ тілінде" in text for text in seen)
    await admin.send("Сенбіде тазалық <b>")
    seen = texts(await admin.send("В субботу уборка"))
    # The preview, exactly as each language will read it, then the count.
    assert "Сенбіде тазалық &lt;b&gt;" in seen
    assert "В субботу уборка" in seen
    assert any("қазір 2 адам" in text for text in seen)
    assert await delivered(app, harness) == {}  # nothing goes before Send now

    seen = texts(await admin.press(ConfirmCallback(send=True)))
    assert any("Алушылар: 2" in text for text in seen)
    out = await delivered(app, harness)
    assert sorted(out) == [9201, 9202]
    assert [m.text for m in out[9201]] == ["Сенбіде тазалық &lt;b&gt;"]
    assert [m.text for m in out[9202]] == ["В субботу уборка"]
    mute = out[9202][0].reply_markup
    assert mute is not None
    assert mute.inline_keyboard[0][0].text == "🔕 Отключить такие сообщения"  # type: ignore[union-attr]

    seen = texts(await admin.press_text("🔄 Жаңарту"))
    assert any("Аяқталды" in text and "Жіберілді: 2" in text for text in seen)


async def test_one_text_for_everyone_and_starting_twice_sends_once(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9211, language_code="ru").onboard("ru")
    await harness.user(9212, language_code="kk").onboard("kk")
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/broadcast")
    await admin.press(SegmentCallback(kind="everyone"))
    await admin.send("Барлығына")
    seen = texts(await admin.press(SameTextCallback()))
    assert seen.count("Барлығына") == 2  # both previews read the one text
    await admin.press(ConfirmCallback(send=True))
    broadcast_id = ControlCallback.unpack(admin.buttons()[0][1]).id
    again = await app.broadcasts.start(ADMIN, broadcast_id)
    assert again is not None
    assert again.recipients == 2
    out = await delivered(app, harness)
    assert {chat: [m.text for m in messages] for chat, messages in out.items()} == {
        9211: ["Барлығына"],
        9212: ["Барлығына"],
    }
    await app.broadcasts.start(ADMIN, broadcast_id)
    assert await delivered(app, harness) == {}


async def test_pause_holds_the_rows_resume_sends_them_cancel_drops_them(
    harness: BotHarness, app: Application
) -> None:
    for user_id in (9221, 9222, 9223):
        await harness.user(user_id, language_code="kk").onboard("kk", role="volunteer")
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/start")
    broadcasts = app.broadcasts
    first = await broadcasts.create(ADMIN, "role:volunteer", "Бірінші", None)
    await broadcasts.start(ADMIN, first)
    # Paused through its button, as the admin would.
    seen = texts(await admin.press(ControlCallback(id=first, action="pause")))
    assert any("Кідіртілді" in text and "Кезекте: 3" in text for text in seen)
    assert await delivered(app, harness) == {}
    progress = await broadcasts.progress(ADMIN, first)
    assert progress is not None
    assert (progress.status, progress.counts[OutboxStatus.PENDING]) == (Status.PAUSED, 3)

    await admin.press(ControlCallback(id=first, action="resume"))
    assert sorted(await delivered(app, harness)) == [9221, 9222, 9223]

    second = await broadcasts.create(ADMIN, "role:volunteer", "Екінші", None)
    await broadcasts.start(ADMIN, second)
    seen = texts(await admin.press(ControlCallback(id=second, action="cancel")))
    assert any("Тоқтатылды" in text for text in seen)
    assert await delivered(app, harness) == {}
    progress = await broadcasts.progress(ADMIN, second)
    assert progress is not None
    assert (progress.status, progress.counts[OutboxStatus.DROPPED]) == (Status.CANCELLED, 3)
    resumed = await broadcasts.resume(ADMIN, second)  # a stopped broadcast stays stopped
    assert resumed is not None
    assert resumed.status is Status.CANCELLED
    assert await delivered(app, harness) == {}


async def test_nobody_but_an_admin_broadcasts_whatever_button_data_they_send(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9231, language_code="kk").onboard("kk")
    intruder = harness.user(9232, language_code="kk")
    await intruder.onboard("kk")
    assert texts(await intruder.send("/broadcast")) == ["Таратылымды тек әкімшілер жібереді."]

    broadcast_id = await app.broadcasts.create(ADMIN, "everyone", "Мәтін", "Текст")
    await app.broadcasts.start(ADMIN, broadcast_id)
    assert texts(await intruder.press(ControlCallback(id=broadcast_id, action="cancel"))) == [
        "Таратылымды тек әкімшілер жібереді."
    ]
    progress = await app.broadcasts.progress(ADMIN, broadcast_id)
    assert progress is not None
    assert progress.status is Status.SENDING
    # The service checks it itself, whatever reaches it.
    with pytest.raises(NotAllowedError):
        await app.broadcasts.create(9232, "everyone", "Мәтін", None)
    for action in (
        app.broadcasts.start,
        app.broadcasts.pause,
        app.broadcasts.cancel,
        app.broadcasts.progress,
    ):
        with pytest.raises(NotAllowedError):
            await action(9232, broadcast_id)
    assert sorted(await delivered(app, harness)) == [9231, 9232]


async def test_muting_stops_later_broadcasts(harness: BotHarness, app: Application) -> None:
    user = harness.user(9241, language_code="ru")
    await user.onboard("ru")
    await harness.user(9242, language_code="kk").onboard("kk")
    first = await app.broadcasts.create(ADMIN, "everyone", "Бір", "Один")
    await app.broadcasts.start(ADMIN, first)
    assert [m.text for m in (await delivered(app, harness))[9241]] == ["Один"]
    seen = texts(await user.press(MuteCallback()))
    assert "🔕 Готово: такие сообщения вам больше не придут." in seen
    assert await app.broadcasts.recipients("everyone") == [9242]
    second = await app.broadcasts.create(ADMIN, "language:ru", None, "Два")
    progress = await app.broadcasts.start(ADMIN, second)
    assert progress is not None
    assert progress.recipients == 0
    assert await delivered(app, harness) == {}
