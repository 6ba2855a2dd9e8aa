"""`python -m bot outbox`: the outbox's rows by kind and status, and the latest failures with their reasons;
`python -m bot outbox retry [ID ...|--all-failed]`: failed rows back to pending."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from storage.database import Database
from storage.repositories.outbox import OutboxStatus

RETRY_USAGE = "usage: python -m bot outbox retry ID [ID ...] | python -m bot outbox retry --all-failed"


async def print_outbox_report(settings: Settings, *, limit: int = 20) -> int:
    database = Database(settings.database_url)
    try:
        async with database.reading() as uow:
            counts = await uow.outbox.counts()
            failed = await uow.outbox.failed(limit)
    finally:
        await database.dispose()
    statuses = list(OutboxStatus)
    width = max([len("kind"), len("total"), *(len(kind) for kind in counts)])
    print(f"{'kind':<{width}}" + "".join(f"  {status.value:>8}" for status in statuses))
    for kind, by_status in counts.items():
        print(f"{kind:<{width}}" + "".join(f"  {by_status[status]:>8}" for status in statuses))
    totals = [sum(by_status[status] for by_status in counts.values()) for status in statuses]
    print(f"{'total':<{width}}" + "".join(f"  {total:>8}" for total in totals))
    if failed:
        print(f"\nfailed (newest first, at most {limit}; `python -m bot outbox retry ID` sends one again):")
        print(f"{'id':>8}  {'kind':<12}  {'recipient':>12}  {'attempts':>8}  {'created (UTC)':<19}  reason")
        for row in failed:
            created = row.created_at.strftime("%Y-%m-%d %H:%M:%S")
            print(
                f"{row.id:>8}  {row.kind:<12}  {row.recipient:>12}  {row.attempts:>8}  {created:<19}  "
                f"{row.error or ''}"
            )
    return 0


async def retry_failed(settings: Settings, arguments: Sequence[str], *, clock: Clock | None = None) -> int:
    """Failed rows (the ids given, or all with --all-failed) back to pending, due now."""
    if list(arguments) == ["--all-failed"]:
        ids: list[int] | None = None
    elif arguments and all(argument.isdigit() for argument in arguments):
        ids = sorted({int(argument) for argument in arguments})
    else:
        print(RETRY_USAGE, file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    try:
        async with database.transaction() as uow:
            retried = await uow.outbox.retry(ids, now=(clock or SystemClock()).now())
    finally:
        await database.dispose()
    print(f"{len(retried)} failed message(s) put back to pending" + (f": {_ids(retried)}" if retried else ""))
    if ids is not None and (left := sorted(set(ids) - set(retried))):
        print(f"not failed messages, left as they are: {_ids(left)}", file=sys.stderr)
        return 1
    return 0


def _ids(ids: Sequence[int]) -> str:
    return " ".join(str(message_id) for message_id in ids)
