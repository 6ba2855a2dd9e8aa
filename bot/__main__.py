"""`python -m bot` runs the bot; `python -m bot migrate` only migrates; `healthcheck` probes it."""

from __future__ import annotations

import asyncio
import logging
import sys
import urllib.request

from bot.settings import Settings, SettingsError, load_settings
from bot.timezones import StaleTimeZoneDataError, check_almaty_offset, use_packaged_tzdata

USAGE = "usage: python -m bot [run | migrate | inbox | healthcheck]"
BOTFATHER_HELP = (
    "BOT_TOKEN is not set. In Telegram, open @BotFather, send /newbot and copy the token it gives you.\n"
    "Put it in .env beside the Makefile as BOT_TOKEN=123456:ABC... (see .env.example), then run again."
)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in ("run", "migrate", "inbox", "healthcheck") or len(argv) > 1:
        print(USAGE, file=sys.stderr)
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

    from storage.migrate import upgrade

    if command == "migrate":
        upgrade(settings.database_url)
        return 0
    if command == "inbox":
        from bot.inbox_report import print_inbox_report

        return asyncio.run(print_inbox_report(settings))
    if settings.bot_token is None:
        print(BOTFATHER_HELP, file=sys.stderr)
        return 2
    upgrade(settings.database_url)

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


def healthcheck(settings: Settings) -> int:
    """For the container: in webhook mode, /healthz must answer; polling has no port to probe."""
    if settings.run_mode != "webhook":
        return 0
    url = f"http://127.0.0.1:{settings.webhook_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
