"""`python -m bot events import FILE`: events from a CSV or JSON file, all or nothing (README: "Importing
events"); prints what it did, or every bad row with its line, field and reason, and exits 1."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.clock import Clock, SystemClock
from bot.services.event_import import EventImporter, ImportRejectedError
from bot.services.events import EventService
from bot.settings import Settings
from storage.database import Database

USAGE = "usage: python -m bot events import FILE.csv|FILE.json"


async def import_events(settings: Settings, path: Path, clock: Clock | None = None) -> int:
    database = Database(settings.database_url)
    events = EventService(database, clock or SystemClock(), settings.admin_ids)
    try:
        report = await EventImporter(events, settings.tz).import_file(path)
    except ImportRejectedError as rejected:
        count = len(rejected.problems)
        print(f"Nothing imported: {count} problem{'s' * (count != 1)} in {path}", file=sys.stderr)
        for problem in rejected.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print(
        f"Imported {report.total} event(s) from {path}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged."
    )
    return 0
