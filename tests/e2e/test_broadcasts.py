"""End to end: an admin broadcasts a photo to 120 people through the real bot process and the fake
Telegram with its limits on; the progress message is edited live while it goes, then shows the end, and
the report arrives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fake_telegram import FakeTelegram
from tests.e2e.conftest import BotFactory, Conversation, until
from tests.e2e.test_outbox import database_of

pytestmark = pytest.mark.e2e

ADMIN = 6001
RECIPIENTS = range(6100, 6220)  # 120: about five seconds at the sender's 24 a second


async def users_who_consented(tg: FakeTelegram, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    database = database_of(tmp_path)
    try:
        async with database.transaction() as uow:
            for user_id in RECIPIENTS:
                tg.user(user_id).chat.known = True
                language = "ru" if user_id % 2 == 0 else "kk"
                await uow.users.add(user_id, now=now, language=language, consent_at=now)
    finally:
        await database.dispose()


async def test_a_photo_broadcast_with_its_live_progress(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = await start_bot(ADMIN_IDS=str(ADMIN), OUTBOX_WAKE_INTERVAL="0.2")
    await users_who_consented(tg, tmp_path)
    admin = tg.user(ADMIN, first_name="Әкімші", language_code="ru")
    chat = Conversation(tg, admin)
    await admin.send("/start")
    await chat.expect("На каком языке Belsendi будет с вами говорить?")
    await admin.press("Русский")
    await chat.expect("Вы согласны, что Belsendi будет хранить эти данные?")
    await admin.press("✅ Даю согласие")
    await chat.expect("Кто вы в Belsendi?")
    await admin.press("Волонтёр")
    await chat.expect("Где вы находитесь?")
    await admin.press("Шымкент")
    await chat.expect("Главное меню")
    await admin.send("/broadcast")
    await chat.expect("Кому её отправить?")
    await admin.press("Все активные пользователи")
    await chat.expect("Отправьте фото или файл к сообщению")
    await admin.send_photo()
    await chat.expect("Отправьте текст на казахском")
    await admin.send("Сенбілік <ертең>")
    await chat.expect("Теперь отправьте текст на русском")
    await admin.send("Субботник <завтра>")
    await chat.expect("сейчас 121 человек")  # the admin too: set up, a recipient like the rest
    # Telegram's limits from here on (the preview's burst of five messages in one chat is a reply to
    # the admin, ridden out by the resilience layer like any other).
    tg.set_limits(global_per_second=30, per_chat_per_second=1)
    await admin.press("📤 Отправить сейчас")
    progress = await chat.expect("Рассылка №1")

    def finished() -> bool:
        return "Завершена" in progress.text and sum(len(tg.user(u).messages) for u in RECIPIENTS) == 120

    try:
        await until(finished, timeout=40)
    except TimeoutError:
        raise AssertionError(f"progress: {progress.text!r}\n{bot.output()}") from None
    assert progress.edits >= 2  # edited live on the way, not only at the end
    assert "Отправлено: 121" in progress.text
    assert progress.reply_markup is None  # over: no buttons left
    await chat.expect("Рассылка №1 завершена")  # the report
    for user_id in RECIPIENTS:
        (copy,) = tg.user(user_id).messages
        assert copy.kind == "photo"
        assert copy.caption == ("Субботник <завтра>" if user_id % 2 == 0 else "Сенбілік <ертең>")
    # Paced under the overall limit; the admin's chat alone may see its live edits, its own copy and
    # the report meet within a second (Telegram allows such short bursts; the fake does not).
    assert tg.stats.too_many_requests_by_scope["global"] == 0, tg.stats.too_many_requests_by_scope
    assert bot.first_problem() is None, bot.output()
