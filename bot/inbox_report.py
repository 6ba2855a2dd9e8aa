"""`python -m bot inbox`: how many updates are pending, done and failed, and why the failed ones failed."""

from __future__ import annotations

from bot.settings import Settings
from storage.database import Database
from storage.repositories.inbox import InboxStatus


async def print_inbox_report(settings: Settings, *, limit: int = 50) -> int:
    database = Database(settings.database_url)
    try:
        async with database.reading() as uow:
            counts = await uow.inbox.counts()
            failed = await uow.inbox.failed(limit)
    finally:
        await database.dispose()
    print("  ".join(f"{status.value}: {counts[status]}" for status in InboxStatus))
    if failed:
        print(f"\nfailed (newest first, at most {limit}):")
        print(f"{'update_id':>12}  {'attempts':>8}  {'received (UTC)':<19}  reason")
        for update in failed:
            received = update.received_at.strftime("%Y-%m-%d %H:%M:%S")
            print(f"{update.update_id:>12}  {update.attempts:>8}  {received:<19}  {update.error or ''}")
    return 0
