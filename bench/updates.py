"""Updates per second: the production dispatcher against aiogram's bare echo, in-process and end to end.

``python -m bench.updates`` (``make bench``) runs four scenarios with the same simulated users:

- in-process, echo: aiogram's ``Dispatcher()`` with one echo handler, updates fed to ``feed_update``,
  the bot's requests answered by a recording session;
- in-process, real: the production ``create_dispatcher(...)`` on a fresh migrated SQLite file, same feeding;
- end to end, echo: ``python -m bench.echo_bot`` (aiogram's ``start_polling``) long-polling the fake
  Telegram server on 127.0.0.1;
- end to end, real: ``python -m bot`` (the production ``Poller``) long-polling the fake;
- in-process through the inbox: the production application fed Telegram's JSON through ``Inbox.receive``,
  alone and with one slow handler busy for the whole run; the quick updates' p95 of both is printed.

Every user goes through the whole onboarding and then /menu, /help, /menu (8 updates); up to
``--concurrency`` users at a time, each user's updates in order. Each run is checked (every update
answered, no warning or error logged, every user onboarded in the database); a run that fails a check
prints FAILED and its reason instead of a rate, and the exit status is then 1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import e2e, inprocess, slow
from bench.report import Result, machine_facts, table
from bench.sampling import Sampler
from bench.workload import UPDATES_PER_USER, Workload
from bot.timezones import use_packaged_tzdata

DEFAULT_UPDATES = 2000
DEFAULT_CONCURRENCY = 100  # the production Poller's max_in_flight, and Telegram's getUpdates batch size
QUICK_UPDATES = 10 * UPDATES_PER_USER
_STARTED = time.perf_counter()


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.updates", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--updates",
        type=int,
        help=f"updates per scenario, rounded up to whole users (default {DEFAULT_UPDATES})",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"users at a time (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"a few-second smoke run ({QUICK_UPDATES} updates per scenario)"
    )
    parser.add_argument("--only", choices=["in-process", "end-to-end"], help="run one pair only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the real scenarios (sampling the event loop's stack) and print where CPU goes",
    )
    arguments = parser.parse_args(argv)
    if arguments.updates is None:
        arguments.updates = QUICK_UPDATES if arguments.quick else DEFAULT_UPDATES
    if arguments.updates < 1 or arguments.concurrency < 1:
        parser.error("--updates and --concurrency must be positive")
    return arguments


async def run(arguments: argparse.Namespace) -> list[Result]:
    workload = Workload.for_updates(arguments.updates, arguments.concurrency)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="belsendi-bench-") as name:
        folder = Path(name)
        if arguments.only in (None, "in-process"):
            results.append(await inprocess.run_echo(workload))
            _progress(results[-1])
            sampler = Sampler() if arguments.profile else None
            results.append(await inprocess.run_real(workload, folder, sampler))
            _progress(results[-1])
            if sampler is not None:
                print(f"\nProfile of the in-process real run:\n{sampler.report(top=40)}\n", flush=True)
            results.append(await slow.run_slow_among_quick(workload, folder))
            _progress(results[-1])
        if arguments.only in (None, "end-to-end"):
            results.append(await e2e.run_echo(workload, folder))
            _progress(results[-1])
            profile = folder / "bot-profile.txt" if arguments.profile else None
            results.append(await e2e.run_real(workload, folder, profile))
            _progress(results[-1])
            if profile is not None and profile.exists():
                report = profile.read_text(encoding="utf-8")
                print(f"\nProfile of the bot process in the end-to-end real run:\n{report}\n", flush=True)
    return results


def _progress(result: Result) -> None:
    outcome = "FAILED" if result.failure is not None else f"{result.rate:.0f} updates/s"
    print(
        f"  [{time.perf_counter() - _STARTED:5.1f} s] {result.label}: {outcome}", file=sys.stderr, flush=True
    )


def main(argv: list[str]) -> int:
    arguments = _arguments(argv)
    use_packaged_tzdata()
    workload = Workload.for_updates(arguments.updates, arguments.concurrency)
    print(machine_facts())
    print(
        f"workload: {workload.users} users x {UPDATES_PER_USER} updates = {workload.updates} updates per "
        f"scenario, {workload.concurrency} users at a time; "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        flush=True,
    )
    started = time.perf_counter()
    results = asyncio.run(run(arguments))
    print()
    print(table(results))
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")
    return 1 if any(result.failure is not None for result in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
