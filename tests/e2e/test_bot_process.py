"""The real bot process against the fake Telegram server: what a user in Kazakhstan would see."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from fake_telegram import FakeTelegram
from tests.e2e.conftest import BotFactory, Conversation

pytestmark = pytest.mark.e2e


async def onboard_kazakh(tg: FakeTelegram, user_id: int, first_name: str = "Айгерім") -> Conversation:
    user = tg.user(user_id, first_name=first_name, language_code="kk")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("Belsendi сізбен қай тілде сөйлессін?")
    await user.press("Қазақша")
    await chat.expect("Belsendi-нің осы деректерді сақтауына келісесіз бе?")
    await user.press("✅ Келісемін")
    await chat.expect("Belsendi-де сіз кімсіз?")
    await user.press("Ерікті")
    await chat.expect("Қай өңірдесіз?")
    await user.press("Ақтөбе облысы")
    await chat.expect("Басты мәзір")
    return chat


async def test_kazakh_user_onboards_through_make_run(tg: FakeTelegram, start_bot: BotFactory) -> None:
    """`BOT_TOKEN=… TELEGRAM_API_URL=… make run`, exactly as the README says."""
    bot = await start_bot(via_make=True)
    chat = await onboard_kazakh(tg, 5001)
    await chat.user.send("/profile")
    profile = await chat.expect("Менің профилім")
    assert "Аты: Айгерім" in profile.text
    assert "Өңір: Ақтөбе облысы" in profile.text
    assert tg.unanswered_callbacks() == []
    # The command menus were set for kk, ru and everyone else.
    assert tg.commands(language_code="kk")
    assert tg.commands(language_code="ru")
    assert tg.commands()
    # make itself dies of the SIGTERM it passes on; the bot under it finishes cleanly.
    assert await bot.stop() in (0, -15), bot.output()
    assert bot.output().rstrip().endswith("bot.app: Stopped")


async def test_restart_in_the_middle_of_onboarding_continues_there(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    first = await start_bot()
    user = tg.user(5006, first_name="Ерлан", language_code="kk")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("қай тілде")
    await user.press("Қазақша")
    await chat.expect("келісесіз бе?")
    await user.press("✅ Келісемін")
    await chat.expect("Belsendi-де сіз кімсіз?")
    assert await first.stop() == 0, first.output()

    await start_bot()
    await user.press("Іс-шара ұйымдастырушысы")  # the button from before the restart
    await chat.expect("Қай ұйымның өкілісіз?")
    await user.send("/start")  # and /start asks the open question, not the first one
    await chat.expect("Қай ұйымның өкілісіз?")


async def test_profile_edit_survives_a_restart_mid_conversation(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    first = await start_bot()
    chat = await onboard_kazakh(tg, 5007)
    await chat.user.send("/profile")
    await chat.expect("Менің профилім")
    await chat.user.press("✏️ Аты")
    await chat.expect("Көрсетілетін атыңызды (64 таңбаға дейін)")
    assert await first.stop() == 0, first.output()
    await start_bot()
    await chat.user.send("Айгерім Сәрсенова")  # the bot still waits for the name
    profile = await chat.expect("✅ Атыңыз сақталды.")
    assert "Аты: Айгерім Сәрсенова" in profile.text


async def test_webhook_mode_with_secret_and_health_check(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    port = free_port()
    webhook = {
        "RUN_MODE": "webhook",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/tg/hook",
        "WEBHOOK_SECRET": "e2e_webhook-secret",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    bot = await start_bot(**webhook)
    assert tg.webhook is not None
    assert tg.webhook.secret_token == "e2e_webhook-secret"
    chat = await onboard_kazakh(tg, 5011)
    await chat.user.send("/help")
    await chat.expect("байланыстырады")
    health = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "healthcheck", cwd=tmp_path, env={**bot.env, **webhook}
    )
    assert await health.wait() == 0
    # Without the secret, a forged update is refused and handled by nobody.
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{port}/tg/hook", json={"update_id": 999, "message": {}}) as response,
    ):
        assert response.status == 401
    assert await bot.stop() == 0, bot.output()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_sigterm_stops_cleanly_and_confirms_what_was_handled(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    user = tg.user(5010, language_code="ru")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("На каком языке")
    assert await bot.stop() == 0, bot.output()
    assert tg.pending_updates() == []  # nothing handled is handed out again after a restart
    assert "Traceback" not in bot.output()
