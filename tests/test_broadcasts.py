"""Admins' broadcasts: the dialog (segment, photo or file, texts, preview, test to oneself, send), the
segment (consented, unblocked, unmuted users only), each copy in its recipient's language, started once
however often it is started, paused, resumed and stopped; the mute button; nobody but an admin sends or
steers one, whatever button data they send."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod

from bot.app import Application
from bot.services.broadcasts import CAPTION_MAX, NotAllowedError, Status
from bot.views.broadcasts import (
    ConfirmAction,
    ConfirmCallback,
    ControlCallback,
    MuteCallback,
    NoMediaCallback,
    SameTextCallback,
    SegmentCallback,
)
from storage.repositories.outbox import OutboxStatus
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777  # ADMIN_IDS in the tests' settings
Sent = SendMessage | SendPhoto | SendDocument


async def delivered(app: Application, harness: BotHarness) -> dict[int, list[Sent]]:
    """What the sender sends, by chat, once every due outbox row has gone out."""
    start = len(harness.session.requests)
    await app.sender.send_due()
    sent: list[TelegramMethod[Any]] = harness.session.requests[start:]
    by_chat: dict[int, list[Sent]] = {}
    for request in sent:
        if isinstance(request, Sent):
            by_chat.setdefault(int(request.chat_id), []).append(request)
    return by_chat


def body(message: Sent) -> str:
    return (message.text if isinstance(message, SendMessage) else message.caption) or ""


def bodies(out: dict[int, list[Sent]]) -> dict[int, list[str]]:
    return {chat: [body(m) for m in messages] for chat, messages in out.items()}


async def admin_to_everyone(admin: PlayedUser, kazakh: str, russian: str | None) -> None:
    """/broadcast → everyone → text only → the texts (None: the same text for everyone)."""
    await admin.send("/broadcast")
    await admin.press(SegmentCallback(kind="everyone"))
    await admin.press(NoMediaCallback())
    await admin.send(kazakh)
    if russian is None:
        await admin.press(SameTextCallback())
    else:
        await admin.send(russian)


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
    assert any("Алушылар: Өңір: Ақтөбе облысы." in text and "Тек мәтін" in text for text in seen)
    seen = texts(await admin.press(NoMediaCallback()))
    assert seen == ["Мәтінді қазақ тілінде бір хабарламамен жіберіңіз (ең көбі 3500 таңба)."]
    await admin.send("Сенбіде тазалық <b>")
    seen = texts(await admin.send("В субботу уборка"))
    # The preview, exactly as each language will read it, then the count.
    assert "Сенбіде тазалық &lt;b&gt;" in seen
    assert "В субботу уборка" in seen
    assert any("қазір 2 адам" in text for text in seen)
    assert await delivered(app, harness) == {}  # nothing goes before Send now

    seen = texts(await admin.press(ConfirmCallback(action=ConfirmAction.SEND)))
    assert any("Алушылар: 2" in text and "Жіберілуде" in text for text in seen)
    out = await delivered(app, harness)
    assert sorted(out) == [9201, 9202]
    assert bodies(out) == {9201: ["Сенбіде тазалық &lt;b&gt;"], 9202: ["В субботу уборка"]}
    mute = out[9202][0].reply_markup
    assert mute is not None
    assert mute.inline_keyboard[0][0].text == "🔕 Не получать такие сообщения"  # type: ignore[union-attr]

    seen = texts(await admin.press_text("🔄 Жаңарту"))
    assert any("Аяқталды" in text and "Жіберілді: 2" in text for text in seen)
    assert admin.buttons() == []  # over: nothing left to steer


async def test_one_text_for_everyone_and_starting_twice_sends_once(
    harness: BotHarness, app: Application
) -> None:
    await harness.user(9211, language_code="ru").onboard("ru")
    await harness.user(9212, language_code="kk").onboard("kk")
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/broadcast")
    await admin.press(SegmentCallback(kind="everyone"))
    await admin.press(NoMediaCallback())
    await admin.send("Барлығына")
    seen = texts(await admin.press(SameTextCallback()))
    assert seen.count("Барлығына") == 2  # both previews read the one text
    await admin.press(ConfirmCallback(action=ConfirmAction.SEND))
    broadcast_id = ControlCallback.unpack(admin.buttons()[0][1]).id
    again = await app.broadcasts.start(ADMIN, broadcast_id)
    assert again is not None
    assert again.recipients == 2
    out = await delivered(app, harness)
    assert bodies(out) == {9211: ["Барлығына"], 9212: ["Барлығына"]}
    await app.broadcasts.start(ADMIN, broadcast_id)
    (report,) = bodies(await delivered(app, harness))[ADMIN]  # nothing more to anyone but this
    assert report.startswith(f"✅ <b>№{broadcast_id} таратылым аяқталды</b>")
    assert "Жіберілді: 2" in report


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_photo_its_caption_limit_the_preview_and_a_test_to_oneself(
    harness: BotHarness, app: Application, language: str
) -> None:
    says = {
        "kk": {
            "file": "Бұл қадамда сурет немесе файл күтіледі.",
            "caption": "Сурет не файл астына бұл мәтін сыймайды: Telegram онда ең көбі 1024 таңбаға",
            "text": "Бұл қадамда мәтін күтіледі: оны хабарлама етіп жіберіңіз.",
            "limit": "(ең көбі 1024 таңба)",
            "test": "🧪 Жоғарыдағы сынақ нұсқасы тек сізге жіберілді.",
            "mute": "🔕 Хабарландыруларды өшіру",
        },
        "ru": {
            "file": "На этом шаге нужно фото или файл.",
            "caption": "Слишком длинно для подписи к фото или файлу: Telegram разрешает там не больше 1024",
            "text": "На этом шаге нужен текст: отправьте его сообщением.",
            "limit": "(не больше 1024 символов)",
            "test": "🧪 Тестовая копия выше отправлена только вам.",
            "mute": "🔕 Не получать такие сообщения",
        },
    }[language]
    await harness.user(9261, language_code="kk").onboard("kk")
    await harness.user(9262, language_code="ru").onboard("ru")
    admin = harness.user(ADMIN, language_code=language)
    await admin.onboard(language)
    await admin.send("/broadcast")
    await admin.press(SegmentCallback(kind="everyone"))
    # Text where a photo or file was expected: explained, the step stays.
    seen = texts(await admin.send("Мұнда мәтін"))
    assert any(says["file"] in text for text in seen)
    seen = texts(await admin.send_photo())
    assert any(says["limit"] in text for text in seen)
    # A file where the text was expected: explained, the step stays.
    assert any(says["text"] in text for text in texts(await admin.send_document()))
    too_long = "ж" * (CAPTION_MAX + 1)
    seen = texts(await admin.send(too_long))
    assert any(says["caption"] in text and "1025" in text for text in seen)
    await admin.send("Сенбіде <сурет>")
    requests = await admin.send("Субботник <фото>")
    photos = [r for r in requests if isinstance(r, SendPhoto)]
    # Each language's copy as it will go: the photo (the largest size), the text as its caption.
    assert [(p.photo, p.caption) for p in photos] == [
        ("big-photo", "Сенбіде &lt;сурет&gt;"),
        ("big-photo", "Субботник &lt;фото&gt;"),
    ]
    assert await delivered(app, harness) == {}

    requests = await admin.press(ConfirmCallback(action=ConfirmAction.TEST))
    tests = [r for r in requests if isinstance(r, SendPhoto)]
    assert [(t.chat_id, t.caption) for t in tests] == [
        (ADMIN, "Сенбіде &lt;сурет&gt;" if language == "kk" else "Субботник &lt;фото&gt;")
    ]
    assert any(says["test"] in text for text in texts(requests))
    assert await delivered(app, harness) == {}  # a test reaches nobody else

    await admin.press(ConfirmCallback(action=ConfirmAction.SEND))
    out = await delivered(app, harness)
    assert sorted(out) == [ADMIN, 9261, 9262]
    assert all(isinstance(m, SendPhoto) and m.photo == "big-photo" for ms in out.values() for m in ms)
    assert bodies(out)[9261] == ["Сенбіде &lt;сурет&gt;"]
    assert bodies(out)[9262] == ["Субботник &lt;фото&gt;"]
    mute = out[ADMIN][0].reply_markup
    assert mute is not None
    assert mute.inline_keyboard[0][0].text == says["mute"]  # type: ignore[union-attr]


async def test_a_document_goes_with_its_caption(harness: BotHarness, app: Application) -> None:
    await harness.user(9271, language_code="kk").onboard("kk")
    admin = harness.user(ADMIN, language_code="kk")
    await admin.send("/broadcast")
    await admin.press(SegmentCallback(kind="everyone"))
    await admin.send_document()
    await admin.send("Ереже")
    await admin.press(SameTextCallback())
    await admin.press(ConfirmCallback(action=ConfirmAction.SEND))
    (document,) = (await delivered(app, harness))[9271]
    assert isinstance(document, SendDocument)
    assert (document.document, document.caption) == ("f1", "Ереже")


async def test_a_text_over_the_limit_is_refused_and_the_step_stays(harness: BotHarness) -> None:
    admin = harness.user(ADMIN, language_code="ru")
    await admin.onboard("ru")
    await admin.send("/broadcast")
    await admin.press(SegmentCallback(kind="everyone"))
    await admin.press(NoMediaCallback())
    seen = texts(await admin.send("я" * 3501))
    assert seen == [
        "Текст слишком длинный (символов: 3501, а можно не больше 3500). Сократите его и отправьте ещё раз."
    ]
    seen = texts(await admin.send("Коротко"))
    assert any("Теперь отправьте текст на русском" in text for text in seen)


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
    out = await delivered(app, harness)
    assert list(out) == [ADMIN]  # the report only
    assert body(out[ADMIN][0]).startswith(f"⏹ <b>№{second} таратылым тоқтатылды</b>")
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
    for action in ("cancel", "pause", "refresh", "texts", "time"):
        seen = texts(await intruder.press(ControlCallback(id=broadcast_id, action=action)))
        assert seen == ["Таратылымды тек әкімшілер жібереді."]
    seen = texts(await intruder.press(ControlCallback(id=broadcast_id + 50, action="cancel")))
    assert seen == ["Таратылымды тек әкімшілер жібереді."]  # no such broadcast: the same answer
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
        app.broadcasts.scheduled,
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
    assert bodies(await delivered(app, harness))[9241] == ["Один"]
    seen = texts(await user.press(MuteCallback()))
    assert "🔕 Готово: такие сообщения вам больше не придут." in seen
    assert await app.broadcasts.recipients("everyone") == [9242]
    second = await app.broadcasts.create(ADMIN, "language:ru", None, "Два")
    progress = await app.broadcasts.start(ADMIN, second)
    assert progress is not None
    assert progress.recipients == 0
    assert list(await delivered(app, harness)) == [ADMIN]  # nobody to send to: the report only
