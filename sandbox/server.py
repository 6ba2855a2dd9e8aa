"""The sandbox's lifecycle: the fake Telegram server with the chat page on one port, the real bot as a
task of this process on its own database file and clock, and the simulated users."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from bot.app import Application, run
from bot.clock import OffsetClock
from bot.domain.roles import ROLES_NEEDING_APPROVAL, Role
from bot.services.users import UserService
from bot.settings import Settings, load_settings
from fake_telegram import FakeTelegram
from storage.migrate import upgrade

from .web import add_routes

# The fake's bot: real Telegram would refuse this token, and the bot never talks to it anyway.
TOKEN = "100000001:sandbox-offline-token-not-for-telegram"  # noqa: S105 - not a secret
BOT_USERNAME = "belsendi_sandbox_bot"
HOST = "127.0.0.1"
PORT = 8080
DATABASE_FILE = Path("data/sandbox.sqlite3")
# The sandbox's ADMIN_IDS: a user made an admin on the page takes the next free one.
ADMIN_IDS = tuple(range(100_001, 100_011))
FIRST_USER_ID = 200_001
ROLES = ("new", "volunteer", "ngo", "organizer", "admin")
LANGUAGES = ("kk", "ru")


@dataclass(frozen=True, slots=True)
class SandboxUser:
    """A simulated Telegram user. `role` is what the sandbox set up: "new" ones onboard in the chat."""

    id: int
    name: str
    language: str
    role: str


Seed = Callable[["Sandbox"], Awaitable[None]]


class Sandbox:
    """Build, then `await run(stop)`; the page and tests drive it through `add_user` and `advance`."""

    def __init__(
        self,
        database_file: Path = DATABASE_FILE,
        *,
        host: str = HOST,
        port: int = PORT,
        seed: Seed | None = None,
        settings_overrides: dict[str, object] | None = None,
        on_listening: Callable[[Sandbox], None] | None = None,
    ) -> None:
        self.database_file = database_file
        self.clock = OffsetClock()
        self.telegram = FakeTelegram(
            token=TOKEN, bot_username=BOT_USERNAME, host=host, port=port, extra_routes=self._routes
        )
        self.users: dict[int, SandboxUser] = {}
        self.ready = asyncio.Event()
        self._seed = seed
        self._settings_overrides = settings_overrides or {}
        self._on_listening = on_listening
        self._app: Application | None = None

    def _routes(self, app: web.Application) -> None:
        add_routes(app, self)

    @property
    def url(self) -> str:
        """The chat page (and the fake Bot API under it)."""
        return self.telegram.url

    @property
    def application(self) -> Application:
        if self._app is None:
            raise RuntimeError("the sandbox's bot has not started yet")
        return self._app

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.database_file}"

    def settings(self) -> Settings:
        """The real settings (.env, environment) with everything that could reach out replaced: the
        fake's URL and token, the sandbox's database and admins, polling."""
        overrides: dict[str, object] = {
            **self._settings_overrides,
            "bot_token": TOKEN,
            "telegram_api_url": self.telegram.url,
            "database_url": self.database_url,
            "admin_ids": frozenset(ADMIN_IDS),
            "run_mode": "polling",
            "webhook_url": None,
            "heartbeat_file": self.database_file.with_name("sandbox-heartbeat"),
        }
        return load_settings(**overrides)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: a fresh database each time (the fake's chats live in memory)."""
        await self.telegram.start()
        if self._on_listening is not None:
            self._on_listening(self)
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                self.database_file.with_name(self.database_file.name + suffix).unlink(missing_ok=True)
            await asyncio.to_thread(upgrade, self.database_url)
            await run(self.settings(), clock=self.clock, stop=stop, on_started=self._started)
        finally:
            await self.telegram.stop()

    async def _started(self, app: Application) -> None:
        self._app = app
        if self._seed is not None:
            await self._seed(self)
        self.ready.set()

    # -- users ---------------------------------------------------------------------------------------

    async def add_user(self, name: str, language: str, role: str, *, region: str = "almaty") -> SandboxUser:
        """A new simulated user; all but "new" ones get their profile and role through the services,
        as if they had onboarded (an admin's id is one of the sandbox's ADMIN_IDS)."""
        name = " ".join(name.split())[:64]
        if not name:
            raise ValueError("a name is required")
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        user = SandboxUser(self._free_id(role), name, language, role)  # no await between: ids stay unique
        self.users[user.id] = user
        # The user "started" the bot before: the bot may write to them (as the seed's approvals do).
        self.telegram.user(user.id, first_name=name, language_code=language).chat.known = True
        if role != "new":
            await self._set_up(user, region)
        return user

    def _free_id(self, role: str) -> int:
        if role == "admin":
            free = [user_id for user_id in ADMIN_IDS if user_id not in self.users]
            if not free:
                raise ValueError(f"the sandbox has {len(ADMIN_IDS)} admins at most")
            return free[0]
        return max([FIRST_USER_ID - 1, *(u for u in self.users if u >= FIRST_USER_ID)]) + 1

    async def _set_up(self, user: SandboxUser, region: str) -> None:
        app = self.application
        # No admins: the request below is decided at once, so nobody is asked to approve it.
        users = UserService(app.database, app.clock)
        await users.meet(user.id, telegram_language=user.language, username=None)
        await users.choose_language(user.id, user.language)
        await users.give_consent(user.id, name=user.name, username=None, telegram_language=user.language)
        role = Role.VOLUNTEER if user.role == "admin" else Role(user.role)
        await users.choose_role(user.id, Role.VOLUNTEER)
        await users.choose_region(user.id, region)
        if role in ROLES_NEEDING_APPROVAL:
            await users.request_role(user.id, role, organization=f"{user.name} (sandbox)", bin_number=None)
            await app.approvals.decide(ADMIN_IDS[0], user.id, role.value, approve=True)

    def user_views(self) -> list[dict[str, object]]:
        return [asdict(user) for user in self.users.values()]

    # -- time ----------------------------------------------------------------------------------------

    async def advance(self, seconds: float) -> None:
        """Jump ahead: the bot's clock and the fake's together, then what the jump made due runs now
        (the outbox's reminders, ended events, expired offers) instead of at the scheduler's next tick."""
        if not 0 < seconds <= 366 * 24 * 3600:
            raise ValueError("jump between a second and a year ahead")
        self.clock.advance(timedelta(seconds=seconds))
        self.telegram.clock.advance(seconds)
        app = self.application
        await app.events.finish_ended()
        await app.events.expire_offers()
        app.sender.wake()


async def serve(database_file: Path = DATABASE_FILE, port: int = PORT) -> int:
    """`python -m bot sandbox`: run until Ctrl+C or SIGTERM."""
    from .seed import seed_sample_world

    # A line per scheduler tick (every few seconds) would bury what the sandbox says.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sandbox = Sandbox(database_file, port=port, seed=seed_sample_world, on_listening=_announce)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await sandbox.run(stop)
    except OSError as error:
        print(f"The sandbox could not start: {error} (is port {port} taken? SANDBOX_PORT=...)", flush=True)
        return 2
    return 0


def _announce(sandbox: Sandbox) -> None:
    """The first lines printed: which mode this is and where to look."""
    print(
        "Belsendi SANDBOX: offline, no Telegram and no token (BOT_TOKEN is not set).\n"
        f"Open {sandbox.url} in a browser and chat with the bot as sample users.\n"
        f"Sandbox database: {sandbox.database_file} (made afresh at each start; DATABASE_URL is not "
        "touched).\n"
        "Stop with Ctrl+C. With BOT_TOKEN in .env, `make run` runs the real bot instead.",
        flush=True,
    )
