"""The sandbox's server side in-process: the real bot as a task against the fake Telegram, the page's
JSON endpoints, the seed, and the clock jump that makes a reminder arrive."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import bot.__main__ as bot_main
from bot.services.events import EventDraft
from bot.views.privacy import PrivacyAction, PrivacyCallback
from sandbox import Sandbox, seed_sample_world
from sandbox.server import ADMIN_IDS, FIRST_USER_ID


@pytest.fixture
async def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sandbox]:
    # Settings that point at the real world are in the environment: the sandbox must not use them.
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'real.sqlite3'}")
    monkeypatch.setenv("TELEGRAM_API_URL", "https://api.telegram.org")
    monkeypatch.setenv("BOT_TOKEN", "123456:REAL-token-that-must-not-be-used-here")
    monkeypatch.setenv("RUN_MODE", "webhook")
    box = Sandbox(
        tmp_path / "data" / "sandbox.sqlite3",
        port=0,
        seed=seed_sample_world,
        settings_overrides={"_env_file": None, "throttle_rate": 0},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(box.run(stop))
    ready = asyncio.create_task(box.ready.wait())
    await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # the sandbox failed to start: raise its error
    assert box.ready.is_set()
    yield box
    stop.set()
    await asyncio.wait_for(task, 30)
    assert not (tmp_path / "real.sqlite3").exists()


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=sandbox.url) as session:
        yield session


async def get(http: aiohttp.ClientSession, path: str) -> Any:
    async with http.get(path) as response:
        body = await response.json()
        assert response.status == 200, body
        return body["result"]


async def post(http: aiohttp.ClientSession, path: str, body: dict[str, Any]) -> Any:
    async with http.post(path, json=body) as response:
        answer = await response.json()
        assert response.status == 200, answer
        return answer["result"]


async def chat_until(
    http: aiohttp.ClientSession, user_id: int, phrase: str, after: int = 0
) -> tuple[dict[str, Any], int]:
    """The first chat event after `after` whose message says `phrase` (long polls), and the last seq."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        result = await get(http, f"/sandbox/users/{user_id}/chat?after={after}&timeout=5")
        for event in result["events"]:
            message = event.get("message", {})
            if phrase in message.get("text", message.get("caption", "")):
                return event, result["last_seq"]
        after = result["last_seq"]
    raise AssertionError(f"{user_id} never got {phrase!r}")


async def test_the_bot_runs_on_the_sandbox_settings_whatever_the_environment_says(sandbox: Sandbox) -> None:
    settings = sandbox.application.settings
    assert settings.telegram_api_url == sandbox.telegram.url
    assert settings.database_url == sandbox.database_url
    assert settings.run_mode == "polling"
    assert settings.admin_ids == frozenset(ADMIN_IDS)
    await sandbox.telegram.wait_polling()  # it polls the fake


async def test_state_lists_the_seeded_users_and_the_events_are_published(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    state = await get(http, "/sandbox/state")
    assert state["ready"] is True
    roles = {user["role"]: user for user in state["users"]}
    assert set(roles) == {"admin", "organizer", "volunteer"}
    assert roles["admin"]["id"] in ADMIN_IDS
    assert state["clock"]["offset_seconds"] == 0
    # The organizer was approved through the services, and was told so in their chat.
    await chat_until(http, roles["organizer"]["id"], "«Іс-шара ұйымдастырушысы»")
    events = sandbox.application.events
    regions = {"aktobe", "astana", "almaty"}
    found = {region: (await events.upcoming(region)).events for region in regions}
    assert all(found[region] for region in regions), found


async def test_a_new_user_onboards_through_the_endpoints_and_edits_arrive_in_place(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    user = await post(http, "/sandbox/users", {"name": "Айгерім", "language": "kk", "role": "new"})
    assert user["id"] >= FIRST_USER_ID
    await post(http, f"/_fake/users/{user['id']}/send", {"text": "/start"})
    question, seq = await chat_until(http, user["id"], "Belsendi сізбен қай тілде сөйлессін?")
    keyboard = question["message"]["reply_markup"]["inline_keyboard"]
    kazakh = next(button for row in keyboard for button in row if button["text"] == "Қазақша")
    await post(
        http,
        f"/_fake/users/{user['id']}/press_data",
        {"data": kazakh["callback_data"], "message_id": question["message"]["message_id"]},
    )
    consent, _ = await chat_until(http, user["id"], "осы деректерді сақтауына келісесіз бе?", seq)
    assert consent["type"] == "edit"  # the question message itself changed
    assert consent["message"]["message_id"] == question["message"]["message_id"]


async def test_users_of_every_role_are_set_up_through_the_services(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    admin = await post(http, "/sandbox/users", {"name": "Ерлан", "language": "ru", "role": "admin"})
    assert admin["id"] in ADMIN_IDS
    ngo = await post(http, "/sandbox/users", {"name": "Жасыл ел", "language": "kk", "role": "ngo"})
    await chat_until(http, ngo["id"], "«ҮЕҰ өкілі»")
    # The new admin is one to the bot: /start shows them the main menu, not the onboarding.
    await post(http, f"/_fake/users/{admin['id']}/send", {"text": "/menu"})
    await chat_until(http, admin["id"], "Главное меню")
    assert await sandbox.application.approvals.is_admin(admin["id"])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"name": " ", "language": "kk", "role": "new"}, "a name is required"),
        ({"name": "A", "language": "en", "role": "new"}, "language must be one of kk, ru"),
        ({"name": "A", "language": "kk", "role": "boss"}, "role must be one of"),
        ({"name": 5, "language": "kk", "role": "new"}, "are required"),
    ],
)
async def test_bad_users_are_refused_with_a_reason(
    http: aiohttp.ClientSession, body: dict[str, Any], problem: str
) -> None:
    async with http.post("/sandbox/users", json=body) as response:
        assert response.status == 400
        assert problem in (await response.json())["description"]


async def test_posts_must_be_json_and_unknown_users_are_404(http: aiohttp.ClientSession) -> None:
    async with http.post("/sandbox/clock", data={"advance": "60"}) as response:
        assert response.status == 415  # a cross-site form cannot move the clock
    async with http.get("/sandbox/users/999/chat") as response:
        assert response.status == 404


async def test_the_page_and_its_assets_are_served(http: aiohttp.ClientSession) -> None:
    async with http.get("/") as response:
        assert response.status == 200
        assert "/sandbox/static/sandbox.js" in await response.text()
    for name, kind in (("sandbox.js", "text/javascript"), ("sandbox.css", "text/css")):
        async with http.get(f"/sandbox/static/{name}") as response:
            assert response.status == 200
            assert response.content_type == kind
    async with http.get("/sandbox/static/..%2Fserver.py") as response:
        assert response.status == 404


async def test_the_clock_jump_makes_a_reminder_arrive(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    app = sandbox.application
    state = await get(http, "/sandbox/state")
    organizer = next(user["id"] for user in state["users"] if user["role"] == "organizer")
    volunteer = next(user["id"] for user in state["users"] if user["role"] == "volunteer")
    now = sandbox.clock.now()
    event = await app.events.create(
        organizer,
        EventDraft(
            title_kk="Саябақты тазалау",
            title_ru="Уборка парка",
            category="cleanup",
            region="almaty",
            city="Алматы",
            address="Горький атындағы саябақ",
            starts_at=now + timedelta(hours=30),
            ends_at=now + timedelta(hours=33),
            contact="+77010000001",
        ),
    )
    await app.events.publish(organizer, event.id)
    await app.events.register(volunteer, event.id)
    seq = (await get(http, f"/sandbox/users/{volunteer}/chat"))["last_seq"]
    assert await app.sender.send_due() == 0  # nothing is due yet
    assert (await get(http, f"/sandbox/users/{volunteer}/chat?after={seq}"))["events"] == []
    clock = await post(http, "/sandbox/clock", {"advance": 7 * 3600})  # the 24-hour reminder is due
    assert clock["offset_seconds"] == 7 * 3600
    assert sandbox.telegram.clock.now() >= now.timestamp() + 7 * 3600
    reminder, _ = await chat_until(http, volunteer, "Уборка парка", seq)
    assert reminder["type"] == "message"


async def test_a_document_the_bot_sends_can_be_downloaded(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    state = await get(http, "/sandbox/state")
    volunteer = next(user["id"] for user in state["users"] if user["role"] == "volunteer")
    user = sandbox.telegram.user(volunteer)
    await user.send("/privacy")
    privacy = await user.wait_message()
    export = next(
        button["callback_data"]
        for row in privacy.reply_markup["inline_keyboard"]  # type: ignore[index]
        for button in row
        if PrivacyCallback.unpack(button["callback_data"]).action is PrivacyAction.EXPORT
    )
    await user.press_data(export, privacy.message_id)
    event, _ = await chat_until(http, volunteer, "")
    while "document" not in event["message"]:
        event, _ = await chat_until(http, volunteer, "", event["seq"])
    async with http.get(event["file_url"]) as response:
        assert response.status == 200
        assert "attachment" in response.headers["Content-Disposition"]
        assert '"name": "Ольга"' in await response.text()


def test_where_the_sandbox_is_not_installed_the_command_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Docker image has bot/ but not sandbox/ (nor fake_telegram/)."""
    monkeypatch.setitem(sys.modules, "sandbox", None)  # import sandbox raises ImportError
    assert bot_main.sandbox() == 2
    assert "The sandbox is not part of this installation" in capsys.readouterr().err


def test_a_bad_sandbox_port_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANDBOX_PORT", "eighty")
    assert bot_main.sandbox() == 2
    assert "SANDBOX_PORT must be a port number" in capsys.readouterr().err
