"""End to end: a deployer's .env beside the bot the tests start changes nothing (it used to switch the
bot to webhook mode, and the test waited 60 s for a poll that never came)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_telegram import FakeTelegram
from tests.e2e.conftest import BotFactory, Conversation
from tests.test_env_isolation import HOSTILE_ENV

pytestmark = pytest.mark.e2e


async def test_the_bot_polls_and_answers_beside_a_hostile_env_file(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    # start_bot runs `python -m bot` in tmp_path (`make run` in the project folder: the same environment).
    (tmp_path / ".env").write_text(HOSTILE_ENV, encoding="utf-8")
    bot = await start_bot()
    assert tg.webhook is None
    user = tg.user(5101, language_code="kk")
    await user.send("/start")
    await Conversation(tg, user).expect("Belsendi сізбен қай тілде сөйлессін?")
    assert await bot.stop() == 0, bot.output()
