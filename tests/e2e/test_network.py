"""A network blip at boot and while polling: one line per retry, no traceback, and the bot comes up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fake_telegram import FakeTelegram
from fake_telegram.bot_process import BotProcess, bot_environment
from tests.e2e.conftest import TOKEN, Conversation, until
from tests.e2e.test_bot_process import free_port

pytestmark = pytest.mark.e2e


async def test_an_unreachable_telegram_at_start_is_one_line_a_try_then_the_bot_comes_up(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = bot_environment(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        THROTTLE_RATE="0",
    )
    bot = BotProcess([sys.executable, "-m", "bot"], env, tmp_path, tmp_path / "bot.log")
    await bot.start()
    try:
        await until(lambda: bot.output().count("Cannot reach Telegram") >= 2, timeout=20)
        assert "Traceback" not in bot.output()
        line = next(line for line in bot.output().splitlines() if "Cannot reach Telegram" in line)
        assert f"http://127.0.0.1:{port}" in line
        async with FakeTelegram(token=TOKEN, port=port) as tg:  # Telegram is back
            await until(lambda: tg.bot_state().poll_calls > 0, timeout=30)
            user = tg.user(5401, language_code="kk")
            await user.send("/start")
            await Conversation(tg, user).expect("Belsendi сізбен қай тілде сөйлессін?")
            assert await bot.stop() == 0, bot.output()
    finally:
        await bot.kill()
    assert "Traceback" not in bot.output()


async def test_losing_telegram_while_polling_is_one_line_a_try(tmp_path: Path) -> None:
    port = free_port()
    env = bot_environment(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        THROTTLE_RATE="0",
    )
    bot = BotProcess([sys.executable, "-m", "bot"], env, tmp_path, tmp_path / "bot.log")
    try:
        async with FakeTelegram(token=TOKEN, port=port) as tg:
            await bot.start()
            await until(lambda: tg.bot_state().poll_calls > 0, timeout=30)
        # The fake is gone: every getUpdates fails.
        await until(lambda: bot.output().count("getUpdates failed") >= 2, timeout=20)
        assert "Traceback" not in bot.output()
        assert await bot.stop() == 0, bot.output()
    finally:
        await bot.kill()
