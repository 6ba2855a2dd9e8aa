"""`python -m bot grants import FILE` and `python -m bot grants load-sample`: the catalogue from a file."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from bot.clock import SystemClock
from bot.i18n import Catalogs
from bot.services.grant_import import CatalogueError, read_catalogue, shift_forward
from bot.services.grants import GrantService, ImportOutcome
from bot.services.sectors import SectorService
from bot.settings import Settings
from storage.database import Database

SAMPLE_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "grants-sample.json"
# The sample's first deadline is moved at least this far ahead when loaded late.
SAMPLE_AHEAD = timedelta(days=7)


def _service(settings: Settings, database: Database) -> GrantService:
    return GrantService(
        database, SystemClock(), Catalogs(settings.default_locale, settings.tz), settings.admin_ids
    )


async def import_file(settings: Settings, path: Path) -> int:
    """Import the file in one transaction; every bad row is reported and then nothing is imported.
    Sector codes are the built-in ones and those admins added in the bot (/sectors)."""
    database = Database(settings.database_url)
    try:
        catalogs = Catalogs(settings.default_locale, settings.tz)
        sectors = await SectorService(database, SystemClock(), catalogs, settings.admin_ids).catalogue()
        try:
            drafts = read_catalogue(path, settings.tz, sectors)
        except CatalogueError as error:
            print(f"{path}: nothing imported; {len(error.problems)} problem(s):", file=sys.stderr)
            for problem in error.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        outcome = await _service(settings, database).import_calls(drafts)
    finally:
        await database.dispose()
    _print_outcome(path, outcome)
    return 0


async def load_sample(settings: Settings, path: Path = SAMPLE_CATALOGUE) -> int:
    """Load the sample catalogue into an empty catalogue (nothing happens when it has calls); its dates
    are moved forward by whole weeks if the first deadline is too near or past."""
    database = Database(settings.database_url)
    try:
        service = _service(settings, database)
        if await service.count():
            print("The grant catalogue is not empty: the sample is not loaded.")
            return 0
        try:
            drafts = read_catalogue(path, settings.tz)
        except CatalogueError as error:
            for problem in error.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        drafts = shift_forward(drafts, service.clock.now(), ahead=SAMPLE_AHEAD)
        outcome = await service.import_calls(drafts)
    finally:
        await database.dispose()
    print(f"Loaded the SAMPLE grant catalogue ({len(outcome.added)} calls, not real ones) from {path}.")
    return 0


def _print_outcome(path: Path, outcome: ImportOutcome) -> None:
    print(
        f"{path}: {len(outcome.added)} added, {len(outcome.updated)} updated, "
        f"{len(outcome.unchanged)} unchanged."
    )
    for change in outcome.changes:
        print(f"  changed: call {change.grant_id} {change.field}: {change.old_value} -> {change.new_value}")
