"""`python -m bot` runs the bot; `python -m bot migrate` only migrates; `healthcheck` probes it;
`events import FILE` imports events; `grants import FILE | load-sample` fills the grant catalogue;
`sandbox` runs it offline against the fake Telegram, in a browser; `start` (what `make run` does) runs
the real bot with BOT_TOKEN (the sample grants loaded into an empty catalogue) and the sandbox without
one."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import urllib.request

from bot.heartbeat import heartbeat_age
from bot.settings import Settings, SettingsError, load_settings
from bot.timezones import StaleTimeZoneDataError, check_almaty_offset, use_packaged_tzdata

COMMANDS = {
    "run": "apply the database migrations, then run the bot (the default)",
    "start": "the bot with BOT_TOKEN, else the offline sandbox (what `make run` does)",
    "sandbox": "the bot offline in a browser at http://127.0.0.1:8080, no Telegram or token needed",
    "migrate": "apply the database migrations only; needs no BOT_TOKEN",
    "inbox": "show how many updates are pending, done and failed, and why the failed ones failed",
    "outbox": "show the outbox by kind and status, and the latest failures; "
    "`outbox retry ID ...|--all-failed` sends failed ones again",
    "events": "`events import FILE` imports events from a CSV or JSON file, all or nothing "
    "(README: Importing events)",
    "grants": "`grants import FILE` adds or updates grant calls from a CSV or JSON file (README: Grant "
    "calls); `grants load-sample` loads the sample catalogue into an empty one",
    "healthcheck": "exit 0 if the running bot is healthy (webhook: GET /healthz; polling: HEARTBEAT_FILE)",
    "help": "print this help (also -h, --help)",
}
USAGE = f"usage: python -m bot [{' | '.join(COMMANDS)}]"
HELP = "\n".join(
    [
        USAGE,
        "",
        "commands:",
        *(f"  {name:<12} {meaning}" for name, meaning in COMMANDS.items()),
        "",
        "Settings come from the environment or from .env in the working folder (README: Settings).",
    ]
)
# A webhook server listening on every address (WEBHOOK_HOST) is asked on 127.0.0.1.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - compared with, not listened on
BOTFATHER_HELP = (
    "BOT_TOKEN is not set. In Telegram, open @BotFather, send /newbot and copy the token it gives you.\n"
    "Put it in .env beside the Makefile as BOT_TOKEN=123456:ABC... (see .env.example), then run again."
)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command in ("help", "-h", "--help") and len(argv) == 1:
        print(HELP)
        return 0
    # Only `outbox`, `events` and `grants` take arguments: `outbox retry ID ...` or `outbox retry
    # --all-failed`; `events import FILE`; `grants import FILE`, `grants load-sample`.
    takes_arguments = (
        (command == "outbox" and len(argv) > 2 and argv[1] == "retry")
        or (command == "events" and len(argv) == 3 and argv[1] == "import")
        or (
            command == "grants"
            and ((len(argv) == 3 and argv[1] == "import") or (len(argv) == 2 and argv[1] == "load-sample"))
        )
    )
    if command == "grants" and not takes_arguments:
        print("usage: python -m bot grants import FILE | grants load-sample", file=sys.stderr)
        return 2
    if (
        command not in COMMANDS
        or (len(argv) > 1 and not takes_arguments)
        or (command == "events" and not takes_arguments)
    ):
        print(USAGE, file=sys.stderr)
        print("Run `python -m bot --help` for what each command does.", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error.variable} {error.problem}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if settings.log_level != "DEBUG":
        # A line per update and per button answer: noise at INFO, and 2% of the CPU in the benchmark.
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
        logging.getLogger("aiogram.middlewares").setLevel(logging.WARNING)
    if command == "healthcheck":
        return healthcheck(settings)
    use_packaged_tzdata()
    try:
        check_almaty_offset()
    except StaleTimeZoneDataError as error:
        print(f"Refusing to start: {error}", file=sys.stderr)
        return 2

    if command == "migrate":
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        return 0
    if command == "inbox":
        from bot.inbox_report import print_inbox_report

        return asyncio.run(print_inbox_report(settings))
    if command == "outbox":
        from bot.outbox_report import print_outbox_report, retry_failed

        if takes_arguments:
            return asyncio.run(retry_failed(settings, argv[2:]))
        return asyncio.run(print_outbox_report(settings))
    if command == "sandbox" or (command == "start" and settings.bot_token is None):
        return sandbox()

    if command == "events":
        from pathlib import Path

        from bot.event_import_report import import_events
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        return asyncio.run(import_events(settings, Path(argv[2])))

    if command == "grants":
        from pathlib import Path

        from bot.grants_cli import import_file, load_sample
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        if argv[1] == "import":
            return asyncio.run(import_file(settings, Path(argv[2])))
        return asyncio.run(load_sample(settings))
    if settings.bot_token is None:
        print(BOTFATHER_HELP, file=sys.stderr)
        return 2
    if command == "start":
        print(
            f"Belsendi: the REAL bot ({settings.run_mode} mode, Telegram at {settings.telegram_api_url}, "
            f"database {settings.database_url}); its log follows. Stop with Ctrl+C.",
            flush=True,
        )
    # In a child process: Alembic and the migration scripts (12 MB) stay out of the long-running bot.
    migrated = subprocess.run([sys.executable, "-m", "bot", "migrate"], check=False)
    if migrated.returncode != 0:
        return migrated.returncode
    if command == "start":
        from bot.grants_cli import load_sample

        asyncio.run(load_sample(settings))  # the SAMPLE grant catalogue, into an empty one only

    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.app import run

    try:
        asyncio.run(run(settings))
    except TelegramUnauthorizedError:
        print(
            "Telegram refused BOT_TOKEN (401 Unauthorized): copy the token from @BotFather again.",
            file=sys.stderr,
        )
        return 2
    return 0


def sandbox() -> int:
    """The offline sandbox (sandbox/, beside the fake Telegram server; not in the Docker image)."""
    try:
        from sandbox import serve
    except ImportError:
        print(
            "The sandbox is not part of this installation (it needs the project's sandbox/ and "
            "fake_telegram/ folders): run it from a clone with `make run`.",
            file=sys.stderr,
        )
        return 2
    port = os.environ.get("SANDBOX_PORT", "8080")
    if not port.isdigit() or not 0 <= int(port) < 65536:  # 0: any free port
        print(f"Configuration error: SANDBOX_PORT must be a port number, not {port!r}", file=sys.stderr)
        return 2
    return asyncio.run(serve(port=int(port)))


def healthcheck(settings: Settings) -> int:
    """For the container: in webhook mode /healthz must answer 200; in polling mode the poller's
    heartbeat must be younger than HEARTBEAT_MAX_AGE (no heartbeat yet counts as unhealthy: Docker's
    start period covers the first round trip)."""
    if settings.run_mode == "webhook":
        return _probe_webhook(settings)
    age = heartbeat_age(settings.heartbeat_file)
    if age is None:
        print(f"unhealthy: no heartbeat yet at {settings.heartbeat_file}", file=sys.stderr)
        return 1
    if age > settings.heartbeat_max_age:
        print(
            f"unhealthy: the last answer from Telegram was {age:.0f} s ago "
            f"(HEARTBEAT_MAX_AGE is {settings.heartbeat_max_age:g} s)",
            file=sys.stderr,
        )
        return 1
    return 0


def _probe_webhook(settings: Settings) -> int:
    url = f"http://{_connect_host(settings.webhook_host)}:{settings.webhook_port}/healthz"
    # The bot is on this machine: an http_proxy meant for the outside world must not be asked.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1


def _connect_host(listen_host: str) -> str:
    """Where to reach a server listening on `listen_host`, as a URL's host part."""
    if listen_host in WILDCARD_HOSTS:
        return "127.0.0.1"
    return f"[{listen_host}]" if ":" in listen_host else listen_host


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
