"""`make run` without a token: `python -m bot start` runs the sandbox, says so first, and touches
neither the real database nor any Telegram but its own fake."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from fake_telegram.bot_process import BotProcess, bot_environment
from tests.e2e.conftest import until

pytestmark = pytest.mark.e2e


async def sandbox_state(url: str, timeout: float = 30) -> dict[str, Any]:
    """The sandbox's state once its bot is ready."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession(base_url=url) as http:
        while True:
            async with http.get("/sandbox/state") as response:
                state: dict[str, Any] = (await response.json())["result"]
            if state["ready"] or loop.time() > deadline:
                return state
            await asyncio.sleep(0.1)


async def test_start_without_a_token_runs_the_sandbox(tmp_path: Path) -> None:
    real_database = tmp_path / "real.sqlite3"
    env = bot_environment(
        SANDBOX_PORT="0",  # any free port: the first lines say which
        DATABASE_URL=f"sqlite+aiosqlite:///{real_database}",
        TELEGRAM_API_URL="https://api.telegram.org",
    )
    process = BotProcess([sys.executable, "-m", "bot", "start"], env, tmp_path, tmp_path / "sandbox.log")
    await process.start()
    try:
        await until(lambda: "in a browser" in process.output(), timeout=60)
        lines = process.output().splitlines()
        assert lines[0].startswith("Belsendi SANDBOX: offline, no Telegram and no token"), lines[:4]
        match = re.search(r"Open (http://127\.0\.0\.1:\d+) in a browser", lines[1])
        assert match is not None, lines[:4]
        state = await sandbox_state(match.group(1))
        assert state["ready"] is True, process.output()
        assert [user["role"] for user in state["users"]] == ["admin", "organizer", "volunteer"]
    finally:
        assert await process.stop() == 0, process.output()
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()  # its own database, in the working folder
    assert not real_database.exists()
    assert process.first_problem() is None, process.output()
