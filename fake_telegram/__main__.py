"""Run the fake Telegram server on its own: ``python -m fake_telegram --host 127.0.0.1 --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .limits import Limits
from .server import FakeTelegram


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fake_telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one; default 8081)")
    parser.add_argument("--bot-username", default="belsendi_bot")
    parser.add_argument("--bot-first-name", default="Belsendi")
    limits = parser.add_argument_group("rate limits (all off by default; Telegram's are about 30, 1 and 20)")
    limits.add_argument("--global-per-second", type=int, default=None, help="sends across chats per second")
    limits.add_argument("--per-chat-per-second", type=float, default=None, help="sustained sends per chat")
    limits.add_argument("--per-chat-burst", type=int, default=None, help="sends one chat may get at once")
    limits.add_argument(
        "--per-group-per-minute", type=int, default=None, help="sends per group chat a minute"
    )
    limits.add_argument("--retry-after", type=int, default=None, help="fixed 429 penalty in seconds")
    parser.add_argument(
        "--callback-timeout", type=float, default=None, help="expire callback queries after s"
    )
    parser.add_argument(
        "--no-request-log", action="store_true", help="do not keep the request log (benchmarks)"
    )
    parser.add_argument(
        "--log-limit", type=int, default=10_000, help="entries kept per log: requests, each chat's events"
    )
    parser.add_argument("--log-level", default="WARNING")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeTelegram(
        bot_username=args.bot_username,
        bot_first_name=args.bot_first_name,
        host=args.host,
        port=args.port,
        limits=Limits(
            global_per_second=args.global_per_second,
            per_chat_per_second=args.per_chat_per_second,
            retry_after=args.retry_after,
            per_chat_burst=args.per_chat_burst,
            per_group_per_minute=args.per_group_per_minute,
        ),
        callback_timeout=args.callback_timeout,
        record_requests=not args.no_request_log,
        log_limit=args.log_limit,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await fake.start()
    try:
        # The one line a parent process reads to learn the URL (useful with --port 0).
        print(f"fake Telegram Bot API listening on {fake.url}", flush=True)
        await stop.wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
